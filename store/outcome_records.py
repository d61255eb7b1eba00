"""Records of labelled outcomes: what became of each flag and each manual report of a message.

See `store/sql_outcomes.py`. No record here holds message text or a name: an outcome names a
session, a flag, a stored message (by id), the Teams message id and a category, so the figures
of `python -m export quality` can be drawn from it after the study's linking data is purged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Outcome kinds.
CONFIRMED = "confirmed"  # a facilitator confirmed a flag (Redact in export, Escalate)
DISMISSED = "dismissed"  # a facilitator dismissed a flag (Not identifying)
MISSED = "missed"  # someone reported a message no flag covered
ALREADY_FLAGGED = "already_flagged"  # someone reported a message that was already flagged
REMOVAL_REQUESTED = "removal_requested"  # the author asked for their message to be left out
OUTCOME_KINDS = (CONFIRMED, DISMISSED, MISSED, ALREADY_FLAGGED, REMOVAL_REQUESTED)

REPORTED_FLAG_KIND = "reported"  # the kind of a flag opened by a report of a message


@dataclass(frozen=True)
class ChatMessageRef:
    """A stored chat message found by its Teams id, with who wrote it (linking data, read to
    check a removal request; None once purged)."""

    message_id: int
    participant_id: str
    pseudonym: str
    teams_user_id: str | None
    aad_object_id: str | None
    display_name: str | None


@dataclass(frozen=True)
class NewOutcome:
    """An outcome to record once: `key` is unique (a repeated request records nothing)."""

    key: str
    session_id: str
    kind: str
    at: datetime
    flag_id: int | None = None
    message_id: int | None = None
    teams_message_id: str | None = None
    participant_id: str | None = None  # the reporter (a pseudonymous participant)
    category: str | None = None  # the reporter's concern, or the flag's first finding


@dataclass(frozen=True)
class NewReportFlag:
    """A flag to open for a reported message that no flag covered."""

    kind: str  # "reported"
    reason: str | None  # the reporter's concern


@dataclass(frozen=True)
class FlagNote:
    """A line appended to an existing flag's history (append-only flag_actions)."""

    action: str
    actor: str
    outcome: str | None


@dataclass(frozen=True)
class RecordedReport:
    """What `record_report` did: False `recorded` means the key was taken (a repeat)."""

    recorded: bool
    flag_id: int | None


@dataclass(frozen=True)
class LabelledOutcome:
    id: int
    session_id: str
    kind: str
    flag_id: int | None
    flag_kind: str | None
    message_id: int | None
    category: str | None
    at: datetime
