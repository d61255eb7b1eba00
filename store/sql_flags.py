"""Flags: what facilitators are shown and what they did, on SQLAlchemy Core (see
`store.ports.FlagStore`). Flags are created with their cards by `save_scans`
(`store/sql_messages.py`); here they are read, acted on and their cards updated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store import schema as t
from store.chat_records import FindingRecord, FlagAction, FlagCardRef, FlagView
from store.outcome_records import REPORTED_FLAG_KIND
from store.records import DIGEST_KEY_PREFIX, Identity, OutboxItem
from store.sql_base import SqlBase, record, utc
from store.sql_outbox import queue_quietly
from store.sql_outcomes import label_decision


async def queue_flag_card(conn: AsyncConnection, dialect: str, flag_id: int, item: OutboxItem,
                          now: datetime) -> bool:
    """Queue one copy of a flag's card inside the caller's transaction and track it in
    flag_cards; an item already queued under the same key is skipped (False).

    A digest item (key starting with `DIGEST_KEY_PREFIX`) is shared by many flags: when its key
    is taken, the flag joins it. Its payload (drawn with every entry so far) replaces the
    queued one while it waits, or updates the delivered card in place once it has been sent.
    """
    outbox_id = await queue_quietly(conn, dialect, item, now)
    if outbox_id is None and item.dedupe_key.startswith(DIGEST_KEY_PREFIX):
        o = t.outbox.c
        row = (await conn.execute(
            select(o.id, o.status, o.sent_activity_id, o.conversation_id)
            .where(o.dedupe_key == item.dedupe_key))).first()
        if row is None:
            return False
        outbox_id = row.id
        if row.status == "pending":
            await conn.execute(update(t.outbox).where(o.id == row.id, o.status == "pending")
                               .values(payload=item.payload))
        elif row.status == "sent" and row.sent_activity_id and row.conversation_id:
            # The sent row keeps the fullest payload too: a redraw queued when its delivery is
            # noticed (FlagService.on_digest_delivered) draws from it, never an older one.
            await conn.execute(update(t.outbox).where(o.id == row.id)
                               .values(payload=item.payload))
            # one update waiting (not being sent) is enough: it takes the fuller payload
            waiting = (await conn.execute(
                select(o.id).where(
                    o.dedupe_key.like(f"{item.dedupe_key}:update:%"), o.status == "pending",
                    or_(o.lease_until.is_(None), o.lease_until < now))
                .order_by(o.id.desc()).limit(1))).scalar()
            taken = waiting is not None and (await conn.execute(
                update(t.outbox).where(
                    o.id == waiting, o.status == "pending",
                    or_(o.lease_until.is_(None), o.lease_until < now))
                .values(payload=item.payload))).rowcount == 1
            if not taken:  # none waiting, or leased for sending since it was looked up
                await queue_quietly(conn, dialect, OutboxItem(
                    dedupe_key=f"{item.dedupe_key}:update:{flag_id}",
                    service_url=item.service_url, tenant_id=item.tenant_id,
                    conversation_id=row.conversation_id, session_id=item.session_id,
                    operation="update", target_activity_id=row.sent_activity_id,
                    payload=item.payload, priority=item.priority), now)
    if outbox_id is None:
        return False
    await conn.execute(insert(t.flag_cards).values(
        flag_id=flag_id, outbox_id=outbox_id, conversation_id=item.conversation_id))
    return True


class SqlFlags(SqlBase):
    """Read a flag whole, record facilitators' actions, queue updates of its cards."""

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
                    # Where a copy landed is on its outbox row from the moment it is sent
                    # (the same write that marks it sent); the delivery hook's copy of it in
                    # flag_cards could be lost if the bot stopped in between.
                    select(t.flag_cards.c.id, t.flag_cards.c.outbox_id,
                           func.coalesce(t.flag_cards.c.conversation_id,
                                         t.outbox.c.conversation_id).label("conversation_id"),
                           func.coalesce(t.flag_cards.c.activity_id,
                                         t.outbox.c.sent_activity_id).label("activity_id"),
                           t.outbox.c.service_url, t.outbox.c.tenant_id,
                           t.outbox.c.user_id, t.outbox.c.dedupe_key)
                    .outerjoin(t.outbox, t.outbox.c.id == t.flag_cards.c.outbox_id)
                    .where(t.flag_cards.c.flag_id == flag_id)
                    .order_by(t.flag_cards.c.id)
                )
            ).all()
        identity = record(Identity, author) if author is not None and author.teams_user_id else None
        return FlagView(
            id=flag.id,
            session_id=flag.session_id,
            message_id=flag.message_id,
            kind=flag.kind,
            level=flag.level,
            reason=flag.reason,
            status=flag.status,
            created_at=utc(flag.created_at),
            updated_at=utc(flag.updated_at),
            message_activity_id=message.activity_id if message is not None else None,
            message_text=message.text if message is not None else None,
            message_received_at=utc(message.received_at) if message is not None else None,
            message_edited=bool(message is not None and message.edited_at),
            message_hidden_at=utc(message.hidden_at) if message is not None
            and message.hidden_at else None,
            message_deleted_at=utc(message.deleted_at) if message is not None
            and message.deleted_at else None,
            author_participant_id=message.participant_id if message is not None else None,
            author_pseudonym=author.pseudonym if author is not None else None,
            author=identity,
            findings=findings,
            actions=[FlagAction(a.action, a.actor, a.outcome, utc(a.at)) for a in actions],
            cards=[FlagCardRef(c.id, c.outbox_id, c.conversation_id, c.activity_id,
                               c.service_url, c.tenant_id, c.user_id,
                               digest=(c.dedupe_key or "").startswith(DIGEST_KEY_PREFIX))
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
        label: str | None = None,
    ) -> None:
        """Append the action (flag_actions is append-only) and apply its effect, atomically;
        a decision (`label`: confirmed or dismissed) is kept as a labelled outcome too."""
        async with self._writing() as conn:
            action_id = (await conn.execute(
                insert(t.flag_actions).values(
                    flag_id=flag_id, action=action[:32], actor=actor[:64],
                    outcome=(outcome or None) and outcome[:256], at=at,
                ).returning(t.flag_actions.c.id)
            )).scalar_one()
            if label is not None:
                await label_decision(conn, self.dialect, flag_id=flag_id, action_id=action_id,
                                     label=label, at=at)
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
                    if await queue_quietly(conn, self.dialect, item, now) is not None:
                        queued += 1
                else:  # not delivered yet: send the current state instead of the old one
                    await conn.execute(
                        update(t.outbox)
                        .where(t.outbox.c.id == outbox_id, t.outbox.c.status == "pending")
                        .values(payload=item.payload)
                    )
        return queued

    async def undelivered_flags(self, session_id: str | None = None) -> list[tuple[int, str]]:
        """(flag id, session id) of flags that have no card for anyone yet (no facilitator
        could be reached when they were raised, or the bot stopped before queuing them),
        safeguarding first: live sessions' flags, and reports made from a message's menu,
        which may come after the meeting."""
        f = t.flags.c
        query = (
            select(f.id, f.session_id)
            .join(t.sessions, t.sessions.c.id == f.session_id)
            .where(or_(t.sessions.c.status == "live", f.kind == REPORTED_FLAG_KIND),
                   ~exists().where(t.flag_cards.c.flag_id == f.id))
            .order_by(case((f.kind == "safeguarding", 0), else_=1), f.id)
        )
        if session_id is not None:
            query = query.where(f.session_id == session_id)
        async with self._reading() as conn:
            return [(row.id, row.session_id) for row in await conn.execute(query)]

    async def add_flag_cards(self, flag_id: int, items: Sequence[OutboxItem],
                             now: datetime) -> int:
        """Queue the cards of a flag that had none (one per recipient, tracked like the cards
        `save_scans` queues); an item already queued (same key) is skipped."""
        added = 0
        async with self._writing() as conn:
            for item in items:
                added += await queue_flag_card(conn, self.dialect, flag_id, item, now)
        return added

    async def waiting_safeguarding_flags(self, raised_before: datetime) -> list[tuple[int, str]]:
        """(flag id, session id) of live sessions' safeguarding flags raised before
        `raised_before` none of whose cards has been delivered yet, oldest first."""
        f = t.flags.c
        delivered = exists().where(t.flag_cards.c.flag_id == f.id,
                                   t.outbox.c.id == t.flag_cards.c.outbox_id,
                                   t.outbox.c.status == "sent")
        async with self._reading() as conn:
            return [(row.id, row.session_id) for row in await conn.execute(
                select(f.id, f.session_id)
                .join(t.sessions, t.sessions.c.id == f.session_id)
                .where(t.sessions.c.status == "live", f.kind == "safeguarding",
                       f.created_at < raised_before, ~delivered)
                .order_by(f.id))]

    async def recent_flag_count(self, session_id: str, since: datetime) -> int:
        """How many of the session's flags that may be folded into a digest (all but
        safeguarding) were raised since `since`."""
        f = t.flags.c
        async with self._reading() as conn:
            return int((await conn.execute(
                select(func.count()).select_from(t.flags)
                .where(f.session_id == session_id, f.created_at >= since,
                       f.kind != "safeguarding"))).scalar() or 0)

    async def digest_item(self, outbox_id: int) -> OutboxItem | None:
        """A digest item as it is now (its payload is replaced by each flag that joins it)."""
        async with self._reading() as conn:
            row = (await conn.execute(
                select(t.outbox).where(t.outbox.c.id == outbox_id))).first()
        return record(OutboxItem, row) if row is not None else None

    async def digest_flag_ids(self, dedupe_key: str) -> list[int]:
        """The flags already listed on the digest card queued under `dedupe_key`, oldest first."""
        async with self._reading() as conn:
            return list((await conn.execute(
                select(t.flag_cards.c.flag_id)
                .join(t.outbox, t.outbox.c.id == t.flag_cards.c.outbox_id)
                .where(t.outbox.c.dedupe_key == dedupe_key)
                .order_by(t.flag_cards.c.flag_id))).scalars())
