"""Background loops stop when cancelled, even when the cancellation surfaces as an ordinary
error from inside a database call (which they would otherwise log and carry on from)."""

from __future__ import annotations

import asyncio
from typing import Any

import resources


class SwallowingSessions:
    """A reminders round whose database call turns a cancellation into its own error."""

    def __init__(self) -> None:
        self.rounds = 0

    async def run_due_reminders(self) -> int:
        self.rounds += 1
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("connection closed while a query was running") from None
        return 0


async def test_the_reminder_loop_stops_when_cancelled_inside_a_round() -> None:
    services: Any = type("Services", (), {"sessions": SwallowingSessions()})()
    task = asyncio.create_task(resources.reminder_loop(services, every_seconds=0.01))
    await asyncio.sleep(0.05)  # inside its first round
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done and task.cancelled()
    assert services.sessions.rounds == 1
