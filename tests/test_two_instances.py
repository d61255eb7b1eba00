"""Two bot processes on one PostgreSQL database behind a round-robin proxy.

What must happen once although two instances see it: (a) an activity delivered to both (a
chat message is stored once and flagged once per facilitator; a `start` command opens one
session with one consent card); (b) each scheduled Chatham House reminder is posted once;
(c) each outbox item is delivered once; (d) a withdrawal recorded through one instance is
seen at once by the other. Needs TEST_POSTGRES_URL (CI: REQUIRE_POSTGRES_TESTS=1).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from services.clock import utcnow
from store import OutboxItem, open_store
from tests.connector_standin import ConnectorStandIn
from tests.harness.databases import fresh_postgres, postgres_server_url, query
from tests.harness.process import BotProcess, ForkServer, bot_env, post_json
from tests.harness.proxy import RoundRobinProxy
from tests.harness.scenario import start_live_session
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams, User
from tests.test_flags import flag_cards
from tests.test_session_flow import card_kinds

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REMINDER_MINUTES = 0.02  # 1.2 s
IDENTIFYING = [
    "I visited Kayden Smith at 14 Oak Road, Norwich NR4 7TJ",
    "My neighbour Priya Sharma lives at 12 Leeds Road, Bradford BD1 4AB",
    "You can ring Tom Baker on 07700 900123 about it",
]


def personal(user: User) -> str:
    return f"a:personal:{user.id}"


@dataclass
class Pair:
    a: BotProcess
    b: BotProcess
    proxy: RoundRobinProxy
    http: aiohttp.ClientSession
    url: str  # the database

    async def post(self, target: str, activity: dict[str, Any]) -> tuple[int, Any]:
        return await post_json(self.http, target, activity)


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[Pair]:
    base = postgres_server_url()
    async with fresh_postgres(base, "fgtwo") as url:
        env = bot_env(url, [FACILITATOR.aad, CO_FACILITATOR.aad], SCREENING_PROCESSES="0",
                      REMINDER_INTERVAL_MINUTES=str(REMINDER_MINUTES),
                      SCHEDULER_POLL_SECONDS="0.1")
        forks = ForkServer(env, tmp_path / "bot-stderr.log")
        a = BotProcess(env, forks=forks)
        b = BotProcess(env, forks=forks)
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        proxy = RoundRobinProxy(lambda: [a.url, b.url])
        try:
            await a.start()  # the first migrates the database; the second finds it done
            await b.start()
            await proxy.start()
            yield Pair(a, b, proxy, http, url)
        finally:
            await proxy.close()
            await asyncio.gather(a.stop(), b.stop())
            await forks.close()
            await http.close()


async def _settled(url: str, within: float = 20.0) -> None:
    """Every message scanned and nothing left in the outbox."""
    deadline = time.monotonic() + within
    while True:
        [row] = await query(url, (
            "SELECT (SELECT count(*) FROM messages WHERE scanned_at IS NULL) AS unscanned, "
            "(SELECT count(*) FROM outbox WHERE status = 'pending') AS pending"))
        if not row.unscanned and not row.pending:
            return
        assert time.monotonic() < deadline, f"not settled: {row}"
        await asyncio.sleep(0.1)


async def _both(pair: Pair, activity: dict[str, Any]) -> list[int]:
    """The same activity to both instances at the same moment (a Bot Connector retry race)."""
    results = await asyncio.gather(pair.post(pair.a.url, activity),
                                   pair.post(pair.b.url, activity))
    return [status for status, _ in results]


def _report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    with capsys.disabled():
        print(line)


async def test_two_instances_process_each_thing_once(
    pair: Pair, connector: ConnectorStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    teams = Teams(connector.url)
    via_proxy = pair.proxy.url
    figures: list[str] = []

    # (a) `start` delivered to both instances: one session, one consent card, no second reply.
    assert await _both(pair, teams.command(FACILITATOR, "start")) == [201, 201]
    await connector.wait_for(lambda c: "consent" in card_kinds(c), timeout=20)
    sessions = await query(pair.url, "SELECT id FROM sessions")
    assert len(sessions) == 1

    async def through_proxy(activity: dict[str, Any]) -> tuple[int, Any]:
        return await pair.post(via_proxy, activity)

    await start_live_session(through_proxy, connector, teams, (ALICE, BOB))  # "start" again
    assert (await through_proxy(teams.personal(CO_FACILITATOR, "register")))[0] == 201
    await connector.wait_for(lambda c: any("flags" in s.text.lower()
                                           for s in c.to(personal(CO_FACILITATOR))))
    await _settled(pair.url)
    assert card_kinds(connector).count("consent") == 1

    # (a) identifying messages, each delivered to both instances at once.
    before = {u: len(flag_cards(connector, personal(u))) for u in (FACILITATOR, CO_FACILITATOR)}
    ids = []
    for n, text in enumerate(IDENTIFYING):
        activity = teams.chat(ALICE if n % 2 == 0 else BOB, text, activity_id=f"twice-{n}")
        ids.append(activity["id"])
        assert await _both(pair, activity) == [201, 201]
    await connector.wait_for(lambda c: all(
        len(flag_cards(c, personal(u))) - before[u] >= len(IDENTIFYING)
        for u in (FACILITATOR, CO_FACILITATOR)), timeout=30)
    await _settled(pair.url)
    await asyncio.sleep(1.0)  # a duplicate card would have arrived by now
    rows = await query(pair.url, "SELECT activity_id FROM messages WHERE activity_id LIKE "
                                 "'twice-%'")
    assert sorted(r.activity_id for r in rows) == sorted(ids)
    flags = await query(pair.url, "SELECT count(*) AS n FROM flags")
    assert flags[0].n == len(IDENTIFYING)
    cards = {u.name: len(flag_cards(connector, personal(u))) - before[u]
             for u in (FACILITATOR, CO_FACILITATOR)}
    assert set(cards.values()) == {len(IDENTIFYING)}, cards
    figures.append(f"(a) {len(IDENTIFYING)} identifying activities each delivered to both: "
                   f"{len(rows)} stored, {flags[0].n} flags, flag cards per facilitator {cards}; "
                   f"'start' to both: {len(sessions)} session, "
                   f"{card_kinds(connector).count('consent')} consent card")

    # (c) outbox items enqueued (twice each) go out once, whichever instance leases them.
    store = await open_store(pair.url)
    try:
        now = utcnow()
        for n in range(40):
            for _ in range(2):
                await store.enqueue(OutboxItem(
                    dedupe_key=f"two-instances:{n}", service_url=connector.url,
                    conversation_id=f"19:two{n % 4}@thread.v2",
                    payload={"type": "message", "text": f"outbox item {n}"},
                ), now)
    finally:
        await store.close()

    def outbox_posts(c: ConnectorStandIn) -> Counter[str]:
        return Counter(s.text for s in c.sent if s.text.startswith("outbox item "))

    await connector.wait_for(lambda c: len(outbox_posts(c)) >= 40, timeout=30)
    await _settled(pair.url)
    await asyncio.sleep(1.0)
    posts = outbox_posts(connector)
    assert len(posts) == 40 and set(posts.values()) == {1}, posts
    figures.append(f"(c) 40 outbox items (each enqueued twice): {sum(posts.values())} posts, "
                   f"max per item {max(posts.values())}")

    # (d) a withdrawal recorded through A is seen by B at once.
    private = personal(FACILITATOR)
    status, _ = await pair.post(pair.a.url, teams.command(FACILITATOR,
                                                          "withdraw P01 asked by email"))
    assert status == 201
    status, _ = await pair.post(pair.b.url, teams.command(FACILITATOR,
                                                          "withdraw P01 asked by email again"))
    assert status == 201
    await connector.wait_for(lambda c: sum(
        1 for s in c.to(private) if "withdrawn" in s.text) >= 2, timeout=20)
    # (private replies to a facilitator without a registered chat may arrive in either order)
    answers = sorted(s.text for s in connector.to(private) if "withdrawn" in s.text)
    assert len(answers) == 2, answers
    assert answers[0] == "P01 had already withdrawn; nothing changed.", answers
    assert answers[1].startswith("Recorded: P01 has withdrawn"), answers
    withdrawn = await query(pair.url, "SELECT count(*) AS n FROM withdrawals")
    assert withdrawn[0].n == 1
    figures.append("(d) withdraw P01 on A, then on B: B answered 'P01 had already "
                   "withdrawn; nothing changed.'; 1 withdrawal row")

    # (b) scheduled Chatham House reminders: each posted once, by whichever instance claimed it.
    await asyncio.sleep(6 * REMINDER_MINUTES * 60)
    await asyncio.gather(pair.a.stop(), pair.b.stop())
    claimed = await query(pair.url, "SELECT claimed_by, due_at FROM reminders "
                                    "WHERE claimed_at IS NOT NULL ORDER BY due_at")
    # (the group's Chatham House cards only: a consent receipt quotes the rule privately)
    items = await query(pair.url, "SELECT dedupe_key, status, sent_activity_id FROM outbox "
                                  "WHERE lower(CAST(payload AS TEXT)) LIKE '%chatham house%' "
                                  "AND conversation_id = :chat", chat=MEETING_CHAT)
    scheduled = [i for i in items if ":chatham_house:scheduled:" in i.dedupe_key]
    posted = {s.activity_id: s for s in connector.to(MEETING_CHAT)
              if any("chatham house" in str(card).lower() for card in s.cards)}
    assert len(claimed) >= 4, "reminders were not running"
    assert len(scheduled) == len(claimed)  # one message queued per claimed reminder
    assert {i.status for i in items} == {"sent"}
    # Every Chatham House card the stand-in received is one outbox item's single delivery
    # (start, scheduled, automatic after an identifying message): none was posted twice.
    assert sorted(posted) == sorted(i.sent_activity_id for i in items)
    # One reminder per slot, whichever instance claimed it: the claimed reminders' due times
    # are an interval apart (two instances each scheduling their own would share a slot).
    # (When the cards reached Teams is no measure of this: a delivery held up on a loaded
    # machine is followed closely by the next one.)
    due = [row.due_at if isinstance(row.due_at, datetime) else datetime.fromisoformat(
        str(row.due_at)) for row in claimed]
    gaps = [(b - a).total_seconds() for a, b in zip(due, due[1:], strict=False)]
    assert min(gaps) >= 0.99 * REMINDER_MINUTES * 60, gaps
    scheduled_posted = len(scheduled)
    by = Counter(r.claimed_by for r in claimed)
    figures.append(f"(b) reminders every {REMINDER_MINUTES * 60:.1f} s: {len(claimed)} claimed "
                   f"(claims per instance: {sorted(by.values())}), {scheduled_posted} posted once "
                   f"each, shortest gap {min(gaps):.2f} s")
    _report(capsys, "\n[two instances, postgresql] " + "\n  ".join(figures))


async def test_start_delivered_to_both_instances_is_answered_once(
    pair: Pair, connector: ConnectorStandIn
) -> None:
    teams = Teams(connector.url)
    assert await _both(pair, teams.command(FACILITATOR, "start")) == [201, 201]
    await connector.wait_for(lambda c: "consent" in card_kinds(c), timeout=20)
    await _settled(pair.url)
    assert len(await query(pair.url, "SELECT id FROM sessions")) == 1
    again = [s.text for s in connector.to(MEETING_CHAT) if "already" in s.text.lower()]
    assert again == [], again
