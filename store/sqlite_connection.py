"""aiosqlite connections that can be closed after they were told to stop.

Works around an interaction between SQLAlchemy 2.1 and aiosqlite 0.22.1 that leaves a task
waiting for ever. When a task is cancelled inside a database call, SQLAlchemy invalidates the
connection and closes it gracefully in a shielded task (``_terminate_graceful_close``). If the
cancelled task is cancelled a second time meanwhile (a shutdown does this), SQLAlchemy
force-closes the connection with ``Connection.stop()``. The graceful close then finishes by
calling ``stop()`` again and waiting for its answer; but the worker thread has already left on
the first stop, so nothing answers, and the task never ends. ``asyncio.run`` and aiohttp's
``run_app`` wait for every task at shutdown, so the process never exits.

Here a second ``stop()`` returns nothing to wait for: the first one already stops the thread.
And a ``stop()`` with no event loop running (a connection garbage-collected in synchronous
code) asks for no reply: aiosqlite would otherwise make its thread answer on whatever loop
``get_event_loop()`` gave, perhaps a closed one, and the thread dies with "Event loop is
closed". SQLAlchemy takes the connection from ``async_creator``, so the fix sits in one place.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial

import aiosqlite
from aiosqlite.core import _STOP_RUNNING_SENTINEL
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url


class StopOnceConnection(aiosqlite.Connection):
    """An aiosqlite connection whose worker thread is asked to stop at most once."""

    def stop(self) -> asyncio.Future[object] | None:
        if not self._running:
            return None
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._stop_without_reply()
            return None
        return super().stop()

    def _stop_without_reply(self) -> None:
        self._running = False

        def close_and_stop() -> object:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            return _STOP_RUNNING_SENTINEL

        self._tx.put_nowait((None, close_and_stop))


def sqlite_connector(database_url: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    """An ``async_creator`` for ``create_async_engine``, opening what the URL names.

    The file name and sqlite3 arguments come from SQLAlchemy's own dialect, so the URL means
    what it would mean without the creator.
    """
    args, kwargs = SQLiteDialect_aiosqlite().create_connect_args(make_url(database_url))
    connector = partial(sqlite3.connect, *args, **{"timeout": 10, **kwargs})

    async def connect() -> aiosqlite.Connection:
        connection = StopOnceConnection(connector, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy does: a hung query must not block exit
        return await connection

    return connect
