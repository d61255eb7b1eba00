"""Outbox items given up on, and which of them facilitators have been told about, on
SQLAlchemy Core (see `store.ports.UndeliveredStore`).

The outbox keeps a given-up item as `status = 'failed'`; `undelivered_reports` (one row per
item, store/schema_undelivered.py) records that a notice covering it was queued. Marking the
items and queuing the notice happen in one transaction, and the marks are a primary key, so
two instances sweeping at once never tell facilitators twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from store import schema as t
from store.records import OutboxItem, UndeliveredItem
from store.schema_undelivered import undelivered_reports
from store.sql_base import SqlBase, is_unique_violation
from store.sql_outbox import queue_quietly, undelivered_item


class _Taken(Exception):
    """Another worker marked one of the items first: roll the whole report back."""


class SqlUndelivered(SqlBase):
    """Find given-up items nobody has been told about; mark them told with their notices."""

    async def unreported_undelivered(self, limit: int = 500) -> list[UndeliveredItem]:
        """Items given up on that no notice covers yet, oldest first."""
        reported = exists().where(undelivered_reports.c.outbox_id == t.outbox.c.id)
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.outbox)
                    .where(t.outbox.c.status == "failed", ~reported)
                    .order_by(t.outbox.c.id)
                    .limit(limit)
                )
            ).all()
        return [undelivered_item(row) for row in rows]

    async def report_undelivered(
        self, item_ids: Sequence[int], notices: Sequence[OutboxItem], now: datetime
    ) -> bool:
        """Mark the items as told about and queue `notices` (none: they need no notice), all
        or nothing. False if another worker marked any of them first (nothing is queued)."""
        if not item_ids:
            return True
        try:
            async with self._writing() as conn:
                try:
                    await conn.execute(
                        insert(undelivered_reports),
                        [{"outbox_id": item_id, "reported_at": now} for item_id in item_ids],
                    )
                except IntegrityError as exc:
                    if not is_unique_violation(exc):
                        raise
                    raise _Taken from exc
                for notice in notices:
                    await queue_quietly(conn, self.dialect, notice, now)
        except _Taken:
            return False
        return True

    async def undelivered_total(self) -> int:
        """How many outbox items have been given up on (all sessions), for /readyz."""
        async with self._reading() as conn:
            value = (
                await conn.execute(
                    select(func.count()).select_from(t.outbox)
                    .where(t.outbox.c.status == "failed")
                )
            ).scalar()
        return int(value or 0)
