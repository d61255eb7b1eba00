"""Withdrawals, export queries and purge (the data's life after the session). Mixed into Store.

Purge works in steps that are each safe to re-run: anonymised copies are written message by
message together with the nulling of the raw text (one transaction each), identifiers are
scrubbed from every other column, and the linking tables are deleted last, in one
transaction. A purge interrupted anywhere therefore completes when it is run again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    String,
    Text,
    delete,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from store import schema as t
from store.records import Participant


@dataclass(frozen=True)
class WithdrawalRecord:
    id: int
    session_id: str
    participant_id: str
    requested_by: str
    reason: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class LinkedParticipant:
    """A participant of a session together with the session's status, for one Teams user."""

    participant: Participant
    session_id: str


@dataclass(frozen=True)
class SourcePerson:
    participant_id: str
    pseudonym: str
    role: str
    first_seen_at: datetime
    display_name: str | None  # None once purged
    teams_user_id: str | None
    aad_object_id: str | None
    consent: str | None  # the latest decision: accepted | declined | None
    withdrawn: bool


@dataclass(frozen=True)
class StoredSpan:
    start: int
    end: int
    category: str
    source: str  # engine | facilitator
    dismissed: bool


@dataclass(frozen=True)
class AnonymisedCopy:
    text: str
    removed_mentions: int
    redactions: dict[str, int]


@dataclass(frozen=True)
class SourceMessage:
    id: int
    participant_id: str
    received_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    hidden_at: datetime | None
    kept: bool
    text: str | None
    mentions: list[Any]
    spans: list[StoredSpan] = field(default_factory=list)
    anonymised: AnonymisedCopy | None = None


@dataclass(frozen=True)
class SessionSource:
    """Everything an export of one session reads from the database."""

    session_id: str
    title: str | None
    form_version: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    people: dict[str, SourcePerson]
    messages: list[SourceMessage]


@dataclass(frozen=True)
class PurgeRun:
    id: int
    started_at: datetime
    step: str
    completed_at: datetime | None


def _participant(row: Any) -> Participant:
    return Participant(row.id, row.session_id, row.pseudonym, row.role, row.first_seen_at,
                       row.consent_nudged_at)


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return list(value) if isinstance(value, list) else []


