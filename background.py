"""Long-running background loops: telling a real failure from a shutdown.

Each loop (outbox, reminders, scanner, retention) catches `Exception` so that one failed
round does not end it. But a cancellation that arrives in the middle of a database call can
come out as an ordinary exception (the driver or SQLAlchemy's async bridge turns the
interrupted call into an error of its own), and the loop would then log "round failed" and
go on for ever: the task never ends, and shutdown waits on it (seen in the test suite as an
intermittent hang). Such a loop asks `cancel_requested()` before carrying on.
"""

from __future__ import annotations

import asyncio


def cancel_requested() -> bool:
    """Whether the current task has been asked to stop (Task.cancel() not yet undone)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
