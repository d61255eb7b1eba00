"""The database schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Identity lives in one place: `identity_links` maps a per-session participant (pseudonym) to the
Teams/AAD ids and display name. Every other table refers to `participants.id` only, so purging
`identity_links` (and raw text) at the end of the project leaves nothing that names anyone.
Tables named `*_events`, `withdrawals`, `flag_actions` and `audit_log` are append-only: database
triggers (see the migrations) refuse UPDATE and DELETE on them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite has no timezone type)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        if getattr(dialect, "name", "") == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

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

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(256), nullable=False, unique=True),
    Column("session_id", String(36), nullable=True),
    Column("service_url", String(512), nullable=False),
    Column("tenant_id", String(64), nullable=True),
    Column("conversation_id", String(512), nullable=True),
    Column("user_id", String(256), nullable=True),  # 1:1 target when conversation is unknown
    Column("operation", String(16), nullable=False),  # send | update
    Column("target_activity_id", String(256), nullable=True),
    Column("payload", JSON, nullable=True),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("sent_activity_id", String(256), nullable=True),
    Column("last_error", String(256), nullable=True),
    Column("notify_ref", String(128), nullable=True),  # e.g. "flag_card:12" to record the id
    # migration 0005: the lane (records.Priority), leased highest first
    Column("priority", Integer, nullable=False, server_default="1"),
)
Index("ix_outbox_due", outbox.c.status, outbox.c.next_attempt_at)
Index("ix_outbox_lane", outbox.c.status, outbox.c.priority, outbox.c.id)

facilitator_channels = Table(
    "facilitator_channels",
    metadata,
    Column("teams_user_id", String(256), primary_key=True),
    Column("aad_object_id", String(64), nullable=True),
    Column("display_name", String(256), nullable=True),
    Column("service_url", String(512), nullable=False),
    Column("tenant_id", String(64), nullable=True),
    Column("conversation_id", String(512), nullable=True),
    Column("registered_at", UTCDateTime(), nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("participant_id", String(36), ForeignKey("participants.id"), nullable=False),
    Column("activity_id", String(256), nullable=False),
    Column("text", Text, nullable=True),  # null: not kept (no consent) or purged
    Column("kept", Boolean, nullable=False),
    Column("mentions", JSON, nullable=True),  # participant ids @mentioned
    Column("received_at", UTCDateTime(), nullable=False),
    Column("edited_at", UTCDateTime(), nullable=True),
    Column("deleted_at", UTCDateTime(), nullable=True),
    Column("hidden_at", UTCDateTime(), nullable=True),
    # scanning (migration 0002): NULL scanned_at = still to scan; claimed with a lease
    Column("revision", Integer, nullable=False, server_default="0"),  # +1 per edit
    Column("scanned_at", UTCDateTime(), nullable=True),
    Column("scan_owner", String(64), nullable=True),
    Column("scan_lease_until", UTCDateTime(), nullable=True),
    # claims since the text last changed (migration 0004): a message the engine keeps failing
    # on is flagged as unscreened after a few
    Column("scan_attempts", Integer, nullable=False, server_default="0"),
    # the Teams replyToId (migration 0005_withdrawal): a reply to a withdrawn participant's
    # message is excluded with it
    Column("reply_to_id", String(256), nullable=True),
    UniqueConstraint("session_id", "activity_id", name="uq_messages_activity"),
)
Index("ix_messages_unscanned", messages.c.scanned_at, messages.c.id)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("category", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("rule", String(64), nullable=False),
    Column("source", String(16), nullable=False, server_default="engine"),  # engine | facilitator
    Column("dismissed", Boolean, nullable=False, server_default=text("false")),
)
Index("ix_findings_message", findings.c.message_id)

flags = Table(
    "flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=True),
    # identifying | safeguarding | mention_review | unscreened
    Column("kind", String(16), nullable=False),
    Column("level", String(16), nullable=True),
    Column("reason", String(256), nullable=True),
    Column("status", String(16), nullable=False),  # open | redact | dismissed | escalated ...
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
Index("ix_flags_message", flags.c.message_id)

flag_cards = Table(
    "flag_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("flag_id", Integer, ForeignKey("flags.id"), nullable=False),
    Column("outbox_id", Integer, nullable=False),
    Column("conversation_id", String(512), nullable=True),
    Column("activity_id", String(256), nullable=True),
)
Index("ix_flag_cards_flag", flag_cards.c.flag_id)
Index("ix_flag_cards_outbox", flag_cards.c.outbox_id)

flag_actions = Table(
    "flag_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("flag_id", Integer, ForeignKey("flags.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("actor", String(64), nullable=False),  # facilitator pseudonym-free label
    Column("outcome", String(256), nullable=True),
    Column("at", UTCDateTime(), nullable=False),
)
Index("ix_flag_actions_flag", flag_actions.c.flag_id, flag_actions.c.id)

withdrawals = Table(
    "withdrawals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("participant_id", String(36), ForeignKey("participants.id"), nullable=False),
    Column("requested_by", String(16), nullable=False),  # self | facilitator
    Column("reason", String(512), nullable=True),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

# Messages that refer to a withdrawn participant (migration 0005_withdrawal): kind mention |
# reply | borderline; decision exclude | keep | pending (a borderline case awaiting review).
mention_reviews = Table(
    "mention_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("message_id", Integer, ForeignKey("messages.id"), nullable=False),
    Column("participant_id", String(36), ForeignKey("participants.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("decided_by", String(128), nullable=True),  # a facilitator's pseudonymous label
    Column("created_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    UniqueConstraint("message_id", "participant_id", name="uq_mention_review"),
)
Index("ix_mention_reviews_session", mention_reviews.c.session_id)

# A withdrawal undone by a facilitator within the window (withdrawals stay append-only).
withdrawal_reverts = Table(
    "withdrawal_reverts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("withdrawal_id", Integer, ForeignKey("withdrawals.id"), nullable=False, unique=True),
    Column("session_id", String(36), ForeignKey("sessions.id"), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("reverted_at", UTCDateTime(), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(256), nullable=True),
    Column("details", JSON, nullable=True),
)

processed_activities = Table(
    "processed_activities",
    metadata,
    Column("key", String(600), primary_key=True),
    Column("at", UTCDateTime(), nullable=False),
)

bot_state = Table(
    "bot_state",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("etag", String(64), nullable=False),
    Column("data", JSON, nullable=False),
)

APPEND_ONLY_TABLES = ("consent_events", "withdrawals", "flag_actions", "audit_log",
                      "withdrawal_reverts")

DELETED_BY_PURGE = ("identity_links", "facilitator_channels", "bot_state",
                    "processed_activities", "outbox")
"""Deleted whole by purge. Its scrubbing step skips them: rewriting a key there (a unique
dedupe key, a state key) could make two keys equal and abort the purge, for rows about to go."""

# ---- the data's life after the session (migration 0003, branch "data_life") ---------------

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

# A breakout room's chat linked by a facilitator (`link <session code>`) to a running session:
# its messages are screened as the parent session's (same pseudonyms, consent, withdrawal).
session_links = Table(
    "session_links",
    metadata,
    Column("conversation_id", String(512), primary_key=True),
    Column("session_id", String(36), nullable=False),
    Column("linked_at", UTCDateTime(), nullable=False),
)
