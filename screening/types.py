"""Result types returned by the screening engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CATEGORIES = ("PERSON", "LOCATION", "ORGANISATION", "CONTACT", "ID_NUMBER", "DATE",
              "POTENTIALLY_IDENTIFYING")
# risk to a participant; to a child or service user now; a professional breach; a threat to
# a professional
SAFEGUARDING_CATEGORIES = ("participant", "child", "breach", "threat")


@dataclass(frozen=True, slots=True)
class Finding:
    """One identifying span: ``text[start:end]`` in the string that was scanned."""

    start: int
    end: int
    category: str
    score: float
    rule: str
    # for a POTENTIALLY_IDENTIFYING finding, the cue in plain words (never the text itself)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Safeguarding:
    """A safeguarding alert. ``reason`` is plain and generic and never quotes the message;
    ``category`` is one of SAFEGUARDING_CATEGORIES."""

    level: Literal["urgent", "concern"]
    reason: str
    category: str = "child"


@dataclass(frozen=True, slots=True)
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    safeguarding: Safeguarding | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.findings)
