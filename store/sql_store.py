"""The one Store implementation: SQLAlchemy Core (async) on SQLite (aiosqlite) or PostgreSQL.

Every write that the bot acknowledges is committed before the method returns. Operations that
several instances may race on (starting a session, allocating a pseudonym, claiming a reminder,
leasing an outbox item) are decided by the database: unique constraints and conditional
UPDATEs whose row count says who won.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time as time_module
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, event, exists, func, insert, or_, select, text, update
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from store import schema as t
from store.chat_records import ChatStoreMixin
from store.data_life import DataLifeStoreMixin
from store.errors import StoreUnavailable
from store.group_commit import GroupCommit
from store.migrate import upgrade_to_head
from store.records import (
    ConsentEvent,
    Decision,
    DueReminder,
    FacilitatorChannel,
    Identity,
    LeasedItem,
    NewSession,
    OutboxItem,
    Participant,
    Role,
    RosterEntry,
    Session,
    StateItem,
)
from store.sqlite_connection import sqlite_connector


class ETagConflict(Exception):
    """A state write named an eTag that is no longer current."""


def _session(row: Any) -> Session:
    return Session(
        id=row.id,
        conversation_id=row.conversation_id,
        service_url=row.service_url,
        tenant_id=row.tenant_id,
        meeting_id=row.meeting_id,
        bot_id=row.bot_id,
        bot_name=row.bot_name,
        title=row.title,
        form_version=row.form_version,
        status=row.status,
        started_at=row.started_at,
        ended_at=row.ended_at,
        consent_activity_id=row.consent_activity_id,
    )


def _participant(row: Any) -> Participant:
    return Participant(
        id=row.id,
        session_id=row.session_id,
        pseudonym=row.pseudonym,
        role=row.role,
        first_seen_at=row.first_seen_at,
        consent_nudged_at=row.consent_nudged_at,
    )


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


def _outbox_item(row: Any) -> OutboxItem:
    return OutboxItem(
        dedupe_key=row.dedupe_key,
        service_url=row.service_url,
        payload=row.payload,
        conversation_id=row.conversation_id,
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        session_id=row.session_id,
        operation=row.operation,
        target_activity_id=row.target_activity_id,
        notify_ref=row.notify_ref,
    )


def _may_be_one_rows_fault(exc: Exception) -> bool:
    """A failed shared write is retried row by row unless the database itself is the problem
    (unreachable, restarting, locked): then every row would fail the same way, slowly."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return False
    return not (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _is_unique_violation(exc: IntegrityError) -> bool:
    message = str(exc.orig).lower()
    return "unique" in message or "duplicate key" in message


class Store(ChatStoreMixin, DataLifeStoreMixin):
    """All persistence for the bot. Create with `open_store`.

    Methods for the chat-screening path live in `store/chat_records.py` and those for
    withdrawal, export and purge in `store/data_life.py`; all share this engine.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write_lock = asyncio.Lock()
        self._chat_commits = GroupCommit(self._record_chat_messages,
                                         retry_alone=_may_be_one_rows_fault)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction, committed on exit.

        SQLite allows one writer at a time and, under contention, its busy handler sleeps
        before retrying, so concurrent writers in one process queue here instead. Their
        transactions take the write lock up front (BEGIN IMMEDIATE, the default set in
        `open_store`), so a transaction never fails half-way upgrading a read lock.
        """
        if self.dialect != "sqlite":
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock, self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        """A read-only connection: on SQLite a plain (deferred) transaction that never waits
        for the writer (WAL); on PostgreSQL autocommit, which spares the BEGIN and ROLLBACK
        round trips and changes nothing (under READ COMMITTED each statement takes its own
        snapshot inside a transaction too)."""
        async with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.sync_connection.info["deferred"] = True
            else:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                yield conn
            finally:
                if self.dialect == "sqlite":
                    conn.sync_connection.info.pop("deferred", None)

    # ---- lifecycle ------------------------------------------------------------------------

    async def close(self) -> None:
        await self._chat_commits.close()
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            async with self._reading() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    # ---- sessions -------------------------------------------------------------------------

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
            if not _is_unique_violation(exc):
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
        return _session(row) if row else None

    async def live_session(self, conversation_id: str) -> Session | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.sessions).where(
                        t.sessions.c.conversation_id == conversation_id,
                        t.sessions.c.status == "live",
                    )
                )
            ).first()
        return _session(row) if row else None

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
        return _session(row) if row else None

    async def list_sessions(self) -> list[Session]:
        async with self._reading() as conn:
            rows = (await conn.execute(select(t.sessions).order_by(t.sessions.c.started_at))).all()
        return [_session(r) for r in rows]

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

    # ---- participants ---------------------------------------------------------------------

    async def participant_for(
        self, session_id: str, identity: Identity, role: Role, at: datetime
    ) -> Participant:
        """The session's participant for this Teams user, created with the next pseudonym."""
        for _ in range(20):
            found = await self._participant_by_user(session_id, identity.teams_user_id)
            if found:
                await self._refresh_identity(found.id, identity)
                return found
            try:
                return await self._create_participant(session_id, identity, role, at)
            except IntegrityError as exc:
                if not _is_unique_violation(exc):
                    raise
                await asyncio.sleep(0.01)
        raise RuntimeError("could not allocate a pseudonym")

    async def _participant_by_user(self, session_id: str, teams_user_id: str) -> Participant | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.participants)
                    .join(
                        t.identity_links, t.identity_links.c.participant_id == t.participants.c.id
                    )
                    .where(
                        t.identity_links.c.session_id == session_id,
                        t.identity_links.c.teams_user_id == teams_user_id,
                    )
                )
            ).first()
        return _participant(row) if row else None

    async def _refresh_identity(self, participant_id: str, identity: Identity) -> None:
        """Keep the known name and AAD id current; write only when one of them changed."""
        links = t.identity_links.c
        values: dict[str, Any] = {}
        changed = []
        if identity.display_name:
            values["display_name"] = identity.display_name
            changed.append(links.display_name.is_distinct_from(identity.display_name))
        if identity.aad_object_id:
            values["aad_object_id"] = identity.aad_object_id
            changed.append(links.aad_object_id.is_distinct_from(identity.aad_object_id))
        if not values:
            return
        async with self._writing() as conn:
            await conn.execute(
                update(t.identity_links)
                .where(links.participant_id == participant_id, or_(*changed))
                .values(**values)
            )

    async def _create_participant(
        self, session_id: str, identity: Identity, role: Role, at: datetime
    ) -> Participant:
        prefix = "F" if role == "facilitator" else "P"
        async with self._writing() as conn:
            count = (
                await conn.execute(
                    select(func.count())
                    .select_from(t.participants)
                    .where(
                        t.participants.c.session_id == session_id,
                        t.participants.c.role == role,
                    )
                )
            ).scalar_one()
            pseudonym = f"F{count + 1}" if prefix == "F" else f"P{count + 1:02d}"
            participant_id = str(uuid.uuid4())
            await conn.execute(
                insert(t.participants).values(
                    id=participant_id,
                    session_id=session_id,
                    pseudonym=pseudonym,
                    role=role,
                    first_seen_at=at,
                )
            )
            await conn.execute(
                insert(t.identity_links).values(
                    participant_id=participant_id,
                    session_id=session_id,
                    teams_user_id=identity.teams_user_id,
                    aad_object_id=identity.aad_object_id,
                    display_name=identity.display_name,
                )
            )
        return Participant(participant_id, session_id, pseudonym, role, at)

    async def roster(self, session_id: str) -> list[RosterEntry]:
        """Everyone seen in the session with their identity and latest consent answer."""
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.participants, t.identity_links)
                    .outerjoin(
                        t.identity_links,
                        t.identity_links.c.participant_id == t.participants.c.id,
                    )
                    .where(t.participants.c.session_id == session_id)
                    .order_by(t.participants.c.first_seen_at, t.participants.c.pseudonym)
                )
            ).all()
            latest = await self._latest_consents(conn, session_id)
        entries = []
        for row in rows:
            identity = (
                Identity(row.teams_user_id, row.aad_object_id, row.display_name)
                if row.teams_user_id
                else None
            )
            entries.append(RosterEntry(_participant(row), identity, latest.get(row.id)))
        return entries

    async def mark_consent_nudged(self, participant_id: str, at: datetime) -> bool:
        """True the first time only: the participant is reminded at most once."""
        async with self._writing() as conn:
            result = await conn.execute(
                update(t.participants)
                .where(
                    t.participants.c.id == participant_id,
                    t.participants.c.consent_nudged_at.is_(None),
                )
                .values(consent_nudged_at=at)
            )
        return result.rowcount == 1

    # ---- consent --------------------------------------------------------------------------

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

    async def _latest_consents(
        self, conn: AsyncConnection, session_id: str
    ) -> dict[str, ConsentEvent]:
        newest = (
            select(func.max(t.consent_events.c.id))
            .where(t.consent_events.c.session_id == session_id)
            .group_by(t.consent_events.c.participant_id)
        )
        rows = (
            await conn.execute(select(t.consent_events).where(t.consent_events.c.id.in_(newest)))
        ).all()
        return {row.participant_id: _consent(row) for row in rows}

    # ---- reminders ------------------------------------------------------------------------

    async def schedule_reminder(self, session_id: str, kind: str, due_at: datetime) -> None:
        try:
            async with self._writing() as conn:
                await conn.execute(
                    insert(t.reminders).values(session_id=session_id, kind=kind, due_at=due_at)
                )
        except IntegrityError as exc:
            if not _is_unique_violation(exc):
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
        return [DueReminder(r.id, r.session_id, r.kind, r.due_at) for r in rows]

    async def pending_reminders(self, session_id: str) -> list[DueReminder]:
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.reminders)
                    .where(
                        t.reminders.c.session_id == session_id, t.reminders.c.claimed_at.is_(None)
                    )
                    .order_by(t.reminders.c.due_at)
                )
            ).all()
        return [DueReminder(r.id, r.session_id, r.kind, r.due_at) for r in rows]

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
                await self._enqueue(conn, send, now)
            if next_due_at is not None:
                await conn.execute(
                    insert(t.reminders).values(
                        session_id=reminder.session_id, kind=reminder.kind, due_at=next_due_at
                    )
                )
        return True

    # ---- outbox ---------------------------------------------------------------------------

    async def enqueue(self, item: OutboxItem, now: datetime) -> int:
        """Queue an item for delivery; the same dedupe key is queued once."""
        try:
            async with self._writing() as conn:
                return await self._enqueue(conn, item, now)
        except IntegrityError as exc:
            if not _is_unique_violation(exc):
                raise
            async with self._reading() as conn:
                return (
                    await conn.execute(
                        select(t.outbox.c.id).where(t.outbox.c.dedupe_key == item.dedupe_key)
                    )
                ).scalar_one()

    async def enqueue_many(self, items: Sequence[OutboxItem], now: datetime) -> list[int]:
        return [await self.enqueue(item, now) for item in items]

    async def _enqueue(self, conn: AsyncConnection, item: OutboxItem, now: datetime) -> int:
        result = await conn.execute(
            insert(t.outbox)
            .values(
                dedupe_key=item.dedupe_key,
                session_id=item.session_id,
                service_url=item.service_url,
                tenant_id=item.tenant_id,
                conversation_id=item.conversation_id,
                user_id=item.user_id,
                operation=item.operation,
                target_activity_id=item.target_activity_id,
                payload=item.payload,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                notify_ref=item.notify_ref,
            )
            .returning(t.outbox.c.id)
        )
        return result.scalar_one()

    async def lease_outbox(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int = 20
    ) -> list[LeasedItem]:
        """Lease due items to one worker. A lease that expires (a crashed worker) is retaken."""
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
                            # keep a conversation's order: nothing overtakes an earlier item
                            # that is waiting for its retry
                            earlier.c.status == "pending",
                            earlier.c.conversation_id == t.outbox.c.conversation_id,
                            earlier.c.id < t.outbox.c.id,
                            earlier.c.next_attempt_at > now,
                        ),
                    )
                    .order_by(t.outbox.c.id)
                    .limit(limit)
                )
            ).all()
        leased: list[LeasedItem] = []
        for row in rows:
            async with self._writing() as conn:
                result = await conn.execute(
                    update(t.outbox)
                    .where(
                        t.outbox.c.id == row.id,
                        t.outbox.c.status == "pending",
                        or_(t.outbox.c.lease_until.is_(None), t.outbox.c.lease_until < now),
                    )
                    .values(lease_owner=owner, lease_until=now + lease)
                )
            if result.rowcount == 1:
                leased.append(LeasedItem(row.id, _outbox_item(row), row.attempts, row.created_at))
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
        async with self._writing() as conn:
            await conn.execute(
                update(t.outbox)
                .where(
                    t.outbox.c.id == item_id,
                    t.outbox.c.lease_owner == owner,
                    t.outbox.c.status == "pending",
                )
                .values(
                    status="sent",
                    sent_at=at,
                    sent_activity_id=activity_id,
                    conversation_id=conversation_id,
                    lease_until=None,
                    attempts=t.outbox.c.attempts + 1,
                )
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
        attempts = t.outbox.c.attempts + 1 if count_attempt else t.outbox.c.attempts
        async with self._writing() as conn:
            await conn.execute(
                update(t.outbox)
                .where(
                    t.outbox.c.id == item_id,
                    t.outbox.c.lease_owner == owner,
                    t.outbox.c.status == "pending",
                )
                .values(
                    next_attempt_at=next_attempt_at,
                    lease_until=None,
                    last_error=error[:250],
                    attempts=attempts,
                )
            )

    async def outbox_failed(self, item_id: int, *, owner: str, error: str) -> None:
        async with self._writing() as conn:
            await conn.execute(
                update(t.outbox)
                .where(
                    t.outbox.c.id == item_id,
                    t.outbox.c.lease_owner == owner,
                    t.outbox.c.status == "pending",
                )
                .values(
                    status="failed",
                    lease_until=None,
                    last_error=error[:250],
                    attempts=t.outbox.c.attempts + 1,
                )
            )

    async def outbox_counts(self) -> dict[str, int]:
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.outbox.c.status, func.count()).group_by(t.outbox.c.status)
                )
            ).all()
        return {status: count for status, count in rows}

    async def outbox_item(self, item_id: int) -> dict[str, Any] | None:
        async with self._reading() as conn:
            row = (await conn.execute(select(t.outbox).where(t.outbox.c.id == item_id))).first()
        return dict(row._mapping) if row else None

    # ---- facilitators' private channels ----------------------------------------------------

    async def save_facilitator_channel(self, channel: FacilitatorChannel) -> None:
        async with self._writing() as conn:
            updated = await conn.execute(
                update(t.facilitator_channels)
                .where(t.facilitator_channels.c.teams_user_id == channel.teams_user_id)
                .values(
                    aad_object_id=channel.aad_object_id,
                    display_name=channel.display_name,
                    service_url=channel.service_url,
                    tenant_id=channel.tenant_id,
                    conversation_id=channel.conversation_id,
                )
            )
            if updated.rowcount == 0:
                await conn.execute(
                    insert(t.facilitator_channels).values(
                        teams_user_id=channel.teams_user_id,
                        aad_object_id=channel.aad_object_id,
                        display_name=channel.display_name,
                        service_url=channel.service_url,
                        tenant_id=channel.tenant_id,
                        conversation_id=channel.conversation_id,
                        registered_at=channel.registered_at,
                    )
                )

    async def facilitator_channel(self, teams_user_id: str) -> FacilitatorChannel | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.facilitator_channels).where(
                        t.facilitator_channels.c.teams_user_id == teams_user_id
                    )
                )
            ).first()
        return FacilitatorChannel(**dict(row._mapping)) if row else None

    # ---- processed activities (idempotency across instances) -------------------------------

    async def first_delivery(self, key: str, at: datetime) -> bool:
        """True the first time this activity key is seen by any instance."""
        try:
            async with self._writing() as conn:
                await conn.execute(insert(t.processed_activities).values(key=key[:600], at=at))
            return True
        except IntegrityError as exc:
            if not _is_unique_violation(exc):
                raise
            return False

    async def forget_delivery(self, key: str) -> None:
        """Release a claimed activity key (its processing failed, so a retry must run)."""
        async with self._writing() as conn:
            await conn.execute(
                delete(t.processed_activities).where(t.processed_activities.c.key == key[:600])
            )

    # ---- audit ----------------------------------------------------------------------------

    async def audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str | None,
        at: datetime,
        details: dict[str, Any] | None = None,
    ) -> None:
        async with self._writing() as conn:
            await conn.execute(
                insert(t.audit_log).values(
                    at=at, actor=actor, action=action, subject=subject, details=details
                )
            )

    async def audit_entries(self, action: str | None = None) -> list[dict[str, Any]]:
        query = select(t.audit_log).order_by(t.audit_log.c.id)
        if action:
            query = query.where(t.audit_log.c.action == action)
        async with self._reading() as conn:
            rows = (await conn.execute(query)).all()
        return [dict(r._mapping) for r in rows]

    # ---- key-value state with eTags (backs botbuilder's Storage) ---------------------------

    async def state_read(self, keys: Iterable[str]) -> dict[str, StateItem]:
        keys = list(keys)
        if not keys:
            return {}
        async with self._reading() as conn:
            rows = (
                await conn.execute(select(t.bot_state).where(t.bot_state.c.key.in_(keys)))
            ).all()
        return {r.key: StateItem(r.etag, dict(r.data)) for r in rows}

    async def state_write(self, key: str, data: dict[str, Any], expected_etag: str | None) -> str:
        """Write one item. `expected_etag` None or "*": last write wins; else it must match."""
        new_etag = uuid.uuid4().hex
        async with self._writing() as conn:
            if expected_etag in (None, "*"):
                upsert = _dialect_insert(self.dialect)(t.bot_state).values(
                    key=key, etag=new_etag, data=data
                )
                await conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[t.bot_state.c.key],
                        set_={"etag": new_etag, "data": data},
                    )
                )
                return new_etag
            result = await conn.execute(
                update(t.bot_state)
                .where(and_(t.bot_state.c.key == key, t.bot_state.c.etag == expected_etag))
                .values(etag=new_etag, data=data)
            )
            if result.rowcount != 1:
                raise ETagConflict(key)
        return new_etag

    async def state_delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        async with self._writing() as conn:
            await conn.execute(delete(t.bot_state).where(t.bot_state.c.key.in_(keys)))


