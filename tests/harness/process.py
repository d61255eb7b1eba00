"""The bot as a real operating-system process: start `python bot.py`, wait for /readyz, SIGKILL.

`BotProcess(env)` runs the bot from the repository root with a clean environment (local mode,
a free loopback port, LOG_LEVEL=WARNING). `start()` waits until GET /readyz answers 200;
`kill()` sends SIGKILL to the whole process group (the bot and any screening worker it
spawned); `stop()` sends SIGTERM and waits; `restart()` starts it again on a new port.

With a `ForkServer` the process is forked from one that has already imported the bot (see
`forkserver.py`) and then runs `bot.main()`. That removes the ~4 s import of the screening
engine from each restart; everything from reading the settings and opening the database on is
the normal start-up. `start(cold=True)` always runs `python bot.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(database_url: str, facilitator_ids: list[str], **extra: str) -> dict[str, str]:
    """A clean environment for the bot: nothing inherited that names app ids or databases."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().startswith(("microsoftapp", "database_url", "study_file", "port",
                                        "facilitator_ids", "reminder_", "scheduler_",
                                        "screening_", "log_level"))}
    env.update({
        "DATABASE_URL": database_url,
        "FACILITATOR_IDS": ",".join(facilitator_ids),
        "MicrosoftAppId": "",
        "SCHEDULER_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


class BotDied(Exception):
    """The bot process exited before it became ready."""


class ForkServer:
    """Hands out bot processes forked from one process that has already imported the bot."""

    def __init__(self, env: dict[str, str], stderr_path: Path | None = None) -> None:
        self.env = env
        self.stderr_path = stderr_path
        self._server: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def _ensure(self) -> asyncio.subprocess.Process:
        if self._server is not None and self._server.returncode is None:
            return self._server
        with _stderr_to(self.stderr_path) as stderr:
            server = await asyncio.create_subprocess_exec(
                PYTHON, "-m", "tests.harness.forkserver", cwd=ROOT, env=self.env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
                start_new_session=True,
            )
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), 120)
        if line.strip() != b"ready":
            raise BotDied(f"fork server failed to start: {line!r}")
        self._server = server
        return server

    async def warm(self) -> None:
        """Start the server now (it imports for a few seconds) rather than at the first fork."""
        async with self._lock:
            await self._ensure()

    async def fork(self, env: dict[str, str]) -> int:
        async with self._lock:
            server = await self._ensure()
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write((json.dumps(env) + "\n").encode())
            await server.stdin.drain()
            return int(await asyncio.wait_for(server.stdout.readline(), 30))

    async def close(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        if server.stdin is not None:
            server.stdin.close()
        try:
            await asyncio.wait_for(server.wait(), 10)
        except asyncio.TimeoutError:
            _killpg(server.pid, signal.SIGKILL)
            await server.wait()


@contextlib.contextmanager
def _stderr_to(path: Path | None) -> Iterator[Any]:
    """Where a child's stderr goes. The child gets its own copy of the file at spawn; ours is
    closed right after, or it would be left for the garbage collector (a ResourceWarning)."""
    if path is None:
        yield asyncio.subprocess.DEVNULL
        return
    with path.open("ab") as sink:
        yield sink


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _killpg(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class BotProcess:
    """One bot process at a time (restarts replace it); `url` is its base URL once started."""

    def __init__(self, env: dict[str, str], *, forks: ForkServer | None = None,
                 ready_timeout: float = 60.0, stderr_path: Path | None = None) -> None:
        self.env = env
        self.forks = forks
        self.ready_timeout = ready_timeout
        self.stderr_path = stderr_path
        self.process: asyncio.subprocess.Process | None = None  # a cold `python bot.py`
        self.pid: int | None = None
        self.port = 0
        self.url = ""
        self.started_in = 0.0  # seconds from spawn to /readyz 200
        self.cold_starts: list[float] = []
        self.forked_starts: list[float] = []

    @property
    def running(self) -> bool:
        if self.process is not None:
            return self.process.returncode is None
        return self.pid is not None and _alive(self.pid)

    async def start(self, *, cold: bool | None = None) -> BotProcess:
        """Start and wait for /readyz. Cold: `python bot.py`; else forked (if a server)."""
        assert not self.running, "already running"
        cold = self.forks is None if cold is None else cold
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**self.env, "PORT": str(self.port)}
        began = time.monotonic()
        if cold:
            with _stderr_to(self.stderr_path) as stderr:
                self.process = await asyncio.create_subprocess_exec(
                    PYTHON, "bot.py", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL, stderr=stderr, start_new_session=True,
                )
            self.pid = self.process.pid
        else:
            assert self.forks is not None
            self.process = None
            self.pid = await self.forks.fork(env)
        await self._wait_ready()
        self.started_in = time.monotonic() - began
        (self.cold_starts if cold else self.forked_starts).append(self.started_in)
        return self

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while True:
                if not self.running:
                    raise BotDied("bot exited before it was ready")
                with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                    async with http.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return
                if time.monotonic() > deadline:
                    await self.kill()
                    raise BotDied("bot not ready in time")
                await asyncio.sleep(0.05)

    async def _wait_dead(self, timeout: float) -> bool:  # noqa: ASYNC109
        if self.process is not None:
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except asyncio.TimeoutError:
                return False
            return True
        deadline = time.monotonic() + timeout
        while self.pid is not None and _alive(self.pid):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def kill(self) -> None:
        """SIGKILL, no warning: whatever was not committed is lost, as in a crash."""
        if self.pid is None:
            return
        _killpg(self.pid, signal.SIGKILL)
        if not await self._wait_dead(30):
            raise RuntimeError(f"process {self.pid} survived SIGKILL")

    async def stop(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """SIGTERM and wait (SIGKILL after `timeout`)."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        if not await self._wait_dead(timeout):
            await self.kill()
        _killpg(self.pid, signal.SIGKILL)  # any screening worker left behind

    async def restart(self, *, cold: bool | None = None) -> BotProcess:
        await self.kill()
        return await self.start(cold=cold)


async def post_json(http: aiohttp.ClientSession, url: str, activity: dict[str, Any]
                    ) -> tuple[int, Any]:
    """POST an activity; (status, parsed body or text). Connection errors: status 0."""
    try:
        async with http.post(f"{url}/api/messages", data=json.dumps(activity),
                             headers={"Content-Type": "application/json"}) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text) if text else None
            except ValueError:
                return resp.status, text
    except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError) as exc:
        return 0, type(exc).__name__
