"""The bot's own bookkeeping: the audit log, activities already handled (replays), and the
Bot Framework's conversation state."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Integer,
    String,
    Table,
)

from store.schema_types import UTCDateTime, metadata

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
