"""Labelled outcomes (migration 0009): what became of each flag and each manual report.

One row per facilitator decision on a flag (confirmed: Redact in export or Escalate;
dismissed: Not identifying) and per report made from a message's "..." menu (missed: no flag
covered the message; already_flagged; removal_requested: its author asked for it to be left
out of the research). No message text and no Teams user id: `participant_id` is the reporter's
pseudonymous participant, `teams_message_id` the Teams id of the message reported. `key` makes
each outcome once-only (a repeated invoke, a retried click).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from store.schema_types import UTCDateTime, metadata

labelled_outcomes = Table(
    "labelled_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(256), nullable=False, unique=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    # confirmed | dismissed | missed | already_flagged | removal_requested
    Column("kind", String(24), nullable=False),
    Column("flag_id", Integer, ForeignKey("flags.id"), nullable=True),
    Column("flag_kind", String(16), nullable=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=True),
    Column("teams_message_id", String(256), nullable=True),
    Column("participant_id", String(36), ForeignKey("participants.id"), nullable=True),
    Column("category", String(32), nullable=True),
    Column("at", UTCDateTime(), nullable=False),
)
Index("ix_labelled_outcomes_session", labelled_outcomes.c.session_id, labelled_outcomes.c.id)
Index("ix_labelled_outcomes_message", labelled_outcomes.c.message_id)
