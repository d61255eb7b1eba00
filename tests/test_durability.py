"""Durability: the bot as a real process, killed with SIGKILL while messages are in flight.

Every message the bot acknowledged (2xx) must be in the store exactly once after the crash
(SQLite: WAL + synchronous=FULL, the row committed before the answer; PostgreSQL: committed
before the answer). Messages that were not acknowledged may or may not have made it: Teams
retries those, and a retry of a stored activity id stays a single row.

Per cycle: (re)start the process, re-deliver a few ids acknowledged in the previous cycle,
fire chat messages from consented participants at a steady concurrency, SIGKILL the process
after a random delay, then open the database directly and check. The first start and the last
restart are cold `python bot.py`; the restarts in between are forked from a process that has
already imported the bot (tests/harness/forkserver.py) so that 100 cycles take minutes, not
the ~5 s of imports each. DURABILITY_CYCLES / DURABILITY_PG_CYCLES change the counts,
DURABILITY_COLD=1 makes every restart cold, DURABILITY_SEED fixes the random kill moments.

A database that goes away (PostgreSQL: connections terminated and refused) answers 503 and
acknowledges nothing; the same activities re-sent after it is back are stored once each. (The
SQLite version is in test_startup.py.)
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from tests.connector_standin import ConnectorStandIn
from tests.harness.databases import admin, fresh_postgres, postgres_server_url, query
from tests.harness.process import BotProcess, ForkServer, bot_env, post_json
from tests.harness.scenario import start_live_session
from tests.teams import ALICE, BOB, FACILITATOR, Teams

pytestmark = pytest.mark.slow

SENDERS = 8  # concurrent requests in flight while the kill comes
KILL_AFTER = (0.05, 0.6)  # seconds after the burst starts
REDELIVER = 5


@dataclass
class Tally:
    cycles: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # activity id -> text
    unacknowledged: dict[str, str] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    redelivered: int = 0
    lost: int = 0
    duplicates: int = 0
    unacked_stored: int = 0
    kill_delays: list[float] = field(default_factory=list)

    def figures(self, name: str, bot: BotProcess, seconds: float) -> str:
        cold = bot.cold_starts
        forked = bot.forked_starts
        return (
            f"\n[durability {name}] kill cycles survived: {self.cycles}; acknowledged: "
            f"{len(self.acknowledged)}; lost: {self.lost}; duplicates: {self.duplicates}; "
            f"re-delivered acknowledged ids: {self.redelivered}; unacknowledged sent: "
            f"{len(self.unacknowledged)} (of which stored anyway: {self.unacked_stored}); "
            f"statuses: {dict(sorted(self.statuses.items()))}; start-up to /readyz: cold "
            f"{_mean(cold):.2f} s (n={len(cold)}), forked {_mean(forked):.2f} s "
            f"(n={len(forked)}); total {seconds:.1f} s"
        )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(line)


def _ids(prefix: str) -> Iterator[str]:
    n = 0
    while True:
        yield f"{prefix}-{n}"
        n += 1


async def _burst(http: aiohttp.ClientSession, bot: BotProcess, teams: Teams, cycle: int,
                 delay: float, tally: Tally) -> dict[str, str]:
    """Send until the process is killed `delay` s in; returns this cycle's acknowledged ids."""
    stop = asyncio.Event()
    acked: dict[str, str] = {}
    url = bot.url

    async def sender(worker: int) -> None:
        user = ALICE if worker % 2 else BOB
        for activity_id in _ids(f"c{cycle}w{worker}"):
            if stop.is_set():
                return
            text = f"durability {activity_id}: the workload point, again"
            status, error = await post_json(http, url, teams.chat(user, text, activity_id))
            if status == 0 and error == "ClientConnectorError":
                return  # refused: the process is already gone, nothing was sent
            tally.statuses[status] += 1
            if 200 <= status < 300:
                acked[activity_id] = text
            else:
                tally.unacknowledged[activity_id] = text

    senders = [asyncio.create_task(sender(w)) for w in range(SENDERS)]
    await asyncio.sleep(delay)
    await bot.kill()
    stop.set()
    await asyncio.gather(*senders)
    return acked


