"""Plain records the store returns. Domain services and handlers depend on these, not on rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any, Literal

Role = Literal["participant", "facilitator"]
Decision = Literal["accepted", "declined"]


@dataclass(frozen=True)
class Session:
    id: str
    conversation_id: str
    service_url: str
    tenant_id: str | None
    meeting_id: str | None
    bot_id: str | None
    bot_name: str | None
    title: str | None
    form_version: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    consent_activity_id: str | None = None

    @property
    def live(self) -> bool:
        return self.status == "live"


@dataclass(frozen=True)
class NewSession:
    conversation_id: str
    service_url: str
    tenant_id: str | None
    meeting_id: str | None
    bot_id: str | None
    bot_name: str | None
    title: str | None
    form_version: str
    started_at: datetime


@dataclass(frozen=True)
class Participant:
    id: str
    session_id: str
    pseudonym: str
    role: Role
    first_seen_at: datetime
    consent_nudged_at: datetime | None = None


@dataclass(frozen=True)
class Identity:
    """Who a participant is in Teams. Linking data: destroyed by purge."""

    teams_user_id: str
    aad_object_id: str | None
    display_name: str | None


@dataclass(frozen=True)
class ConsentEvent:
    id: int
    session_id: str
    participant_id: str
    decision: Decision
    form_version: str
    content_hash: str
    answers: dict[str, bool]
    recorded_at: datetime


@dataclass(frozen=True)
class RosterEntry:
    participant: Participant
    identity: Identity | None
    consent: ConsentEvent | None


@dataclass(frozen=True)
class DueReminder:
    id: int
    session_id: str
    kind: str
    due_at: datetime


DIGEST_KEY_PREFIX = "digest:"
"""Outbox keys of flag digest cards: one item carries many flags' entries (see
`store.sql_flags.queue_flag_card`), so a second flag queued under the same key joins it."""


class Priority(IntEnum):
    """An outbox item's lane: higher lanes are leased first, so that a safeguarding flag or
    an answer a facilitator asked for never waits behind a storm of ordinary flag cards."""

    BULK = 0  # identifying flag cards, card updates, automatic responses to flags
    NORMAL = 1  # replies, welcomes, consent and late-joiner cards, reminders
    URGENT = 2  # safeguarding flag cards


@dataclass(frozen=True)
class OutboxItem:
    """Something to send to Teams. `conversation_id` or `user_id` (a 1:1 to open) is set."""

    dedupe_key: str
    service_url: str
    payload: dict[str, Any] | None
    conversation_id: str | None = None
    user_id: str | None = None
    tenant_id: str | None = None
    session_id: str | None = None
    operation: Literal["send", "update"] = "send"
    target_activity_id: str | None = None
    notify_ref: str | None = None
    priority: int = Priority.NORMAL


@dataclass(frozen=True)
class LeasedItem:
    id: int
    item: OutboxItem
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class UndeliveredItem:
    """An outbox item given up on (refused by Teams, or still undelivered at the give-up
    age): what `status` and facilitators are told about."""

    id: int
    session_id: str | None
    notify_ref: str | None
    priority: int
    created_at: datetime
    last_error: str | None
    # what it was (`services.undelivered` names its kind from these), never shown as such
    dedupe_key: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class FacilitatorChannel:
    teams_user_id: str
    aad_object_id: str | None
    display_name: str | None
    service_url: str
    tenant_id: str | None
    conversation_id: str | None
    registered_at: datetime


@dataclass(frozen=True)
class StateItem:
    etag: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TranscriptFetch:
    """A meeting whose transcript is still being polled for (claimed for one attempt)."""

    session_id: str
    meeting_id: str
    service_url: str
    tenant_id: str | None
    attempts: int
    give_up_at: datetime


@dataclass(frozen=True)
class TranscriptFetchStatus:
    """Where a session's transcript fetch stands, for people to read (the console): `state`
    is `pending` (polling), `done`, or why it stopped (`refused`, `no_sign_in`, `no_meeting`,
    `gave_up`, `failed`)."""

    session_id: str
    state: str
    attempts: int
    next_attempt_at: datetime
    give_up_at: datetime


@dataclass(frozen=True)
class StoredTranscript:
    """A meeting transcript as kept: redacted WebVTT, counts by category, the review list."""

    session_id: str
    content: str
    counts: dict[str, int]
    review: list[str]
    created_at: datetime