class DataLifeStoreMixin:
    """Store methods for withdrawal, export and purge; mixed into `Store`."""

    engine: AsyncEngine
    dialect: str
    _writing: Callable[[], AbstractAsyncContextManager[AsyncConnection]]
    _reading: Callable[[], AbstractAsyncContextManager[AsyncConnection]]

    # ---- who took part where ----------------------------------------------------------------

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
        return [LinkedParticipant(_participant(r), r.session_id) for r in rows]

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
        return _participant(row) if row else None

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
        return [_participant(r) for r in rows]

    async def session_display_names(self, session_id: str) -> list[str]:
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.identity_links.c.display_name).where(
                        t.identity_links.c.session_id == session_id,
                        t.identity_links.c.display_name.is_not(None),
                    )
                )
            ).all()
        return [r.display_name for r in rows]

    # ---- withdrawals ------------------------------------------------------------------------

    async def withdrawals_for(self, session_id: str) -> list[WithdrawalRecord]:
        async with self._reading() as conn:
            rows = (
                await conn.execute(
                    select(t.withdrawals)
                    .where(t.withdrawals.c.session_id == session_id)
                    .order_by(t.withdrawals.c.id)
                )
            ).all()
        return [
            WithdrawalRecord(r.id, r.session_id, r.participant_id, r.requested_by, r.reason,
                             r.recorded_at)
            for r in rows
        ]

    async def record_withdrawal(
        self,
        *,
        session_id: str,
        participant_id: str,
        requested_by: str,
        reason: str | None,
        at: datetime,
    ) -> tuple[WithdrawalRecord, bool]:
        """Append a withdrawal unless one exists already. (record, True if new)."""
        w = t.withdrawals.c
        async with self._writing() as conn:
            existing = (
                await conn.execute(
                    select(t.withdrawals)
                    .where(w.session_id == session_id, w.participant_id == participant_id)
                    .order_by(w.id)
                    .limit(1)
                )
            ).first()
            if existing is not None:
                return (
                    WithdrawalRecord(existing.id, existing.session_id, existing.participant_id,
                                     existing.requested_by, existing.reason,
                                     existing.recorded_at),
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

    async def add_mention_review_flags(
        self, session_id: str, message_ids: Iterable[int], at: datetime, reason: str
    ) -> int:
        """Open a `mention_review` flag on each message that has none yet. Returns how many."""
        ids = sorted(set(message_ids))
        if not ids:
            return 0
        f = t.flags.c
        async with self._writing() as conn:
            flagged = set(
                (
                    await conn.execute(
                        select(f.message_id).where(
                            f.message_id.in_(ids), f.kind == "mention_review"
                        )
                    )
                ).scalars()
            )
            new = [i for i in ids if i not in flagged]
            for message_id in new:
                await conn.execute(
                    insert(t.flags).values(
                        session_id=session_id, message_id=message_id, kind="mention_review",
                        level=None, reason=reason[:256], status="open", created_at=at,
                        updated_at=at,
                    )
                )
        return len(new)

    # ---- export -----------------------------------------------------------------------------

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
                            t.withdrawals.c.session_id == session_id
                        )
                    )
                ).scalars()
            )
            m = t.messages.c
            message_rows = (
                await conn.execute(
                    select(m.id, m.participant_id, m.received_at, m.edited_at, m.deleted_at,
                           m.hidden_at, m.kept, m.text, m.mentions)
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
            )
            for r in message_rows
        ]
        return SessionSource(
            session_id=session.id, title=session.title, form_version=session.form_version,
            status=session.status, started_at=session.started_at, ended_at=session.ended_at,
            people=people, messages=messages,
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
                    .group_by(t.withdrawals.c.session_id)
                )
            ).all():
                counts.setdefault(sid, {})["withdrawn"] = n
        return counts

    # ---- purge ------------------------------------------------------------------------------

    async def begin_purge(self, at: datetime) -> PurgeRun:
        async with self._writing() as conn:
            run_id = (
                await conn.execute(
                    insert(t.purge_runs).values(started_at=at, step="started")
                    .returning(t.purge_runs.c.id)
                )
            ).scalar_one()
        return PurgeRun(run_id, at, "started", None)

    async def purge_step_done(self, run_id: int, step: str, at: datetime | None = None) -> None:
        values: dict[str, Any] = {"step": step}
        if at is not None:
            values["completed_at"] = at
        async with self._writing() as conn:
            await conn.execute(
                update(t.purge_runs).where(t.purge_runs.c.id == run_id).values(**values)
            )

    async def purge_runs(self) -> list[PurgeRun]:
        async with self._reading() as conn:
            rows = (await conn.execute(select(t.purge_runs).order_by(t.purge_runs.c.id))).all()
        return [PurgeRun(r.id, r.started_at, r.step, r.completed_at) for r in rows]

    async def linking_identifiers(self) -> tuple[set[str], set[str]]:
        """(Teams and AAD ids, display names) the database still links to anyone."""
        ids: set[str] = set()
        names: set[str] = set()
        async with self._reading() as conn:
            for table in (t.identity_links, t.facilitator_channels):
                rows = (
                    await conn.execute(
                        select(table.c.teams_user_id, table.c.aad_object_id,
                               table.c.display_name)
                    )
                ).all()
                for row in rows:
                    ids.update(v for v in (row.teams_user_id, row.aad_object_id) if v)
                    if row.display_name and row.display_name.strip():
                        names.add(row.display_name.strip())
        return ids, names

    async def save_anonymised(
        self,
        *,
        message_id: int,
        session_id: str,
        text: str | None,
        removed_mentions: int,
        redactions: dict[str, int],
        at: datetime,
    ) -> None:
        """Store the anonymised copy (None: the message is excluded, keep no copy) and null
        the raw text and mentions, in one transaction."""
        async with self._writing() as conn:
            if text is not None:
                exists_already = (
                    await conn.execute(
                        select(t.anonymised_messages.c.message_id).where(
                            t.anonymised_messages.c.message_id == message_id
                        )
                    )
                ).first()
                if exists_already is None:
                    await conn.execute(
                        insert(t.anonymised_messages).values(
                            message_id=message_id, session_id=session_id, text=text,
                            removed_mentions=removed_mentions, redactions=redactions,
                            created_at=at,
                        )
                    )
            await conn.execute(
                update(t.messages)
                .where(t.messages.c.id == message_id)
                .values(text=None, mentions=None)
            )

    async def set_session_title(self, session_id: str, title: str | None) -> None:
        async with self._writing() as conn:
            await conn.execute(
                update(t.sessions).where(t.sessions.c.id == session_id).values(title=title)
            )

    async def scrub_identifiers(
        self, ids: Iterable[str], names: Iterable[str] = (), *, skip_tables: Sequence[str] = ()
    ) -> dict[str, int]:
        """Replace identifiers (Teams/AAD ids anywhere, names as whole words) in every text and
        JSON column of every table except the append-only ones and `skip_tables`; a nullable
        column is set to NULL. Returns {"table.column": rows changed}.

        Belt and braces: columns other features add later (a card's conversation id, a
        dedupe key) are cleaned without this code knowing them.
        """
        pattern = identifier_pattern(ids, names)
        if pattern is None:
            return {}
        skip = set(t.APPEND_ONLY_TABLES) | set(skip_tables)
        changed: dict[str, int] = {}
        for table in await self._reflected_tables():
            if table.name in skip or table.name == "alembic_version":
                continue
            pk = list(table.primary_key.columns)
            columns = [c for c in table.columns if _is_texty(c) and not c.primary_key
                       and not c.foreign_keys]
            if not pk or not columns:
                continue
            async with self._writing() as conn:
                rows = (await conn.execute(select(*pk, *columns))).all()
                for row in rows:
                    values: dict[str, Any] = {}
                    for column in columns:
                        value = row._mapping[column.name]
                        if value is None or not pattern.search(_as_text(value)):
                            continue
                        values[column.name] = (
                            None if column.nullable else _replace_all(value, pattern)
                        )
                    if values:
                        where = [c == row._mapping[c.name] for c in pk]
                        await conn.execute(update(table).where(*where).values(**values))
                        for name in values:
                            key = f"{table.name}.{name}"
                            changed[key] = changed.get(key, 0) + 1
        return changed

    async def delete_linking_data(self) -> dict[str, int]:
        """Delete the linking tables and everything that may carry Teams ids or names:
        identity links, facilitator channels, bot state, idempotency keys and the outbox."""
        counts: dict[str, int] = {}
        async with self._writing() as conn:
            for table in (t.identity_links, t.facilitator_channels, t.bot_state,
                          t.processed_activities, t.outbox):
                result = await conn.execute(delete(table))
                counts[table.name] = result.rowcount or 0
        return counts

    async def find_identifiers(
        self, ids: Iterable[str], names: Iterable[str] = (), words: Iterable[str] = ()
    ) -> dict[str, int]:
        """Where any identifier still occurs, in any column of any table: {"table.column": rows}.
        """
        pattern = identifier_pattern(ids, names, words)
        found: dict[str, int] = {}
        if pattern is None:
            return found
        for table in await self._reflected_tables():
            async with self._reading() as conn:
                rows = (await conn.execute(select(table))).all()
            for row in rows:
                for name, value in row._mapping.items():
                    if value is not None and pattern.search(_as_text(value)):
                        key = f"{table.name}.{name}"
                        found[key] = found.get(key, 0) + 1
        return found

    async def compact(self) -> None:
        """Reclaim the space of deleted rows so removed values do not linger in the file."""
        if self.dialect == "sqlite":
            async with self._reading() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection  # aiosqlite connection
                await driver.execute("VACUUM")
                await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            async with self._reading() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in ("identity_links", "facilitator_channels", "bot_state",
                              "processed_activities", "outbox", "messages", "sessions",
                              "flag_cards"):
                    await conn.execute(text(f"VACUUM FULL {table}"))

    async def _reflected_tables(self) -> list[Any]:
        async with self._reading() as conn:
            metadata = await conn.run_sync(_reflect)
        return list(metadata.sorted_tables)


