"""Chat messages, findings and flags (the live screening path), mixed into `Store`.

The acknowledgement path writes one row per message (`record_chat_message`; concurrent
messages share a transaction). Scanning
happens later: a worker claims unscanned rows with a lease (`claim_unscanned`), and stores the
findings, the flag, its cards and any automatic response in one transaction (`save_scans`),
conditional on still holding the claim and on the text not having been edited meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store import schema as t
from store.group_commit import GroupCommit
from store.records import Identity, OutboxItem


@dataclass(frozen=True)
class NewChatMessage:
    """A chat message to record (see `record_chat_message`)."""

    session_id: str
    participant_id: str
    activity_id: str
    text: str
    mentions: list[str] | None
    at: datetime
    consent_required: bool


@dataclass(frozen=True)
class StoredMessage:
    """The outcome of recording one chat message."""

    message_id: int | None  # None: a repeat delivery of an activity already stored
    kept: bool
    decision: str | None  # the author's latest consent decision, if any

    @property
    def duplicate(self) -> bool:
        return self.message_id is None


@dataclass(frozen=True)
class ScanJob:
    """A claimed message to scan."""

    message_id: int
    session_id: str
    participant_id: str
    activity_id: str
    text: str
    revision: int
    received_at: datetime
    edited_at: datetime | None
    attempts: int = 1  # claims of this text so far, this one included


@dataclass(frozen=True)
class FindingRecord:
    start: int
    end: int
    category: str
    score: float
    rule: str
    dismissed: bool = False


@dataclass(frozen=True)
class NewFlag:
    kind: str  # identifying | safeguarding | unscreened
    level: str | None
    reason: str | None


@dataclass
class ScanOutcome:
    """What to store for one scanned job. `cards(flag_id)` builds the flag cards to queue."""

    job: ScanJob
    findings: list[FindingRecord]
    flag: NewFlag | None = None
    cards: Callable[[int], list[OutboxItem]] | None = None
    extra_items: list[OutboxItem] = field(default_factory=list)
    flag_id: int | None = None  # set by save_scans


@dataclass(frozen=True)
class FlagAction:
    action: str
    actor: str
    outcome: str | None
    at: datetime


@dataclass(frozen=True)
class FlagCardRef:
    id: int
    outbox_id: int
    conversation_id: str | None
    activity_id: str | None
    service_url: str | None = None
    tenant_id: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class FlagView:
    """Everything needed to draw a flag card and to act on the flag."""

    id: int
    session_id: str
    message_id: int | None
    kind: str
    level: str | None
    reason: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    message_activity_id: str | None
    message_text: str | None
    message_received_at: datetime | None
    message_edited: bool
    message_hidden_at: datetime | None
    message_deleted_at: datetime | None
    author_participant_id: str | None
    author_pseudonym: str | None
    author: Identity | None
    findings: list[FindingRecord]
    actions: list[FlagAction]
    cards: list[FlagCardRef]


def _upsert_insert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class ChatStoreMixin:
    """Store methods for chat messages, findings and flags; mixed into `Store`."""

    engine: AsyncEngine
    dialect: str
    _chat_commits: GroupCommit[NewChatMessage, StoredMessage]
    _writing: Callable[[], AbstractAsyncContextManager[AsyncConnection]]
    _reading: Callable[[], AbstractAsyncContextManager[AsyncConnection]]

    # ---- the acknowledgement path -----------------------------------------------------------

    async def record_chat_message(
        self,
        *,
        session_id: str,
        participant_id: str,
        activity_id: str,
        text: str,
        mentions: list[str] | None,
        at: datetime,
        consent_required: bool,
    ) -> StoredMessage:
        """Store a chat message once per activity id; returns when it is committed.

        The author's latest consent answer is read in the same transaction: without an
        'accepted' answer (when `consent_required`) only the fact that a message was sent is
        kept (`kept=False`, no text) and the row is born scanned, so it is never screened.
        Concurrent calls share one transaction (`store/group_commit.py`).
        """
        return await self._chat_commits.submit(NewChatMessage(
            session_id, participant_id, activity_id, text, mentions, at, consent_required))

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
                    "mentions": item.mentions or None,
                    "received_at": item.at,
                    "scanned_at": None if kept else item.at,
                })
            m = t.messages.c
            # executemany: SQLAlchemy sends it as multi-row INSERTs ("insertmanyvalues") from
            # one cached statement; `.values(rows)` would compile a new one for every batch
            inserted = await conn.execute(
                _upsert_insert(self.dialect)(t.messages)
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
            return result.scalar()

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
            message_id = (await conn.execute(
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
                    _utc(r.received_at), _utc(r.edited_at) if r.edited_at else None,
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

    async def save_scans(
        self, outcomes: Sequence[ScanOutcome], *, owner: str, now: datetime
    ) -> list[ScanOutcome]:
        """Store findings, flags, flag cards and extra items for scanned jobs, in one transaction.

        A job whose claim was lost or whose text changed since the claim is skipped (it will be
        scanned again). Returns the outcomes stored, with `flag_id` set where a flag was made.
        """
        m = t.messages.c
        saved: list[ScanOutcome] = []
        if not outcomes:
            return saved
        async with self._writing() as conn:
            won = {
                row.id
                for row in await conn.execute(
                    update(t.messages)
                    .where(tuple_(m.id, m.revision).in_(
                               [(o.job.message_id, o.job.revision) for o in outcomes]),
                           m.scan_owner == owner, m.scanned_at.is_(None))
                    .values(scanned_at=now, scan_owner=None, scan_lease_until=None)
                    .returning(m.id)
                )
            }
            if not won:
                return saved
            await conn.execute(
                t.findings.delete().where(
                    t.findings.c.message_id.in_(won), t.findings.c.source == "engine"
                )
            )
            findings = [
                {"message_id": o.job.message_id, "start": f.start, "end": f.end,
                 "category": f.category, "score": f.score, "rule": f.rule[:64],
                 "source": "engine", "dismissed": False}
                for o in outcomes if o.job.message_id in won for f in o.findings
            ]
            if findings:
                await conn.execute(insert(t.findings), findings)
            for outcome in outcomes:
                job = outcome.job
                if job.message_id not in won:
                    continue
                if outcome.flag is not None:
                    flag_id = (
                        await conn.execute(
                            insert(t.flags)
                            .values(
                                session_id=job.session_id, message_id=job.message_id,
                                kind=outcome.flag.kind, level=outcome.flag.level,
                                reason=(outcome.flag.reason or None) and outcome.flag.reason[:256],
                                status="open", created_at=now, updated_at=now,
                            )
                            .returning(t.flags.c.id)
                        )
                    ).scalar_one()
                    outcome.flag_id = flag_id
                    for item in outcome.cards(flag_id) if outcome.cards else []:
                        outbox_id = await self._enqueue_quiet(conn, item, now)
                        if outbox_id is not None:
                            await conn.execute(
                                insert(t.flag_cards).values(
                                    flag_id=flag_id, outbox_id=outbox_id,
                                    conversation_id=item.conversation_id,
                                )
                            )
                for item in outcome.extra_items:
                    await self._enqueue_quiet(conn, item, now)
                saved.append(outcome)
        return saved

    async def _enqueue_quiet(
        self, conn: AsyncConnection, item: OutboxItem, now: datetime
    ) -> int | None:
        """Queue an item inside a transaction; an existing dedupe key is a no-op (None)."""
        statement = (
            _upsert_insert(self.dialect)(t.outbox)
            .values(
                dedupe_key=item.dedupe_key, session_id=item.session_id,
                service_url=item.service_url, tenant_id=item.tenant_id,
                conversation_id=item.conversation_id, user_id=item.user_id,
                operation=item.operation, target_activity_id=item.target_activity_id,
                payload=item.payload, status="pending", attempts=0, next_attempt_at=now,
                created_at=now, notify_ref=item.notify_ref,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(t.outbox.c.id)
        )
        return (await conn.execute(statement)).scalar()

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
        return _utc(value) if value else None

    async def unscanned_count(self) -> int:
        async with self._reading() as conn:
            return (
                await conn.execute(
                    select(func.count()).select_from(t.messages).where(
                        t.messages.c.scanned_at.is_(None), t.messages.c.text.is_not(None)
                    )
                )
            ).scalar_one()

    # ---- flags ------------------------------------------------------------------------------

    async def flag_card_delivered(
        self, outbox_id: int, *, activity_id: str | None, conversation_id: str | None
    ) -> None:
        """Remember where a flag card landed, so later actions can update every copy."""
        async with self._writing() as conn:
            await conn.execute(
                update(t.flag_cards)
                .where(t.flag_cards.c.outbox_id == outbox_id)
                .values(activity_id=activity_id, conversation_id=conversation_id)
            )

    async def flag_changed_since_created(self, flag_id: int) -> bool:
        """Whether anything shown on the flag's card changed after the card was drawn (an
        action, the author deleting or restoring the message): one primary-key read."""
        f = t.flags.c
        async with self._reading() as conn:
            row = (await conn.execute(
                select(f.created_at, f.updated_at).where(f.id == flag_id))).first()
        return row is not None and row.updated_at != row.created_at

    async def flag_ids_for_message(self, message_id: int) -> list[int]:
        async with self._reading() as conn:
            rows = await conn.execute(
                select(t.flags.c.id).where(t.flags.c.message_id == message_id)
                .order_by(t.flags.c.id)
            )
            return list(rows.scalars())

    async def flag_view(self, flag_id: int) -> FlagView | None:
        async with self._reading() as conn:
            flag = (await conn.execute(select(t.flags).where(t.flags.c.id == flag_id))).first()
            if flag is None:
                return None
            message = None
            author = None
            findings: list[FindingRecord] = []
            if flag.message_id is not None:
                message = (
                    await conn.execute(
                        select(t.messages).where(t.messages.c.id == flag.message_id)
                    )
                ).first()
                rows = (
                    await conn.execute(
                        select(t.findings)
                        .where(t.findings.c.message_id == flag.message_id)
                        .order_by(t.findings.c.start)
                    )
                ).all()
                findings = [FindingRecord(r.start, r.end, r.category, r.score, r.rule,
                                          bool(r.dismissed)) for r in rows]
                if message is not None:
                    author = (
                        await conn.execute(
                            select(t.participants.c.pseudonym, t.identity_links)
                            .outerjoin(t.identity_links,
                                       t.identity_links.c.participant_id == t.participants.c.id)
                            .where(t.participants.c.id == message.participant_id)
                        )
                    ).first()
            actions = (
                await conn.execute(
                    select(t.flag_actions)
                    .where(t.flag_actions.c.flag_id == flag_id)
                    .order_by(t.flag_actions.c.id)
                )
            ).all()
            cards = (
                await conn.execute(
                    select(t.flag_cards, t.outbox.c.service_url, t.outbox.c.tenant_id,
                           t.outbox.c.user_id)
                    .outerjoin(t.outbox, t.outbox.c.id == t.flag_cards.c.outbox_id)
                    .where(t.flag_cards.c.flag_id == flag_id)
                    .order_by(t.flag_cards.c.id)
                )
            ).all()
        identity = (
            Identity(author.teams_user_id, author.aad_object_id, author.display_name)
            if author is not None and author.teams_user_id else None
        )
        return FlagView(
            id=flag.id,
            session_id=flag.session_id,
            message_id=flag.message_id,
            kind=flag.kind,
            level=flag.level,
            reason=flag.reason,
            status=flag.status,
            created_at=_utc(flag.created_at),
            updated_at=_utc(flag.updated_at),
            message_activity_id=message.activity_id if message is not None else None,
            message_text=message.text if message is not None else None,
            message_received_at=_utc(message.received_at) if message is not None else None,
            message_edited=bool(message is not None and message.edited_at),
            message_hidden_at=_utc(message.hidden_at) if message is not None
            and message.hidden_at else None,
            message_deleted_at=_utc(message.deleted_at) if message is not None
            and message.deleted_at else None,
            author_participant_id=message.participant_id if message is not None else None,
            author_pseudonym=author.pseudonym if author is not None else None,
            author=identity,
            findings=findings,
            actions=[FlagAction(a.action, a.actor, a.outcome, _utc(a.at)) for a in actions],
            cards=[FlagCardRef(c.id, c.outbox_id, c.conversation_id, c.activity_id,
                               c.service_url, c.tenant_id, c.user_id)
                   for c in cards],
        )

    async def record_flag_action(
        self,
        flag_id: int,
        *,
        action: str,
        actor: str,
        outcome: str | None,
        at: datetime,
        status: str | None = None,
        dismiss_findings: bool | None = None,
        hidden: bool = False,
    ) -> None:
        """Append the action (flag_actions is append-only) and apply its effect, atomically."""
        async with self._writing() as conn:
            await conn.execute(
                insert(t.flag_actions).values(
                    flag_id=flag_id, action=action[:32], actor=actor[:64],
                    outcome=(outcome or None) and outcome[:256], at=at,
                )
            )
            values: dict[str, Any] = {"updated_at": at}
            if status is not None:
                values["status"] = status
            await conn.execute(update(t.flags).where(t.flags.c.id == flag_id).values(**values))
            message_id = (
                await conn.execute(select(t.flags.c.message_id).where(t.flags.c.id == flag_id))
            ).scalar()
            if message_id is not None and dismiss_findings is not None:
                await conn.execute(
                    update(t.findings)
                    .where(t.findings.c.message_id == message_id)
                    .values(dismissed=dismiss_findings)
                )
            if message_id is not None and hidden:
                await conn.execute(
                    update(t.messages).where(t.messages.c.id == message_id).values(hidden_at=at)
                )

    async def enqueue_flag_updates(
        self, flag_id: int, items: Sequence[tuple[int, OutboxItem]], now: datetime
    ) -> int:
        """Queue card updates; a card not delivered yet gets its pending payload replaced."""
        queued = 0
        async with self._writing() as conn:
            for outbox_id, item in items:
                if item.operation == "update":
                    if await self._enqueue_quiet(conn, item, now) is not None:
                        queued += 1
                else:  # not delivered yet: send the current state instead of the old one
                    await conn.execute(
                        update(t.outbox)
                        .where(t.outbox.c.id == outbox_id, t.outbox.c.status == "pending")
                        .values(payload=item.payload)
                    )
        return queued

    async def facilitator_channels(self) -> list[Any]:
        """Every registered facilitator channel (where flags go besides session facilitators)."""
        from store.records import FacilitatorChannel

        async with self._reading() as conn:
            rows = (await conn.execute(select(t.facilitator_channels))).all()
        return [FacilitatorChannel(**dict(r._mapping)) for r in rows]

    async def is_live_facilitator(self, teams_user_id: str) -> bool:
        """True if this user is a facilitator participant of any live session."""
        p, link, s = t.participants.c, t.identity_links.c, t.sessions.c
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(p.id)
                    .join(t.identity_links, link.participant_id == p.id)
                    .join(t.sessions, s.id == p.session_id)
                    .where(link.teams_user_id == teams_user_id, p.role == "facilitator",
                           s.status == "live")
                    .limit(1)
                )
            ).first()
        return row is not None

    async def session_role(self, session_id: str, teams_user_id: str) -> str | None:
        p, link = t.participants.c, t.identity_links.c
        async with self._reading() as conn:
            return (
                await conn.execute(
                    select(p.role)
                    .join(t.identity_links, link.participant_id == p.id)
                    .where(link.session_id == session_id, link.teams_user_id == teams_user_id)
                )
            ).scalar()


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
