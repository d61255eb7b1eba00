"""Start-up: `python bot.py` on its defaults, clear one-line errors for bad settings or study."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from config import ConfigError, load_settings
from tests.conftest import BotFactory, RunningBot

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.lower().startswith(("microsoftapp", "database_url", "study_file", "port"))}
    env.update({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"})
    env.update(extra)
    return env


async def healthz_status(http: aiohttp.ClientSession, port: int) -> int | None:
    """/healthz's status once the process listens (None if it never did within the bound)."""
    deadline = time.monotonic() + 120  # a bound for a loaded machine, not a timing check
    while time.monotonic() < deadline:
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                return resp.status
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.2)
    return None


async def run_bot_process(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, stderr.decode()


@pytest.mark.slow
async def test_bot_starts_on_defaults_and_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path,
        env=clean_env(tmp_path, PORT=str(port)),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            assert await healthz_status(http, port) == 200
            ready_by = time.monotonic() + 120  # ready once the screening worker has warmed up
            while True:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
                    if resp.status == 200 or time.monotonic() > ready_by:
                        assert resp.status == 200
                        break
                await asyncio.sleep(0.2)
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, "SIGTERM should shut the bot down cleanly"
    assert "authentication is OFF" in stderr.decode()


@pytest.mark.slow
async def test_invalid_study_file_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    study = tmp_path / "study.yaml"
    study.write_text("title: A study\nconsent_statements: []\n")
    code, stderr = await run_bot_process(clean_env(tmp_path, STUDY_FILE=str(study)), tmp_path)
    assert code == 2
    lines = [line for line in stderr.strip().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("study error: study file")
    assert "study.yaml" in lines[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "eighty"), ("REMINDER_INTERVAL_MINUTES", "-5"), ("MicrosoftAppType", "Anyone"),
     ("DATABASE_URL", "mysql://nope")],
)
@pytest.mark.slow
async def test_invalid_setting_stops_start_up_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    code, stderr = await run_bot_process(clean_env(tmp_path, **{name: value}), tmp_path)
    assert code == 2
    assert stderr.strip().splitlines() == [stderr.strip()]
    assert f"invalid setting {name}" in stderr


@pytest.mark.slow
async def test_local_mode_refuses_a_network_address_with_one_clear_line(tmp_path: Path) -> None:
    """No app id means authentication is off: never on every interface by accident."""
    code, stderr = await run_bot_process(clean_env(tmp_path, HOST="0.0.0.0"), tmp_path)
    assert code == 2
    assert stderr.strip().splitlines() == [stderr.strip()]
    assert "invalid setting HOST: 0.0.0.0 is not a loopback address" in stderr
    assert "ALLOW_UNAUTHENTICATED=true" in stderr


@pytest.mark.parametrize(("host", "allowed"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.0.2.10", False),
    ("bot.example.org", False),
])
def test_which_hosts_local_mode_accepts(tmp_path: Path, host: str, allowed: bool) -> None:
    base = {"microsoft_app_id": "", "database_url": f"sqlite+aiosqlite:///{tmp_path}/b.db",
            "host": host, "_env_file": None}
    if allowed:
        assert load_settings(**base).listen_host == host
    else:
        with pytest.raises(ConfigError, match="invalid setting HOST"):
            load_settings(**base)
        assert load_settings(**base, allow_unauthenticated=True).listen_host == host
    # With an app id, authentication is on and any address is fine.
    assert load_settings(**{**base, "microsoft_app_id": "app"}).listen_host == host


@pytest.mark.slow
async def test_an_explicitly_allowed_unauthenticated_network_bind_warns_loudly(
    tmp_path: Path,
) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path,
        env=clean_env(tmp_path, PORT=str(port), HOST="0.0.0.0", ALLOW_UNAUTHENTICATED="true"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            assert await healthz_status(http, port) == 200
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert "UNAUTHENTICATED AND REACHABLE FROM THE NETWORK" in stderr.decode()
    assert f"0.0.0.0:{port}" in stderr.decode()


async def test_malformed_activities_get_4xx_not_500(bot: RunningBot) -> None:
    cases: list[tuple[str | bytes, dict[str, str] | None]] = [
        ("{not json", None),
        ("[1, 2, 3]", None),
        ('{"text": "no type"}', None),
        ('{"type": 5}', None),
        ('{"type": "message", "from": "not an object", "conversation": 3}', None),
        ("[" * 100_000 + "]" * 100_000, None),
        ('{"type": "message"}', {"Content-Type": "text/plain"}),
        (b"\xff\xfe\x00garbage", None),
    ]
    for body, headers in cases:
        status, _ = await bot.post(body, headers=headers)
        assert 400 <= status < 500, (body[:40], status)
    status, _ = await bot.post("x" * (300 * 1024))
    assert status == 413
    await bot.wait_ready()  # /readyz 200 once the screening engine is warm


async def test_database_down_answers_503_and_acknowledges_nothing(
    start_bot: BotFactory, tmp_path: Path
) -> None:
    from bot import STORE
    from tests.teams import FACILITATOR, Teams

    bot = await start_bot()
    store = bot.app[STORE]
    await store.engine.dispose()
    db = tmp_path / "bot.db"
    db.rename(tmp_path / "moved.db")
    db.mkdir()  # the database path is now a directory: every connection fails
    status, _ = await bot.post(Teams("http://127.0.0.1:9/").command(FACILITATOR, "start"))
    assert status == 503
    assert (await bot.get("/readyz"))[0] == 503
