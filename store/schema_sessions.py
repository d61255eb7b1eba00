"""Sessions and the people in them: participants (pseudonyms), the one table that links
a participant to their Teams identity, consent decisions, scheduled reminders, breakout chats."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    text,
)

from store.schema_types import UTCDateTime, metadata

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("conversation_id", String(512), nullable=False),
    Column("service_url", String(512), nullable=False),
    Column("tenant_id", String(64), nullable=True),
    Column("meeting_id", String(512), nullable=True),
    Column("bot_id", String(256), nullable=True),
    Column("bot_name", String(256), nullable=True),
    Column("title", String(512), nullable=True),
    Column("form_version", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # live | ended
    Column("started_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("consent_activity_id", String(256), nullable=True),
)
Index(
    "uq_sessions_one_live_per_conversation",
    sessions.c.conversation_id,
    unique=True,
    sqlite_where=text("status = 'live'"),
    postgresql_where=text("status = 'live'"),
)

participants = Table(
    "participants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("pseudonym", String(16), nullable=False),
    Column("role", String(16), nullable=False),  # participant | facilitator
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("consent_nudged_at", UTCDateTime(), nullable=True),
    UniqueConstraint("session_id", "pseudonym", name="uq_participants_pseudonym"),
)

identity_links = Table(
    "identity_links",
    metadata,
    Column("participant_id", String(36), ForeignKey("participants.id"), primary_key=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("teams_user_id", String(256), nullable=False),
    Column("aad_object_id", String(64), nullable=True),
    Column("display_name", String(256), nullable=True),
    UniqueConstraint("session_id", "teams_user_id", name="uq_identity_session_user"),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("participant_id", String(36), ForeignKey("participants.id"), nullable=False),
    Column("decision", String(16), nullable=False),  # accepted | declined
    Column("form_version", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("answers", JSON, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    # the invoke's activity id (migration 0005): a replayed invoke adds no second row
    Column("activity_id", String(256), nullable=True),
)
Index("ix_consent_events_participant", consent_events.c.participant_id, consent_events.c.id)
Index(
    "uq_consent_events_activity",
    consent_events.c.session_id,
    consent_events.c.participant_id,
    consent_events.c.activity_id,
    unique=True,
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("claimed_by", String(64), nullable=True),
    UniqueConstraint("session_id", "kind", "due_at", name="uq_reminders_slot"),
)
Index("ix_reminders_due", reminders.c.claimed_at, reminders.c.due_at)


# A breakout room's chat linked by a facilitator (`link <session code>`) to a running session:
# its messages are screened as the parent session's (same pseudonyms, consent, withdrawal).
session_links = Table(
    "session_links",
    metadata,
    Column("conversation_id", String(512), primary_key=True),
    Column("session_id", String(36), nullable=False),
    Column("linked_at", UTCDateTime(), nullable=False),
)
