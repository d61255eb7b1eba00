"""Ready means ready, and a dead bot leaves no screening worker behind.

/readyz stays 503 until the screening engine has answered its warm-up scan, so the first
message after it turns 200 does not wait for a worker to load its model. Worker processes end
with their parent even when it is SIGKILLed (nothing runs in the bot then to stop them).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from services.screening_pipeline import ScreeningPipeline
from tests.conftest import BotFactory
from tests.harness.process import BotProcess, bot_env
from tests.teams import FACILITATOR


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 120.0) -> None:  # noqa: ASYNC109
    """Wait for a condition with a generous bound (the machine may be heavily loaded)."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_readyz_is_503_until_the_screening_engine_has_answered_a_warm_up_scan(
    start_bot: BotFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    warm_up = ScreeningPipeline.warm_up

    async def held_warm_up(self: ScreeningPipeline, pause: float = 1.0) -> None:
        await gate.wait()  # the test decides when the warm-up scan may start
        await warm_up(self, pause)

    monkeypatch.setattr(ScreeningPipeline, "warm_up", held_warm_up)
    bot = await start_bot(screening_processes=1)

    for _ in range(3):
        status, body = await bot.get("/readyz")
        assert status == 503, body
        assert body == {"ready": False, "database": True, "study": True, "retention": "none",
                        "undelivered": 0}
        await asyncio.sleep(0.05)
    assert (await bot.get("/healthz"))[0] == 200  # alive, just not ready

    gate.set()

    async def ready() -> bool:
        return (await bot.get("/readyz"))[0] == 200

    await eventually(ready)
    assert (await bot.get("/readyz"))[1] == {"ready": True, "database": True, "study": True,
                                             "retention": "none", "undelivered": 0}


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return None if fields[0] == "Z" else int(fields[1])  # a zombie has already exited


def _descendants(root: int) -> set[int]:
    parents = {int(p.name): _parent_of(int(p.name)) for p in Path("/proc").iterdir()
               if p.name.isdigit()}
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.mark.slow
async def test_sigkill_of_the_bot_leaves_no_screening_worker_running(tmp_path: Path) -> None:
    env = bot_env(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", [FACILITATOR.aad],
                  SCREENING_PROCESSES="2")
    bot = BotProcess(env, ready_timeout=180)
    await bot.start(cold=True)  # ready = a worker has answered the warm-up scan
    try:
        assert bot.pid is not None
        workers = _descendants(bot.pid)
        assert workers, "the warm bot has no screening worker process"

        os.kill(bot.pid, signal.SIGKILL)  # the bot alone, not its process group

        async def all_gone() -> bool:
            return not any(_parent_of(pid) is not None for pid in workers)

        await eventually(all_gone, timeout=60)
    finally:
        await bot.kill()  # the whole group: nothing outlives a failed test either