async def _check(database_url: str, tally: Tally) -> None:
    """The store after a crash: every acknowledged id once, with its text; none twice."""
    rows = await query(database_url, "SELECT session_id, activity_id, text, kept FROM messages")
    counts = Counter((r.session_id, r.activity_id) for r in rows)
    per_id = Counter(r.activity_id for r in rows)
    text_of = {r.activity_id: r.text for r in rows}
    tally.duplicates = sum(n - 1 for n in counts.values() if n > 1)
    lost = [a for a in tally.acknowledged if per_id[a] == 0]
    tally.lost = len(lost)
    wrong = [a for a, text in tally.acknowledged.items()
             if per_id[a] == 1 and text_of[a] != text]
    tally.unacked_stored = sum(1 for a in tally.unacknowledged if per_id[a])
    assert not lost, f"acknowledged but not stored: {lost[:10]} ({len(lost)})"
    assert tally.duplicates == 0, [k for k, n in counts.items() if n > 1][:10]
    assert all(per_id[a] == 1 for a in tally.acknowledged)
    assert not wrong, f"stored text differs: {wrong[:5]}"
    assert all(r.kept for r in rows if r.activity_id in tally.acknowledged)


async def _redeliver(http: aiohttp.ClientSession, bot: BotProcess, teams: Teams,
                     sample: dict[str, str], tally: Tally) -> None:
    """Teams retries: the same activity id again after the restart stays one row."""
    for activity_id, text in sample.items():
        worker = int(activity_id.split("w", 1)[1].split("-", 1)[0])
        user = ALICE if worker % 2 else BOB  # as in _burst
        status, _ = await post_json(http, bot.url, teams.chat(user, text, activity_id))
        assert 200 <= status < 300, status
        tally.redelivered += 1


async def kill_cycles(database_url: str, cycles: int, connector: ConnectorStandIn,
                      log_dir: Path, seed: int) -> tuple[Tally, BotProcess, float]:
    began = time.monotonic()
    rng = random.Random(seed)
    all_cold = os.environ.get("DURABILITY_COLD") == "1"
    teams = Teams(connector.url)
    env = bot_env(database_url, [FACILITATOR.aad], SCREENING_PROCESSES="0")
    stderr = log_dir / "bot-stderr.log"
    forks = ForkServer(env, stderr)
    bot = BotProcess(env, forks=forks, stderr_path=stderr)
    tally = Tally()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                 timeout=aiohttp.ClientTimeout(total=30))
    try:
        await asyncio.gather(bot.start(cold=True), forks.warm())

        async def post(activity: dict[str, Any]) -> tuple[int, Any]:
            return await post_json(http, bot.url, activity)

        await start_live_session(post, connector, teams, (ALICE, BOB))
        previous: dict[str, str] = {}
        for cycle in range(cycles):
            if cycle:
                await bot.start(cold=all_cold)
                sample = dict(rng.sample(sorted(previous.items()),
                                         min(REDELIVER, len(previous))))
                await _redeliver(http, bot, teams, sample, tally)
            delay = rng.uniform(*KILL_AFTER)
            tally.kill_delays.append(delay)
            previous = await _burst(http, bot, teams, cycle, delay, tally)
            tally.acknowledged.update(previous)
            await _check(database_url, tally)
            tally.cycles += 1
        # One last cold restart on the crashed database: it serves, and retries stay single.
        await bot.start(cold=True)
        await _redeliver(http, bot, teams, dict(list(previous.items())[:REDELIVER]), tally)
        status, _ = await post(teams.chat(ALICE, "after the last crash", "final-1"))
        assert status == 201
        tally.acknowledged["final-1"] = "after the last crash"
        await bot.stop()
        await _check(database_url, tally)
    finally:
        await bot.kill()
        await forks.close()
        await http.close()
    return tally, bot, time.monotonic() - began


def _seed() -> int:
    return int(os.environ.get("DURABILITY_SEED") or random.SystemRandom().randrange(1 << 30))


