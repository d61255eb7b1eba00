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
And the thread's reply to a ``stop()`` goes to the loop that asked, and only while that loop is
open: aiosqlite replies to whatever loop ``get_event_loop()`` gave, also when nobody awaits
the reply (SQLAlchemy's force close, garbage collection), and its thread dies with "Event loop
is closed" when that loop has closed meanwhile. SQLAlchemy takes the connection from
``async_creator``, so the fix sits in one place.

The same holds for the answer to an ordinary call: a query still running when its loop closes
(a test's loop, at the end of the test) answers a closed loop, and aiosqlite's worker thread
then dies with "Event loop is closed". Here the worker drops an answer nobody can receive.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from threading import Thread
from typing import Any

import aiosqlite
from aiosqlite.core import _STOP_RUNNING_SENTINEL, _TxQueue, set_exception, set_result
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import make_url


class StopOnceConnection(aiosqlite.Connection):
    """An aiosqlite connection whose worker thread is asked to stop at most once, and which
    never answers a closed loop."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._thread = Thread(target=_worker, args=(self._tx,))

    def stop(self) -> asyncio.Future[None] | None:
        if not self._running:
            return None
        self._running = False
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # garbage collection outside the loop: nobody waits
            loop = None
        future = loop.create_future() if loop is not None else None

        def close_and_stop() -> object:
            if self._connection is not None:
                with contextlib.suppress(sqlite3.Error):  # the thread must leave regardless
                    self._connection.close()
                self._connection = None
            if loop is not None and future is not None:
                with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                    loop.call_soon_threadsafe(_resolve, future)
            return _STOP_RUNNING_SENTINEL

        self._tx.put_nowait((None, close_and_stop))
        return future


def _worker(tx: _TxQueue) -> None:
    """aiosqlite's worker loop, except that an answer for a loop that has closed is dropped."""
    while True:
        future, function = tx.get()
        try:
            result = function()
        except BaseException as exc:  # handed to the caller, as aiosqlite does
            _answer(future, set_exception, exc)
            continue
        _answer(future, set_result, result)
        if result is _STOP_RUNNING_SENTINEL:
            break


def _answer(future: asyncio.Future[Any] | None, setter: Callable[..., None], value: object) -> None:
    if future is None:
        return
    with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits for this
        future.get_loop().call_soon_threadsafe(setter, future, value)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


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
