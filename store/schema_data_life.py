"""The data's life after the session (migration 0003, branch "data_life"): export-ready
copies of messages kept by purge, purge runs, and meetings' transcripts (kept only redacted)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from store.schema_types import UTCDateTime, metadata

anonymised_messages = Table(
    "anonymised_messages",
    metadata,
    # The export-ready copy of a message (identifying spans replaced by [CATEGORY], mentions
    # of withdrawn participants removed), written by purge before the raw text is nulled.
    Column("message_id", Integer, ForeignKey("messages.id"), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("removed_mentions", Integer, nullable=False, server_default="0"),
    Column("redactions", JSON, nullable=True),  # {category: count}
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_anonymised_messages_session", anonymised_messages.c.session_id)

purge_runs = Table(
    "purge_runs",
    metadata,
    # One row per purge run; `step` is the last step finished (each step is safe to re-run).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("step", String(32), nullable=False),
    Column("completed_at", UTCDateTime(), nullable=True),
)

# A meeting's transcript, fetched from Microsoft Graph after the meeting and kept only redacted
# (pseudonyms, placeholders, withdrawn participants' turns removed). The pending fetch is a row
# of its own so that the polling survives a restart and only one instance polls at a time.
transcript_fetches = Table(
    "transcript_fetches",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("meeting_id", Text, nullable=False),
    Column("service_url", Text, nullable=False),
    Column("tenant_id", String(64), nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("give_up_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("state", String(16), nullable=False, server_default=text("'pending'")),
)
Index("ix_transcript_fetches_due", transcript_fetches.c.state,
      transcript_fetches.c.next_attempt_at)

transcripts = Table(
    "transcripts",
    metadata,
    Column("session_id", String(36), primary_key=True),
    Column("content", Text, nullable=False),
    Column("counts", JSON, nullable=False),
    Column("review", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
