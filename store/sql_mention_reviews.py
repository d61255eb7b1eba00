"""Mention reviews and withdrawal reverts on SQLAlchemy Core (see
`store.ports.MentionReviewStore`).

A withdrawal's cascade stores each message found to refer to the withdrawn participant with
its decision, so the exclusion still holds after the purge has removed every name; a
borderline case waits (`pending`) for a facilitator's Exclude or Keep. A revert is one more
append-only row: the withdrawal it undoes stays on record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update

from store import schema as t
from store.data_life import MentionReview
from store.sql_base import SqlBase, record


class SqlMentionReviews(SqlBase):
    """What refers to a withdrawn participant, the decisions on it, and reverts."""

    async def save_mention_reviews(
        self, session_id: str, participant_id: str,
        found: Sequence[tuple[int, str, str]], at: datetime,
    ) -> int:
        """Store (message id, kind, decision) items not stored yet for this participant;
        an existing item (and a facilitator's decision on it) is left as it is. How many new."""
        r = t.mention_reviews.c
        async with self._writing() as conn:
            known = set((await conn.execute(
                select(r.message_id).where(r.session_id == session_id,
                                           r.participant_id == participant_id)
            )).scalars())
            new = [item for item in found if item[0] not in known]
            for message_id, kind, decision in new:
                await conn.execute(insert(t.mention_reviews).values(
                    session_id=session_id, message_id=message_id, participant_id=participant_id,
                    kind=kind, decision=decision, created_at=at))
        return len(new)

    async def mention_reviews(self, session_id: str) -> list[MentionReview]:
        async with self._reading() as conn:
            rows = (await conn.execute(
                select(t.mention_reviews).where(t.mention_reviews.c.session_id == session_id)
                .order_by(t.mention_reviews.c.message_id, t.mention_reviews.c.id)
            )).all()
        return [record(MentionReview, row) for row in rows]

    async def mention_review(self, review_id: int) -> MentionReview | None:
        async with self._reading() as conn:
            row = (await conn.execute(
                select(t.mention_reviews).where(t.mention_reviews.c.id == review_id))).first()
        return record(MentionReview, row) if row else None

    async def decide_mention_review(
        self, review_id: int, decision: str, actor: str, at: datetime
    ) -> MentionReview | None:
        """A facilitator's Exclude or Keep on a borderline item (the latest click wins)."""
        r = t.mention_reviews.c
        async with self._writing() as conn:
            await conn.execute(
                update(t.mention_reviews)
                .where(r.id == review_id, r.kind == "borderline")
                .values(decision=decision, decided_by=actor, decided_at=at))
            row = (await conn.execute(
                select(t.mention_reviews).where(r.id == review_id))).first()
        return record(MentionReview, row) if row else None

    async def revert_withdrawal(
        self, withdrawal_id: int, session_id: str, actor: str, at: datetime
    ) -> bool:
        """Mark a withdrawal as undone. False if it was undone already."""
        v = t.withdrawal_reverts.c
        async with self._writing() as conn:
            done = (await conn.execute(
                select(v.id).where(v.withdrawal_id == withdrawal_id))).first()
            if done is not None:
                return False
            await conn.execute(insert(t.withdrawal_reverts).values(
                withdrawal_id=withdrawal_id, session_id=session_id, actor=actor,
                reverted_at=at))
        return True
