"""Person and place recognition from word lists plus chat context rules."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .lexicon import DOMAIN_ALLOW, TITLES, Lexicon
from .tokens import Tok

# a title that only ever stands before a surname, and nouns that follow a family's surname
_PERSON_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr"}
# "Bill the grandad", "Kerensa the HV", "Gràce the youngest"
_APPOSITIVE = re.compile(
    r"\s+the\s+(?:mum|mother|dad|father|grandad|grandma|grandmother|grandfather|nan|nana|gran|"
    r"granny|uncle|aunt|auntie|eldest|youngest|middle one|baby|toddler|hv|sw|iro|chair|dsl|tm|"
    r"gp|social worker|health visitor|foster carer|carer|stepdad|stepmum|boyfriend|girlfriend|"
    r"partner|neighbour|teacher|senco|older one|little one|oldest)\b", re.I)
_BORN_AFTER = re.compile(r"\s+(?:dob|d\.o\.b\.?|born|b\.)\s*[\d:(]", re.I)
# someone in the call: "Dawn I think you're on mute", "Dawn still muted", "Demelza here,"
_PRESENCE_AFTER = re.compile(
    r"\s*[,:\-–—]?\s*(?:i think |i think you'?re |you'?re |ur |u r |still |is )?"
    r"(?:on mute|muted|still muted|has (?:gone|dropped|left|frozen)|you'?ve frozen|"
    r"your (?:mic|camera)|can you hear|you'?re breaking up|here(?:[,.!:\s\-–—]|$))", re.I)
_FAMILY_NOUNS = {"family", "families", "household", "twins", "siblings", "kids", "children",
                 "boys", "girls", "brothers", "sisters"}

# Words before an ambiguous token which say "a person's name follows".
PERSON_PREV = {
    "with", "to", "from", "called", "named", "asked", "told", "ask", "tell", "thanks", "thank",
    "cheers", "cc", "sister", "brother", "mum", "dad", "son", "daughter", "nan", "nana",
    "grandma", "gran", "grandad", "auntie", "aunt", "uncle", "cousin", "baby", "boy", "girl",
    "kid", "visited", "saw", "met", "like", "by", "for", "and", "re", "about", "niece",
    "nephew", "stepdad", "stepmum", "partner", "husband", "wife", "boyfriend", "girlfriend",
    "colleague", "manager", "worker", "sibling", "twin", "little", "young", "child", "toddler",
    "infant", "teen", "teenager", "pupil", "student", "hi", "hey", "hiya", "morning", "yes",
    "yeah", "yep", "no", "nope", "sorry", "agree", "agreed", "ok", "okay", "oh", "haha", "lol",
    "exactly", "absolutely", "totally", "ta", "love", "bless", "poor", "@",
}
# Greeting / reply words: "<greet> name" at the start of a message is a vocative.
GREET = {
    "hi", "hey", "hiya", "thanks", "thank", "cheers", "yes", "yeah", "yep", "no", "nope",
    "sorry", "morning", "ta", "agree", "agreed", "ok", "okay", "oh", "haha", "lol", "exactly",
    "absolutely", "totally", "welcome", "hello", "evening", "afternoon", "bye", "congrats",
    "well", "good", "great", "nice", "lovely", "love", "aw", "aww", "ah", "hah", "same",
}
# Words after a token which say "that was a person".
PERSON_NEXT = {
    "said", "says", "mentioned", "asked", "told", "thinks", "thought", "reckons", "raised",
    "suggested", "agreed", "disagreed", "wrote", "posted", "shared", "made", "makes",
    "disclosed", "lives", "lived", "went", "goes", "attends", "attended", "aged", "age",
    "is", "was", "has", "had", "and", "who", "did", "does", "didn't", "doesn't", "isn't",
    "wasn't", "can", "could", "would", "will", "won't", "can't", "might", "should", "needs",
    "wants", "wanted", "needed", "gets", "got", "spoke", "speaks", "explained", "answered",
    "replied", "mentions", "pointed", "phoned", "rang", "emailed", "messaged",
    "texted", "left", "joined", "stayed", "moved", "ran", "hit", "hurt", "cried", "smiled",
    "laughed", "seems", "seemed", "looks", "looked", "feels", "felt", "knows", "knew",
    "'s", "’s", "herself", "himself", "x", "xx", "are", "were", "plus", "&",
}
# For these ambiguous names the word after decides more strongly (modal/verb uses).
FUNCTION_NEXT = {
    "be", "been", "have", "has", "had", "you", "we", "they", "it", "the", "a", "an", "that",
    "this", "so", "not", "to", "up", "on", "off", "for", "all", "everyone", "i", "he", "she",
    "need", "do", "also", "still", "never", "always", "just", "see", "get", "go", "make",
    "take", "probably", "definitely", "likely", "is", "was", "and", "of", "in", "at",
    "there", "their", "our", "your", "my", "his", "her", "its", "some", "any", "more", "less",
    "down", "out", "into", "with", "from", "as", "by", "or", "but", "if", "when", "then",
    "than", "same", "one", "too", "again", "now", "soon", "later", "today", "tomorrow",
    "tonight", "come", "came", "let", "help", "try", "say", "ask", "tell", "use", "put",
}
MODAL_NAMES = {"will", "may", "can", "mark", "hope", "chase", "pat", "sue", "bill", "grant",
               "rose", "drew", "don", "ray", "rob", "jack", "frank", "dean", "lance", "miles"}
# after a word's 's, these read it as "is" or "has", not a possessive
IS_NEXT = {"the", "a", "an", "not", "been", "gone", "going", "just", "so", "too", "very",
           "always", "never", "on", "off", "out", "over", "back", "got", "all", "no"}
MONTH_NAMES = {"may", "june", "april", "august", "march", "july", "jan"}
LOC_PREV = {
    "in", "at", "from", "near", "around", "outside", "into", "towards", "nr", "via",
    "across", "between", "covering", "covers", "cover", "moved", "lives", "living", "based",
    "round", "past", "through", "off",
}
ABSTRACT = {"hope", "faith", "joy", "peace", "mercy", "patience", "charity", "comfort",
            "justice", "destiny", "harmony", "will", "may", "summer", "autumn", "june", "april",
            "august", "honour", "favour", "gift", "precious", "lucky", "star", "rain", "storm"}
INITIAL_NEXT = {"said", "says", "from", "was", "mentioned", "told", "asked", "thinks",
                "reckons", "raised", "suggested", "agreed", "disagreed", "wrote", "posted",
                "disclosed", "lives", "attends", "spoke", "explained", "replied", "made", "did"}
KIN = {"brother", "sister", "brothers", "sisters", "mum", "dad", "mother", "father", "nan",
       "gran", "grandma", "grandad", "cousin", "cousins", "twin", "siblings", "sibling",
       "stepdad", "stepmum", "aunt", "auntie", "uncle", "son", "daughter", "baby", "partner",
       "husband", "wife", "boyfriend", "girlfriend", "friend", "mate"}
INITIAL_NEXT_EXTRA = {"kept", "keeps", "cried", "wanted", "refused", "drew", "sat", "loved",
                      "hated", "ran", "hid"}
# "moved to Bury": verbs of moving house, before "to", make the next word a place
MOVE_VERBS = {"moved", "move", "moves", "moving", "rehoused", "relocated", "relocating",
              "transferred", "emigrated", "fled"}
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "some", "any", "my", "your",
               "our", "their", "his", "her", "its", "no", "every", "each"}


def _prev(toks: list[Tok], i: int) -> Tok | None:
    return toks[i - 1] if i > 0 else None


def _next(toks: list[Tok], i: int) -> Tok | None:
    return toks[i + 1] if i + 1 < len(toks) else None


def _adjacent(text: str, a: Tok, b: Tok) -> bool:
    """b follows a separated only by spaces (same name)."""
    gap = text[a.full_end:b.start]
    return a.full_end == a.end and 0 < len(gap) <= 2 and gap.strip() == ""


class NameFinder:
    """Finds PERSON and LOCATION spans using the lexicon; returns (s, e, cat, score, rule)."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex

    # ---- helpers -------------------------------------------------------------------------
    def _allowed(self, t: Tok) -> bool:
        return t.low in DOMAIN_ALLOW

    def _name_context(self, text: str, toks: list[Tok], i: int) -> float:
        """Score 0..1 for 'an ambiguous word at i is used as a person's name'."""
        t = toks[i]
        p = _prev(toks, i)
        n = _next(toks, i)
        plow = p.low if p else ""
        nlow = n.low if n else ""
        if t.at:
            return 0.85
        if t.low in MONTH_NAMES and self._date_like(text, t):
            return 0.0
        # verb/modal use: "will be", "may have", "mark it", "hope you"
        mid_cap = t.cap and not t.initial and not t.upper
        if (t.cap and t.initial and not t.upper and nlow in INITIAL_NEXT
                and (t.low not in ABSTRACT or nlow != "was")):
            return 0.65
        n2 = toks[i + 2] if i + 2 < len(toks) else None
        if t.initial and not t.upper and n is not None and n2 is not None:
            # "Hope was 7", "Summer is 15 now": a name followed by an age
            if nlow in {"is", "was"} and _adjacent(text, t, n) and re.match(
                    r"\s+(only |nearly |almost |just )?\d{1,2}\b(?!\s*(am|pm|mins?|minutes|"
                    r"hours?|weeks?|days?|months?|%|:))", text[n.end:], re.I):
                return 0.65
            # "jack and his brother…", "rose and her mum…"
            if (nlow == "and" and n2.low in {"his", "her"} and i + 3 < len(toks)
                    and toks[i + 3].low in KIN):
                return 0.65
            # "Skye just kept saying…": an adverb, then a verb that takes a person
            if (t.cap and nlow in {"just", "always", "never", "really", "still"}
                    and t.low not in MODAL_NAMES and n2.low in INITIAL_NEXT | INITIAL_NEXT_EXTRA):
                return 0.65
        if t.low in MODAL_NAMES and nlow in FUNCTION_NEXT and not t.poss and not mid_cap:
            after = text[t.full_end:t.full_end + 2]
            if not after.startswith((",", ":")):
                return 0.0
        if p and p.low in TITLES:
            return 0.85
        if n and n.cap and not n.upper and _adjacent(text, t, n) and n.low in self.lex.sur:
            return 0.85  # "Grace Okafor"
        score = 0.0
        if t.cap and not t.initial and not t.upper and plow not in DETERMINERS:
            score = 0.7
        if t.poss and not (t.low in self.lex.words and nlow in IS_NEXT):
            # "Rose's mum", not "sky's the limit" ('s for "is" before a determiner or adverb)
            score = max(score, 0.7 if plow not in DETERMINERS else 0.0)
        if p is not None and plow in PERSON_PREV and plow not in DETERMINERS:
            if (plow in GREET and (p.initial or p.start == 0)) or plow not in {"and", "for", "by",
                                                                               "like", "about",
                                                                               "to"}:
                score = max(score, 0.7)
            elif t.cap and not t.initial:
                score = max(score, 0.7)
        after = text[t.full_end:t.full_end + 3]
        # vocative at the start: "rose, can you…", "Mark - agree"
        if (t.initial or (p and p.low in GREET and p.initial)) and after[:1] in {",", ":", "!", "?"}:  # noqa: E501
            score = max(score, 0.7)
        if t.initial and after[:1] in {",", ":"} and i == 0:
            score = max(score, 0.7)
        if n is not None and nlow in {"said", "says", "mentioned", "asked", "told", "thinks",
                                     "reckons", "raised", "suggested", "agreed", "disagreed",
                                     "wrote", "posted", "disclosed", "lives", "attends",
                                     "spoke", "explained", "replied", "aged", "made"}:
            score = max(score, 0.7)
        if t.cap and t.initial and n is not None and not t.upper:
            if nlow in INITIAL_NEXT and (t.low not in ABSTRACT or nlow != "was"):
                score = max(score, 0.65)
            elif nlow == "and" and i + 2 < len(toks) and toks[i + 2].low in {"her", "his"}:
                score = max(score, 0.65)
        if nlow == "and" and i + 2 < len(toks) and toks[i + 2].text in {"I", "i", "me"} and (
                _adjacent(text, t, n)):
            score = max(score, 0.7)  # "Faith and I co-worked it"
        if plow in DETERMINERS:
            score = min(score, 0.3)
        return score

    def _person_by_context(self, text: str, toks: list[Tok], i: int) -> bool:
        t = toks[i]
        low = t.low
        if (not t.cap or t.upper or len(low) < 3 or not low.isalpha() or low in DOMAIN_ALLOW
                or low in MONTH_NAMES or low in self.lex.proper_nonid):
            return False
        p = _prev(toks, i)
        if (p is not None and p.low in _PERSON_TITLES - {"miss"} and p.cap
                and _adjacent(text, p, t)):
            return True  # "Mr Heard", "Mrs Street"
        if self.lex.is_word(low) and low not in self.lex.first and low not in self.lex.sur:
            return False  # "And the mum said", "Still the same"
        after = text[t.full_end:t.full_end + 40]
        if _APPOSITIVE.match(after) or _BORN_AFTER.match(after):
            return True
        first = t.start == len(text) - len(text.lstrip(" *"))
        if first and (_PRESENCE_AFTER.match(after) or text.lstrip().startswith("*")):
            return True
        return False

    def _unlisted_surname(self, text: str, toks: list[Tok], i: int) -> bool:
        t = toks[i]
        low = t.low
        if (len(low) < 3 or not low.isalpha() or self.lex.is_word(low)
                or low in DOMAIN_ALLOW or low in self.lex.places
                or low in self.lex.ambiguous_first):
            return False
        p = _prev(toks, i)
        if (p is not None and p.low in _PERSON_TITLES and _adjacent(text, p, t)
                and (p.low != "miss" or p.cap or t.cap)):  # "did i miss owt"
            # a capitalised proper noun after a title is a surname ("Mr Gunther")
            return t.cap or not self.lex.is_allowed(low)
        if self.lex.is_allowed(low):
            return False
        n = toks[i + 1] if i + 1 < len(toks) else None
        return (n is not None and n.low in _FAMILY_NOUNS and _adjacent(text, t, n)
                and p is not None and p.low in {"the", "a"})

    @staticmethod
    def _date_like(text: str, t: Tok) -> bool:
        before = text[max(0, t.start - 12):t.start].lower()
        after = text[t.full_end:t.full_end + 8].lower()
        if any(c.isdigit() for c in before[-5:]) or any(c.isdigit() for c in after[:5]):
            return True
        for w in ("in ", "of ", "since ", "until ", "by ", "last ", "next ", "this ", "early ",
                  "late ", "mid ", "mid-", "end of ", "before ", "after ", "during "):
            if before.endswith(w):
                return True
        return False

    def _loc_context(self, toks: list[Tok], i: int) -> bool:
        p = _prev(toks, i)
        if p is not None and p.low == "to" and i >= 2 and toks[i - 2].low in MOVE_VERBS:
            return toks[i].low not in MONTH_NAMES
        return p is not None and p.low in LOC_PREV

    # ---- main --------------------------------------------------------------------------
    def find(self, text: str, toks: list[Tok]) -> list[tuple[int, int, str, float, str]]:
        lex = self.lex
        out: list[tuple[int, int, str, float, str]] = []
        n = len(toks)
        used = [False] * n
        # 1) places (multi-word first)
        i = 0
        while i < n:
            t = toks[i]
            if t.low not in lex.place_first_tokens:
                i += 1
                continue
            match = 0
            for k in range(min(lex.place_max_tokens, n - i), 0, -1):
                seg = toks[i:i + k]
                if any(not _adjacent(text, a, b) and text[a.full_end:b.start] != "-"
                       for a, b in zip(seg, seg[1:], strict=False)):
                    continue
                phrase = " ".join(x.low for x in seg)
                if phrase in lex.places:
                    match = k
                    break
            if not match:
                i += 1
                continue
            seg = toks[i:i + match]
            s, e = seg[0].start, seg[-1].end
            multi = match > 1
            capped = all(x.cap for x in seg if len(x.low) > 3)
            head = seg[0]
            amb = (not multi) and (lex.is_word(head.low) or lex.is_allowed(head.low))
            is_first = (not multi) and head.low in lex.first
            loc = self._loc_context(toks, i)
            score = 0.0
            if amb:
                if capped and loc and not head.initial:
                    score = 0.8
                elif capped and loc:
                    score = 0.6
            elif is_first:
                score = 0.85 if loc else 0.45
            else:
                if capped:
                    score = 0.9 if loc else 0.85
                else:
                    score = 0.8 if loc else 0.65
            if score:
                out.append((s, e, "LOCATION", score, "gazetteer_place"))
                if score >= 0.6:
                    for j in range(i, i + match):
                        used[j] = True
            i += match
        # 2) person names
        i = 0
        while i < n:
            t = toks[i]
            if used[i] or t.upper and len(t.low) <= 4 or self._allowed(t):
                i += 1
                continue
            low = t.low
            is_first = low in lex.first
            is_sur = low in lex.sur
            if not (is_first or is_sur) and "-" in low:
                parts = low.split("-")
                if parts[0] in lex.first and all(x in lex.first for x in parts):
                    if any(x not in lex.ambiguous_first for x in parts) or t.cap:
                        out.append((t.start, t.end, "PERSON", 0.85 if t.cap else 0.75,
                                    "name_list_hyphen"))
                        used[i] = True
                        i += 1
                        continue
                # a double-barrelled surname: "Taylor-Jones", "Okonkwo-Reid"
                # (one half may be a name the lists lack: "Oduya-Campbell")
                if (t.cap and len(parts) == 2 and all(p[:1].isupper() for p in t.text.split("-"))
                        and any(x in lex.sur for x in parts)
                        and all(x in lex.sur or x in lex.first or not (
                            lex.is_word(x) or lex.is_allowed(x) or x in lex.places)
                            for x in parts)
                        and not all(lex.is_word(x) or lex.is_allowed(x) for x in parts)
                        and not any(x in DOMAIN_ALLOW for x in parts)):
                    out.append((t.start, t.end, "PERSON", 0.8, "name_list_hyphen"))
                    used[i] = True
                    i += 1
                    continue
            if (not (is_first or is_sur) and t.cap and len(low) > 4 and low.endswith("s")
                    and low[:-1] in lex.sur and not lex.is_word(low) and not lex.is_allowed(low)
                    and i > 0 and toks[i - 1].low == "the"):
                # a family by its surname: "the Whittakers", "the Okafors"
                out.append((t.start, t.end, "PERSON", 0.75, "family_surname"))
                used[i] = True
                i += 1
                continue
            if self._person_by_context(text, toks, i):
                # "Bill the grandad", "Dawn I think you're on mute", "Demelza here,",
                # "*Tamsyn sorry", "Amber dob …", "Mr Heard": what is said of the word makes it
                # a name, whatever the lists say
                out.append((t.start, t.end, "PERSON", 0.8, "person_context"))
                used[i] = True
                i += 1
                continue
            if self._unlisted_surname(text, toks, i):
                # "mr moffatt", "spoke to Mr Gunther", "the musleh family": a title or a
                # family noun makes an unknown word a surname, in any case
                out.append((t.start, t.end, "PERSON", 0.8, "surname_context"))
                used[i] = True
                i += 1
                continue
            if not (is_first or is_sur) and not (t.at and t.cap):
                i += 1
                continue
            score = 0.0
            rule = "name_list"
            if is_first:
                if low in lex.ambiguous_first:
                    score = self._name_context(text, toks, i)
                    rule = "name_context"
                elif len(low) <= 2 and not t.cap:
                    score = 0.0
                elif lex.is_allowed(low) and not t.cap:
                    score = 0.0
                else:
                    score = 0.85 if t.cap else 0.75
                    if lex.is_allowed(low):
                        score = 0.55
                    p = _prev(toks, i)
                    if not t.cap and p is not None and p.low in DETERMINERS and not t.at:
                        score = 0.0  # "her teddy", "the bubba": a noun, not a name
            elif is_sur:
                p = _prev(toks, i)
                if p is not None and p.low in TITLES and t.cap:
                    score = 0.9
                    rule = "title_surname"
                elif t.cap and not lex.is_word(low) and not lex.is_allowed(low):
                    score = 0.6 if not t.initial else 0.5
                    rule = "surname_list"
            if score <= 0:
                i += 1
                continue
            # extend with following surname / second name tokens
            j = i
            while j + 1 < n and _adjacent(text, toks[j], toks[j + 1]) and not used[j + 1]:
                nx = toks[j + 1]
                if not nx.cap or nx.upper and len(nx.low) <= 4 or nx.low in DOMAIN_ALLOW:
                    break
                if nx.low in lex.sur or (nx.low in lex.first and not lex.is_word(nx.low)) or (
                    not lex.is_word(nx.low) and not lex.is_allowed(nx.low) and t.cap
                ):
                    j += 1
                    score = max(score, 0.85)
                else:
                    break
            out.append((t.start, toks[j].end, "PERSON", score, rule))
            for k in range(i, j + 1):
                used[k] = True
            i = j + 1
        return out

    def roster(self, text: str, toks: list[Tok], names: Iterable[str]):
        parts: set[str] = set()
        for name in names:
            for w in name.replace("(", " ").replace(")", " ").replace(",", " ").split():
                w = w.strip(".'\"|").lower()
                if len(w) >= 2 and w not in TITLES and w not in DOMAIN_ALLOW:
                    parts.add(w)
        out = []
        if not parts:
            return out
        for i, t in enumerate(toks):
            if t.low not in parts:
                continue
            if t.low in self.lex.ambiguous_first or self.lex.is_word(t.low):
                sc = self._name_context(text, toks, i)
                if t.cap and not t.initial:
                    sc = max(sc, 0.8)
                if sc <= 0:
                    continue
                out.append((t.start, t.end, "PERSON", min(1.0, sc + 0.1), "roster"))
            else:
                out.append((t.start, t.end, "PERSON", 0.95, "roster"))
        return out
