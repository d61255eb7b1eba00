"""Group commit: callers that arrive together share one write, and each gets its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from store.group_commit import GroupCommit


class Database:
    """A fake write: records each batch; an item "bad" fails the batch it is in."""

    def __init__(self, down: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.down = down

    async def write(self, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        await asyncio.sleep(0.01)
        if self.down:
            raise ConnectionRefusedError("database down")
        if "bad" in items:
            raise ValueError("bad row")
        return [f"stored {item}" for item in items]


async def test_concurrent_callers_share_writes_and_get_their_own_results() -> None:
    database = Database()
    group = GroupCommit(database.write)
    first = asyncio.create_task(group.submit("a"))
    await asyncio.sleep(0)  # "a" is being written; the rest arrive meanwhile
    rest = [group.submit(x) for x in "bcdef"]
    results = await asyncio.gather(first, *rest)
    assert results == [f"stored {x}" for x in "abcdef"]
    assert database.batches == [["a"], ["b", "c", "d", "e", "f"]]


async def test_one_bad_item_fails_alone() -> None:
    database = Database()
    group = GroupCommit(database.write)
    results = await asyncio.gather(*(group.submit(x) for x in ["a", "bad", "c"]),
                                   return_exceptions=True)
    assert results[0] == "stored a" and results[2] == "stored c"
    assert isinstance(results[1], ValueError)
    assert database.batches == [["a", "bad", "c"], ["a"], ["bad"], ["c"]]


async def test_a_database_that_is_down_fails_everyone_at_once() -> None:
    database = Database(down=True)
    group = GroupCommit(database.write,
                        retry_alone=lambda exc: not isinstance(exc, ConnectionError))
    results = await asyncio.gather(*(group.submit(x) for x in "abc"), return_exceptions=True)
    assert all(isinstance(r, ConnectionRefusedError) for r in results)
    assert database.batches == [["a", "b", "c"]]  # not retried one by one


async def test_a_caller_that_gives_up_does_not_disturb_the_others() -> None:
    database = Database()
    group = GroupCommit(database.write)
    quitter = asyncio.create_task(group.submit("q"))
    others = [asyncio.create_task(group.submit(x)) for x in "xy"]
    await asyncio.sleep(0)
    quitter.cancel()
    assert await asyncio.gather(*others) == ["stored x", "stored y"]
    with pytest.raises(asyncio.CancelledError):
        await quitter
    await group.close()


async def test_batches_are_bounded() -> None:
    database = Database()
    group = GroupCommit(database.write, max_batch=4)
    await asyncio.gather(*(group.submit(str(n)) for n in range(10)))
    assert [len(b) for b in database.batches] == [4, 4, 2]
