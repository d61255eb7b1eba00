"""Tolerant matching of risk words: a chat typo inside a concept word ("thretened",
"tkae", "bruse") is read as the concept word before the concepts are looked for.

The vocabulary is built from the concept lexicon itself (the literal words of every concept
pattern, and the English words that extend a stem of five letters or more: "threat" ->
"threatened", "bruis" -> "bruised") and from the WordNet word classes. A token is only
corrected when it is no English word or chat spelling (so a real word is never "corrected"
into a concept), has no capital inside it or at its start (names), and lies one edit away
(deletion, insertion, substitution, transposition) from a vocabulary word; words of four
letters only by a transposition of two neighbouring letters ("tkae", "kdis").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ESCAPE = re.compile(r"\\[A-Za-z]")
_RUN = re.compile(r"[a-z]{4,}")
# words of the patterns' syntax or too general to correct towards
_STOP = frozenset({"that", "this", "with", "from", "they", "them", "their", "have", "been",
                   "into", "what", "when", "where", "which", "will", "your", "over", "then",
                   "more", "some", "like", "just", "only", "back", "down", "home", "than"})
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers")


def build_vocabulary(sources: Iterable[str], classes: Iterable[str],
                     words: frozenset[str]) -> frozenset[str]:
    """Concept words: literal runs of the patterns, their stems' English extensions, and
    the word classes' forms."""
    runs: set[str] = set()
    for src in sources:
        runs.update(_RUN.findall(_ESCAPE.sub(" ", src.lower())))
    runs -= _STOP
    ordered = sorted(words)
    vocab = {r for r in runs if r in words} | set(classes)
    for stem in runs:
        if len(stem) < 5:
            # a short stem only with an inflection ("stab" -> "stabbed", "kick" -> "kicking")
            vocab.update(f for suf in _SUFFIXES
                         if (f := stem + suf) in words or (f := stem + stem[-1] + suf) in words)
            continue
        i = bisect.bisect_left(ordered, stem)
        while i < len(ordered) and ordered[i].startswith(stem):
            if len(ordered[i]) - len(stem) <= 4:
                vocab.add(ordered[i])
            i += 1
    return frozenset(w for w in vocab if len(w) >= 4 and w.isalpha())


def _edits1(w: str) -> set[str]:
    splits = [(w[:i], w[i:]) for i in range(len(w) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    out |= {a + c + b for a, b in splits for c in _LETTERS}
    return out


class Corrector:
    """``fix(token)``: the concept word a misspelt token stands for, or None."""

    def __init__(self, vocab: frozenset[str], words: frozenset[str]) -> None:
        self.vocab = vocab
        self.words = words
        self.fix = lru_cache(maxsize=4096)(self._fix)

    def _fix(self, tok: str) -> str | None:
        if not tok.isalpha() or not tok.islower() or tok in self.words or tok in self.vocab:
            return None
        n = len(tok)
        if n == 4:
            swaps = {tok[:i] + tok[i + 1] + tok[i] + tok[i + 2:] for i in range(3)}
            found = sorted(swaps & self.vocab)
        elif n >= 5:
            found = sorted(_edits1(tok) & self.vocab)
        else:
            return None
        if not found:
            return None
        found.sort(key=lambda w: (_kind(tok, w), w))
        return found[0]


def _kind(tok: str, cand: str) -> int:
    """The likelier typo first: a letter doubled or not doubled ("stabed" -> "stabbed",
    not "stayed"), two letters swapped, a letter dropped, one changed, one added."""
    if len(cand) == len(tok) + 1 and any(
            cand[:i] + cand[i + 1:] == tok and cand[i] == cand[i - 1] for i in range(1, len(cand))):
        return 0
    if len(tok) == len(cand) + 1 and any(
            tok[:i] + tok[i + 1:] == cand and tok[i] == tok[i - 1] for i in range(1, len(tok))):
        return 0
    if len(cand) == len(tok) and sorted(cand) == sorted(tok):
        return 1
    return {1: 2, 0: 3}.get(len(cand) - len(tok), 4)