async def test_kill_9_at_random_moments_on_sqlite_loses_no_acknowledged_message(
    tmp_path: Path, connector: ConnectorStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    cycles = int(os.environ.get("DURABILITY_CYCLES", "100"))
    seed = _seed()
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    tally, bot, seconds = await kill_cycles(url, cycles, connector, tmp_path, seed)
    _report(capsys, tally.figures(f"sqlite seed={seed}", bot, seconds))
    assert tally.cycles == cycles
    assert tally.lost == 0 and tally.duplicates == 0
    assert len(tally.acknowledged) > cycles  # the kills really came mid-stream
    assert tally.unacknowledged, "no request was cut off by a kill"
    assert set(tally.statuses) <= {0, 201}, tally.statuses


@pytest.mark.postgres
async def test_kill_9_at_random_moments_on_postgres_loses_no_acknowledged_message(
    tmp_path: Path, connector: ConnectorStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    base = postgres_server_url()
    cycles = int(os.environ.get("DURABILITY_PG_CYCLES", "20"))
    seed = _seed()
    async with fresh_postgres(base, "fgkill") as url:
        tally, bot, seconds = await kill_cycles(url, cycles, connector, tmp_path, seed)
    _report(capsys, tally.figures(f"postgresql seed={seed}", bot, seconds))
    assert tally.cycles == cycles
    assert tally.lost == 0 and tally.duplicates == 0
    assert len(tally.acknowledged) > cycles
    assert set(tally.statuses) <= {0, 201}, tally.statuses


# ---- the database goes away -----------------------------------------------------------------


async def _cut(base: str, database: str) -> None:
    """Refuse new connections to `database` and end the ones open: the database is down."""
    conn = await admin(base)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", database)
    finally:
        await conn.close()


async def _restore(base: str, database: str) -> None:
    conn = await admin(base)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_postgres_down_answers_503_acknowledges_nothing_and_retries_store_once(
    tmp_path: Path, connector: ConnectorStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    base = postgres_server_url()
    teams = Teams(connector.url)
    async with fresh_postgres(base, "fgdown") as url:
        database = make_url(url).database or ""
        env = bot_env(url, [FACILITATOR.aad], SCREENING_PROCESSES="0")
        bot = BotProcess(env, stderr_path=tmp_path / "bot-stderr.log")
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        try:
            await bot.start()

            async def post(activity: dict[str, Any]) -> tuple[int, Any]:
                return await post_json(http, bot.url, activity)

            await start_live_session(post, connector, teams, (ALICE,))
            sent: dict[str, int] = {}
            texts = {f"up-{n}": f"before the outage {n}" for n in range(10)}
            for activity_id, text in texts.items():
                sent[activity_id], _ = await post(teams.chat(ALICE, text, activity_id))
            assert set(sent.values()) == {201}

            # A stream in flight while the database goes away, then requests while it is down.
            stream: dict[str, int] = {}

            async def sender(worker: int) -> None:
                for n in range(40):
                    activity_id = f"mid-{worker}-{n}"
                    texts[activity_id] = f"during the outage {worker} {n}"
                    stream[activity_id], _ = await post(
                        teams.chat(ALICE, texts[activity_id], activity_id))
                    await asyncio.sleep(0.01)

            senders = [asyncio.create_task(sender(w)) for w in range(4)]
            await asyncio.sleep(0.15)
            await _cut(base, database)
            await asyncio.gather(*senders)
            down: dict[str, int] = {}
            for n in range(20):
                activity_id = f"down-{n}"
                texts[activity_id] = f"while down {n}"
                down[activity_id], _ = await post(teams.chat(ALICE, texts[activity_id],
                                                             activity_id))
            ready_status = (await _get(http, f"{bot.url}/readyz"))
            assert set(down.values()) == {503}, Counter(down.values())
            assert ready_status == 503
            assert set(stream.values()) <= {201, 503}, Counter(stream.values())

            await _restore(base, database)
            deadline = time.monotonic() + 30
            while await _get(http, f"{bot.url}/readyz") != 200:
                assert time.monotonic() < deadline, "not ready after the database came back"
                await asyncio.sleep(0.1)

            rows = await query(url, "SELECT activity_id FROM messages")
            stored = Counter(r.activity_id for r in rows)
            refused = [a for a, s in {**stream, **down}.items() if s == 503]
            acked = [a for a, s in {**sent, **stream}.items() if s == 201]
            assert all(stored[a] == 1 for a in acked), "an acknowledged message was lost"
            assert not any(stored[a] for a in down), "a 503 while down was stored"
            refused_but_stored = sum(1 for a in refused if stored[a])

            # Teams retries what got 503: each is then stored exactly once.
            for activity_id in refused:
                status, _ = await post(teams.chat(ALICE, texts[activity_id], activity_id))
                assert status == 201
            rows = await query(url, "SELECT activity_id FROM messages")
            stored = Counter(r.activity_id for r in rows)
            assert all(stored[a] == 1 for a in [*acked, *refused])
            assert max(stored.values()) == 1
        finally:
            await bot.stop()
            await http.close()
    _report(capsys, (
        f"\n[database down, postgresql] before: 10 x 201; in flight at the cut: "
        f"{Counter(stream.values())} (503 but stored anyway: {refused_but_stored}, "
        f"a commit whose answer was lost, de-duplicated on retry); while down: "
        f"{Counter(down.values())}; after recovery {len(refused)} retries stored once each"
    ))


async def _get(http: aiohttp.ClientSession, url: str) -> int:
    try:
        async with http.get(url) as resp:
            return resp.status
    except aiohttp.ClientError:
        return 0
