"""Purge: removing every link between people and what they said, on SQLAlchemy Core (see
`store.ports.PurgeStore`).

Purge works in steps that are each safe to re-run: anonymised copies are written message by
message together with the nulling of the raw text (one transaction each), identifiers are
scrubbed from every other column, and the linking tables are deleted last, in one
transaction. A purge interrupted anywhere therefore completes when it is run again.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, String, Text, delete, insert, inspect, select, text, update

from store import schema as t
from store.data_life import PurgeRun
from store.sql_base import SqlBase, record


class SqlPurge(SqlBase):
    """Purge runs and their steps, anonymised copies, scrubbing and deleting identifiers."""

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
        return [record(PurgeRun, r) for r in rows]

    async def session_purged(self, session_id: str) -> bool:
        """True once a purge run has started after the session started: purge handles every
        session there is when it starts, so this one's links are deleted (or being deleted)
        and nothing may re-create them (a click on an old card, a replayed invoke)."""
        async with self._reading() as conn:
            found = (
                await conn.execute(
                    select(t.purge_runs.c.id)
                    .join(t.sessions, t.purge_runs.c.started_at >= t.sessions.c.started_at)
                    .where(t.sessions.c.id == session_id)
                    .limit(1)
                )
            ).first()
        return found is not None

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
            for table in (t.metadata.tables[name] for name in t.DELETED_BY_PURGE):
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

    async def find_identifiers_in_files(self, needles: Iterable[str]) -> dict[str, int]:
        """On SQLite, the database file and its -wal and -shm files read as bytes: a deleted
        value can linger in a free page or an old WAL frame where no SELECT sees it. Returns
        {"file:<name>": identifiers found} (never which); {} on PostgreSQL, whose files are
        the server's."""
        path = self.engine.url.database
        if self.dialect != "sqlite" or not path or path == ":memory:":
            return {}
        # four characters at least: a shorter name could match a page's binary bytes by chance
        wanted = [n.encode() for n in {n.strip() for n in needles} if len(n) >= 4]
        return await asyncio.to_thread(_search_files, path, wanted)

    async def compact(self) -> None:
        """Reclaim the space of deleted rows so removed values do not linger in the file."""
        if self.dialect == "sqlite":
            async with self._reading() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection  # aiosqlite connection
                assert driver is not None
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


def _search_files(path: str, wanted: list[bytes]) -> dict[str, int]:
    found: dict[str, int] = {}
    for suffix in ("", "-wal", "-shm"):
        file = Path(path + suffix)
        if not file.exists():
            continue
        raw = file.read_bytes()
        count = sum(1 for needle in wanted if needle in raw)
        if count:
            found[f"file:{file.name}"] = count
    return found


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
