"""A fork server for bot processes: `python -m tests.harness.forkserver` (cwd = repo root).

It imports `bot` and loads the screening engine once (the ~4-5 s of CPU of a cold start:
spaCy), prints `ready`, then for each line of JSON on stdin (an environment: PORT,
DATABASE_URL, ...) forks a child that starts a new session, applies that environment and runs
exactly `bot.main()` as `python bot.py` does, and prints the child's pid. Only the imports
were done before the fork; the child opens, migrates and serves the database itself, and is
a separate process that SIGKILL ends like any other. Children are reaped automatically.

The kill -9 harness uses it so that 100 restarts fit in a few minutes on a two-core machine
(as gunicorn's `--preload` does); the first start and the last restart of a run are cold
`python bot.py` processes.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def _child(env: dict[str, str]) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    os.environ.clear()
    os.environ.update(env)
    import bot

    code = 1
    try:
        code = bot.main()
    finally:
        os._exit(code)


def run() -> int:
    import bot  # noqa: F401  (the slow imports, once)
    from config import load_settings
    from services.scan_worker import load_screener

    defaults = load_settings()
    load_screener(defaults.screening_model, defaults.screening_threshold)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        env = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(env)
        print(pid, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run())
