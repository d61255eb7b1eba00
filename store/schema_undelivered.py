"""Which given-up outbox items facilitators have been told about (migration 0008).

A module of its own beside `store/schema.py`, on the same metadata. One row per outbox item
given up on (`outbox.status = 'failed'`) once a notice covering it has been queued, or once it
was found to need none. The row goes with its outbox row (ON DELETE CASCADE): a purge that
empties the outbox leaves nothing behind, and a row id SQLite reuses afterwards never looks
already reported.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, Table

from store.schema import UTCDateTime, metadata

undelivered_reports = Table(
    "undelivered_reports",
    metadata,
    Column("outbox_id", Integer, ForeignKey("outbox.id", ondelete="CASCADE"),
           primary_key=True),
    Column("reported_at", UTCDateTime(), nullable=False),
)
