"""Run the fuzz module three times on a loaded machine and compare the cases each run drew.

    .venv/bin/python -m tests.repeatability            # 3 runs, a CPU burner beside each
    .venv/bin/python -m tests.repeatability --runs 2 --module tests/test_fuzz.py

Each run records a digest of every drawn case (FUZZ_EXAMPLES_LOG); the check fails (exit 1)
when any run drew a different sequence, or when a run's verdict differs. The burner keeps every
core busy, as a slow or shared CI machine would, so a time-dependent draw shows up here.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _burn() -> None:
    while True:
        pass


def _run_once(module: str, log: Path) -> int:
    env = {**os.environ, "FUZZ_EXAMPLES_LOG": str(log), "HYPOTHESIS_PROFILE": "repeatable"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", module]
    return subprocess.run(command, env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--module", default="tests/test_fuzz.py")
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    verdicts: list[int] = []
    draws: list[list[str]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for run in range(args.runs):
                log = Path(folder) / f"run{run}.log"
                log.touch()
                verdicts.append(_run_once(args.module, log))
                draws.append(log.read_text(encoding="ascii").splitlines())
                print(f"run {run + 1}: exit {verdicts[-1]}, {len(draws[-1])} cases drawn")
    finally:
        for burner in burners:
            burner.terminate()
    same_draws = all(d == draws[0] for d in draws)
    same_verdicts = len(set(verdicts)) == 1
    print(f"same cases drawn in every run: {same_draws}; same verdict: {same_verdicts}")
    if not same_draws:
        for run, drawn in enumerate(draws[1:], start=2):
            first = next((i for i, (a, b) in enumerate(zip(draws[0], drawn, strict=False))
                          if a != b), min(len(draws[0]), len(drawn)))
            print(f"run {run} first differs from run 1 at case {first}")
    return 0 if same_draws and same_verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
