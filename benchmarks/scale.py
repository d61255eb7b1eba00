"""Scale-out: acknowledged chat messages per second from one bot instance and from two.

    .venv/bin/python benchmarks/scale.py [--seconds 15] [--concurrency 64] [--sessions 8]
        [--participants 3] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
        [--screening-processes 0] [--skip-sqlite]

Phases, each on a fresh database with N live sessions (one meeting chat each, every
participant consented): (1) one instance on SQLite (reference), (2) one instance on
PostgreSQL, (3) two instances on the same PostgreSQL database behind the round-robin proxy of
tests/harness/proxy.py. A loader (aiohttp, `--concurrency` requests in flight) posts plain
meeting-chat messages at the maximum rate for `--seconds` after a 2 s warm-up, ~10% of them
identifying (so the scanner flags them and the outbox sends flag cards to the local Bot
Connector stand-in). It prints acknowledged msg/s, p50/p99 acknowledgement latency and non-2xx
answers per phase, then the ratio two/one on PostgreSQL. Everything is on 127.0.0.1; bot
processes are forked from one that has imported the bot (tests/harness/forkserver.py) and
stopped at the end; PostgreSQL databases are created and dropped. The loader, the proxy and
the instances share the machine, so on a small machine the ratio measures contention rather
than what a second host would add: the core count is printed with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.connector_standin import ConnectorStandIn, start_connector  # noqa: E402
from tests.harness.databases import fresh_postgres, query  # noqa: E402
from tests.harness.process import BotProcess, ForkServer, bot_env, post_json  # noqa: E402
from tests.harness.proxy import RoundRobinProxy  # noqa: E402
from tests.harness.scenario import start_live_session  # noqa: E402
from tests.teams import FACILITATOR, Teams, User  # noqa: E402

HARMLESS = [
    "I agree with that point about workload",
    "For me the rota changes were the hardest part of the year",
    "We mostly talked about it in team meetings rather than one to one",
    "It depends on the manager, some were more supportive than others",
    "I think the training helped, but it came too late",
]
IDENTIFYING = [
    "I visited Kayden Smith at 14 Oak Road, Norwich NR4 7TJ",
    "My neighbour Priya Sharma lives at 12 Leeds Road, Bradford BD1 4AB",
    "You can ring Tom Baker on 07700 900123 about it",
]
WARM_UP = 2.0


class Load:
    def __init__(self, sessions: list[tuple[Teams, list[User]]], seed: int = 7) -> None:
        self.sessions = sessions
        self.rng = random.Random(seed)
        self.n = 0

    def next(self) -> dict[str, Any]:
        teams, people = self.sessions[self.rng.randrange(len(self.sessions))]
        identifying = self.rng.random() < 0.10
        text = self.rng.choice(IDENTIFYING if identifying else HARMLESS)
        self.n += 1
        return teams.chat(self.rng.choice(people), text, activity_id=f"scale-{self.n}")


async def _setup_sessions(post: Any, connector: ConnectorStandIn, count: int,
                          participants: int) -> list[tuple[Teams, list[User]]]:
    sessions = []
    for s in range(count):
        teams = Teams(connector.url, f"19:meeting_scale{s:03d}@thread.v2")
        people = [User(f"Person {s}-{p}", f"cccccccc-{s:04d}-4000-8000-{p:012d}")
                  for p in range(participants)]
        await start_live_session(post, connector, teams, tuple(people))
        sessions.append((teams, people))
    return sessions


async def _drive(url: str, load: Load, seconds: float, concurrency: int) -> dict[str, Any]:
    """Post at the maximum rate; count what was acknowledged inside the measured window."""
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    acked = 0
    start = time.monotonic()
    measure_from = start + WARM_UP
    end = measure_from + seconds
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=timeout) as http:
        async def worker() -> None:
            nonlocal acked
            while time.monotonic() < end:
                activity = load.next()
                began = time.monotonic()
                status, _ = await post_json(http, url, activity)
                done = time.monotonic()
                if began >= measure_from and done <= end:
                    statuses[status] += 1
                    latencies.append(done - began)
                    if 200 <= status < 300:
                        acked += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    latencies.sort()
    return {
        "rate": acked / seconds,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else 0.0,
        "statuses": dict(statuses),
    }


async def _phase(name: str, database_url: str, instances: int, args: argparse.Namespace,
                 connector: ConnectorStandIn, forks: ForkServer) -> dict[str, Any]:
    env = bot_env(database_url, [FACILITATOR.aad],
                  SCREENING_PROCESSES=str(args.screening_processes))
    bots = [BotProcess(env, forks=forks) for _ in range(instances)]
    proxy: RoundRobinProxy | None = None
    try:
        for bot in bots:  # one at a time: the first applies the migrations
            await bot.start()
        if instances > 1:
            proxy = await RoundRobinProxy(lambda: [b.url for b in bots]).start()
            url = proxy.url
        else:
            url = bots[0].url
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            async def post(activity: dict[str, Any]) -> tuple[int, Any]:
                return await post_json(http, url, activity)

            sessions = await _setup_sessions(post, connector, args.sessions, args.participants)
        result = await _drive(url, Load(sessions), args.seconds, args.concurrency)
        stored = await query(database_url, "SELECT count(*) AS n FROM messages "
                                           "WHERE activity_id LIKE 'scale-%'")
        result["stored"] = stored[0].n
        if proxy is not None:
            result["per_instance"] = sorted(proxy.forwarded.values())
    finally:
        if proxy is not None:
            await proxy.close()
        await asyncio.gather(*(b.stop() for b in bots))
    print(f"{name:<34} {result['rate']:8.1f} msg/s   p50 {result['p50_ms']:6.1f} ms   "
          f"p99 {result['p99_ms']:7.1f} ms   answers {result['statuses']}", flush=True)
    return result


async def main(args: argparse.Namespace) -> int:
    began = time.monotonic()
    connector, runner = await start_connector()
    forks: ForkServer | None = None
    try:
        env = bot_env("sqlite+aiosqlite:///unused.db", [FACILITATOR.aad])
        forks = ForkServer(env)
        await forks.warm()
        print(f"scale benchmark: {os.cpu_count()} CPU cores, {args.sessions} sessions x "
              f"{args.participants} participants, concurrency {args.concurrency}, "
              f"{args.seconds:.0f} s measured per phase (after {WARM_UP:.0f} s warm-up), "
              f"~10% identifying", flush=True)
        if not args.skip_sqlite:
            with tempfile.TemporaryDirectory() as tmp:
                await _phase("1 instance, SQLite (reference)",
                             f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}", 1, args,
                             connector, forks)
        async with fresh_postgres(args.postgres, "fgscale") as url:
            one = await _phase("1 instance, PostgreSQL", url, 1, args, connector, forks)
        async with fresh_postgres(args.postgres, "fgscale") as url:
            two = await _phase("2 instances + proxy, PostgreSQL", url, 2, args, connector,
                               forks)
        ratio = two["rate"] / one["rate"] if one["rate"] else float("nan")
        print(f"ratio two/one instances (PostgreSQL): {ratio:.2f}  "
              f"(requests per instance {two.get('per_instance')}; "
              f"{os.cpu_count()} cores shared by loader, proxy, bots and PostgreSQL); "
              f"total {time.monotonic() - began:.0f} s", flush=True)
    finally:
        if forks is not None:
            await forks.close()
        await runner.cleanup()
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--participants", type=int, default=3)
    parser.add_argument("--screening-processes", type=int, default=0)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--postgres", default=os.environ.get(
        "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"))
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse_args())))
