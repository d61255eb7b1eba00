"""Backends for the store contract suite: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set.

Every test gets its own database: a temporary SQLite file, or a uniquely named PostgreSQL
database created on the server named by TEST_POSTGRES_URL and dropped afterwards. With
REQUIRE_POSTGRES_TESTS=1 a missing TEST_POSTGRES_URL fails the postgres tests instead of
skipping them, so CI cannot silently lose half of the suite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from store import Store, open_store

BACKENDS = ["sqlite", "postgres"]


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if os.environ.get("REQUIRE_POSTGRES_TESTS") == "1":
        pytest.fail("REQUIRE_POSTGRES_TESTS=1 but TEST_POSTGRES_URL is not set", pytrace=False)
    pytest.skip("TEST_POSTGRES_URL not set")
    raise AssertionError("unreachable")


async def _admin_connection(base_url: str) -> asyncpg.Connection:
    url = make_url(base_url)
    return await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=10,
    )


async def _create_pg_database(base_url: str) -> str:
    name = f"fgt_{uuid.uuid4().hex[:20]}"
    conn = await _admin_connection(base_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def _drop_pg_database(base_url: str, name: str) -> None:
    conn = await _admin_connection(base_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A URL naming a fresh, empty database on the chosen backend (no migrations applied)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    base = _postgres_url()
    assert base is not None
    url = await _create_pg_database(base)
    try:
        yield url
    finally:
        await _drop_pg_database(base, make_url(url).database or "")


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    opened = await open_store(db_url)
    try:
        yield opened
    finally:
        await opened.close()


class Opener:
    """Opens further stores on one database (other bot instances); all closed at teardown."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opened: list[Store] = []

    async def __call__(self) -> Store:
        opened = await open_store(self.url)
        self.opened.append(opened)
        return opened

    async def close(self) -> None:
        for opened in self.opened:
            await opened.close()


@pytest.fixture
async def opener(db_url: str) -> AsyncIterator[Opener]:
    instance = Opener(db_url)
    try:
        yield instance
    finally:
        await instance.close()
