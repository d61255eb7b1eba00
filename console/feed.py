"""Tell open consoles when what they show has changed.

Changes come from everywhere (a consent click, the screening worker, a flag card click, another
instance of the bot), so rather than hook each of them, one task (bot.py runs `check_once`)
asks the database for a fingerprint of each session someone is watching, once a second, and
wakes that session's streams when it changes. One query per watched session per second,
whatever the number of open consoles; the browsers themselves never poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Fingerprint = Callable[[str], Awaitable[tuple[Any, ...]]]


class ChangeFeed:
    def __init__(self, fingerprint: Fingerprint) -> None:
        self._fingerprint = fingerprint
        self._watchers: dict[str, set[asyncio.Event]] = {}
        self._last: dict[str, tuple[Any, ...]] = {}

    def watch(self, session_id: str) -> asyncio.Event:
        event = asyncio.Event()
        self._watchers.setdefault(session_id, set()).add(event)
        return event

    def unwatch(self, session_id: str, event: asyncio.Event) -> None:
        watchers = self._watchers.get(session_id)
        if watchers is None:
            return
        watchers.discard(event)
        if not watchers:
            del self._watchers[session_id]
            self._last.pop(session_id, None)

    def changed(self, session_id: str) -> None:
        """Wake a session's streams now (after an action taken in the console)."""
        for event in self._watchers.get(session_id, ()):
            event.set()

    async def check_once(self) -> None:
        for session_id in list(self._watchers):
            current = await self._fingerprint(session_id)
            if self._last.get(session_id) != current:
                # A new watcher's first fingerprint wakes it too: its stream drew the state
                # before this baseline was taken, and a change in between would otherwise
                # never be pushed (a consent given while the page was opening stayed unseen).
                self.changed(session_id)
                self._last[session_id] = current
