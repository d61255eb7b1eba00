"""Group commit: concurrent writes of one kind share a transaction, and each caller still
returns only after its own row is committed.

Under load, most of the cost of acknowledging a chat message is the transaction around it
(on SQLite, one writer at a time and an fsync per commit). Here the first caller starts a
flush of everything queued; callers arriving while it runs wait for the next flush, which
takes all of them at once. With one caller at a time nothing waits: a flush of one.

If a shared transaction fails, its items are retried one transaction each, so one bad item
fails alone and the others are stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        write: Callable[[Sequence[Item]], Awaitable[list[Result]]],
        *,
        retry_alone: Callable[[Exception], bool] = lambda _: True,
        max_batch: int = 256,
    ) -> None:
        """`write(items)` stores the items in one transaction and returns one result each.

        When it fails, `retry_alone(error)` says whether the error may belong to one item
        (a constraint, a value the database refuses) and each should be tried alone; if not
        (the database is down), every caller gets the error at once."""
        self._write = write
        self._retry_alone = retry_alone
        self._max_batch = max_batch
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Store `item` (with whatever else is queued); returns once it is committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all(), name="group-commit")
        return await future

    async def close(self) -> None:
        """Let the flush in progress finish (at most 10 s), so a shutdown does not cut off
        rows whose callers are waiting for them."""
        if self._flusher is not None and not self._flusher.done():
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(10):
                    await asyncio.shield(self._flusher)

    async def _flush_all(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: len(batch)]
            await self._flush(batch)

    async def _flush(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1 or not self._retry_alone(exc):
                for _, future in batch:
                    _settle(future, error=exc)
                return
            log.warning("group commit failed; retrying one by one",
                        extra={"error": type(exc).__name__, "count": len(batch)})
            for entry in batch:
                await self._flush([entry])
            return
        except BaseException as exc:  # cancelled at shutdown: callers must not hang
            for _, future in batch:
                _settle(future, error=exc)
            raise
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(future: asyncio.Future[Result], *, result: Result | None = None,
            error: BaseException | None = None) -> None:
    if future.done():  # the caller gave up (cancelled); its item may still have been stored
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
