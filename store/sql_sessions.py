"""Sessions and their reminders, on SQLAlchemy Core (see `store.ports.SessionStore`).

A conversation has at most one live session (a partial unique index decides a race between
instances); a reminder is claimed by one conditional UPDATE, so exactly one instance sends it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store import schema as t
from store.records import DueReminder, NewSession, OutboxItem, Session
from store.sql_base import SqlBase, is_unique_violation, record
from store.sql_outbox import queue


class SqlSessions(SqlBase):
    """Sessions (start, look up, end) and their scheduled reminders."""

    async def start_session(self, new: NewSession) -> tuple[Session, bool]:
        """Open a live session for the conversation, or return the one already live."""
        existing = await self.live_session(new.conversation_id)
        if existing:
            return existing, False
        session_id = str(uuid.uuid4())
        try:
            async with self._writing() as conn:
                await conn.execute(
                    insert(t.sessions).values(
                        id=session_id,
                        conversation_id=new.conversation_id,
                        service_url=new.service_url,
                        tenant_id=new.tenant_id,
                        meeting_id=new.meeting_id,
                        bot_id=new.bot_id,
                        bot_name=new.bot_name,
                        title=new.title,
                        form_version=new.form_version,
                        status="live",
                        started_at=new.started_at,
                    )
                )
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            existing = await self.live_session(new.conversation_id)
            if existing is None:
                raise
            return existing, False
        session = await self.get_session(session_id)
        assert session is not None
        return session, True

    async def get_session(self, session_id: str) -> Session | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(select(t.sessions).where(t.sessions.c.id == session_id))
            ).first()
        return record(Session, row) if row else None

    async def live_session(self, conversation_id: str) -> Session | None:
        """The chat's running session, or the one a breakout room's chat is linked to."""
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.sessions).where(
                        t.sessions.c.conversation_id == conversation_id,
                        t.sessions.c.status == "live",
                    )
                )
            ).first()
            if row is None:
                row = (await conn.execute(
                    select(t.sessions)
                    .join(t.session_links, t.session_links.c.session_id == t.sessions.c.id)
                    .where(t.session_links.c.conversation_id == conversation_id,
                           t.sessions.c.status == "live"))).first()
        return record(Session, row) if row else None

    async def link_conversation(self, conversation_id: str, session_id: str,
                                at: datetime) -> None:
        """Screen a breakout room's chat as part of `session_id` (a new link replaces one to
        an earlier session)."""
        async with self._writing() as conn:
            await conn.execute(delete(t.session_links).where(
                t.session_links.c.conversation_id == conversation_id))
            await conn.execute(insert(t.session_links).values(
                conversation_id=conversation_id, session_id=session_id, linked_at=at))

    async def latest_session(self, conversation_id: str) -> Session | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.sessions)
                    .where(t.sessions.c.conversation_id == conversation_id)
                    .order_by(t.sessions.c.started_at.desc())
                    .limit(1)
                )
            ).first()
        return record(Session, row) if row else None

    async def list_sessions(self) -> list[Session]:
        async with self._reading() as conn:
            rows = (await conn.execute(select(t.sessions).order_by(t.sessions.c.started_at))).all()
        return [record(Session, r) for r in rows]

    async def end_session(self, session_id: str, at: datetime) -> bool:
        """Close a live session and cancel its pending reminders. False if not live."""
        async with self._writing() as conn:
            result = await conn.execute(
                update(t.sessions)
                .where(t.sessions.c.id == session_id, t.sessions.c.status == "live")
                .values(status="ended", ended_at=at)
            )
            if result.rowcount != 1:
                return False
            await conn.execute(
                delete(t.reminders).where(
                    t.reminders.c.session_id == session_id, t.reminders.c.claimed_at.is_(None)
                )
            )
        return True

    async def set_consent_activity(self, session_id: str, activity_id: str) -> None:
        async with self._writing() as conn:
            await conn.execute(
                update(t.sessions)
                .where(t.sessions.c.id == session_id)
                .values(consent_activity_id=activity_id)
            )

    # ---- reminders ------------------------------------------------------------------------

    async def schedule_reminder(self, session_id: str, kind: str, due_at: datetime) -> None:
        try:
            async with self._writing() as conn:
                await conn.execute(
                    insert(t.reminders).values(session_id=session_id, kind=kind, due_at=due_at)
                )
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise

    async def due_reminders(self, now: datetime, limit: int = 50) -> list[DueReminder]:
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.reminders)
                    .where(t.reminders.c.claimed_at.is_(None), t.reminders.c.due_at <= now)
                    .order_by(t.reminders.c.due_at)
                    .limit(limit)
                )
            ).all()
        return [record(DueReminder, r) for r in rows]

    async def claim_reminder(
        self,
        reminder: DueReminder,
        *,
        worker: str,
        now: datetime,
        send: OutboxItem | None,
        next_due_at: datetime | None,
    ) -> bool:
        """Claim a due reminder, queue its message and schedule the next, in one transaction.

        Exactly one instance wins the conditional UPDATE; the others see row count 0.
        """
        async with self._writing() as conn:
            result = await conn.execute(
                update(t.reminders)
                .where(t.reminders.c.id == reminder.id, t.reminders.c.claimed_at.is_(None))
                .values(claimed_at=now, claimed_by=worker)
            )
            if result.rowcount != 1:
                return False
            if send is not None:
                await queue(conn, send, now)
            if next_due_at is not None:
                await conn.execute(
                    insert(t.reminders).values(
                        session_id=reminder.session_id, kind=reminder.kind, due_at=next_due_at
                    )
                )
        return True
