"""The one Store: every port's SQLAlchemy Core implementation on one engine, SQLite (aiosqlite)
or PostgreSQL (asyncpg). Create it with `open_store`.

Callers type their dependency as the port they use (`store/ports.py`); this class satisfies
them all, so the wiring opens one store.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time as time_module
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import create_async_engine

from store.errors import StoreUnavailable
from store.migrate import upgrade_to_head
from store.sql_audit import SqlAudit
from store.sql_bot_state import ETagConflict, SqlBotState
from store.sql_consent import SqlConsent
from store.sql_console import SqlConsole
from store.sql_export import SqlExportSource
from store.sql_flags import SqlFlags
from store.sql_mention_reviews import SqlMentionReviews
from store.sql_messages import SqlMessages
from store.sql_outbox import SqlOutbox
from store.sql_outcomes import SqlOutcomes
from store.sql_participants import SqlParticipants
from store.sql_purge import SqlPurge
from store.sql_sessions import SqlSessions
from store.sql_transcripts import SqlTranscripts
from store.sql_undelivered import SqlUndelivered
from store.sql_withdrawals import SqlWithdrawals
from store.sqlite_connection import sqlite_connector

__all__ = ["ETagConflict", "Store", "StoreUnavailable", "open_store"]


class Store(
    SqlSessions,
    SqlParticipants,
    SqlConsent,
    SqlMessages,
    SqlFlags,
    SqlOutbox,
    SqlWithdrawals,
    SqlMentionReviews,
    SqlExportSource,
    SqlPurge,
    SqlBotState,
    SqlAudit,
    SqlConsole,
    SqlTranscripts,
    SqlUndelivered,
    SqlOutcomes,
):
    """All persistence for the bot: every port of `store/ports.py` on one engine."""


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
