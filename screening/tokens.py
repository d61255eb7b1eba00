"""A light word tokenizer used by the lexicon recognizers (offsets into the cleaned text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SENT_END = set(".!?:;\n•*-–—>\"“(")


@dataclass(slots=True)
class Tok:
    start: int
    end: int  # end of the core word (possessive 's removed)
    text: str  # core text
    low: str
    cap: bool  # first letter upper case
    upper: bool  # all upper case (acronym) and len > 1
    initial: bool  # first word of a sentence/line
    poss: bool  # followed by 's
    at: bool  # preceded by @
    full_end: int  # end including possessive


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    for m in WORD_RE.finditer(text):
        s, e = m.span()
        w = m.group(0)
        poss = False
        if len(w) > 2 and w[-2] in "'’" and w[-1] in "sS":
            w = w[:-2]
            poss = True
        core_end = s + len(w)
        j = s - 1
        while j >= 0 and text[j] in " \t\u00a0":
            j -= 1
        initial = j < 0 or text[j] in _SENT_END
        at = s > 0 and text[s - 1] == "@"
        toks.append(
            Tok(
                start=s, end=core_end, text=w, low=w.lower(), cap=w[:1].isupper(),
                upper=len(w) > 1 and w.isupper(), initial=initial, poss=poss, at=at, full_end=e,
            )
        )
    return toks
