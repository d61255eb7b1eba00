"""A task cancelled in the middle of a query, then cancelled again, still ends.

This is what a shutdown does to a background loop that is waiting on the database: the loop
is cancelled, and while its connection is being closed everything left is cancelled once more.
With SQLAlchemy 2.1 and aiosqlite 0.22.1 as they come, the connection's graceful close then
waits for ever (see store/sqlite_connection.py), and so does the process's shutdown.
"""

from __future__ import annotations

import asyncio
import gc

import pytest
from sqlalchemy import text

from store import Store
from tests.harness.databases import admin, postgres_server_url

SLOW_QUERY = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000)"
              " SELECT count(*) FROM n",
    "postgres": "SELECT pg_sleep(1)",
}


@pytest.mark.slow
async def test_a_query_cancelled_twice_leaves_no_task_behind(store: Store, backend: str) -> None:
    async def waiting_on_the_database() -> None:
        async with store.engine.connect() as conn:
            await conn.execute(text(SLOW_QUERY[backend]))

    before = asyncio.all_tasks()
    loop_task = asyncio.create_task(waiting_on_the_database())
    await asyncio.sleep(0.2)
    loop_task.cancel()
    await asyncio.sleep(0.05)
    loop_task.cancel()
    await asyncio.wait([loop_task], timeout=10)
    assert loop_task.done()

    left = [task for task in asyncio.all_tasks() - before if not task.done()]
    for task in left:
        task.cancel()
    _, stuck = await asyncio.wait(left, timeout=10) if left else (set(), set())
    for task in stuck:
        asyncio.tasks._unregister_task(task)
    assert not stuck, f"still waiting 10 s after being cancelled: {stuck}"

    # The store still works. (The cancelled SQLite statement keeps the file locked until its
    # cursor is collected: sqlite3 closes a connection with a live statement as a "zombie".)
    del loop_task
    gc.collect()
    async with store.engine.connect() as conn:
        assert (await conn.execute(text("SELECT 1"))).scalar() == 1


async def test_connections_the_server_closed_are_replaced_without_an_error(
    store: Store, backend: str
) -> None:
    """A PostgreSQL restart (or an administrator) ends the pooled connections; the next
    calls get new ones instead of failing."""
    if backend != "postgres":
        pytest.skip("SQLite has no server to close connections")
    async with store.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()
    other = await admin(postgres_server_url())
    try:
        await other.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()
    await asyncio.sleep(0.2)  # the socket's close reaches the event loop
    for _ in range(3):
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
