"""Presidio recognizers for chat: the lexicon, UK patterns, spaCy's entities read for chat, and
the roster; each turns its finder's candidates into scored results for the analyzer."""

from __future__ import annotations

import re
from collections.abc import Sequence

from presidio_analyzer import (
    EntityRecognizer,
    RecognizerResult,
)
from spacy.tokens import Token

from .lexicon import DOMAIN_ALLOW, DOMAIN_PHRASES, PUBLIC_PHRASES, TITLES, Lexicon
from .nameless import find_nameless
from .names import DETERMINERS, GREET, LOC_PREV, PERSON_PREV, NameFinder
from .patterns import PatternFinder
from .place_context import locative_before, place_shape
from .risk_extra import slot_words
from .tokens import Tok, tokenize
from .types import CATEGORIES

CONTRACTION = re.compile(r"^[a-z]+['’](m|ve|ll|d|re|s|t)$")
PUBLIC_RE = re.compile(r"(?<![\w])(?:" + "|".join(
    re.escape(p) for p in sorted(PUBLIC_PHRASES, key=len, reverse=True)) + r")(?![\w])", re.I)
# "Albert Street", "Grace Road": a person-looking name that is the start of an address
STREET_WORD = re.compile(r"\s(Road|Rd|Street|St|Avenue|Ave|Lane|Close|Crescent|Drive|Grove|"
                         r"Terrace|Gardens|Mews|Way)$")
PLACE_NOUN = re.compile(r"\s+(area|estate|lot|office|end|side|patch|village|way|ward|"
                        r"estates|flats|towers|site|locality|district)\b", re.I)
# after a message's first word: it was a name ("rahima can u share…", "Nkem, did you…")
VOCATIVE_NEXT = (" can you", " could you", " did you", " do you", " can u", " could u",
                 " did u", " do u", " r u ", " are you", " are u ", " have you", " would you",
                 " will you", " pls ", " please ", ",", " - ", ":", " said")
SPACY_MAP = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
             "ORG": "ORGANISATION", "NORP": "NORP", "DATE": "DATE"}

# an unknown word is a name after these ("the baby is called kiyan", "mum brought oaklee")
NAMING_PREV = {"called", "named", "nicknamed", "brought", "collected", "baby", "son",
               "daughter", "sister", "brother", "nephew", "niece", "cousin", "grandson",
               "granddaughter", "stepson", "stepdaughter", "twin", "sibling"}
# ...or before an age or a relative: "zaylen is 7", "tayvon (14)", "kiyan and his sister"
AGE_NEXT = re.compile(r"\s*\(\d{1,2}\)|\s+(?:is|was|aged|age|turned|turns)\s+\d{1,2}\b"
                      r"(?![./:-]\d|\s*(?:st|nd|rd|th|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
                      r"dec|am|pm)\b)|,\s*\d{1,2}\s*,|"
                      r"\s+and (?:his|her|their) (?:mum|dad|sister|brother|nan|sisters|brothers|"
                      r"twin|cousin)\b", re.I)
KIN_NEXT = ("mum", "mam", "dad", "nan", "sister", "brother", "teacher", "school", "foster",
            "carer", "social worker", "sw", "grandad", "grandma", "baby", "stepdad", "stepmum")
# second halves of double given names
NAME_HALVES = {"rae", "rose", "mae", "may", "jay", "lee", "leigh", "louise", "marie", "ann",
               "anne", "jo", "lou", "belle", "grace", "james", "john", "jane", "lily", "leah",
               "jayne", "mai", "ray", "rai"}


def _hyphen_name(lw: str, lex: Lexicon) -> bool:
    parts = lw.split("-")
    if len(parts) != 2 or not all(p.isalpha() and len(p) > 1 for p in parts):
        return False
    if all(lex.is_word(p) for p in parts):
        return False  # "well-being", "rose-tinted"
    return parts[1] in NAME_HALVES and (parts[0] in lex.first or not lex.is_word(parts[0]))


def make_result(s: int, e: int, cat: str, score: float, rule: str) -> RecognizerResult:
    return RecognizerResult(entity_type=cat, start=s, end=e, score=score,
                            recognition_metadata={"recognizer_name": rule, "rule": rule})


class _Base(EntityRecognizer):
    ENTITIES: list[str] = list(CATEGORIES)

    def __init__(self, lex: Lexicon, name: str) -> None:
        self.lex = lex
        super().__init__(supported_entities=self.ENTITIES, name=name, supported_language="en")

    def load(self) -> None:  # nothing to load lazily
        pass


