"""Withdrawals: finding a person's participations and recording that they withdrew, on
SQLAlchemy Core (see `store.ports.WithdrawalStore`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, insert, or_, select

from store import schema as t
from store.data_life import LinkedParticipant, WithdrawalRecord
from store.records import Participant
from store.sql_base import SqlBase, record


def not_reverted() -> ColumnElement[bool]:
    """The withdrawals no facilitator has undone."""
    return t.withdrawals.c.id.not_in(select(t.withdrawal_reverts.c.withdrawal_id))


class SqlWithdrawals(SqlBase):
    """Who took part where, and withdrawals."""

    async def participants_for_user(
        self, teams_user_id: str, aad_object_id: str | None
    ) -> list[LinkedParticipant]:
        """Every session participant linked to this Teams user (by Teams id or AAD id)."""
        links = t.identity_links.c
        match = links.teams_user_id == teams_user_id
        if aad_object_id:
            match = or_(match, func.lower(links.aad_object_id) == aad_object_id.lower())
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.participants)
                    .join(t.identity_links, links.participant_id == t.participants.c.id)
                    .where(match)
                    .order_by(t.participants.c.first_seen_at)
                )
            ).all()
        return [LinkedParticipant(record(Participant, r), r.session_id) for r in rows]

    async def participant_by_pseudonym(
        self, session_id: str, pseudonym: str
    ) -> Participant | None:
        async with self._reading() as conn:
            row = (
                await conn.execute(
                    select(t.participants).where(
                        t.participants.c.session_id == session_id,
                        func.upper(t.participants.c.pseudonym) == pseudonym.upper(),
                    )
                )
            ).first()
        return record(Participant, row) if row else None

    async def participants_named(
        self, name: str, session_ids: Sequence[str] | None = None
    ) -> list[Participant]:
        """Participants whose display name is `name` (case-insensitive; whole name)."""
        links = t.identity_links.c
        query = (
            select(t.participants)
            .join(t.identity_links, links.participant_id == t.participants.c.id)
            .where(func.lower(links.display_name) == " ".join(name.split()).lower())
        )
        if session_ids is not None:
            query = query.where(t.participants.c.session_id.in_(list(session_ids)))
        async with self._reading() as conn:
            rows = (await conn.execute(query.order_by(t.participants.c.first_seen_at))).all()
        return [record(Participant, r) for r in rows]

    # ---- withdrawals ------------------------------------------------------------------------

    async def withdrawals_for(self, session_id: str) -> list[WithdrawalRecord]:
        """The session's withdrawals in force (a reverted one is left out)."""
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.withdrawals)
                    .where(t.withdrawals.c.session_id == session_id, not_reverted())
                    .order_by(t.withdrawals.c.id)
                )
            ).all()
        return [record(WithdrawalRecord, r) for r in rows]

    async def record_withdrawal(
        self,
        *,
        session_id: str,
        participant_id: str,
        requested_by: str,
        reason: str | None,
        at: datetime,
    ) -> tuple[WithdrawalRecord, bool]:
        """Append a withdrawal unless one in force exists already. (record, True if new)."""
        w = t.withdrawals.c
        async with self._writing() as conn:
            existing = (
                await conn.execute(
                    select(t.withdrawals)
                    .where(w.session_id == session_id, w.participant_id == participant_id,
                           not_reverted())
                    .order_by(w.id)
                    .limit(1)
                )
            ).first()
            if existing is not None:
                return (
                    record(WithdrawalRecord, existing),
                    False,
                )
            new_id = (
                await conn.execute(
                    insert(t.withdrawals)
                    .values(session_id=session_id, participant_id=participant_id,
                            requested_by=requested_by, reason=reason, recorded_at=at)
                    .returning(w.id)
                )
            ).scalar_one()
        return WithdrawalRecord(new_id, session_id, participant_id, requested_by, reason, at), True
