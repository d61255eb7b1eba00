"""The group chat as kept for the study: messages, what screening found in them, flags, the
copies of each flag's card, and facilitators' actions on flags."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from store.schema_types import UTCDateTime, metadata

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
