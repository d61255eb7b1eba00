"""Records of the data's life after the session: withdrawals, export sources and purge runs.

See `store/sql_withdrawals.py`, `store/sql_export.py` and `store/sql_purge.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.records import Participant


@dataclass(frozen=True)
class WithdrawalRecord:
    id: int
    session_id: str
    participant_id: str
    requested_by: str
    reason: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class MentionReview:
    """A message found to refer to a withdrawn participant, and the decision on it.

    kind: mention (a name, nickname, handle or @mention) | reply (a reply to or quote of their
    message) | borderline ("she said…", "+1" right after them); decision: exclude | keep |
    pending (a borderline case no facilitator has decided yet)."""

    id: int
    session_id: str
    message_id: int
    participant_id: str
    kind: str
    decision: str
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class LinkedParticipant:
    """A participant of a session together with the session's status, for one Teams user."""

    participant: Participant
    session_id: str


@dataclass(frozen=True)
class SourcePerson:
    participant_id: str
    pseudonym: str
    role: str
    first_seen_at: datetime
    display_name: str | None  # None once purged
    teams_user_id: str | None
    aad_object_id: str | None
    consent: str | None  # the latest decision: accepted | declined | None
    withdrawn: bool


@dataclass(frozen=True)
class StoredSpan:
    start: int
    end: int
    category: str
    source: str  # engine | facilitator
    dismissed: bool


@dataclass(frozen=True)
class AnonymisedCopy:
    text: str
    removed_mentions: int
    redactions: dict[str, int]


@dataclass(frozen=True)
class SourceMessage:
    id: int
    participant_id: str
    received_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    kept: bool
    text: str | None
    mentions: list[Any]
    spans: list[StoredSpan] = field(default_factory=list)
    anonymised: AnonymisedCopy | None = None
    activity_id: str | None = None
    reply_to_id: str | None = None


@dataclass(frozen=True)
class SessionSource:
    """Everything an export of one session reads from the database."""

    session_id: str
    title: str | None
    form_version: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    people: dict[str, SourcePerson]
    messages: list[SourceMessage]
    # the stored reviews of the current (not reverted) withdrawals, by message id
    reviews: dict[int, list[MentionReview]] = field(default_factory=dict)
    # messages left out at someone's request, by message id: "removed_by_author" (the author
    # asked through the message action) or "reported_left_out" (a reported message a
    # facilitator chose to redact)
    removed: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PurgeRun:
    id: int
    started_at: datetime
    step: str
    completed_at: datetime | None
