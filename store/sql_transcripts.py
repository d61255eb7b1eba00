"""Meeting transcripts: the pending Graph fetches (claimed with a lease, like reminders) and
the redacted transcripts they produce (TranscriptStore in store/ports.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from store import schema as t
from store.records import StoredTranscript, TranscriptFetch, TranscriptFetchStatus
from store.sql_base import SqlBase, dialect_insert, record


class SqlTranscripts(SqlBase):
    async def schedule_transcript_fetch(
        self, session_id: str, meeting_id: str, service_url: str, tenant_id: str | None, *,
        first_attempt_at: datetime, give_up_at: datetime,
    ) -> bool:
        """Queue the fetch once per session (a repeated meetingEnd queues nothing)."""
        async with self._writing() as conn:
            result = await conn.execute(
                dialect_insert(self.dialect)(t.transcript_fetches).values(
                    session_id=session_id, meeting_id=meeting_id, service_url=service_url,
                    tenant_id=tenant_id, next_attempt_at=first_attempt_at,
                    give_up_at=give_up_at,
                ).on_conflict_do_nothing(index_elements=["session_id"]))
            return bool(result.rowcount == 1)

    async def claim_transcript_fetches(
        self, now: datetime, lease: timedelta, limit: int = 5
    ) -> list[TranscriptFetch]:
        """Due fetches, each leased to the caller until `now + lease` (a crash releases it)."""
        fetches = t.transcript_fetches
        due = (fetches.c.state == "pending", fetches.c.next_attempt_at <= now,
               or_(fetches.c.claimed_until.is_(None), fetches.c.claimed_until <= now))
        claimed: list[TranscriptFetch] = []
        async with self._writing() as conn:
            rows = (await conn.execute(select(fetches).where(*due).limit(limit))).all()
            for row in rows:
                result = await conn.execute(
                    update(fetches).where(fetches.c.session_id == row.session_id, *due)
                    .values(claimed_until=now + lease, attempts=fetches.c.attempts + 1))
                if result.rowcount == 1:
                    claimed.append(record(TranscriptFetch, row, attempts=row.attempts + 1))
        return claimed

    async def retry_transcript_fetch(self, session_id: str, next_attempt_at: datetime) -> None:
        async with self._writing() as conn:
            await conn.execute(
                update(t.transcript_fetches)
                .where(t.transcript_fetches.c.session_id == session_id)
                .values(next_attempt_at=next_attempt_at, claimed_until=None))

    async def finish_transcript_fetch(self, session_id: str, state: str) -> None:
        """`done`, or why it stopped (`refused`, `no_sign_in`, `no_meeting`, `gave_up`,
        `failed`; at most 16 characters): the fetch is never claimed again."""
        async with self._writing() as conn:
            await conn.execute(
                update(t.transcript_fetches)
                .where(t.transcript_fetches.c.session_id == session_id)
                .values(state=state, claimed_until=None))

    async def save_transcript(
        self, session_id: str, content: str, counts: dict[str, int], review: list[str],
        at: datetime,
    ) -> None:
        """Keep the redacted transcript and close the fetch, in one transaction."""
        async with self._writing() as conn:
            await conn.execute(t.transcripts.delete().where(
                t.transcripts.c.session_id == session_id))
            await conn.execute(t.transcripts.insert().values(
                session_id=session_id, content=content, counts=counts, review=review,
                created_at=at))
            await conn.execute(
                update(t.transcript_fetches)
                .where(t.transcript_fetches.c.session_id == session_id)
                .values(state="done", claimed_until=None))

    async def transcript(self, session_id: str) -> StoredTranscript | None:
        async with self._reading() as conn:
            row = (await conn.execute(select(t.transcripts).where(
                t.transcripts.c.session_id == session_id))).first()
        return record(StoredTranscript, row) if row else None

    async def transcript_fetch(self, session_id: str) -> TranscriptFetchStatus | None:
        """The session's fetch as it stands (None: none was queued), for the console."""
        f = t.transcript_fetches.c
        async with self._reading() as conn:
            row = (await conn.execute(
                select(f.session_id, f.state, f.attempts, f.next_attempt_at, f.give_up_at)
                .where(f.session_id == session_id))).first()
        return record(TranscriptFetchStatus, row) if row else None
