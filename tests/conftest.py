"""Shared fixtures: the Bot Connector stand-in and the bot running over real HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot import create_app
from config import Settings
from observability import quiet_third_party_loggers
from services.clock import Clock, utcnow
from tests import hypothesis_profile
from tests.clock import ManualClock
from tests.connector_standin import ConnectorStandIn, start_connector
from tests.harness.databases import migrated_sqlite
from tests.teams import CO_FACILITATOR, FACILITATOR, Teams

# Property and fuzz tests draw the same examples on every run: see tests/hypothesis_profile.py.
HYPOTHESIS_PROFILE = hypothesis_profile.load()


@pytest.fixture(scope="session", autouse=True)
def hypothesis_draws_do_not_depend_on_import_timing() -> None:
    if HYPOTHESIS_PROFILE == "repeatable":
        hypothesis_profile.freeze_local_constants()


@pytest.fixture(autouse=True)
def log_everything() -> Iterator[None]:
    """Run every test with our loggers at DEBUG, so each log call is really formatted."""
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    quiet_third_party_loggers()
    yield
    root.setLevel(previous)


@pytest.fixture(autouse=True)
async def no_task_left_running() -> AsyncIterator[None]:
    """After a test and its fixtures, stop whatever tasks are still running, within 15 s.

    pytest-asyncio closes each test's loop by cancelling every task and waiting for all of
    them, without a limit: one task that never finishes hangs the whole run. Here a task that
    does not stop is printed with its stack (so it can be found) and detached from the loop,
    and the test fails, instead of the run hanging.
    """
    yield
    me = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not me and not task.done()]
    for task in left:
        task.cancel()
    if not left:
        return
    _, stuck = await asyncio.wait(left, timeout=15)
    for task in stuck:
        print(f"--- task still running 15 s after it was cancelled: {task.get_name()}",
              file=sys.stderr)
        task.print_stack(limit=20, file=sys.stderr)
        asyncio.tasks._unregister_task(task)
    if stuck:
        pytest.fail(f"{len(stuck)} task(s) would not stop: {[t.get_name() for t in stuck]}")


async def bounded_cleanup(runner: web.AppRunner, what: str, seconds: float = 30.0) -> None:
    """Stop a server, but never let a test run hang on it: say what was still running."""
    try:
        await asyncio.wait_for(runner.cleanup(), timeout=seconds)
    except asyncio.TimeoutError:
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                print(f"--- still running after {what} cleanup: {task.get_name()}",
                      file=sys.stderr)
                task.print_stack(limit=12, file=sys.stderr)
        pytest.fail(f"{what} did not shut down within {seconds:.0f} s")


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    standin, runner = await start_connector()
    yield standin
    await bounded_cleanup(runner, "connector stand-in")


@pytest.fixture
def teams(connector: ConnectorStandIn) -> Teams:
    return Teams(connector.url)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "microsoft_app_id": "",
        "microsoft_app_password": "",
        "database_url": f"sqlite+aiosqlite:///{migrated_sqlite(tmp_path / 'bot.db')}",
        "facilitator_ids": [FACILITATOR.aad],
        "reminder_interval_minutes": 30,
        "scheduler_poll_seconds": 0.05,
        "log_level": "DEBUG",
        # Screening in a thread of the test process, whose engine loads once per process; a
        # worker process per bot would load it again for every test. The worker processes
        # have their own tests (test_screening_lifecycle, test_unscreened, test_flags) and
        # the process harnesses run the bot with its defaults.
        "screening_processes": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class RunningBot:
    """The real aiohttp app on a loopback port, driven over HTTP like Teams drives it."""

    def __init__(self, settings: Settings, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self._app: web.Application | None = None
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> RunningBot:
        self._app = create_app(self.settings, clock=self.clock)
        self._runner = web.AppRunner(self._app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._http = aiohttp.ClientSession()
        return self

    @property
    def app(self) -> web.Application:
        """The application of the latest start (kept after a stop, so a test can read its
        store's state)."""
        assert self._app is not None, "the bot was never started"
        return self._app

    async def stop(self) -> None:
        if self._http:
            await self._http.close()
        if self._runner:
            await bounded_cleanup(self._runner, "bot")
        self._runner = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def post(self, activity: dict[str, Any] | str | bytes,
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        assert self._http is not None
        body = activity if isinstance(activity, str | bytes) else json.dumps(activity)
        async with self._http.post(
            f"{self.url}/api/messages",
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
        ) as resp:
            text = await resp.text()
            try:
                payload = json.loads(text) if text else None
            except ValueError:
                payload = text
            return resp.status, payload

    async def wait_ready(self, timeout: float = 180.0) -> RunningBot:  # noqa: ASYNC109
        """Wait until /readyz answers 200 (the screening engine has warmed up), as Teams'
        traffic would; a generous bound, the machine may be heavily loaded."""
        deadline = time.monotonic() + timeout
        while (await self.get("/readyz"))[0] != 200:
            assert time.monotonic() < deadline, "the bot did not become ready"
            await asyncio.sleep(0.05)
        return self

    async def get(self, path: str) -> tuple[int, Any]:
        assert self._http is not None
        async with self._http.get(f"{self.url}{path}") as resp:
            return resp.status, await resp.json()


BotFactory = Callable[..., Awaitable[RunningBot]]


@pytest.fixture
async def start_bot(tmp_path: Path) -> AsyncIterator[BotFactory]:
    running: list[RunningBot] = []

    async def factory(*, clock: Clock = utcnow, **overrides: Any) -> RunningBot:
        bot = await RunningBot(make_settings(tmp_path, **overrides), clock).start()
        running.append(bot)
        return bot

    yield factory
    for bot in running:
        await bot.stop()


@pytest.fixture
async def ready_bot(start_bot: BotFactory) -> RunningBot:
    """`bot`, once /readyz says it is ready (for tests about readiness itself)."""
    return await (await start_bot()).wait_ready()


@pytest.fixture
def clock() -> ManualClock:
    """Time for the bot under test that stands still until the test advances it."""
    return ManualClock()


@pytest.fixture
async def bot(start_bot: BotFactory) -> RunningBot:
    return await start_bot()


@pytest.fixture
async def flagbot(start_bot: BotFactory) -> RunningBot:
    """A bot whose facilitators are FACILITATOR and CO_FACILITATOR, screening in-process."""
    return await start_bot(facilitator_ids=[FACILITATOR.aad, CO_FACILITATOR.aad],
                           screening_processes=0)
