"""Consent answers, append-only, on SQLAlchemy Core (see `store.ports.ConsentStore`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store import schema as t
from store.records import ConsentEvent, Decision
from store.sql_base import SqlBase, dialect_insert, record


def _consent(row: Any) -> ConsentEvent:
    return record(ConsentEvent, row, answers=dict(row.answers))


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
        activity_id: str | None = None,
    ) -> ConsentEvent:
        """Append the answer; the same `activity_id` again (a replayed invoke) appends nothing
        and returns the answer recorded the first time."""
        columns = t.consent_events.c
        key = activity_id[:256] if activity_id else None
        async with self._writing() as conn:
            event_id = (
                await conn.execute(
                    dialect_insert(self.dialect)(t.consent_events)
                    .values(
                        session_id=session_id,
                        participant_id=participant_id,
                        decision=decision,
                        form_version=form_version,
                        content_hash=content_hash,
                        answers=answers,
                        recorded_at=at,
                        activity_id=key,
                    )
                    .on_conflict_do_nothing(
                        index_elements=["session_id", "participant_id", "activity_id"]
                    )
                    .returning(columns.id)
                )
            ).scalar()
            if event_id is None:  # only a non-NULL key can conflict
                row = (
                    await conn.execute(select(t.consent_events).where(
                        columns.session_id == session_id,
                        columns.participant_id == participant_id,
                        columns.activity_id == key,
                    ))
                ).one()
                return _consent(row)
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