def _reflect(sync_conn: Any) -> Any:
    from sqlalchemy import MetaData

    metadata = MetaData()
    metadata.reflect(bind=sync_conn)
    inspect(sync_conn)
    return metadata


def _is_texty(column: Any) -> bool:
    return isinstance(column.type, String | Text | JSON) or "JSON" in type(column.type).__name__


def identifier_pattern(
    ids: Iterable[str], names: Iterable[str] = (), words: Iterable[str] = ()
) -> re.Pattern[str] | None:
    """One pattern: ids as substrings and names as whole words (both case-insensitive), and
    `words` (e.g. first names) as whole words, case-sensitive."""
    parts = [re.escape(i) for i in sorted({i.strip() for i in ids if i and len(i.strip()) >= 2},
                                          key=len, reverse=True)]
    parts += [
        r"(?<!\w)" + r"\s+".join(re.escape(w) for w in n.split()) + r"(?!\w)"
        for n in sorted({n.strip() for n in names if n and len(n.strip()) >= 2},
                        key=len, reverse=True)
    ]
    parts += [
        r"(?-i:(?<!\w)" + re.escape(w.strip()) + r"(?!\w))"
        for w in sorted({w for w in words if w and len(w.strip()) >= 3}, key=len, reverse=True)
    ]
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


def _replace_all(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub("[REDACTED]", value)
    return json.loads(pattern.sub("[REDACTED]", json.dumps(value, ensure_ascii=False)))
