"""Consent answers, append-only, on SQLAlchemy Core (see `store.ports.ConsentStore`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store import schema as t
from store.records import ConsentEvent, Decision
from store.sql_base import SqlBase


def _consent(row: Any) -> ConsentEvent:
    return ConsentEvent(
        id=row.id,
        session_id=row.session_id,
        participant_id=row.participant_id,
        decision=row.decision,
        form_version=row.form_version,
        content_hash=row.content_hash,
        answers=dict(row.answers),
        recorded_at=row.recorded_at,
    )


async def latest_consents(conn: AsyncConnection, session_id: str) -> dict[str, ConsentEvent]:
    """Each participant's latest answer in the session (read inside the caller's connection)."""
    newest = (
        select(func.max(t.consent_events.c.id))
        .where(t.consent_events.c.session_id == session_id)
        .group_by(t.consent_events.c.participant_id)
    )
    rows = (
        await conn.execute(select(t.consent_events).where(t.consent_events.c.id.in_(newest)))
    ).all()
    return {row.participant_id: _consent(row) for row in rows}


class SqlConsent(SqlBase):
    """Consent events: every answer is kept; the latest one counts."""

    async def record_consent(
        self,
        *,
        session_id: str,
        participant_id: str,
        decision: Decision,
        form_version: str,
        content_hash: str,
        answers: dict[str, bool],
        at: datetime,
    ) -> ConsentEvent:
        async with self._writing() as conn:
            result = await conn.execute(
                insert(t.consent_events)
                .values(
                    session_id=session_id,
                    participant_id=participant_id,
                    decision=decision,
                    form_version=form_version,
                    content_hash=content_hash,
                    answers=answers,
                    recorded_at=at,
                )
                .returning(t.consent_events.c.id)
            )
            event_id = result.scalar_one()
        return ConsentEvent(
            event_id,
            session_id,
            participant_id,
            decision,
            form_version,
            content_hash,
            dict(answers),
            at,
        )

    async def latest_consent(self, session_id: str, participant_id: str) -> ConsentEvent | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.consent_events)
                    .where(
                        t.consent_events.c.session_id == session_id,
                        t.consent_events.c.participant_id == participant_id,
                    )
                    .order_by(t.consent_events.c.id.desc())
                    .limit(1)
                )
            ).first()
        return _consent(row) if row else None

    async def consent_history(self, session_id: str) -> list[ConsentEvent]:
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.consent_events)
                    .where(t.consent_events.c.session_id == session_id)
                    .order_by(t.consent_events.c.id)
                )
            ).all()
        return [_consent(r) for r in rows]
