"""Command line: ``python -m screening`` (JSON lines in/out) or ``--text "..."``."""

from __future__ import annotations

import argparse
import json
import sys

from . import Screener, ScreeningConfig


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m screening", description=__doc__)
    ap.add_argument("--text", help="screen one message and print a readable result")
    ap.add_argument("--model", default=ScreeningConfig.model)
    ap.add_argument("--threshold", type=float, default=ScreeningConfig.threshold)
    ap.add_argument("--roster", action="append", default=[], help="a member's display name")
    args = ap.parse_args(argv)
    screener = Screener.load(ScreeningConfig(model=args.model, threshold=args.threshold))
    if args.text is not None:
        res = screener.scan(args.text, roster=args.roster)
        print(f"flagged: {res.flagged}")
        for f in res.findings:
            print(f"  {f.category:<13} {f.score:.2f}  [{f.start}:{f.end}] "
                  f"{args.text[f.start:f.end]!r}  ({f.rule})")
        if res.safeguarding:
            print(f"safeguarding: {res.safeguarding.level} ({res.safeguarding.category}) - "
                  f"{res.safeguarding.reason}")
        else:
            print("safeguarding: none")
        return 0
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
            text = obj.get("text", "") if isinstance(obj, dict) else str(obj)
            if not isinstance(text, str):
                text = str(text)
            roster = obj.get("roster", ()) if isinstance(obj, dict) else ()
            res = screener.scan(text, roster=roster or ())
            rec = {
                "findings": [{"start": f.start, "end": f.end, "category": f.category,
                              "score": f.score} for f in res.findings],
                "safeguarding": res.safeguarding is not None,
            }
            if res.safeguarding is not None:
                rec["safeguarding_category"] = res.safeguarding.category
                rec["reason"] = res.safeguarding.reason
        except Exception as exc:  # keep the stream aligned, one output line per input line
            rec = {"findings": [], "safeguarding": False, "error": type(exc).__name__}
        out.write(json.dumps(rec) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
