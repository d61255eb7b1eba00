"""Records of the chat-screening path: messages, scans, findings and flags.

See `store/sql_messages.py` (recording and scanning) and `store/sql_flags.py` (flags).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.records import Identity, OutboxItem


@dataclass(frozen=True)
class NewChatMessage:
    """A chat message to record (see `record_chat_message`)."""

    session_id: str
    participant_id: str
    activity_id: str
    text: str
    mentions: list[Any] | None
    at: datetime
    consent_required: bool
    reply_to_id: str | None = None  # Teams replyToId: the message this one answers


@dataclass(frozen=True)
class StoredMessage:
    """The outcome of recording one chat message."""

    message_id: int | None  # None: a repeat delivery of an activity already stored
    kept: bool
    decision: str | None  # the author's latest consent decision, if any

    @property
    def duplicate(self) -> bool:
        return self.message_id is None


@dataclass(frozen=True)
class ScanJob:
    """A claimed message to scan."""

    message_id: int
    session_id: str
    participant_id: str
    activity_id: str
    text: str
    revision: int
    received_at: datetime
    edited_at: datetime | None
    attempts: int = 1  # claims of this text so far, this one included
    # False: an unconsented author's message, screened in memory (`text` was never stored);
    # its outcome keeps only the flag and its cards, never findings or text
    kept: bool = True


@dataclass(frozen=True)
class FindingRecord:
    start: int
    end: int
    category: str
    score: float
    rule: str
    dismissed: bool = False


@dataclass(frozen=True)
class NewFlag:
    kind: str  # identifying | safeguarding | unscreened
    level: str | None
    reason: str | None


@dataclass
class ScanOutcome:
    """What to store for one scanned job.

    A new flag comes with its id, reserved by `reserve_flag_ids`, and with its cards already
    drawn for that id: `save_scans` stores flag and cards together without calling anything.
    """

    job: ScanJob
    findings: list[FindingRecord]
    flag: NewFlag | None = None
    cards: list[OutboxItem] = field(default_factory=list)
    extra_items: list[OutboxItem] = field(default_factory=list)
    flag_id: int | None = None  # required with `flag`


class FlagIdTaken(Exception):
    """A flag id reserved for `save_scans` was taken meanwhile (SQLite: another process, or a
    flag made without reserving); nothing was saved. Reserve again, redraw the cards, retry."""


@dataclass(frozen=True)
class FlagAction:
    action: str
    actor: str
    outcome: str | None
    at: datetime


@dataclass(frozen=True)
class FlagCardRef:
    id: int
    outbox_id: int
    conversation_id: str | None
    activity_id: str | None
    service_url: str | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    digest: bool = False  # the copy is an entry of a digest card, not the flag's own card


@dataclass(frozen=True)
class FlagView:
    """Everything needed to draw a flag card and to act on the flag."""

    id: int
    session_id: str
    message_id: int | None
    kind: str
    level: str | None
    reason: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    message_activity_id: str | None
    message_text: str | None
    message_received_at: datetime | None
    message_edited: bool
    message_hidden_at: datetime | None
    message_deleted_at: datetime | None
    author_participant_id: str | None
    author_pseudonym: str | None
    author: Identity | None
    findings: list[FindingRecord]
    actions: list[FlagAction]
    cards: list[FlagCardRef]