def _dialect_insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN" if conn.info.get("deferred") else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN IMMEDIATE: a deferred transaction that later
    # writes can fail at once with SQLITE_BUSY, whatever busy_timeout says.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    # Switching a new database to WAL needs a moment alone with the file, and SQLite reports
    # "locked" at once rather than waiting when another connection is opening it too.
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time_module.sleep(0.05)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _drop_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server has closed (a restart, an administrator) is
    replaced at checkout; the pool retries with a new connection.

    This stands in for `pool_pre_ping`, which on asyncpg costs three round trips (BEGIN,
    SELECT, ROLLBACK) per checkout: a fifth of the bot's CPU at 300 messages a second. asyncpg
    notices a server-closed socket by itself; a connection that dies silently (a network cut)
    fails its query instead, which the callers already answer with 503 and a retry.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")


async def open_store(database_url: str) -> Store:
    """Connect, apply migrations, and return the store. Raises StoreUnavailable if down."""
    kwargs: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["async_creator"] = sqlite_connector(database_url)
    else:
        kwargs.update(
            pool_size=10,
            max_overflow=10,
            connect_args={"timeout": 5, "command_timeout": 30},
        )
    engine = create_async_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    else:
        event.listen(engine.sync_engine.pool, "checkout", _drop_if_closed)
    try:
        await upgrade_to_head(engine)
    except (OSError, ConnectionError, asyncio.TimeoutError) as exc:
        await engine.dispose()
        raise StoreUnavailable(f"database unreachable: {type(exc).__name__}") from exc
    return Store(engine)
