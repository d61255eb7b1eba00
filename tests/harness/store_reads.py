"""Reads only the tests make: what the audit log, the outbox, consent history, reminders and
the scan queue hold. They read the store's tables directly, through the store's own read
connection, so that production ports carry no method that serves tests alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from store import ConsentEvent, DueReminder, Store
from store import schema as t
from store.sql_base import record


async def audit_entries(store: Store, action: str | None = None) -> list[dict[str, Any]]:
    query = select(t.audit_log).order_by(t.audit_log.c.id)
    if action:
        query = query.where(t.audit_log.c.action == action)
    async with store._reading() as conn:
        rows = (await conn.execute(query)).all()
    return [dict(r._mapping) for r in rows]


async def consent_history(store: Store, session_id: str) -> list[ConsentEvent]:
    c = t.consent_events.c
    async with store._reading() as conn:
        rows = (await conn.execute(
            select(t.consent_events).where(c.session_id == session_id).order_by(c.id))).all()
    return [record(ConsentEvent, r, answers=dict(r.answers)) for r in rows]


async def pending_reminders(store: Store, session_id: str) -> list[DueReminder]:
    r = t.reminders.c
    async with store._reading() as conn:
        rows = (await conn.execute(
            select(t.reminders).where(r.session_id == session_id, r.claimed_at.is_(None))
            .order_by(r.due_at))).all()
    return [record(DueReminder, row) for row in rows]


async def outbox_counts(store: Store) -> dict[str, int]:
    async with store._reading() as conn:
        rows = (await conn.execute(
            select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status))).all()
    return {status: count for status, count in rows}


async def outbox_item(store: Store, item_id: int) -> dict[str, Any] | None:
    async with store._reading() as conn:
        row = (await conn.execute(select(t.outbox).where(t.outbox.c.id == item_id))).first()
    return dict(row._mapping) if row else None


async def unscanned_count(store: Store) -> int:
    m = t.messages.c
    async with store._reading() as conn:
        return (await conn.execute(select(func.count()).select_from(t.messages).where(
            m.scanned_at.is_(None), m.text.is_not(None)))).scalar_one()
