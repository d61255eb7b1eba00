"""The outbox: what is to be sent to Teams, leased to one worker at a time, on SQLAlchemy Core
(see `store.ports.OutboxStore`).

Other stores queue items inside their own transactions with `queue` and `queue_quietly`, so a
flag or a reminder and its message are committed together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from store import schema as t
from store.records import LeasedItem, OutboxItem, UndeliveredItem
from store.sql_base import SqlBase, dialect_insert, is_unique_violation, record, utc


def _outbox_row(item: OutboxItem, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": item.dedupe_key, "session_id": item.session_id,
        "service_url": item.service_url, "tenant_id": item.tenant_id,
        "conversation_id": item.conversation_id, "user_id": item.user_id,
        "operation": item.operation, "target_activity_id": item.target_activity_id,
        "payload": item.payload, "status": "pending", "attempts": 0,
        "next_attempt_at": now, "created_at": now, "notify_ref": item.notify_ref,
        "priority": int(item.priority),
    }


async def queue(conn: AsyncConnection, item: OutboxItem, now: datetime) -> int:
    """Queue an item inside the caller's transaction; a taken dedupe key raises."""
    result = await conn.execute(
        insert(t.outbox).values(**_outbox_row(item, now)).returning(t.outbox.c.id))
    return int(result.scalar_one())


async def queue_quietly(
    conn: AsyncConnection, dialect: str, item: OutboxItem, now: datetime
) -> int | None:
    """Queue an item inside the caller's transaction; an existing dedupe key is a no-op (None)."""
    statement = (
        dialect_insert(dialect)(t.outbox)
        .values(**_outbox_row(item, now))
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(t.outbox.c.id)
    )
    return (await conn.execute(statement)).scalar()


class SqlOutbox(SqlBase):
    """Queue, lease and settle items for delivery."""

    async def enqueue(self, item: OutboxItem, now: datetime) -> int:
        """Queue an item for delivery; the same dedupe key is queued once."""
        try:
            async with self._writing() as conn:
                return await queue(conn, item, now)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            async with self._reading() as conn:
                return int((
                    await conn.execute(
                        select(t.outbox.c.id).where(t.outbox.c.dedupe_key == item.dedupe_key)
                    )
                ).scalar_one())

    async def enqueue_many(self, items: Sequence[OutboxItem], now: datetime) -> list[int]:
        return [await self.enqueue(item, now) for item in items]

    async def lease_outbox(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int = 20
    ) -> list[LeasedItem]:
        """Lease due items to one worker, highest lane first. A lease that expires (a crashed
        worker) is retaken."""
        earlier = t.outbox.alias("earlier")
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.outbox)
                    .where(
                        t.outbox.c.status == "pending",
                        t.outbox.c.next_attempt_at <= now,
                        or_(t.outbox.c.lease_until.is_(None), t.outbox.c.lease_until < now),
                        ~exists().where(
                            # keep a conversation's order within a lane: nothing overtakes an
                            # earlier item of its lane, or any item of a higher lane, that is
                            # waiting for its retry (a lower lane's wait holds nothing up)
                            earlier.c.status == "pending",
                            earlier.c.conversation_id == t.outbox.c.conversation_id,
                            or_(
                                earlier.c.priority > t.outbox.c.priority,
                                and_(earlier.c.priority == t.outbox.c.priority,
                                     earlier.c.id < t.outbox.c.id),
                            ),
                            earlier.c.next_attempt_at > now,
                        ),
                    )
                    .order_by(t.outbox.c.priority.desc(), t.outbox.c.id)
                    .limit(limit)
                )
            ).all()
        leased: list[LeasedItem] = []
        for candidate in rows:
            async with self._writing() as conn:
                # The row as leased, not as first read: a waiting item's payload may be
                # replaced until the lease takes it (a digest update taking a fuller list),
                # and sending the first read would lose that change.
                row = (await conn.execute(
                    update(t.outbox)
                    .where(
                        t.outbox.c.id == candidate.id,
                        t.outbox.c.status == "pending",
                        or_(t.outbox.c.lease_until.is_(None), t.outbox.c.lease_until < now),
                    )
                    .values(lease_owner=owner, lease_until=now + lease)
                    .returning(*t.outbox.c)
                )).first()
            if row is not None:
                leased.append(
                    LeasedItem(row.id, record(OutboxItem, row), row.attempts, row.created_at))
        return leased

    async def outbox_sent(
        self,
        item_id: int,
        *,
        owner: str,
        at: datetime,
        activity_id: str | None,
        conversation_id: str | None,
    ) -> None:
        await self._settle(
            item_id, owner, status="sent", sent_at=at, sent_activity_id=activity_id,
            conversation_id=conversation_id, lease_until=None,
            attempts=t.outbox.c.attempts + 1,
        )

    async def outbox_retry(
        self,
        item_id: int,
        *,
        owner: str,
        next_attempt_at: datetime,
        error: str,
        count_attempt: bool = True,
    ) -> None:
        await self._settle(
            item_id, owner, next_attempt_at=next_attempt_at, lease_until=None,
            last_error=error[:250],
            attempts=t.outbox.c.attempts + 1 if count_attempt else t.outbox.c.attempts,
        )

    async def outbox_release(self, item_ids: Sequence[int], *, owner: str) -> None:
        """Hand leased items back untried (no attempt counted), due at once: the worker took
        more than it can send to one conversation in a round, and higher lanes go first."""
        if not item_ids:
            return
        async with self._writing() as conn:
            await conn.execute(
                update(t.outbox)
                .where(
                    t.outbox.c.id.in_(list(item_ids)),
                    t.outbox.c.lease_owner == owner,
                    t.outbox.c.status == "pending",
                )
                .values(lease_until=None)
            )

    async def outbox_failed(self, item_id: int, *, owner: str, error: str) -> None:
        await self._settle(
            item_id, owner, status="failed", lease_until=None, last_error=error[:250],
            attempts=t.outbox.c.attempts + 1,
        )

    async def _settle(self, item_id: int, owner: str, **values: Any) -> None:
        """Update an item only while this worker holds it (still pending, its lease)."""
        o = t.outbox.c
        async with self._writing() as conn:
            await conn.execute(
                update(t.outbox)
                .where(o.id == item_id, o.lease_owner == owner, o.status == "pending")
                .values(**values)
            )

    async def undelivered_outbox(self, session_id: str | None = None) -> list[UndeliveredItem]:
        """Items given up on, oldest first (all sessions, or one), for `status` and the
        facilitators' notice."""
        query = select(t.outbox).where(t.outbox.c.status == "failed")
        if session_id is not None:
            query = query.where(t.outbox.c.session_id == session_id)
        async with self._reading() as conn:
            rows = (await conn.execute(query.order_by(t.outbox.c.id))).all()
        return [undelivered_item(row) for row in rows]

    async def last_queued_at(self, dedupe_prefix: str) -> datetime | None:
        """When the newest outbox item whose key starts with the prefix was queued."""
        async with self._reading() as conn:
            value = (
                await conn.execute(
                    select(func.max(t.outbox.c.created_at)).where(
                        t.outbox.c.dedupe_key.like(_like_prefix(dedupe_prefix), escape="\\")
                    )
                )
            ).scalar()
        return utc(value) if value else None


def undelivered_item(row: Any) -> UndeliveredItem:
    return UndeliveredItem(row.id, row.session_id, row.notify_ref, row.priority,
                           utc(row.created_at), row.last_error, row.dedupe_key,
                           row.conversation_id)


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
