"""Safeguarding detector: disclosures of serious risk and breaches of professional rules.

Separate from identifier screening. Rules look for first-person or here-and-now disclosures;
talk *about* the topic (training, policy, risk assessment in general) is not a disclosure.
"""

from __future__ import annotations

from typing import Any

from .learned import REASONS as LEARNED_REASONS
from .learned import LearnedSafeguarding
from .risk import RiskParser
from .safeguarding_rules import (
    CONCERN_RULES,
    FRAMED_RULES,
    HISTORY,
    NEGATION,
    SELF_SUBJECT,
    URGENT_RULES,
    WORKER_SUBJECT,
)
from .types import Safeguarding

# the earlier phrasing rules' reasons, by category
_RULE_CATEGORY = {
    "possible risk of self-harm or suicide to a participant": "participant",
    "a participant may be unsafe at home": "participant",
    "a participant may be unsafe": "participant",
    "a threat of serious harm has been disclosed": "threat",
    "a child may be at immediate risk of harm": "child",
    "a child may be at risk of serious harm": "child",
}
_LEVEL = {"participant": "urgent", "child": "urgent", "threat": "urgent", "breach": "concern"}


def _alert(level: str, reason: str) -> Safeguarding:
    return Safeguarding(level=level,
                        reason=reason, category=_RULE_CATEGORY.get(reason, "breach"))


class SafeguardingDetector:
    """Phrasing rules for the clearest disclosures, then the structural stage (risk.py)
    for everything else, then the learned stage's vote (learned.py) for what neither knows.
    ``parse`` is a spaCy pipeline with a parser (None: rules only); ``words`` the English
    word list, to read chat spellings ("cryin") as standard ones; ``learned`` the learned
    stage (None: rules only)."""

    def __init__(self, parse: Any = None, words: frozenset[str] | None = None,
                 learned: LearnedSafeguarding | None = None) -> None:
        self.risk = RiskParser(parse, words) if parse is not None else None
        self.learned = learned

    def detect(self, text: str) -> Safeguarding | None:
        if len(text) < 10:
            return None
        found = self._by_rules(text)
        if found is not None or self.learned is None:
            return found
        vote = self.learned.score(text)
        if not vote.alerts(self.learned.threshold):
            return None
        if self.risk is not None and self.risk.is_discussion(text):
            return None
        return Safeguarding(level=_LEVEL[vote.category], reason=LEARNED_REASONS[vote.category],
                            category=vote.category)

    def _by_rules(self, text: str) -> Safeguarding | None:
        found = self._rules(text)
        if found is not None and self.risk is not None and self.risk.is_topic_talk(text):
            found = None
        if found is not None and found.level == "urgent" and not (
                found.category == "participant" and self.risk is not None):
            return found
        if self.risk is not None:
            hit = self.risk.detect(text)
            if found is not None and found.level == "urgent" and (
                    hit is None or hit.category != "threat"):
                return found  # a participant's risk, unless the parse found a threat to them
            if hit is not None and (found is None or _LEVEL[hit.category] == "urgent"):
                return Safeguarding(level=_LEVEL[hit.category],
                                    reason=hit.reason, category=hit.category)
        return found

    def _rules(self, text: str) -> Safeguarding | None:
        if len(text) < 12:
            return None
        for rx, reason in URGENT_RULES:
            for m in rx.finditer(text):
                if not self._negated(text, m.start(), m.end()):
                    return _alert("urgent", reason)
        framed = self._framed(text)
        if framed is not None and framed.level == "urgent":
            return framed
        for rx, reason in CONCERN_RULES:
            for m in rx.finditer(text):
                if not self._negated(text, m.start(), m.end()):
                    return _alert("concern", reason)
        return framed

    def _framed(self, text: str) -> Safeguarding | None:
        found: Safeguarding | None = None
        history = HISTORY.search(text) is not None
        for rx, frame, subject, level, reason in FRAMED_RULES:
            if found is not None and level != "urgent":
                break
            for m in rx.finditer(text):
                if self._negated(text, m.start(), m.end()):
                    continue
                if frame is not None and (history or not frame.search(text)):
                    continue
                if subject:
                    subj = SELF_SUBJECT if level == "urgent" else WORKER_SUBJECT
                    if not subj.search(text[self._sentence_start(text, m.start()):m.end()]):
                        continue
                if level == "urgent":
                    return _alert(level, reason)
                found = found or _alert(level, reason)
                break
        return found

    @staticmethod
    def _sentence_start(text: str, s: int) -> int:
        return max(text.rfind(".", 0, s), text.rfind("?", 0, s), text.rfind("!", 0, s),
                   text.rfind("\n", 0, s)) + 1

    @staticmethod
    def _negated(text: str, s: int, e: int) -> bool:
        # the sentence that holds the match
        a = max(text.rfind(".", 0, s), text.rfind("?", 0, s), text.rfind("!", 0, s),
                text.rfind("\n", 0, s)) + 1
        return bool(NEGATION.search(text[a:s]))