class LexiconRecognizer(_Base):
    """First names, surnames and UK places from embedded lists, decided by chat context."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex, "UkLexiconRecognizer")
        self.finder = NameFinder(lex)

    def analyze(self, text, entities, nlp_artifacts=None):
        toks = getattr(nlp_artifacts, "chat_tokens", None) or tokenize(text)
        out = [make_result(*c) for c in self.finder.find(text, toks)]
        if "s " in text:
            out.extend(self._bare_possessives(text))
        return out

    def _bare_possessives(self, text: str) -> list[RecognizerResult]:
        """"Kians mum", "Faiths school": chat drops the apostrophe of a possessive. The
        name is the word without its s, when a relative or a belonging follows."""
        lex = self.lex
        out = []
        for m in BARE_POSSESSIVE.finditer(text):
            base = m.group(1)
            low = base.lower()
            if low in DOMAIN_ALLOW or low in lex.proper_nonid or low in lex.places:
                continue
            known = low in lex.first or low in lex.sur
            if base[0].isupper():
                # a word-name needs to be a given name ("Faiths mum"), not a surname that
                # is also a word ("Parents dads")
                ok = low in lex.first or not lex.is_word(low)
            else:
                ok = known and not lex.is_word(low) and not lex.is_word(low + "s")
            if ok and len(base) > 2:
                out.append(make_result(m.start(1), m.end(1), "PERSON", 0.75, "bare_possessive"))
        return out


BARE_POSSESSIVE = re.compile(
    r"(?<![\w'’])([A-Za-z][a-z]+(?:-[A-Z]?[a-z]+)?)s (?=(?:mum|mums|mam|mom|dad|dads|nan|"
    r"nana|nanna|grandad|grandma|gran|brother|sister|bro|sis|foster carer|carer|school|"
    r"teacher|social worker|sw|stepdad|stepmum|step dad|step mum|uncle|aunt|auntie|partner|"
    r"bf|gf|boyfriend|girlfriend|ex|baby|kids|son|daughter|family|fam|house|review|plan|"
    r"conf|icpc|rcpc|nursery|class|key ?worker|iro|dsl|case|placement|bedroom|phone)\b)")


class UkPatternRecognizer(_Base):
    """UK identifiers, contact details, dates, named institutions, streets and estates."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex, "UkPatternRecognizer")
        self.finder = PatternFinder(lex)
        self.jobs = slot_words("occupation")

    def analyze(self, text, entities, nlp_artifacts=None):
        f = self.finder
        out = []
        for fn in (f.contact, f.ids, f.postcodes, f.dates, f.orgs, f.streets):
            out.extend(make_result(*c) for c in fn(text))
        roles = f.unique_roles(text)
        out.extend(make_result(*c) for c in roles)
        out.extend(make_result(*c) for c in find_nameless(text, self.jobs)
                   if not any(c[0] < e and s < c[1] for s, e, *_ in roles))
        return out


