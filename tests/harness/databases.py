"""Fresh databases for the process harnesses: a SQLite file, or a new PostgreSQL database.

PostgreSQL comes from TEST_POSTGRES_URL (a server URL; a uniquely named database is created
there and dropped afterwards). Without it the test is skipped, unless REQUIRE_POSTGRES_TESTS=1
(CI), where a skip would hide half of the harness and the test fails instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from store.migrate import upgrade_connection


@functools.cache
def _migrated_sqlite_template() -> Path:
    """One SQLite file per test process with every migration applied (synchronously: the
    first caller may be inside a running event loop)."""
    path = Path(tempfile.mkdtemp(prefix="focusbot-template-")) / "migrated.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            upgrade_connection(conn)
            conn.commit()
    finally:
        engine.dispose()
    return path


def migrated_sqlite(path: Path) -> Path:
    """`path`, created as a copy of a database already at the newest migration unless it
    exists. The bot still runs its migrations at start-up and finds nothing to do; tests that
    start a bot or open a store spare the tenth of a second each that applying every migration
    to an empty file costs (the migrations themselves are tested from empty elsewhere)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_sqlite_template(), path)
    return path


def postgres_server_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if os.environ.get("REQUIRE_POSTGRES_TESTS") == "1":
        pytest.fail("REQUIRE_POSTGRES_TESTS=1 but TEST_POSTGRES_URL is not set", pytrace=False)
    pytest.skip("TEST_POSTGRES_URL not set")
    raise AssertionError("unreachable")


async def admin(base_url: str) -> asyncpg.Connection:
    """A plain asyncpg connection to the server's maintenance database (as the URL's user)."""
    url = make_url(base_url)
    return await asyncpg.connect(host=url.host or "127.0.0.1", port=url.port or 5432,
                                 user=url.username or "postgres", password=url.password,
                                 database=url.database or "postgres", timeout=10)


@asynccontextmanager
async def fresh_postgres(base_url: str, prefix: str = "fgh") -> AsyncIterator[str]:
    """A SQLAlchemy URL naming a new, empty database; dropped (FORCE) on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    conn = await admin(base_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = make_url(base_url).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        conn = await admin(base_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


async def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    """Run one read query on its own short-lived engine (not the bot's)."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())
    finally:
        await engine.dispose()
