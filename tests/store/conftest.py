"""Backends for the store contract suite: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set.

Every test gets its own database: a temporary SQLite file, or a uniquely named PostgreSQL
database created on the server named by TEST_POSTGRES_URL and dropped afterwards. With
REQUIRE_POSTGRES_TESTS=1 a missing TEST_POSTGRES_URL fails the postgres tests instead of
skipping them, so CI cannot silently lose half of the suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from store import Store, open_store
from tests.harness.databases import fresh_postgres, migrated_sqlite, postgres_server_url

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A URL naming a fresh, empty database on the chosen backend (no migrations applied)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
        return
    async with fresh_postgres(postgres_server_url(), prefix="fgt") as url:
        yield url


@pytest.fixture
async def store(db_url: str, backend: str, tmp_path: Path) -> AsyncIterator[Store]:
    if backend == "sqlite":
        migrated_sqlite(tmp_path / "store.db")
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
