"""Withdrawal from the study: the append-only record, its reverts, and other people's messages
that refer to a withdrawn participant (for a facilitator's review)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from store.schema_types import UTCDateTime, metadata

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
