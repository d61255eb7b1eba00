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
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("bot")


def cancel_requested() -> bool:
    """Whether the current task has been asked to stop (Task.cancel() not yet undone)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def repeat(round_: Callable[[], Awaitable[object]], every_seconds: float,
                 failure: str) -> None:
    """Run `round_` for ever, `every_seconds` apart; a failed round is logged as `failure`
    (error type only) and the next one runs, until the task is cancelled."""
    while True:
        try:
            await round_()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if cancel_requested():
                raise asyncio.CancelledError from exc
            log.warning(failure, extra={"error": type(exc).__name__})
        await asyncio.sleep(every_seconds)


async def stop(task: asyncio.Task[Any], grace_seconds: float = 10.0) -> None:
    """Cancel a background task and wait for it, but never let shutdown hang on it."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=grace_seconds)
    if not done:
        log.warning("background task did not stop in time", extra={"task": task.get_name()})
        return
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()
