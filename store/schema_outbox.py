"""Where the bot's messages go: the outbox (every proactive or private send) and the 1:1 chats
facilitators have registered."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Index,
    Integer,
    String,
    Table,
)

from store.schema_types import UTCDateTime, metadata

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
