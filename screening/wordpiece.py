"""BERT's uncased WordPiece tokenizer, for the learned safeguarding stage.

The same splitting as the tokenizer the sentence-embedding model was trained with (lower case,
accents stripped, punctuation split off, then greedy longest-match pieces from ``vocab.txt``),
so that the static vectors built from that model (``data/build_static_vectors.py``) are looked
up by the ids the model itself would have seen.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

_MAX_WORD = 100


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    """``encode(text)`` -> token ids (without [CLS]/[SEP]); ``special(name)`` -> an id."""

    def __init__(self, vocab: list[str]) -> None:
        self.vocab = {tok: i for i, tok in enumerate(vocab) if tok}
        self.unk = self.vocab["[UNK]"]
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        return cls(path.read_text(encoding="utf-8").split("\n"))

    def special(self, name: str) -> int:
        return self.vocab[name]

    @staticmethod
    def words(text: str) -> list[str]:
        """Lower case, accents stripped, split on spaces and around punctuation."""
        text = unicodedata.normalize("NFD", text.lower())
        words: list[str] = []
        cur: list[str] = []
        for ch in text:
            cat = unicodedata.category(ch)
            if cat == "Mn":
                continue
            if ch.isspace() or cat in ("Cc", "Cf"):
                if cur:
                    words.append("".join(cur))
                    cur = []
            elif _is_punct(ch) or _is_cjk(ord(ch)):
                if cur:
                    words.append("".join(cur))
                    cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur:
            words.append("".join(cur))
        return words

    def word_ids(self, word: str) -> tuple[int, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids: list[int] = []
        if len(word) > _MAX_WORD:
            ids = [self.unk]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                found = None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    found = self.vocab.get(piece)
                    if found is not None:
                        break
                    end -= 1
                if found is None:
                    ids = [self.unk]
                    break
                ids.append(found)
                start = end
        out = tuple(ids)
        if len(self._cache) < 200_000:
            self._cache[word] = out
        return out

    def encode(self, text: str, max_tokens: int = 510) -> list[int]:
        ids: list[int] = []
        for word in self.words(text):
            ids.extend(self.word_ids(word))
            if len(ids) >= max_tokens:
                return ids[:max_tokens]
        return ids
