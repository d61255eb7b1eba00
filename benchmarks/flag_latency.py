"""Flag latency and throughput: the bot as a subprocess on loopback, a local Bot Connector.

    .venv/bin/python benchmarks/flag_latency.py [--db sqlite,postgres] [--rate 50] [--seconds 12]
        [--sessions 4] [--burst-rate 350] [--burst-seconds 5]

For each database it starts `bot.py` (local mode, 127.0.0.1 only) against a fresh database
(SQLite file in a temp dir; a throwaway PostgreSQL database on 127.0.0.1:5432, dropped after),
starts N sessions with consenting participants, then:
1. latency phase: R messages/s (open loop) over HTTP, ~10% identifying; prints acknowledgement
   p50/p99 and message -> flag card received by the facilitator's stand-in p50/p99;
2. throughput phase: a burst at a higher rate; prints acknowledged/s, scanned/s (until the
   backlog is empty) and checks nothing was lost (every message stored and scanned, one flag
   and one card per identifying message);
and the bot's peak RSS. Everything is bounded in time and talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.connector_standin import ConnectorStandIn, start_connector  # noqa: E402
from tests.teams import FACILITATOR, Teams, User  # noqa: E402

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "database": "postgres"}
IDENTIFYING = [
    "I visited Priya Sharma at 12 Leeds Road yesterday",
    "My manager at Oakfield Primary called 07700 900123",
    "Jamie Thompson from the Northfield estate told me about his son",
    "The family at 4 Mill Lane, Sheffield, were in court again",
]
HARMLESS = [
    "I agree with that point about workload",
    "For me supervision has been the most useful thing this year",
    "We had a similar experience with the referral process",
    "It depends a lot on the team and the manager",
    "Thanks, that is really helpful to hear",
    "I think the training could be more practical",
]
PARTICIPANTS = [User(f"Participant {i}", f"cccccccc-0000-4000-8000-{i:012d}") for i in range(1, 6)]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def walk(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


class Run:
    def __init__(self, label: str, database_url: str, args: argparse.Namespace) -> None:
        self.label = label
        self.database_url = database_url
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.sent_at: dict[str, float] = {}
        self.identifying: set[str] = set()
        self.acks: list[float] = []
        self.errors = 0

    async def start_bot(self, connector: ConnectorStandIn) -> None:
        port = _free_port()
        env = dict(os.environ, DATABASE_URL=self.database_url, PORT=str(port),
                   HOST="127.0.0.1", MicrosoftAppId="", FACILITATOR_IDS=FACILITATOR.aad,
                   LOG_LEVEL="WARNING", SCHEDULER_POLL_SECONDS="5",
                   REMINDER_INTERVAL_MINUTES="600")
        command = [sys.executable, str(ROOT / "bot.py")]
        self.proc = subprocess.Popen(  # noqa: ASYNC220 (once, before anything is timed)
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                try:
                    async with http.get(f"{self.url}/readyz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()[-2000:])  # type: ignore
                await asyncio.sleep(0.2)
        raise RuntimeError("bot did not become ready")

    def peak_rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop_bot(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    async def post(self, http: aiohttp.ClientSession, activity: dict[str, Any]) -> float | None:
        started = time.monotonic()
        try:
            async with http.post(f"{self.url}/api/messages", data=json.dumps(activity),
                                 headers={"Content-Type": "application/json"}) as resp:
                await resp.read()
                if resp.status >= 300 and not (resp.status == 200 and activity["type"] == "invoke"):
                    self.errors += 1
                    return None
        except aiohttp.ClientError:
            self.errors += 1
            return None
        return time.monotonic() - started


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def setup_sessions(run: Run, connector: ConnectorStandIn, http: aiohttp.ClientSession,
                         sessions: int) -> list[Teams]:
    chats = [Teams(connector.url, f"19:meeting_bench{i}_{uuid.uuid4().hex[:8]}@thread.v2")
             for i in range(sessions)]
    for teams in chats:
        await run.post(http, teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: all(_consent_data(c, t.conversation_id) for t in chats),
                             timeout=30)
    for teams in chats:
        data = _consent_data(connector, teams.conversation_id)
        assert data is not None
        for user in PARTICIPANTS:
            await run.post(http, teams.card_action(user, "consent.accept", data))
    await asyncio.sleep(1.0)
    return chats


def _consent_data(connector: ConnectorStandIn, conversation_id: str) -> dict[str, Any] | None:
    for sent in connector.to(conversation_id):
        for card in sent.cards:
            nodes = walk(card)
            accept = next((n for n in nodes if isinstance(n, dict)
                           and n.get("verb") == "consent.accept"), None)
            if accept:
                toggles = [n["id"] for n in nodes if isinstance(n, dict)
                           and n.get("type") == "Input.Toggle"]
                return {**accept["data"], **{t: "true" for t in toggles}}
    return None


async def drive(run: Run, http: aiohttp.ClientSession, chats: list[Teams], rate: float,
                seconds: float, counter: list[int]) -> tuple[int, float]:
    """Open-loop load: message i is sent at start + i/rate, whatever the bot's pace."""
    total = int(rate * seconds)
    tasks = []
    start = time.monotonic()
    for i in range(total):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        n = counter[0]
        counter[0] += 1
        marker = f"{n:07d}"
        identifying = random.random() < 0.10
        template = random.choice(IDENTIFYING if identifying else HARMLESS)
        text = template.format(n=marker)
        teams = chats[n % len(chats)]
        user = PARTICIPANTS[n % len(PARTICIPANTS)]
        activity = teams.chat(user, text, activity_id=f"1764{marker}")
        run.sent_at[marker] = time.monotonic()
        if identifying:
            run.identifying.add(marker)
        tasks.append(asyncio.create_task(run.post(http, activity)))
    results = await asyncio.gather(*tasks)
    elapsed = time.monotonic() - start
    run.acks.extend(r for r in results if r is not None)
    return total, elapsed


