"""The reads an export makes: one session whole, and per-session counts, on SQLAlchemy Core
(see `store.ports.ExportSource`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store import schema as t
from store.data_life import (
    AnonymisedCopy,
    MentionReview,
    SessionSource,
    SourceMessage,
    SourcePerson,
    StoredSpan,
)
from store.outcome_records import REMOVAL_REQUESTED
from store.schema_outcomes import labelled_outcomes
from store.sql_base import SqlBase, record
from store.sql_withdrawals import not_reverted


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, list) else []


async def _removed_messages(conn: AsyncConnection, session_id: str) -> dict[int, str]:
    """Messages left out at someone's request: their author asked (a labelled outcome), or a
    facilitator chose "Redact in export" on a reported message's flag (nothing in such a
    message was found by screening, so the whole message is left out)."""
    o = labelled_outcomes.c
    removed = {row.message_id: "reported_left_out" for row in await conn.execute(
        select(t.flags.c.message_id).where(
            t.flags.c.session_id == session_id, t.flags.c.kind == "reported",
            t.flags.c.status == "redact", t.flags.c.message_id.is_not(None)))}
    removed |= {row.message_id: "removed_by_author" for row in await conn.execute(
        select(o.message_id).where(o.session_id == session_id, o.kind == REMOVAL_REQUESTED,
                                   o.message_id.is_not(None)))}
    return removed


class SqlExportSource(SqlBase):
    """Everything an export or a retention check reads, in one consistent pass per session."""

    async def session_source(self, session_id: str) -> SessionSource | None:
        """Read one session's participants, consent, withdrawals, messages and spans."""
        async with self._reading() as conn:
            session = (
                await conn.execute(select(t.sessions).where(t.sessions.c.id == session_id))
            ).first()
            if session is None:
                return None
            people_rows = (
                await conn.execute(
                    select(t.participants, t.identity_links.c.display_name,
                           t.identity_links.c.teams_user_id, t.identity_links.c.aad_object_id)
                    .outerjoin(t.identity_links,
                               t.identity_links.c.participant_id == t.participants.c.id)
                    .where(t.participants.c.session_id == session_id)
                )
            ).all()
            consents: dict[str, str] = {}
            for row in (
                await conn.execute(
                    select(t.consent_events.c.participant_id, t.consent_events.c.decision)
                    .where(t.consent_events.c.session_id == session_id)
                    .order_by(t.consent_events.c.id)
                )
            ).all():
                consents[row.participant_id] = row.decision
            withdrawn = set(
                (
                    await conn.execute(
                        select(t.withdrawals.c.participant_id).where(
                            t.withdrawals.c.session_id == session_id, not_reverted()
                        )
                    )
                ).scalars()
            )
            m = t.messages.c
            message_rows = (
                await conn.execute(
                    select(m.id, m.participant_id, m.received_at, m.edited_at, m.deleted_at,
                           m.hidden_at, m.kept, m.text, m.mentions, m.activity_id,
                           m.reply_to_id)
                    .where(m.session_id == session_id)
                    .order_by(m.received_at, m.id)
                )
            ).all()
            f = t.findings.c
            span_rows = (
                await conn.execute(
                    select(f.message_id, f.start, f.end, f.category, f.source, f.dismissed)
                    .join(t.messages, t.messages.c.id == f.message_id)
                    .where(m.session_id == session_id)
                )
            ).all()
            review_rows = (
                await conn.execute(
                    select(t.mention_reviews)
                    .where(t.mention_reviews.c.session_id == session_id)
                    .order_by(t.mention_reviews.c.id)
                )
            ).all()
            removed = await _removed_messages(conn, session_id)
            a = t.anonymised_messages.c
            copies = {
                r.message_id: AnonymisedCopy(r.text, r.removed_mentions, dict(r.redactions or {}))
                for r in (
                    await conn.execute(
                        select(a.message_id, a.text, a.removed_mentions, a.redactions).where(
                            a.session_id == session_id
                        )
                    )
                ).all()
            }
        spans: dict[int, list[StoredSpan]] = {}
        for r in span_rows:
            spans.setdefault(r.message_id, []).append(
                StoredSpan(r.start, r.end, r.category, r.source or "engine", bool(r.dismissed))
            )
        reviews: dict[int, list[MentionReview]] = {}
        for row in review_rows:
            if row.participant_id in withdrawn:  # a reverted withdrawal's reviews do not apply
                reviews.setdefault(row.message_id, []).append(record(MentionReview, row))
        people = {
            r.id: SourcePerson(
                participant_id=r.id, pseudonym=r.pseudonym, role=r.role,
                first_seen_at=r.first_seen_at, display_name=r.display_name,
                teams_user_id=r.teams_user_id, aad_object_id=r.aad_object_id,
                consent=consents.get(r.id), withdrawn=r.id in withdrawn,
            )
            for r in people_rows
        }
        messages = [
            SourceMessage(
                id=r.id, participant_id=r.participant_id, received_at=r.received_at,
                edited_at=r.edited_at, deleted_at=r.deleted_at, hidden_at=r.hidden_at,
                kept=bool(r.kept), text=r.text, mentions=_json_list(r.mentions),
                spans=spans.get(r.id, []), anonymised=copies.get(r.id),
                activity_id=r.activity_id, reply_to_id=r.reply_to_id,
            )
            for r in message_rows
        ]
        return SessionSource(
            session_id=session.id, title=session.title, form_version=session.form_version,
            status=session.status, started_at=session.started_at, ended_at=session.ended_at,
            people=people, messages=messages, reviews=reviews, removed=removed,
        )

    async def session_counts(self) -> dict[str, dict[str, int]]:
        """Per session: participants and messages (for listings; no names)."""
        counts: dict[str, dict[str, int]] = {}
        async with self._reading() as conn:
            for sid, n in (
                await conn.execute(
                    select(t.participants.c.session_id, func.count())
                    .group_by(t.participants.c.session_id)
                )
            ).all():
                counts.setdefault(sid, {})["participants"] = n
            for sid, n in (
                await conn.execute(
                    select(t.messages.c.session_id, func.count())
                    .group_by(t.messages.c.session_id)
                )
            ).all():
                counts.setdefault(sid, {})["messages"] = n
            for sid, n in (
                await conn.execute(
                    select(t.withdrawals.c.session_id,
                           func.count(func.distinct(t.withdrawals.c.participant_id)))
                    .where(not_reverted())
                    .group_by(t.withdrawals.c.session_id)
                )
            ).all():
                counts.setdefault(sid, {})["withdrawn"] = n
        return counts
