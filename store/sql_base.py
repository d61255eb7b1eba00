"""What every SQL store implementation shares: the engine, the read and write connections, and
small helpers for the two dialects (SQLite via aiosqlite, PostgreSQL via asyncpg).

Every write that the bot acknowledges is committed before the method returns. Operations that
several instances may race on are decided by the database: unique constraints and conditional
UPDATEs whose row count says who won.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class SqlBase:
    """One engine shared by every port's implementation (`store.sql_store.Store` composes
    them); each implementation can also stand alone on an engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._write_lock = asyncio.Lock()

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
                assert conn.sync_connection is not None  # set once connected
                conn.sync_connection.info["deferred"] = True
            else:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                yield conn
            finally:
                if self.dialect == "sqlite" and conn.sync_connection is not None:
                    conn.sync_connection.info.pop("deferred", None)

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> bool:
        try:
            async with self._reading() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False


Record = TypeVar("Record")


def record(cls: type[Record], row: Any, **values: Any) -> Record:
    """The record dataclass `cls` from a row whose columns bear its fields' names; `values`
    override or add fields. One mapper for every table whose record mirrors its columns."""
    mapping = row._mapping
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in values and f.name in mapping:
            values[f.name] = mapping[f.name]
    return cls(**values)


def is_unique_violation(exc: IntegrityError) -> bool:
    message = str(exc.orig).lower()
    return "unique" in message or "duplicate key" in message


def dialect_insert(dialect: str) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (upserts, inserts that may be repeats)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
