"""Normalisation with an offset map: undo the ways people hide (or accidentally garble) text.

Screening reads the normalised text; every finding is mapped back to exact offsets in the
original, so highlighting and redaction cover what the participant really typed. Folded:

- Unicode format characters (zero-width spaces and joiners, word joiner, BOM, soft hyphen,
  bidi controls) are removed; a right-to-left override (U+202E) segment is read reversed,
  which is how it is displayed;
- NFKC compatibility forms (full-width digits and letters, ligatures, superscripts);
- diacritics ("Jóhn" -> "John");
- TR39 confusables: non-Latin letters that look like Latin ones ("Brinswоrth" with a Cyrillic
  "о"), from ``data/confusables.tsv`` (built from Unicode's data, see build_knowledge.py);
- single characters spaced out ("0 7 7 0 0 9 0 0 1 2 3", "Q Q 1 2 3 4 5 6 C");
- spelt-out e-mail addresses ("jo dot bloggs at gmail dot com" -> "jo.bloggs@gmail.com").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
_RLO, _LRO, _PDF = "\u202e", "\u202d", "\u202c"
# single letters/digits spaced out: "0 7 7 0 0 9 0 0 1 2 3", "J a n e t", "2 1 . 0 9 . 2 0 1 4"
# (single spaces, a "." "/" or "-" may stand as one of the characters), or strung together by
# one repeated mark: "t.u.n.d.e", "0-7-7-0-0-9-0-0", "J_a_n_e_t"
_SPACED = re.compile(r"(?<![\w])(?:[A-Za-z0-9./\-] ){3,}[A-Za-z0-9](?![\w])")
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}", re.I)
_STRUNG = re.compile(
    r"(?<![\w.\-])[A-Za-z0-9]([._\-])(?:[A-Za-z0-9]\1){2,}[A-Za-z0-9](?![\w]|[._\-]\w)")
_TLD = r"(?:com|co|uk|org|net|gov|nhs|ac|io|me|ie|info|biz|sch|police|scot|wales|email)"
_DOT = r"(?:\s+dot\s+|\s*\(dot\)\s*|\s*\[dot\]\s*|\.)"
_EMAIL_WORDS = re.compile(
    r"(?<![\w@.])([A-Za-z0-9][A-Za-z0-9_-]*(?:" + _DOT + r"[A-Za-z0-9_-]+){0,3})"
    r"(?:\s+at\s+|\s*\(at\)\s*|\s*\[at\]\s*)"
    r"([A-Za-z0-9-]+(?:" + _DOT + r"[A-Za-z0-9-]+){0,3}" + _DOT + _TLD + r")(?![\w])",
    re.I)
_DOT_RX = re.compile(_DOT, re.I)


@lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in (DATA / "confusables.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, _, target = line.partition("\t")
            table[char] = target
    return table


@dataclass(frozen=True, slots=True)
class Normalised:
    """The normalised ``text`` and, per character, the original span it came from.

    ``starts``/``ends`` are None when the text needed no change (the common case).
    """

    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def to_original(self, s: int, e: int) -> tuple[int, int]:
        """Map the normalised span [s, e) to the smallest original span holding it."""
        if self.starts is None or self.ends is None or e <= s:
            return s, e
        return min(self.starts[s:e]), max(self.ends[s:e])

    def to_normalised(self, s: int, e: int) -> tuple[int, int]:
        """Map an original span to the normalised characters that came from inside it."""
        if self.starts is None or self.ends is None:
            return s, e
        inside = [i for i, (a, b) in enumerate(zip(self.starts, self.ends, strict=True))
                  if a >= s and b <= e]
        return (inside[0], inside[-1] + 1) if inside else (0, 0)


def _needs_work(text: str) -> bool:
    if not text.isascii():
        return True
    low = text.lower()
    if (" at " in low or "(at)" in low or "[at]" in low) and _EMAIL_WORDS.search(text):
        return True
    return _SPACED.search(text) is not None or _STRUNG.search(text) is not None


def _joins(run: str) -> bool:
    """A spaced-out run is read joined when it is a number (3 digits or more), a UK
    registration (7 characters, 2 digits) or a word spelt out letter by letter (4 letters or
    more: people space out names and numbers to slip past screening, not ordinary text)."""
    digits = sum(c.isdigit() for c in run)
    letters = sum(c.isalpha() for c in run)
    if digits >= 3 or (digits >= 2 and digits + letters >= 7):
        return True
    if digits >= 2 and _POSTCODE.fullmatch("".join(c for c in run if c.isalnum())):
        return True
    return digits == 0 and letters >= 4


def _fold_char(ch: str, conf: dict[str, str]) -> str:
    if ch in conf:
        return conf[ch]
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c in conf:
            out.append(conf[c])
            continue
        for d in unicodedata.normalize("NFD", c):
            if not unicodedata.combining(d):
                out.append(d)
    return "".join(out)


def _char_pass(text: str) -> tuple[list[str], list[int], list[int]]:
    conf = _confusables()
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def put(i: int, ch: str) -> None:
        if ch.isascii():
            chars.append(ch)
            starts.append(i)
            ends.append(i + 1)
            return
        if unicodedata.category(ch) == "Cf" or unicodedata.combining(ch):
            return  # zero-width, soft hyphen, bidi controls, stray combining marks
        for c in _fold_char(ch, conf):
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == _RLO:
            j = i + 1
            while j < n and text[j] not in (_PDF, _LRO, "\n"):
                j += 1
            for k in range(j - 1, i, -1):
                put(k, text[k])
            i = j
            continue
        put(i, ch)
        i += 1
    return chars, starts, ends


def _spaced_runs(chars: list[str], starts: list[int], ends: list[int]) -> None:
    text = "".join(chars)
    drop: set[int] = set()
    for m in _SPACED.finditer(text):
        if _joins(m.group(0)):
            drop.update(i for i in range(m.start(), m.end()) if text[i] == " ")
    for m in _STRUNG.finditer(text):
        if _joins(m.group(0)):
            drop.update(range(m.start() + 1, m.end(), 2))
    if drop:
        keep = [i for i in range(len(chars)) if i not in drop]
        chars[:] = [chars[i] for i in keep]
        starts[:] = [starts[i] for i in keep]
        ends[:] = [ends[i] for i in keep]


def _email_words(chars: list[str], starts: list[int], ends: list[int]) -> None:
    text = "".join(chars)
    matches = list(_EMAIL_WORDS.finditer(text))
    for m in reversed(matches):
        if "@" in m.group(0):
            continue
        local = _DOT_RX.sub(".", m.group(1))
        domain = _DOT_RX.sub(".", m.group(2))
        rep = f"{local}@{domain}"
        s, e = m.start(), m.end()
        a, b = min(starts[s:e]), max(ends[s:e])
        chars[s:e] = list(rep)
        starts[s:e] = [a] * len(rep)
        ends[s:e] = [b] * len(rep)


def normalise(text: str) -> Normalised:
    """Normalise ``text`` (see the module docstring); cheap when there is nothing to do."""
    if not _needs_work(text):
        return Normalised(text)
    chars, starts, ends = _char_pass(text)
    _spaced_runs(chars, starts, ends)
    _email_words(chars, starts, ends)
    out = "".join(chars)
    if out == text and len(starts) == len(text):
        return Normalised(text)
    return Normalised(out, tuple(starts), tuple(ends))


_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


def disguised_words(original: str, norm: Normalised) -> list[tuple[int, int, str, str]]:
    """Normalised spans of words the original disguised, with how: ``hidden`` (a format
    character inside the word, a right-to-left override, letters from another script mixed
    with Latin ones), ``accented`` (Latin letters with diacritics) or ``spaced`` (spelt out
    letter by letter: "J a n e t", "t.u.n.d.e"), and the original word. People do not
    disguise ordinary words, so a disguised word is very likely a name; accented and spaced
    words are left to the caller to check against the English word list ("café", "s o r r y").
    """
    if norm.starts is None:
        return []
    conf = _confusables()
    out: list[tuple[int, int, str, str]] = []
    for m in _WORD.finditer(norm.text):
        s, e = norm.to_original(*m.span())
        seg = original[s:e]
        if seg == m.group(0):
            continue
        rtl = s > 0 and original[s - 1] == _RLO
        inner = any(unicodedata.category(c) == "Cf" for c in seg)
        mixed = any(c in conf for c in seg) and any(c.isascii() and c.isalpha() for c in seg)
        if rtl or inner or mixed:
            out.append((*m.span(), "hidden", seg))
        elif len(seg) >= 2 * len(m.group(0)) - 1 and not any(
                a.isalpha() and b.isalpha() for a, b in zip(seg, seg[1:], strict=False)):
            out.append((*m.span(), "spaced", seg))
        elif any(unicodedata.combining(d) for c in seg for d in unicodedata.normalize("NFD", c)):
            out.append((*m.span(), "accented", seg))
    return out
