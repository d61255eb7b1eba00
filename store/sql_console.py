"""What the facilitator console reads that no other port needs: a session's flags newest
first, its next reminder, and a cheap fingerprint of everything the console shows (the
transcript's state is read through the transcript port, store/sql_transcripts.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from store import schema as t
from store.sql_base import SqlBase, utc


class SqlConsole(SqlBase):
    async def console_flag_ids(self, session_id: str, limit: int = 100) -> list[int]:
        """The session's flags not dismissed, newest first (ids; read each with flag_view)."""
        f = t.flags.c
        async with self._reading() as conn:
            rows = (await conn.execute(
                select(f.id).where(f.session_id == session_id, f.status != "dismissed")
                .order_by(f.id.desc()).limit(limit)
            )).all()
        return [row.id for row in rows]

    async def next_reminder_at(self, session_id: str) -> datetime | None:
        r = t.reminders.c
        async with self._reading() as conn:
            due = (await conn.execute(
                select(func.min(r.due_at)).where(r.session_id == session_id,
                                                 r.claimed_at.is_(None))
            )).scalar()
        return utc(due) if due is not None else None

    async def console_fingerprint(self, session_id: str) -> tuple[Any, ...]:
        """Changes whenever the roster, a consent answer, a flag, a flag action, a message's
        visibility, the session's state or its transcript fetch changes, or one of its outbox
        items is given up: one round trip, so the console's change feed can ask every second
        without weighing on the database."""
        fetch = t.transcript_fetches.c
        async with self._reading() as conn:
            row = (await conn.execute(select(
                select(t.sessions.c.status).where(t.sessions.c.id == session_id)
                .scalar_subquery(),
                select(func.count()).where(t.participants.c.session_id == session_id)
                .scalar_subquery(),
                select(func.max(t.consent_events.c.id))
                .where(t.consent_events.c.session_id == session_id).scalar_subquery(),
                select(func.count()).where(t.flags.c.session_id == session_id)
                .scalar_subquery(),
                select(func.max(t.flags.c.updated_at)).where(t.flags.c.session_id == session_id)
                .scalar_subquery(),
                select(func.max(t.flag_actions.c.id)).select_from(
                    t.flag_actions.join(t.flags, t.flags.c.id == t.flag_actions.c.flag_id))
                .where(t.flags.c.session_id == session_id).scalar_subquery(),
                select(func.count()).where(t.reminders.c.session_id == session_id,
                                           t.reminders.c.claimed_at.is_(None))
                .scalar_subquery(),
                select(fetch.state).where(fetch.session_id == session_id).scalar_subquery(),
                select(fetch.attempts).where(fetch.session_id == session_id).scalar_subquery(),
                select(fetch.next_attempt_at).where(fetch.session_id == session_id)
                .scalar_subquery(),
                select(t.transcripts.c.created_at).where(t.transcripts.c.session_id == session_id)
                .scalar_subquery(),
                select(func.count()).where(t.outbox.c.session_id == session_id,
                                           t.outbox.c.status == "failed")
                .scalar_subquery(),
            ))).one()
        return tuple(str(value) for value in row)
