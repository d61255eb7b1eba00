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
import re
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


# countries of the communities in England whose names chat will carry (ISO 3166 alpha-2)
NAME_COUNTRIES = (
    "GB", "IE", "US", "IN", "PK", "BD", "LK", "NG", "GH", "KE", "ZA", "ZW", "UG", "ET", "SD",
    "EG", "MA", "DZ", "TN", "IQ", "IR", "AF", "SY", "JO", "SA", "AE", "YE", "TR", "CY", "GR",
    "AL", "PL", "LT", "LV", "EE", "RO", "BG", "HU", "CZ", "SK", "SI", "HR", "RS", "PT", "ES",
    "IT", "FR", "DE", "NL", "BR", "JM", "HK", "CN", "MY", "SG", "PH", "VN", "ID", "MU", "NA",
    "BW", "AZ", "GE", "RU", "UA", "KZ", "IL",
)
FIRST_PER_COUNTRY = 600  # per gender
SUR_PER_COUNTRY = 1000
# an ordinary English word at least this common (wordfreq Zipf scale) is left to the
# hand-checked lists and the context rules ("will", "grace", "rose" stay ambiguous there)
MAX_WORD_ZIPF = 3.3
NAME = re.compile(r"^[a-z][a-z'-]*[a-z]$")


def _keep(name: str, zipf: float) -> bool:
    return bool(NAME.match(name)) and zipf < MAX_WORD_ZIPF


def build_names() -> tuple[int, int]:
    from names_dataset import NameDataset
    from wordfreq import zipf_frequency

    nd = NameDataset()  # ~2 GB in memory: why this runs at build time only
    first: dict[str, int] = {}
    sur: dict[str, int] = {}
    for cc in NAME_COUNTRIES:
        try:
            top = nd.get_top_names(n=FIRST_PER_COUNTRY, country_alpha2=cc)
            top_s = nd.get_top_names(n=SUR_PER_COUNTRY, use_first_names=False,
                                     country_alpha2=cc)
        except (KeyError, ValueError):
            continue
        for names in top.get(cc, {}).values():
            for rank, n in enumerate(names, 1):
                k = fold(n).lower()
                first[k] = min(first.get(k, rank), rank)
        for rank, n in enumerate(top_s.get(cc, []), 1):
            k = fold(n).lower()
            sur[k] = min(sur.get(k, rank), rank)
    counts = []
    for fname, table, what in (("given_names.tsv", first, "given names"),
                               ("surnames.tsv", sur, "surnames")):
        rows = []
        for n, rank in table.items():
            z = zipf_frequency(n, "en")
            if _keep(n, z):
                rows.append((n, rank, z))
        rows.sort()
        with (HERE / fname).open("w", encoding="utf-8") as fh:
            fh.write(_provenance("names-dataset", f"{what}<TAB>best rank in any of "
                                 f"{len(NAME_COUNTRIES)} countries<TAB>English Zipf "
                                 f"frequency (PyPI wordfreq {metadata.version('wordfreq')})"))
            for n, rank, z in rows:
                fh.write(f"{n}\t{rank}\t{z:.2f}\n")
        counts.append(len(rows))
    return counts[0], counts[1]


def build_chat_words() -> int:
    """Common English tokens of informal writing that the British dictionary list lacks
    ("tbh", "mins", "ppl", "gettin", "dont"), so that chat shorthand is not read as an
    unknown proper noun. Names, UK places and known proper nouns are left out."""
    from wordfreq import top_n_list, zipf_frequency

    def read(name: str) -> set[str]:
        return {line.split("\t", 1)[0].strip().lower()
                for line in (HERE / name).read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}

    known = read("english_words.txt")
    names = (read("first_names.txt") | read("surnames.txt") | read("extra_first.txt")
             | read("extra_sur.txt") | read("given_names.tsv") | read("surnames.tsv")
             | read("places.txt") | read("proper_nonid.txt") | read("ambiguous_names.txt"))
    rows = [w for w in top_n_list("en", 60000)
            if w.isascii() and w.isalpha() and len(w) > 2 and w not in known
            and w not in names and zipf_frequency(w, "en") >= CHAT_WORD_ZIPF]
    with (HERE / "chat_words.txt").open("w", encoding="utf-8") as fh:
        fh.write(_provenance("wordfreq", f"English tokens at Zipf >= {CHAT_WORD_ZIPF} not in "
                                         "english_words.txt, the name lists or the places"))
        for w in sorted(rows):
            fh.write(w + "\n")
    return len(rows)


CHAT_WORD_ZIPF = 3.0
REACTION_ZIPF = 1.8


def build_reaction_words() -> int:
    """Rarer informal tokens ("blimey", "defo", "innit", "summat", "soz") that no hand-checked
    name list holds: capitalised at the start of a quick reaction ("Blimey, …", "Defo 😂")
    they are words, not names. Used only in that position (engine.py), so a rare given name
    elsewhere is unaffected; the hand-checked name lists and the places are left out."""
    from wordfreq import top_n_list, zipf_frequency

    def read(name: str) -> set[str]:
        return {line.split("\t", 1)[0].strip().lower()
                for line in (HERE / name).read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}

    known = read("english_words.txt") | read("chat_words.txt")
    curated = (read("first_names.txt") | read("surnames.txt") | read("extra_first.txt")
               | read("extra_sur.txt") | read("ambiguous_names.txt") | read("places.txt")
               | read("extra_places.txt"))
    # a given name among the 50 commonest of a country stays a name ("Peng", "Priya")
    common = {line.split("\t")[0] for line in (HERE / "given_names.tsv").read_text(
        encoding="utf-8").splitlines()
              if not line.startswith("#") and int(line.split("\t")[1]) <= 50}
    rows = [w for w in top_n_list("en", 200000)
            if w.isascii() and w.isalpha() and len(w) > 2 and w not in known
            and w not in curated and w not in common
            and zipf_frequency(w, "en") >= REACTION_ZIPF]
    with (HERE / "reaction_words.txt").open("w", encoding="utf-8") as fh:
        fh.write(_provenance("wordfreq", f"English tokens at Zipf >= {REACTION_ZIPF} not in "
                                         "the word lists, the hand-checked name lists or the "
                                         "places"))
        for w in sorted(rows):
            fh.write(w + "\n")
    return len(rows)


def fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def main() -> None:
    print("confusables:", build_confusables())
    print("given names, surnames:", build_names())
    print("chat words:", build_chat_words())
    print("reaction words:", build_reaction_words())


if __name__ == "__main__":
    main()