class ChatNerRecognizer(_Base):
    """spaCy NER entities, filtered by the lexicon and the allow-list; plus unknown proper
    nouns (capitalised, not an English word, not a known non-identifying proper noun)."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex, "ChatNerRecognizer")

    def analyze(self, text, entities, nlp_artifacts=None):
        lex = self.lex
        out = []
        if nlp_artifacts is None:
            return out
        for ent, toks, siblings in self._parts(nlp_artifacts.entities):
            cat = ent.label_
            if cat not in ("PERSON", "LOCATION", "ORGANISATION"):
                continue
            if any(" ".join(t.lower_ for t in sib) in lex.places for sib in siblings):
                cat = "LOCATION"  # "Mexborough n Edlington": coordinated with a place
            while toks and (toks[0].lower_ in DETERMINERS or toks[0].lower_ in TITLES):
                toks = toks[1:]
            if not toks:
                continue
            s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
            phrase = text[s:e].lower()
            if phrase in DOMAIN_PHRASES or phrase in DOMAIN_ALLOW:
                continue
            words = [t.text for t in toks]
            if any(any(c.isdigit() for c in w) for w in words):
                continue
            lows = [w.lower() for w in words]
            if all(w in DOMAIN_ALLOW or w in lex.proper_nonid or lex.is_word(w) for w in lows):
                continue
            if any(w.isupper() and len(w) <= 5 for w in words) and cat != "PERSON":
                continue
            if not any(w[:1].isupper() for w in words):
                continue
            known = any(w in lex.first or w in lex.sur for w in lows)
            place = phrase in lex.places
            nxt = text[e:e + 6].lower()
            if nxt.startswith((" area", " estate", " ward", " side")):
                cat = "LOCATION"
            elif cat == "ORGANISATION" and len(toks) == 2 and toks[0].lower_ in lex.first and (
                    toks[1].lower_ in lex.sur) and not lex.is_word(toks[1].lower_):
                cat = "PERSON"  # "Leo Hartley": a given name and a surname, not a company
            elif cat == "ORGANISATION" and len(toks) == 1 and not toks[0].is_upper:
                prev_tok = toks[0].nbor(-1).lower_ if toks[0].i > 0 else ""
                cat = "LOCATION" if prev_tok in LOC_PREV else "PERSON"
            if cat == "PERSON":
                sc = 0.7 if known else 0.6
                if place and not known:
                    cat, sc = "LOCATION", 0.7
                elif (not known and len(toks) == 1 and toks[0].i > 0
                      and toks[0].nbor(-1).lower_ in {"in", "near", "around", "nr"}
                      and nxt[:2] not in ("'s", "’s")):
                    cat = "LOCATION"  # "her aunt's in Hartcliffe": not a person
            elif cat == "LOCATION":
                sc = 0.75 if place else 0.55
            else:
                sc = 0.55
            out.append(make_result(s, e, cat, sc, "spacy_" + ent.label_.lower()))
        # unknown capitalised words in mid-sentence
        toks: list[Tok] = getattr(nlp_artifacts, "chat_tokens", None) or []
        for i, t in enumerate(toks):
            if t.upper or len(t.low) < 3 or CONTRACTION.match(t.low):
                continue
            if t.text[0].islower() and any(c.isupper() for c in t.text[1:]):
                continue  # iPads, eBay: brand spellings, not names
            lw = t.low
            if not t.cap or t.initial:
                # lower-case or sentence-initial unknown word: only with strong person context
                if "-" in lw and _hyphen_name(lw, lex):
                    # "brooklyn-rae", "marley-jay": a double given name
                    out.append(make_result(t.start, t.end, "PERSON", 0.6, "hyphen_name"))
                    continue
                if (lw in DOMAIN_ALLOW or lex.is_word(lw) or lw in lex.first or lw in lex.sur
                        or lw in lex.places or "-" in lw):
                    continue
                if lw in lex.proper_nonid and not (t.cap and t.poss):
                    continue
                if lw.isalpha() and lw not in lex.proper_nonid and place_shape(lw, lex) and (
                        t.cap or locative_before(text, t.start)):
                    # "Goldthorpe families…", "moved to thurnscoe": an unknown word shaped
                    # like an English place name, first in the message or after "in", "up"…
                    out.append(make_result(t.start, t.end, "LOCATION", 0.55, "place_shape"))
                    continue
                prev = toks[i - 1].low if i else ""
                nxt = text[t.full_end:t.full_end + 12].lower()
                punct_after = nxt[:1] in {",", "!", "?", ":"}
                strong = (t.poss and t.cap) or prev in {"thanks", "thank", "hi", "hey", "hiya",
                                                        "cheers", "for", "with", "@"} or (
                    punct_after and prev in GREET) or (
                    i == 0 and nxt.startswith(VOCATIVE_NEXT)) or (
                    t.cap and nxt.startswith((" and i ", " and me "))) or (
                    prev in NAMING_PREV) or (
                    t.poss and nxt.lstrip("'’s ").startswith(KIN_NEXT)) or (
                    AGE_NEXT.match(text, t.full_end) is not None)
                if strong and lw.isalpha():
                    out.append(make_result(t.start, t.end, "PERSON", 0.55, "unknown_name_context"))
                continue
            if (lw in DOMAIN_ALLOW or lex.is_word(lw) or lw in lex.proper_nonid
                    or lw in lex.first or lw in lex.sur or lw in lex.places):
                continue
            if "-" in lw and all(lex.is_word(p) for p in lw.split("-")):
                continue
            prev = toks[i - 1].low if i else ""
            if prev in LOC_PREV and prev not in {"and", "to", "of"}:
                cat = "LOCATION"
            elif prev in PERSON_PREV or t.poss:
                cat = "PERSON"
            else:
                cat = "PERSON"
            out.append(make_result(t.start, t.end, cat, 0.55, "unknown_proper_noun"))
        return out


    @staticmethod
    def _parts(entities):
        """Each entity, split where chat coordinates two names ("Batley n Dewsbury",
        "Rose n Ellie-Mai"): spaCy often reads the pair as one organisation."""
        for ent in entities:
            toks = [t for t in ent if not t.is_punct and t.text not in ("'s", "’s")]
            parts: list[list[Token]] = [[]]
            for t in toks:
                if t.lower_ in ("n", "and", "&", "+"):
                    if parts[-1]:
                        parts.append([])
                else:
                    parts[-1].append(t)
            parts = [p for p in parts if p]
            for i, part in enumerate(parts):
                yield ent, part, parts[:i] + parts[i + 1:]


class RosterRecognizer(_Base):
    """Ad-hoc recognizer for the meeting roster (created per call; cheap)."""

    def __init__(self, lex: Lexicon, finder: NameFinder, roster: Sequence[str]) -> None:
        super().__init__(lex, "RosterRecognizer")
        self.finder = finder
        self.names = tuple(roster)

    def analyze(self, text, entities, nlp_artifacts=None):
        toks = getattr(nlp_artifacts, "chat_tokens", None) or tokenize(text)
        return [make_result(*c) for c in self.finder.roster(text, toks, self.names)]
