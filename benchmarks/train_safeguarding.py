"""Train the learned safeguarding stage's head (screening/data/safeguarding_head.json).

    .venv/bin/python benchmarks/train_safeguarding.py             # train on TRAIN, write the head
    .venv/bin/python benchmarks/train_safeguarding.py --evaluate  # leave-one-set-out figures

Training data: the labelled sets in TRAIN (this project's corpora, each by a different author or
round, plus ../shared/corpora/safeguarding-dev.jsonl read in place). The blind measurement sets
(MEASURE_ONLY) are never read here: they measure the engine on text nobody trained or tuned on.

Model: standardised static embeddings (screening/learned.py) -> L2-regularised logistic
regression for "is this a disclosure", and one-vs-rest logistic regressions over the positives
for the category. The regularisation and the threshold were chosen by ``--evaluate``: each set
in turn is left out, the head is trained on the rest, and the left-out set is scored with the
rules and the learned vote together (the vote vetoed by the rules' topic, policy, joke and
question frames, as in screening/safeguarding.py). Figures are printed per set.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening import Screener, ScreeningConfig  # noqa: E402
from screening.learned import HEAD, StaticEmbedder  # noqa: E402
from screening.types import SAFEGUARDING_CATEGORIES  # noqa: E402

C = ROOT / "benchmarks" / "corpus"
H = C / "holdout"
SHARED_DEV = ROOT.parent / "shared" / "corpora" / "safeguarding-dev.jsonl"
TRAIN: dict[str, list[Path]] = {
    "dev": [C / "fresh.txt", C / "generated.txt", C / "handwritten.txt"],
    "holdout": [H / "holdout.txt"],
    "second": [H / "second" / "second.txt"],
    "third": [H / "third" / "third.txt"],
    "fourth": [H / "fourth" / "fourth.txt"],
    "fifth": [H / "fifth" / "fifth.txt"],
    "probe_screen": [H / "probe_screen" / "probe_screen.txt"],
    "probe_screen2": [H / "probe_screen2" / "probe_screen2.txt"],
    "probe_sg": [H / f"probe_sg{i}" / f"probe_sg{i}.txt" for i in (3, 4, 5)],
    # training-only sets, written by helper sessions from corpus/train/BRIEF.md alone
    **{p.stem: [p] for p in sorted((C / "train").glob("train_*.txt"))},
}
MEASURE_ONLY = ("sixth", "seventh", "eighth", "ninth")
L2 = 30.0
THRESHOLD = 0.5
CATEGORY_L2 = 10.0


def _rows() -> list[dict]:
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "screening.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows: list[dict] = []
    for group, paths in TRAIN.items():
        for path in paths:
            assert not any(m in str(path) for m in MEASURE_ONLY), path
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#"):
                    row = bench.compile_line(line)
                    row["group"] = group
                    rows.append(row)
    for row in bench._jsonl_rows(SHARED_DEV):
        row["group"] = "safeguarding-dev"
        rows.append(row)
    return rows


def train_lr(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Newton's method on the L2-regularised log-loss; the bias (last weight) is not shrunk."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    shrink = np.r_[np.ones(x.shape[1]), 0.0]
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x1 @ w)))
        grad = x1.T @ (p - y) + l2 * shrink * w
        hess = x1.T @ (x1 * (p * (1 - p))[:, None]) + l2 * np.diag(shrink)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def _predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(x @ w[:-1] + w[-1])))


def _category_targets(rows: list[dict]) -> tuple[np.ndarray, list[int]]:
    idx = [i for i, r in enumerate(rows)
           if r["safeguarding"] and r["sg_cat"] in SAFEGUARDING_CATEGORIES]
    return np.array([SAFEGUARDING_CATEGORIES.index(rows[i]["sg_cat"]) for i in idx]), idx


def _vetoed(screener: Screener, text: str) -> bool:
    risk = screener.safeguarding.risk
    return risk is not None and risk.is_discussion(text)


def evaluate(rows: list[dict], x: np.ndarray, rule: np.ndarray, veto: np.ndarray) -> None:
    y = np.array([r["safeguarding"] for r in rows], float)
    groups = np.array([r["group"] for r in rows])
    print(f"leave-one-set-out, L2={L2}, threshold={THRESHOLD} "
          "(rules | learned vote, vetoed by frames)")
    print(f"{'left out':16s} {'n+':>4s} {'rules r/p':>12s} {'together r/p':>14s} "
          f"{'vote alone r/p':>16s}")
    tot = np.zeros(4)
    for g in TRAIN:
        test = groups == g
        mean, scale = x[~test].mean(0), x[~test].std(0) + 1e-6
        w = train_lr((x[~test] - mean) / scale, y[~test], L2)
        p = _predict(w, (x[test] - mean) / scale)
        vote = (p >= THRESHOLD) & ~veto[test]
        yt, rt = y[test] > 0, rule[test]
        both = rt | vote

        def rp(a: np.ndarray, yt: np.ndarray = yt) -> str:
            tp = int((a & yt).sum())
            return f"{tp / max(1, int(yt.sum())):.2f}/{tp / max(1, int(a.sum())):.2f}"

        print(f"{g:16s} {int(yt.sum()):4d} {rp(rt):>12s} {rp(both):>14s} {rp(vote):>16s}")
        tot += [int((both & yt).sum()), int(both.sum()), int(yt.sum()), 0]
    print(f"{'all':16s} {int(tot[2]):4d} {'':>12s} {tot[0] / tot[2]:.2f}/{tot[0] / tot[1]:.2f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--evaluate", action="store_true", help="leave-one-set-out figures only")
    args = ap.parse_args()
    rows = _rows()
    embedder = StaticEmbedder.load()
    screener = Screener.load(ScreeningConfig(learned_safeguarding=False))
    x = np.stack([embedder.embed(r["text"]) for r in rows]).astype(np.float64)
    if args.evaluate:
        rule = np.array([screener.scan(r["text"]).safeguarding is not None for r in rows])
        veto = np.array([_vetoed(screener, r["text"]) for r in rows])
        evaluate(rows, x, rule, veto)
        return 0
    y = np.array([r["safeguarding"] for r in rows], float)
    mean, scale = x.mean(0), x.std(0) + 1e-6
    xs = (x - mean) / scale
    w = train_lr(xs, y, L2)
    cats, idx = _category_targets(rows)
    cw = [train_lr(xs[idx], (cats == k).astype(float), CATEGORY_L2)
          for k in range(len(SAFEGUARDING_CATEGORIES))]
    sources = sorted({str(p.relative_to(ROOT)) for ps in TRAIN.values() for p in ps})
    digest = hashlib.sha256()
    for s in sources:
        digest.update((ROOT / s).read_bytes())
    digest.update(SHARED_DEV.read_bytes())
    head = {
        "about": "benchmarks/train_safeguarding.py; static vectors from "
                 "screening/data/build_static_vectors.py",
        "trained": str(date.today()),
        "training_sets": sources + ["../shared/corpora/safeguarding-dev.jsonl"],
        "training_sha256": digest.hexdigest(),
        "messages": len(rows), "positives": int(y.sum()),
        "l2": L2, "threshold": THRESHOLD,
        "categories": list(SAFEGUARDING_CATEGORIES),
        "mean": [round(float(v), 7) for v in mean],
        "scale": [round(float(v), 7) for v in scale],
        "weights": [round(float(v), 7) for v in w],
        "category_weights": [[round(float(v), 7) for v in c] for c in cw],
    }
    HEAD.write_text(json.dumps(head, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {HEAD.relative_to(ROOT)}: {len(rows)} messages, {int(y.sum())} positive")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
