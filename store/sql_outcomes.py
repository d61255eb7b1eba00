"""Labelled outcomes and manual reports of chat messages, on SQLAlchemy Core (see
`store.ports.OutcomeStore`).

A report is recorded with everything it causes in one transaction: its outcome (once per key),
a new flag for a message no flag covered or a line in the existing flag's history, and any
private notices. A facilitator's decision on a flag is labelled inside `record_flag_action`'s
transaction (`label_decision`, called by store/sql_flags.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store import schema as t
from store.outcome_records import (
    CONFIRMED,
    DISMISSED,
    ChatMessageRef,
    FlagNote,
    LabelledOutcome,
    NewOutcome,
    NewReportFlag,
    RecordedReport,
)
from store.records import OutboxItem
from store.schema_outcomes import labelled_outcomes
from store.sql_base import SqlBase, dialect_insert, utc
from store.sql_outbox import queue_quietly

# Flags whose decisions measure screening (a manual report's flag is a known miss instead).
SCREENING_FLAG_KINDS = ("identifying", "safeguarding")


async def _insert_outcome(conn: AsyncConnection, dialect: str, outcome: NewOutcome,
                          flag_kind: str | None) -> bool:
    """Insert inside the caller's transaction; False if the key is taken (nothing written)."""
    statement = (
        dialect_insert(dialect)(labelled_outcomes)
        .values(key=outcome.key[:256], session_id=outcome.session_id, kind=outcome.kind,
                flag_id=outcome.flag_id, flag_kind=flag_kind, message_id=outcome.message_id,
                teams_message_id=outcome.teams_message_id and outcome.teams_message_id[:256],
                participant_id=outcome.participant_id,
                category=outcome.category and outcome.category[:32], at=outcome.at)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(labelled_outcomes.c.id)
    )
    return (await conn.execute(statement)).scalar() is not None


async def label_decision(conn: AsyncConnection, dialect: str, *, flag_id: int, action_id: int,
                         label: str, at: datetime) -> None:
    """Label a facilitator's decision on a flag (`label`: confirmed or dismissed), inside the
    transaction that records it; the category is the flag's first finding, if any."""
    if label not in (CONFIRMED, DISMISSED):
        raise ValueError(f"not a decision label: {label}")
    flag = (await conn.execute(
        select(t.flags.c.session_id, t.flags.c.kind, t.flags.c.message_id, t.flags.c.reason)
        .where(t.flags.c.id == flag_id))).first()
    if flag is None:
        return
    category = flag.reason if flag.kind == "reported" else None
    if flag.message_id is not None and category is None:
        category = (await conn.execute(
            select(t.findings.c.category).where(t.findings.c.message_id == flag.message_id)
            .order_by(t.findings.c.start, t.findings.c.id).limit(1))).scalar()
    await _insert_outcome(conn, dialect, NewOutcome(
        key=f"flag:{flag_id}:action:{action_id}", session_id=flag.session_id, kind=label,
        at=at, flag_id=flag_id, message_id=flag.message_id, category=category), flag.kind)