async def card_arrivals(connector: ConnectorStandIn, database_url: str) -> dict[str, float]:
    """marker -> when the first flag card for that message reached the stand-in.

    A card carries its flag id in its actions' data; the database maps the flag to the
    message's activity id, which encodes the marker.
    """
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT flags.id, messages.activity_id FROM flags "
                "JOIN messages ON messages.id = flags.message_id"))).all()
    finally:
        await engine.dispose()
    marker_of = {flag_id: activity_id[-7:] for flag_id, activity_id in rows}
    arrivals: dict[str, float] = {}
    for sent in connector.sent:
        if sent.method != "POST" or not sent.cards:
            continue
        for node in walk(sent.cards):
            if isinstance(node, dict) and str(node.get("verb", "")).startswith("flag."):
                marker = marker_of.get(int(node["data"]["flag_id"]))
                if marker:
                    arrivals.setdefault(marker, sent.at)
                break
    return arrivals


async def db_counts(database_url: str) -> dict[str, int]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            out = {}
            for name, sql in {
                "messages": "SELECT count(*) FROM messages",
                "unscanned": "SELECT count(*) FROM messages WHERE scanned_at IS NULL",
                "flags": "SELECT count(*) FROM flags",
                "flag_cards_delivered": "SELECT count(*) FROM flag_cards "
                                        "WHERE activity_id IS NOT NULL",
                "outbox_pending": "SELECT count(*) FROM outbox WHERE status = 'pending'",
                "outbox_failed": "SELECT count(*) FROM outbox WHERE status = 'failed'",
            }.items():
                out[name] = (await conn.execute(text(sql))).scalar_one()
            return out
    finally:
        await engine.dispose()


async def wait_drained(database_url: str, limit: float,
                       scanned_at: list[float] | None = None) -> tuple[dict[str, int], float]:
    start = time.monotonic()
    while True:
        counts = await db_counts(database_url)
        if counts["unscanned"] == 0 and scanned_at is not None and not scanned_at:
            scanned_at.append(time.monotonic())
        if counts["unscanned"] == 0 and counts["outbox_pending"] == 0:
            return counts, time.monotonic() - start
        if time.monotonic() - start > limit:
            return counts, time.monotonic() - start
        await asyncio.sleep(0.25)


