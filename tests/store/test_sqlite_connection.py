"""A SQLite connection whose event loop has closed stops its thread quietly."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from pathlib import Path

import pytest

from store.sqlite_connection import sqlite_connector


def test_a_connection_collected_after_its_loop_closed_stops_without_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(sqlite_connector(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")())
    loop.close()
    thread = conn._thread
    monkeypatch.setattr(asyncio, "get_event_loop", lambda: loop)  # a closed loop is "current"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        del conn
        gc.collect()
    thread.join(5)
    assert not thread.is_alive()
    assert errors == []


def test_a_call_still_running_when_its_loop_closes_is_answered_to_nobody_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(sqlite_connector(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")())
    running = threading.Event()
    release = threading.Event()

    def slow_call() -> None:
        running.set()
        release.wait(5)

    conn._tx.put_nowait((loop.create_future(), slow_call))  # as Connection._execute queues it
    assert running.wait(5)
    loop.close()
    release.set()
    thread = conn._thread
    conn.stop()  # outside any loop: nobody waits for the answer either
    thread.join(5)
    assert not thread.is_alive()
    assert errors == []
