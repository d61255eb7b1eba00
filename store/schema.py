"""The database schema (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Identity lives in one place: `identity_links` maps a per-session participant (pseudonym) to the
Teams/AAD ids and display name. Every other table refers to `participants.id` only, so purging
`identity_links` (and raw text) at the end of the project leaves nothing that names anyone.
Tables named `*_events`, `withdrawals`, `flag_actions` and `audit_log` are append-only: database
triggers (see the migrations) refuse UPDATE and DELETE on them.

The tables are declared by subject in `store/schema_*.py` (sessions and people, outbox, chat
and flags, labelled outcomes, withdrawal, bookkeeping, the data's life after the session); this
module gathers them, so `from store import schema as t` then `t.messages` reaches any of them.
"""

from __future__ import annotations

from store.schema_bookkeeping import (
    audit_log,
    bot_state,
    processed_activities,
)
from store.schema_chat import (
    findings,
    flag_actions,
    flag_cards,
    flags,
    messages,
)
from store.schema_data_life import (
    anonymised_messages,
    purge_runs,
    transcript_fetches,
    transcripts,
)
from store.schema_outbox import (
    facilitator_channels,
    outbox,
)
from store.schema_outcomes import labelled_outcomes
from store.schema_sessions import (
    consent_events,
    identity_links,
    participants,
    reminders,
    session_links,
    sessions,
)
from store.schema_types import (
    UTCDateTime,
    metadata,
)
from store.schema_withdrawal import (
    mention_reviews,
    withdrawal_reverts,
    withdrawals,
)

__all__ = [
    "APPEND_ONLY_TABLES",
    "DELETED_BY_PURGE",
    "UTCDateTime",
    "anonymised_messages",
    "audit_log",
    "bot_state",
    "consent_events",
    "facilitator_channels",
    "findings",
    "flag_actions",
    "flag_cards",
    "flags",
    "identity_links",
    "labelled_outcomes",
    "mention_reviews",
    "messages",
    "metadata",
    "outbox",
    "participants",
    "processed_activities",
    "purge_runs",
    "reminders",
    "session_links",
    "sessions",
    "transcript_fetches",
    "transcripts",
    "withdrawal_reverts",
    "withdrawals",
]

APPEND_ONLY_TABLES = ("consent_events", "withdrawals", "flag_actions", "audit_log",
                      "withdrawal_reverts")

DELETED_BY_PURGE = ("identity_links", "facilitator_channels", "bot_state",
                    "processed_activities", "outbox")
"""Deleted whole by purge. Its scrubbing step skips them: rewriting a key there (a unique
dedupe key, a state key) could make two keys equal and abort the purge, for rows about to go."""
