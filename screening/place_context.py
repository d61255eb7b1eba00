"""Is a capitalised name a place? Context and word shape, for names the lists do not know.

No packaged gazetteer lists England's villages, estates and districts ("Thurnscoe",
"Bentilee"), so a name the lists do not hold is read as a place when:

- a locative preposition stands before it ("in", "up", "round", "near"…), or a weaker one
  ("to", "from", "at") after a verb of living or moving ("moved out to X", "rehoused from
  X", "lives up X");
- a place noun follows ("the X lot", "X way", "X end", "X families");
- its shape is an English place name's (a toponymic ending: -thorpe, -wick, -borough…) and
  it is neither a given name nor a surname.

A word the lists know as a given name stays a person: "to Kemi", "from Bogdan".
"""

from __future__ import annotations

import re

from .lexicon import Lexicon

# "lives up X", "round X", "over X way": a place follows whatever the verb
STRONG_PREP = {"in", "near", "nr", "around", "round", "up", "down", "outside", "towards",
               "via", "across", "between", "past", "through", "off", "over", "nearer",
               "beyond", "toward", "along", "covering", "covers"}
# "to X", "from X", "at X": a place after a verb of living or moving, a person otherwise
WEAK_PREP = {"to", "from", "at", "into", "on"}
RESIDE = {
    "move", "moves", "moved", "moving", "rehoused", "rehouse", "relocated", "relocate",
    "relocating", "transferred", "emigrated", "fled", "live", "lives", "lived", "living",
    "stay", "stays", "stayed", "staying", "stop", "stops", "stopping", "based", "grew",
    "raised", "born", "housed", "placed", "go", "goes", "going", "went", "gone", "travel",
    "travels", "travelled", "travelling", "drive", "drives", "drove", "driving", "come",
    "comes", "came", "coming", "visit", "visits", "visited", "visiting", "out", "back",
    "originally", "house", "flat", "home", "bungalow", "caravan", "families", "fam",
    "nan", "grandparents", "bus", "buses", "walk", "walked", "commute", "settled", "ended",
    "far", "away", "way", "miles", "mins", "minutes", "over", "down", "up", "round",
    "around", "sent", "taken", "brought", "end", "area", "patch", "county",
}
# a place noun after the name: "the Meir end", "over Goldthorpe way", "Clay Cross fam"
PLACE_AFTER = re.compile(
    r"\s+(?:way|end|side|area|estate|estates|village|patch|locality|district|ward|flats|"
    r"office)\b", re.I)
# the same with words that also follow a surname ("the Booth lot", "the Lovell kids"):
# a place only when the name is no surname either
PLACE_AFTER_WEAK = re.compile(
    r"\s+(?:lot|lots|fam|families|mob|folk|crew|kids|parents|schools)\b", re.I)
# endings of English place names (Old English and Norse elements)
TOPONYM_END = re.compile(
    r"(?:thorpe|thorp|wick|wich|borough|brough|burgh|bury|worth|stead|cester|caster|chester|"
    r"mouth|combe|coombe|hurst|holme|hulme|thwaite|minster|ington|ingham|field|ford|dale|"
    r"moor|well|wood|bridge|cliffe|cliff|church|castle|gate|pool|port|ness|ley|leigh|ham|"
    r"ton|by|don|den|tree|low|lees|leys|shaw|wold|heath|haven)$")
_WORD = re.compile(r"[A-Za-z'’-]+")


def _words_before(text: str, s: int, n: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[max(0, s - 60):s])][-n:]


def locative_before(text: str, s: int) -> bool:
    """A preposition of place before the name at ``s`` (see the module docstring)."""
    before = _words_before(text, s, 4)
    if not before:
        return False
    prep = before[-1]
    if prep in STRONG_PREP:
        return True
    if prep in WEAK_PREP:
        return any(w in RESIDE for w in before[:-1])
    return False


def place_shape(word: str, lex: Lexicon) -> bool:
    """A place-name ending on a word that is neither a given name nor a surname."""
    w = word.lower()
    if len(w) < 6 or w in lex.first or w in lex.sur or lex.is_word(w):
        return False
    return TOPONYM_END.search(w) is not None


def reads_as_place(text: str, s: int, e: int, lex: Lexicon) -> bool:
    """The capitalised name text[s:e] (not a given name) is a place."""
    words = [re.sub(r"['’]s$", "", w).lower() for w in text[s:e].split()]
    if not words or any(w in lex.first for w in words):
        return False
    if locative_before(text, s) or PLACE_AFTER.match(text, e):
        return True
    if any(w in lex.sur for w in words):
        return False
    return PLACE_AFTER_WEAK.match(text, e) is not None or (
        len(words) == 1 and place_shape(words[0], lex))
