"""Chat messages and their scans (the live screening path), on SQLAlchemy Core (see
`store.ports.MessageStore`).

The acknowledgement path writes one row per message (`record_chat_message`; concurrent
messages share a transaction). Scanning happens later: a worker claims unscanned rows with a
lease (`claim_unscanned`), and stores the findings, the flag, its cards and any automatic
response in one transaction (`save_scans`), conditional on still holding the claim and on the
text not having been edited meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, text, tuple_, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from store import schema as t
from store.chat_records import (
    FlagIdTaken,
    NewChatMessage,
    ScanJob,
    ScanOutcome,
    StoredMessage,
)
from store.group_commit import GroupCommit
from store.sql_base import SqlBase, dialect_insert, utc
from store.sql_flags import queue_flag_card
from store.sql_outbox import queue_quietly


def _may_be_one_rows_fault(exc: Exception) -> bool:
    """A failed shared write is retried row by row unless the database itself is the problem
    (unreachable, restarting, locked): then every row would fail the same way, slowly."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return False
    return not (isinstance(exc, DBAPIError) and exc.connection_invalidated)


class SqlMessages(SqlBase):
    """Chat messages: recorded on acknowledgement, claimed for scanning, scans saved."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._next_flag_id = 0  # SQLite: above every flag id reserved by this store
        self._chat_commits = GroupCommit(self._record_chat_messages,
                                         retry_alone=_may_be_one_rows_fault)

    async def close(self) -> None:
        await self._chat_commits.close()
        await super().close()

    async def record_chat_message(
        self,
        *,
        session_id: str,
        participant_id: str,
        activity_id: str,
        text: str,
        mentions: list[Any] | None,
        at: datetime,
        consent_required: bool,
        reply_to_id: str | None = None,
    ) -> StoredMessage:
        """Store a chat message once per activity id; returns when it is committed.

        The author's latest consent answer is read in the same transaction: without an
        'accepted' answer (when `consent_required`) only the fact that a message was sent is
        kept (`kept=False`, no text) and the row is born scanned, so it is never screened.
        Concurrent calls share one transaction (`store/group_commit.py`).
        """
        return await self._chat_commits.submit(NewChatMessage(
            session_id, participant_id, activity_id, text, mentions, at, consent_required,
            reply_to_id))

    async def _record_chat_messages(self, items: Sequence[NewChatMessage]) -> list[StoredMessage]:
        """Store several chat messages in one transaction (three statements in all)."""
        c = t.consent_events.c
        decisions: dict[tuple[str, str], str] = {}
        rows: list[dict[str, Any]] = []
        first: dict[tuple[str, str], int] = {}  # (session, activity) -> first item's index
        async with self._writing() as conn:
            asking = [item for item in items if item.consent_required]
            if asking:
                answers = await conn.execute(
                    select(c.session_id, c.participant_id, c.decision)
                    .where(c.participant_id.in_({item.participant_id for item in asking}),
                           c.session_id.in_({item.session_id for item in asking}))
                    .order_by(c.id)
                )
                for answer in answers:  # in order, so the latest answer wins
                    decisions[(answer.session_id, answer.participant_id)] = answer.decision
            outcomes: list[tuple[bool, str | None]] = []
            for index, item in enumerate(items):
                decision = (decisions.get((item.session_id, item.participant_id))
                            if item.consent_required else None)
                kept = not item.consent_required or decision == "accepted"
                outcomes.append((kept, decision))
                key = (item.session_id, item.activity_id)
                if key in first:
                    continue
                first[key] = index
                rows.append({
                    "session_id": item.session_id,
                    "participant_id": item.participant_id,
                    "activity_id": item.activity_id,
                    "text": item.text if kept else None,
                    "kept": kept,
                    "mentions": (item.mentions or None) if kept else None,
                    "reply_to_id": item.reply_to_id,
                    "received_at": item.at,
                    "scanned_at": None if kept else item.at,
                })
            m = t.messages.c
            # executemany: SQLAlchemy sends it as multi-row INSERTs ("insertmanyvalues") from
            # one cached statement; `.values(rows)` would compile a new one for every batch
            inserted = await conn.execute(
                dialect_insert(self.dialect)(t.messages)
                .on_conflict_do_nothing(index_elements=["session_id", "activity_id"])
                .returning(m.id, m.session_id, m.activity_id),
                rows,
            )
            ids = {(row.session_id, row.activity_id): row.id for row in inserted}
        return [
            StoredMessage(
                ids.get((item.session_id, item.activity_id))
                if first[(item.session_id, item.activity_id)] == index else None,
                kept,
                decision,
            )
            for index, (item, (kept, decision)) in enumerate(zip(items, outcomes, strict=True))
        ]

    async def edit_chat_message(
        self, *, session_id: str, activity_id: str, text: str, at: datetime
    ) -> int | None:
        """Replace a kept message's text and queue it for a new scan. None if not kept/known."""
        m = t.messages.c
        async with self._writing() as conn:
            result = await conn.execute(
                update(t.messages)
                .where(m.session_id == session_id, m.activity_id == activity_id, m.kept.is_(True))
                .values(
                    text=text,
                    edited_at=at,
                    revision=m.revision + 1,
                    scanned_at=None,
                    scan_owner=None,
                    scan_lease_until=None,
                    scan_attempts=0,
                )
                .returning(m.id)
            )
            message_id: int | None = result.scalar()
            return message_id

    async def mark_chat_message_deleted(
        self, *, session_id: str, activity_id: str, at: datetime
    ) -> int | None:
        """Mark a message deleted (excluded from exports); the id, or None if unknown or
        already marked. Its flags count as changed at `at` (their cards say so)."""
        return await self._set_deleted(session_id, activity_id, deleted=True, at=at)

    async def mark_chat_message_restored(self, *, session_id: str, activity_id: str,
                                         at: datetime) -> int | None:
        """Undo `mark_chat_message_deleted` (the author restored the message in Teams); the
        id, or None if the message is unknown or was not marked."""
        return await self._set_deleted(session_id, activity_id, deleted=False, at=at)

    async def _set_deleted(self, session_id: str, activity_id: str, *, deleted: bool,
                           at: datetime) -> int | None:
        m = t.messages.c
        currently = m.deleted_at.is_(None) if deleted else m.deleted_at.is_not(None)
        async with self._writing() as conn:
            message_id: int | None = (await conn.execute(
                update(t.messages)
                .where(m.session_id == session_id, m.activity_id == activity_id, currently)
                .values(deleted_at=at if deleted else None)
                .returning(m.id)
            )).scalar()
            if message_id is not None:
                await conn.execute(update(t.flags).where(t.flags.c.message_id == message_id)
                                   .values(updated_at=at))
            return message_id

    # ---- scanning ---------------------------------------------------------------------------

    async def claim_unscanned(
        self,
        *,
        owner: str,
        now: datetime,
        lease: timedelta,
        limit: int = 32,
        ids: Sequence[int] | None = None,
    ) -> list[ScanJob]:
        """Claim messages still to scan (the given ids, or the oldest). Each goes to one owner.

        The claim is one conditional UPDATE: on PostgreSQL a row another instance claimed in
        the meantime fails the re-checked WHERE and is not returned here.
        """
        m = t.messages.c
        claimable = and_(
            m.scanned_at.is_(None),
            m.text.is_not(None),
            or_(m.scan_lease_until.is_(None), m.scan_lease_until < now),
        )
        candidates = select(m.id).where(claimable)
        if ids is not None:
            if not ids:
                return []
            candidates = candidates.where(m.id.in_(list(ids)))
        candidates = candidates.order_by(m.id).limit(limit)
        async with self._writing() as conn:
            rows = (
                await conn.execute(
                    update(t.messages)
                    .where(m.id.in_(candidates.scalar_subquery()), claimable)
                    .values(scan_owner=owner, scan_lease_until=now + lease,
                            scan_attempts=m.scan_attempts + 1)
                    .returning(
                        m.id, m.session_id, m.participant_id, m.activity_id, m.text,
                        m.revision, m.received_at, m.edited_at, m.scan_attempts,
                    )
                )
            ).all()
        jobs = [
            ScanJob(r.id, r.session_id, r.participant_id, r.activity_id, r.text, r.revision,
                    utc(r.received_at), utc(r.edited_at) if r.edited_at else None,
                    r.scan_attempts)
            for r in rows
        ]
        return sorted(jobs, key=lambda j: j.message_id)

    async def release_scan(
        self, message_id: int, *, owner: str, not_before: datetime | None = None
    ) -> None:
        """Give a claim back (the scan failed): the sweep claims the message again, once
        `not_before` has passed if given."""
        m = t.messages.c
        async with self._writing() as conn:
            await conn.execute(
                update(t.messages)
                .where(m.id == message_id, m.scan_owner == owner)
                .values(scan_owner=None, scan_lease_until=not_before)
            )

    async def reserve_flag_ids(self, count: int) -> list[int]:
        """Ids for flags `save_scans` will make, so their cards can be drawn beforehand.

        PostgreSQL takes them from the flags' own sequence. SQLite has none: ids follow the
        highest stored and those reserved here before; another process may still take one,
        which `save_scans` reports (`FlagIdTaken`).
        """
        if count <= 0:
            return []
        async with self._reading() as conn:
            if self.dialect == "postgresql":
                return list((await conn.execute(
                    text("SELECT nextval(pg_get_serial_sequence('flags', 'id')) "
                         "FROM generate_series(1, :count)"), {"count": count})).scalars())
            top = (await conn.execute(select(func.max(t.flags.c.id)))).scalar() or 0
        first = max(top + 1, self._next_flag_id)
        self._next_flag_id = first + count
        return list(range(first, first + count))

    async def save_scans(
        self, outcomes: Sequence[ScanOutcome], *, owner: str, now: datetime
    ) -> list[ScanOutcome]:
        """Store findings, flags, flag cards and extra items for scanned jobs, in one transaction.

        A job whose claim was lost or whose text changed since the claim is skipped (it will be
        scanned again). Returns the outcomes stored. Raises `FlagIdTaken`, saving nothing, if
        a new flag's reserved id is in use.
        """
        new_ids = [o.flag_id for o in outcomes if o.flag is not None]
        if None in new_ids:
            raise ValueError("a new flag needs an id from reserve_flag_ids")
        m = t.messages.c
        saved: list[ScanOutcome] = []
        if not outcomes:
            return saved
        claimed = [o for o in outcomes if o.job.kept]
        unkept = {o.job.message_id for o in outcomes if not o.job.kept}
        async with self._writing() as conn:
            won = {
                row.id
                for row in await conn.execute(
                    update(t.messages)
                    .where(tuple_(m.id, m.revision).in_(
                               [(o.job.message_id, o.job.revision) for o in claimed]),
                           m.scan_owner == owner, m.scanned_at.is_(None))
                    .values(scanned_at=now, scan_owner=None, scan_lease_until=None)
                    .returning(m.id)
                )
            } if claimed else set()
            if unkept:  # screened in memory: its row (no text) exists and has no flag yet
                won |= {row.id for row in await conn.execute(
                    select(m.id).where(m.id.in_(unkept), m.kept.is_(False),
                                       ~m.id.in_(select(t.flags.c.message_id).where(
                                           t.flags.c.message_id.in_(unkept)))))}
            if not won:
                return saved
            if new_ids and (await conn.execute(
                    select(t.flags.c.id).where(t.flags.c.id.in_(new_ids)).limit(1))).first():
                raise FlagIdTaken
            await conn.execute(
                t.findings.delete().where(
                    t.findings.c.message_id.in_(won), t.findings.c.source == "engine"
                )
            )
            findings = [
                {"message_id": o.job.message_id, "start": f.start, "end": f.end,
                 "category": f.category, "score": f.score, "rule": f.rule[:64],
                 "source": "engine", "dismissed": False}
                for o in outcomes if o.job.message_id in won and o.job.kept for f in o.findings
            ]
            if findings:
                await conn.execute(insert(t.findings), findings)
            for outcome in outcomes:
                job = outcome.job
                if job.message_id not in won:
                    continue
                if outcome.flag is not None:
                    flag_id = outcome.flag_id
                    assert flag_id is not None  # checked above: every new flag has an id
                    await conn.execute(
                        insert(t.flags).values(
                            id=flag_id, session_id=job.session_id, message_id=job.message_id,
                            kind=outcome.flag.kind, level=outcome.flag.level,
                            reason=(outcome.flag.reason or None) and outcome.flag.reason[:256],
                            status="open", created_at=now, updated_at=now,
                        )
                    )
                    for item in outcome.cards:
                        await queue_flag_card(conn, self.dialect, flag_id, item, now)
                for item in outcome.extra_items:
                    await queue_quietly(conn, self.dialect, item, now)
                saved.append(outcome)
        return saved