async def run_one(label: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    connector, runner = await start_connector()
    run = Run(label, database_url, args)
    try:
        await run.start_bot(connector)
        connector_limit = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector_limit) as http:
            chats = await setup_sessions(run, connector, http, args.sessions)
            counter = [0]
            log(f"{label}: {args.sessions} sessions ready")
            # warm up (the scan worker loads its model; first 1:1 chats are opened); not timed
            await drive(run, http, chats, 20, 2, counter)
            await wait_drained(database_url, 60)
            run.acks.clear()
            warmup_flags = len(run.identifying)
            run.identifying.clear()
            run.sent_at.clear()
            log(f"{label}: warmed up")
            warmup = counter[0]
            # 1. latency at a steady rate
            sent, _ = await drive(run, http, chats, args.rate, args.seconds, counter)
            log(f"{label}: steady phase sent {sent}")
            counts, _ = await wait_drained(database_url, 20)
            log(f"{label}: drained {counts}")
            await asyncio.sleep(0.5)
            arrivals = await card_arrivals(connector, database_url)
            flag_latency = [arrivals[m] - run.sent_at[m] for m in run.identifying if m in arrivals]
            missing = len(run.identifying) - len(flag_latency)
            acks = list(run.acks)
            # 2. sustained throughput: a burst well above the steady rate
            run.acks.clear()
            identifying_before = len(run.identifying)
            burst_start = time.monotonic()
            burst_sent, burst_elapsed = await drive(run, http, chats, args.burst_rate,
                                                    args.burst_seconds, counter)
            burst_acks = list(run.acks)
            log(f"{label}: burst sent {burst_sent} in {burst_elapsed:.1f} s")
            scanned_at: list[float] = []
            counts, drain = await wait_drained(database_url, 40, scanned_at)
            total_elapsed = time.monotonic() - burst_start
            scan_elapsed = (scanned_at[0] if scanned_at else time.monotonic()) - burst_start
        rss = run.peak_rss_mb()
    finally:
        run.stop_bot()
        await runner.cleanup()
    total_sent = counter[0] - warmup
    return {
        "db": label,
        "steady_rate": args.rate,
        "steady_messages": sent,
        "ack_p50_ms": 1000 * pct(acks, 50),
        "ack_p99_ms": 1000 * pct(acks, 99),
        "flag_p50_ms": 1000 * pct(flag_latency, 50),
        "flag_p99_ms": 1000 * pct(flag_latency, 99),
        "flags_expected": identifying_before,
        "flags_missing": missing,
        "burst_rate": args.burst_rate,
        "burst_messages": burst_sent,
        "burst_ack_per_s": len(burst_acks) / burst_elapsed if burst_elapsed else 0,
        "burst_ack_p99_ms": 1000 * pct(burst_acks, 99),
        "end_to_end_scanned_per_s": burst_sent / scan_elapsed if scan_elapsed else 0,
        "cards_done_s": total_elapsed,
        "drain_after_burst_s": drain,
        "errors": run.errors,
        "stored": counts["messages"] - warmup,
        "sent_total": total_sent,
        "unscanned": counts["unscanned"],
        "flags": counts["flags"] - warmup_flags,
        "identifying_total": len(run.identifying),
        "flag_cards_delivered": counts["flag_cards_delivered"] - warmup_flags,
        "outbox_pending": counts["outbox_pending"],
        "outbox_failed": counts["outbox_failed"],
        "peak_rss_mb": rss,
    }


async def postgres_database() -> tuple[str, str]:
    import asyncpg

    name = f"flagbench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(**PG_ADMIN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


async def drop_postgres(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(**PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def report(result: dict[str, Any]) -> None:
    lost = (result["stored"] != result["sent_total"] or result["unscanned"]
            or result["flags"] != result["identifying_total"]
            or result["flag_cards_delivered"] != result["identifying_total"])
    print(f"\n== {result['db']} ==")
    print(f"steady {result['steady_rate']:.0f} msg/s x {result['steady_messages']} messages: "
          f"ack p50 {result['ack_p50_ms']:.1f} ms, p99 {result['ack_p99_ms']:.1f} ms; "
          f"flag card delivered p50 {result['flag_p50_ms']:.0f} ms, "
          f"p99 {result['flag_p99_ms']:.0f} ms ({result['flags_expected']} flags, "
          f"{result['flags_missing']} not delivered in time)")
    print(f"burst {result['burst_rate']:.0f} msg/s x {result['burst_messages']} messages: "
          f"acknowledged {result['burst_ack_per_s']:.0f} msg/s (ack p99 "
          f"{result['burst_ack_p99_ms']:.0f} ms); stored and scanned "
          f"{result['end_to_end_scanned_per_s']:.0f} msg/s; all flag cards delivered "
          f"{result['cards_done_s']:.1f} s after the burst began (one facilitator's 1:1 chat "
          f"is paced at 7 msg/s, Teams' per-conversation limit)")
    print(f"totals: sent {result['sent_total']}, stored {result['stored']}, unscanned "
          f"{result['unscanned']}, identifying {result['identifying_total']}, flags "
          f"{result['flags']}, flag cards delivered {result['flag_cards_delivered']}, outbox "
          f"pending {result['outbox_pending']} failed {result['outbox_failed']}, HTTP errors "
          f"{result['errors']} -> {'LOST SOMETHING' if lost else 'nothing lost'}")
    print(f"peak RSS of the bot process: {result['peak_rss_mb']:.0f} MB")


async def bounded(work: Any, seconds: float) -> dict[str, Any] | None:
    """Keep the whole benchmark under 3 minutes whatever happens."""
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        return None


async def main_async(args: argparse.Namespace) -> int:
    random.seed(7)
    results = []
    for label in args.db.split(","):
        if label == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite+aiosqlite:///{tmp}/bench.db"
                result = await bounded(run_one("SQLite", url, args), 95)
        elif label == "postgres":
            name, url = await postgres_database()
            try:
                result = await bounded(run_one("PostgreSQL", url, args), 80)
            finally:
                await drop_postgres(name)
        else:
            raise SystemExit(f"unknown database {label!r}")
        if result is None:
            print(f"\n== {label}: did not finish in its time budget (is the machine busy?) ==")
            continue
        results.append(result)
        report(result)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--burst-rate", type=float, default=350)
    parser.add_argument("--burst-seconds", type=float, default=5)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
