"""What a flag card says, as plain values: the flag service decides it, `cards.flag_card`
renders it. Kept in the domain so that the service never imports the card builders."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from screening.textprep import clean
from store.chat_records import FindingRecord, FlagView

_SPACE = re.compile(r"\s+")

CATEGORY_WORDS = {
    "PERSON": "a person's name",
    "LOCATION": "a place or address",
    "ORGANISATION": "an organisation (e.g. a school or service)",
    "CONTACT": "contact details",
    "ID_NUMBER": "an ID or reference number",
    "DATE": "a date that could identify someone",
}


# What someone reporting a message through its "..." menu may say worries them.
CONCERN_WORDS = {
    "identifying": "It may identify someone",
    "safeguarding": "Someone may be at risk",
    "other": "Something else",
}


@dataclass(frozen=True)
class Segment:
    """A piece of the message; `category` is set for an identifying span."""

    text: str
    category: str | None = None


@dataclass(frozen=True)
class Reason:
    category: str
    rule: str
    score: float


@dataclass(frozen=True)
class HistoryEntry:
    action: str
    actor: str
    at: datetime
    outcome: str | None = None


@dataclass(frozen=True)
class FlagCardContent:
    flag_id: int
    kind: str  # identifying | safeguarding | unscreened
    sent_at: datetime
    author_name: str | None
    author_pseudonym: str | None
    segments: Sequence[Segment]
    reasons: Sequence[Reason]
    safeguarding_level: str | None = None
    safeguarding_reason: str | None = None
    status: str = "open"
    history: Sequence[HistoryEntry] = field(default_factory=tuple)
    hide_available: bool = False
    edited: bool = False
    hidden: bool = False
    deleted: bool = False
    notice: str | None = None  # e.g. why Graph refused to hide the message
    session_title: str | None = None


def segments_of(text: str, findings: Sequence[FindingRecord | Any]) -> list[Segment]:
    """The message as readable pieces, identifying spans marked. Offsets index `text`."""
    cleaned, _ = clean(text)
    pieces: list[Segment] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        if getattr(finding, "dismissed", False):
            continue
        start, end = max(finding.start, position), min(finding.end, len(cleaned))
        if start >= end:
            continue
        if start > position:
            pieces.append(Segment(_SPACE.sub(" ", cleaned[position:start])))
        pieces.append(Segment(_SPACE.sub(" ", cleaned[start:end]).strip(), finding.category))
        position = end
    if position < len(cleaned):
        pieces.append(Segment(_SPACE.sub(" ", cleaned[position:])))
    if pieces:  # trim the outer whitespace left by tags
        pieces[0] = replace(pieces[0], text=pieces[0].text.lstrip())
        pieces[-1] = replace(pieces[-1], text=pieces[-1].text.rstrip())
    return [p for p in pieces if p.text]


def reasons_of(findings: Sequence[FindingRecord | Any]) -> list[Reason]:
    return [Reason(f.category, f.rule, float(f.score)) for f in findings
            if not getattr(f, "dismissed", False)]


def content_of_view(view: FlagView, *, hide_available: bool, notice: str | None = None,
                    session_title: str | None = None) -> FlagCardContent:
    """A stored flag as its card says it (the console's page draws from the same values)."""
    text = view.message_text or ""
    return FlagCardContent(
        flag_id=view.id,
        kind=view.kind,
        sent_at=view.message_received_at or view.created_at,
        author_name=view.author.display_name if view.author else None,
        author_pseudonym=view.author_pseudonym,
        segments=segments_of(text, view.findings) if text else [Segment("(text not kept)")],
        reasons=reasons_of(view.findings),
        safeguarding_level=view.level,
        safeguarding_reason=view.reason,
        status=view.status,
        history=[HistoryEntry(a.action, a.actor, a.at, a.outcome) for a in view.actions],
        hide_available=hide_available,
        edited=view.message_edited,
        hidden=view.message_hidden_at is not None,
        deleted=view.message_deleted_at is not None,
        notice=notice,
        session_title=session_title,
    )
