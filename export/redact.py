"""Span redaction: merge identifying spans and replace each by its category in brackets.

Pure functions, no I/O. Spans come from three places (stored findings, facilitator-marked
spans, a screening pass at export time) plus a roster pass: the session's own display names
(full, first and last names, common short forms, @mention texts) are always replaced, so a
name the engine misses still never reaches an export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PERSON = "PERSON"
REMOVED = "REMOVED"  # a mention of a withdrawn participant
PSEUDONYM = "PSEUDONYM"  # a name of someone in the session, written as their pseudonym
WITHHELD = "[withheld: could not be screened]"  # a text the screening engine failed on

# Which label wins when spans of different labels overlap and are merged.
# A pseudonym wins over [PERSON] for the same words (the roster knows who they are), never
# over [REMOVED].
_PRIORITY = {REMOVED: 0, PSEUDONYM: 1, PERSON: 2, "CONTACT": 3, "ID_NUMBER": 4, "LOCATION": 5,
             "ORGANISATION": 6, "DATE": 7}

# First names that are also everyday words: matched only when capitalised.
_COMMON_WORD_NAMES = frozenset(
    "will may mark bill rose grace hope joy faith june april august sue pat art dawn summer "
    "rob jack don ray guy sky frank bob bea drew gene jean kit lee max nick page penny rich "
    "ruby sandy skip sunny terry tom val victor ash hazel holly ivy iris lily daisy amber "
    "autumn crystal honey angel star sage river brook cliff dale glen heath reed wade storm "
    "rowan robin ali".split()
)

# Common English short forms, so "Alex" is caught for "Alexandra" and "Bob" for "Robert".
_SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "alexander": ("alex", "al", "sandy"), "alexandra": ("alex", "lexi", "sandra"),
    "andrew": ("andy", "drew"), "anthony": ("tony",), "benjamin": ("ben", "benji"),
    "catherine": ("cath", "cathy", "kate", "katie"), "katherine": ("kath", "kathy", "kate"),
    "charles": ("charlie", "chas"), "christopher": ("chris",), "christine": ("chris",),
    "daniel": ("dan", "danny"), "david": ("dave", "davy"), "deborah": ("deb", "debbie"),
    "edward": ("ed", "eddie", "ted"), "elizabeth": ("liz", "lizzie", "beth", "betty"),
    "eleanor": ("ellie", "nell"), "emily": ("em", "emmy"), "frances": ("fran",),
    "francis": ("frank",), "gregory": ("greg",), "james": ("jim", "jimmy", "jamie"),
    "jennifer": ("jen", "jenny"), "jessica": ("jess",), "jonathan": ("jon", "jonny"),
    "joseph": ("joe", "joey"), "joshua": ("josh",), "laura": ("laurie",),
    "margaret": ("maggie", "meg", "peggy"), "matthew": ("matt",), "michael": ("mike", "mick"),
    "nicholas": ("nick", "nicky"), "nicola": ("nicky", "nic"), "patricia": ("pat", "trish"),
    "patrick": ("pat", "paddy"), "peter": ("pete",), "philip": ("phil",),
    "rebecca": ("becky", "becca"), "richard": ("rich", "rick", "dick"),
    "robert": ("rob", "robbie", "bob", "bobby"), "samantha": ("sam",), "samuel": ("sam",),
    "sarah": ("sally",), "stephen": ("steve",), "steven": ("steve",), "susan": ("sue", "suzy"),
    "thomas": ("tom", "tommy"), "timothy": ("tim",), "victoria": ("vicky", "tori"),
    "william": ("will", "bill", "billy", "liam"), "zachary": ("zach", "zak"),
    "alice": ("ali",), "abigail": ("abi", "abby"), "benedict": ("ben",),
    "tobias": ("toby", "tobi"), "priyanka": ("priya",), "gwendolyn": ("gwen",),
}

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_AT_TAG = re.compile(r"</?at>", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is to be replaced by ``[label]``, or by ``replacement`` if set (a
    pseudonym: "agree with P03" keeps who answered whom)."""

    start: int
    end: int
    label: str
    replacement: str | None = None

    @property
    def written(self) -> str:
        return self.replacement if self.replacement is not None else f"[{self.label}]"


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sort and merge overlapping (or touching) spans into one span each."""
    ordered = sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, -s.end))
    groups: list[list[Span]] = []
    for span in ordered:
        if groups and span.start <= max(s.end for s in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    merged = []
    for group in groups:
        # the longest span names the whole (a name inside an email is a CONTACT); on a tie
        # the more specific label wins (a withdrawn participant's name is REMOVED)
        winner = min(group, key=lambda s: (-(s.end - s.start), _PRIORITY.get(s.label, 99)))
        start, end = min(s.start for s in group), max(s.end for s in group)
        exact = (start, end) == (winner.start, winner.end)
        # a pseudonym stands only for exactly the words it replaces, else the category does
        label = winner.label if exact or winner.label != PSEUDONYM else PERSON
        merged.append(Span(start, end, label, winner.replacement if exact else None))
    return merged


def apply_spans(text: str, spans: Iterable[Span]) -> str:
    """Replace each merged span by ``[LABEL]``, from the right so earlier offsets stay valid."""
    result = text
    for span in reversed(merge_spans(_clamp(spans, len(text)))):
        result = result[: span.start] + span.written + result[span.end :]
    return result


def _clamp(spans: Iterable[Span], length: int) -> list[Span]:
    return [Span(max(0, s.start), min(length, s.end), s.label, s.replacement) for s in spans
            if s.start < length and s.end > 0]


def clean_display_name(name: str) -> str:
    """'Smith, Jane (Council) [Guest]' -> 'Jane Smith'."""
    name = _PAREN.sub(" ", name)
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if last and first:
            name = f"{first} {last}"
    return " ".join(name.split())


def name_variants(display_name: str | None) -> set[str]:
    """The ways a chat might refer to a person: full name, each name part, short forms."""
    if not display_name:
        return set()
    variants: set[str] = set()
    for raw in (display_name, clean_display_name(display_name)):
        raw = _AT_TAG.sub("", raw).strip()
        if len(raw) >= 2:
            variants.add(raw)
    cleaned = clean_display_name(display_name)
    parts = [p for p in _WORD.findall(cleaned) if len(p) >= 2]
    for part in parts:
        variants.add(part)
        for short in _SHORT_FORMS.get(part.lower(), ()):
            variants.add(short.capitalize())
    if len(parts) >= 2:
        variants.add(f"{parts[0]} {parts[-1]}")
    return variants


def name_spans(text: str, names: Iterable[str], label: str = PERSON) -> list[Span]:
    """Whole-word occurrences of any of `names` in `text` (case-insensitive, except for names
    that are also everyday words, which must be capitalised), with a possessive 's."""
    spans: list[Span] = []
    for name in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        flags = 0 if name.lower() in _COMMON_WORD_NAMES else re.IGNORECASE
        if flags == 0:
            name = name[:1].upper() + name[1:]
        pattern = re.compile(
            r"(?<![\w@])" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?:['’]s)?(?!\w)",
            flags,
        )
        spans.extend(Span(m.start(), m.end(), label) for m in pattern.finditer(text))
    return spans


def pseudonym_spans(text: str, names: dict[str, str]) -> list[Span]:
    """Occurrences of the names in `names` (name -> pseudonym), each to be written as the
    pseudonym; a possessive stays possessive ("Toby's idea" -> "P03's idea")."""
    by_pseudonym: dict[str, set[str]] = {}
    for name, pseudonym in names.items():
        by_pseudonym.setdefault(pseudonym, set()).add(name)
    spans: list[Span] = []
    for pseudonym, variants in by_pseudonym.items():
        for span in name_spans(text, variants, PSEUDONYM):
            found = text[span.start : span.end]
            suffix = found[-2:] if found[-2:].lower() in ("'s", "’s") else ""
            spans.append(Span(span.start, span.end, PSEUDONYM, pseudonym + suffix))
    return spans


def mention_texts(mentions: Sequence[object] | None) -> list[tuple[str, str | None]]:
    """(user id, mention text) pairs from a message's `mentions` column.

    Accepts a list of Teams user id strings or of objects with a `user_id` key (and maybe
    `text`/`name`), as the chat path may store either.
    """
    found: list[tuple[str, str | None]] = []
    for item in mentions or []:
        if isinstance(item, str):
            found.append((item, None))
        elif isinstance(item, dict):
            user_id = item.get("user_id") or item.get("id")
            if user_id:
                text = item.get("text") or item.get("name")
                found.append((str(user_id), _AT_TAG.sub("", str(text)) if text else None))
    return found