class SqlOutcomes(SqlBase):
    """Record manual reports with their flags and notices; read the labelled outcomes."""

    async def chat_message_ref(self, session_id: str,
                               activity_id: str) -> ChatMessageRef | None:
        """The session's stored chat message with this Teams id (the id Teams gives a
        message action's `messagePayload.id`), with its author."""
        m = t.messages.c
        async with self._reading() as conn:
            row = (await conn.execute(
                select(m.id, m.participant_id, t.participants.c.pseudonym,
                       t.identity_links.c.teams_user_id, t.identity_links.c.aad_object_id,
                       t.identity_links.c.display_name)
                .join(t.participants, t.participants.c.id == m.participant_id)
                .outerjoin(t.identity_links,
                           t.identity_links.c.participant_id == m.participant_id)
                .where(m.session_id == session_id, m.activity_id == activity_id))).first()
        if row is None:
            return None
        return ChatMessageRef(row.id, row.participant_id, row.pseudonym, row.teams_user_id,
                              row.aad_object_id, row.display_name)

    async def outcome_recorded(self, key: str) -> bool:
        async with self._reading() as conn:
            return (await conn.execute(
                select(labelled_outcomes.c.id).where(labelled_outcomes.c.key == key)
            )).first() is not None

    async def record_report(
        self, outcome: NewOutcome, *, new_flag: NewReportFlag | None = None,
        note: FlagNote | None = None, notices: Sequence[OutboxItem] = (),
    ) -> RecordedReport:
        """Record a manual report once per `outcome.key`, all or nothing: the outcome, then
        a new flag (`new_flag`, for `outcome.message_id`; its id is returned so that its cards
        can be drawn and added with `add_flag_cards`) or the existing `outcome.flag_id`, and
        `notices` queued. A key already taken records
        nothing (`recorded` False). `note` goes into the flag's history (new or existing).
        """
        async with self._writing() as conn:
            flag_id = outcome.flag_id
            flag_kind = new_flag.kind if new_flag is not None else None
            if new_flag is None and flag_id is not None:
                flag_kind = (await conn.execute(
                    select(t.flags.c.kind).where(t.flags.c.id == flag_id))).scalar()
            if not await _insert_outcome(conn, self.dialect, outcome, flag_kind):
                return RecordedReport(False, None)  # a repeat: nothing was written
            if new_flag is not None:
                flag_id = (await conn.execute(
                    insert(t.flags).values(
                        session_id=outcome.session_id, message_id=outcome.message_id,
                        kind=new_flag.kind, level=None,
                        reason=new_flag.reason and new_flag.reason[:256], status="open",
                        created_at=outcome.at, updated_at=outcome.at)
                    .returning(t.flags.c.id))).scalar_one()
                await conn.execute(update(labelled_outcomes)
                                   .where(labelled_outcomes.c.key == outcome.key[:256])
                                   .values(flag_id=flag_id))
            if note is not None and flag_id is not None:
                await conn.execute(insert(t.flag_actions).values(
                    flag_id=flag_id, action=note.action[:32], actor=note.actor[:64],
                    outcome=note.outcome and note.outcome[:256], at=outcome.at))
                if new_flag is None:  # an existing flag's cards are out of date now
                    await conn.execute(update(t.flags).where(t.flags.c.id == flag_id)
                                       .values(updated_at=outcome.at))
            for notice in notices:
                await queue_quietly(conn, self.dialect, notice, outcome.at)
        return RecordedReport(True, flag_id)

    async def labelled_outcomes(self, session_id: str | None = None) -> list[LabelledOutcome]:
        """Every labelled outcome (of one session, or all), oldest first."""
        o = labelled_outcomes.c
        query = select(o.id, o.session_id, o.kind, o.flag_id, o.flag_kind, o.message_id,
                       o.category, o.at).order_by(o.id)
        if session_id is not None:
            query = query.where(o.session_id == session_id)
        async with self._reading() as conn:
            rows = (await conn.execute(query)).all()
        return [LabelledOutcome(r.id, r.session_id, r.kind, r.flag_id, r.flag_kind,
                                r.message_id, r.category, utc(r.at)) for r in rows]

    async def undecided_flag_counts(self) -> dict[str, int]:
        """Per session: screening flags (identifying, safeguarding) no facilitator has
        confirmed or dismissed yet."""
        f = t.flags.c
        o = labelled_outcomes.c
        decided = exists().where(and_(o.flag_id == f.id, o.kind.in_((CONFIRMED, DISMISSED))))
        async with self._reading() as conn:
            rows = (await conn.execute(
                select(f.session_id, func.count())
                .where(f.kind.in_(SCREENING_FLAG_KINDS), ~decided)
                .group_by(f.session_id))).all()
        return {row[0]: int(row[1]) for row in rows}
