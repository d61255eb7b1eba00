"""Developer tool: extract compact lookup files from maintained datasets into this folder.

Not imported at run time (the engine only reads the files it writes; nothing is downloaded
when screening runs). Run after installing the pinned packages below into the venv:

    .venv/bin/python screening/data/build_knowledge.py

Sources and what is extracted (each output file starts with a ``#`` provenance line):

- ``confusables.tsv``: Unicode TR39 confusables (``confusables.json`` shipped in the
  ``confusable-homoglyphs`` package, generated from Unicode's confusables.txt): every
  non-Latin character whose confusable skeleton is one ASCII letter or digit, e.g. Cyrillic
  "о" -> "o". Used to fold homoglyph evasions ("Brinswоrth") before screening.
- ``given_names.tsv`` / ``surnames.tsv``: names from the ``names-dataset`` package (3.3.1,
  Facebook-leak derived, per-country rank) for the countries of communities in England, each
  with its best rank in any of them and its English word frequency from ``wordfreq`` (so the
  engine can weigh "Rose", "Will", "Grace" as a name or a word in context).
"""

from __future__ import annotations

import json
import os
import unicodedata
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent


def _provenance(pkg: str, what: str) -> str:
    return f"# {what}; source: PyPI {pkg} {metadata.version(pkg)}; built by build_knowledge.py\n"


def build_confusables() -> int:
    import confusable_homoglyphs

    src = Path(os.path.dirname(confusable_homoglyphs.__file__)) / "confusables.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    rows: dict[str, str] = {}
    for char, entries in data.items():
        if len(char) != 1 or char.isascii():
            continue
        # accented Latin letters are handled by stripping combining marks, and "×" is not a
        # letter anyone types for "x" in a name
        latin = unicodedata.name(char, "").startswith("LATIN")
        if latin or unicodedata.category(char)[0] not in "LN":
            continue
        for entry in entries:
            target = entry["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                rows[char] = target
                break
    out = HERE / "confusables.tsv"
    with out.open("w", encoding="utf-8") as fh:
        fh.write(_provenance("confusable-homoglyphs",
                             "character<TAB>ASCII letter or digit it is confusable with"))
        for char in sorted(rows):
            fh.write(f"{char}\t{rows[char]}\n")
    return len(rows)


def main() -> None:
    print("confusables:", build_confusables())


if __name__ == "__main__":
    main()
