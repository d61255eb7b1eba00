"""A screening engine with a bug: the real engine, except that it raises on certain texts."""

from __future__ import annotations

from typing import Any


class EngineFailingOn:
    """The real engine, except that it raises on any text containing `word`."""

    def __init__(self, real: Any, word: str) -> None:
        self.real, self.word = real, word

    def scan(self, text: str, roster: Any = ()) -> Any:
        if self.word in text:
            raise RuntimeError("the engine cannot handle this text")
        return self.real.scan(text, roster=roster)

    def scan_many(self, items: Any) -> Any:
        if any(self.word in text for text, _ in items):
            raise RuntimeError("the engine cannot handle this batch")
        return self.real.scan_many(items)
