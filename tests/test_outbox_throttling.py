"""Throttling never loses anything: a period of 429s is waited out (never counted as failed
attempts), items come out highest lane first, and an item too old to be worth sending is
recorded as undelivered instead of vanishing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot import OUTBOX, STORE
from services.clock import utcnow
from store import OutboxItem, Priority
from tests.conftest import BotFactory
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import outbox_counts, outbox_item
from tests.teams import FACILITATOR, Teams

PERSONAL = f"a:personal:{FACILITATOR.id}"


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait for a condition with a generous bound (the machine may be heavily loaded)."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def item(key: str, priority: Priority, url: str) -> OutboxItem:
    return OutboxItem(dedupe_key=f"test:{key}", service_url=url, conversation_id=PERSONAL,
                      payload={"type": "message", "text": key}, priority=priority)


async def test_a_throttled_period_delivers_every_item_once_highest_lane_first(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot()
    store = bot.app[STORE]
    connector.throttle(600, retry_after=1)  # ended below, once everything is queued
    now = utcnow()
    bulk = [f"bulk {n}" for n in range(10)]
    urgent = [f"urgent {n}" for n in range(2)]
    for key in bulk:
        await store.enqueue(item(key, Priority.BULK, connector.url), now)
    for key in urgent:
        await store.enqueue(item(key, Priority.URGENT, connector.url), now)
    status, _ = await bot.post(teams.personal(FACILITATOR, "status"))  # a NORMAL-lane reply
    assert status in (200, 201)
    bot.app[OUTBOX].wake()

    async def all_queued_and_refused() -> bool:
        counts = await outbox_counts(store)
        return counts.get("pending", 0) >= len(bulk) + len(urgent) + 1 and connector.throttled >= 2

    await eventually(all_queued_and_refused)
    # the period goes on for three more requests whatever the machine's pace, then ends
    connector.throttle(0)
    connector.fail_next(429, times=3, headers={"Retry-After": "1"})

    async def all_sent() -> bool:
        counts = await outbox_counts(store)
        return set(counts) == {"sent"}

    await eventually(all_sent, timeout=120)
    posts = [s.text for s in connector.to(PERSONAL) if s.method == "POST"]
    assert not connector.failures  # the period really went on
    assert all(count == 1 for count in Counter(posts).values()), posts  # exactly once
    assert set(bulk + urgent) <= set(posts)
    lane = {key: Priority.BULK for key in bulk} | {key: Priority.URGENT for key in urgent}
    lanes = [lane.get(text, Priority.NORMAL) for text in posts]
    assert lanes == sorted(lanes, reverse=True), posts  # highest lane first
    assert [p for p in posts if p in lane] == urgent + bulk  # in order within each lane
    sent = (await outbox_counts(store))["sent"]
    for outbox_id in range(1, sent + 1):  # waiting out 429s counted no attempt
        row = await outbox_item(store, outbox_id)
        assert row is not None and row["attempts"] == 1, row


async def test_an_item_throttled_past_the_give_up_age_is_recorded_as_undelivered(
    start_bot: BotFactory, connector: ConnectorStandIn
) -> None:
    bot = await start_bot()
    store = bot.app[STORE]
    connector.throttle(600, retry_after=1)
    now = utcnow()
    old = OutboxItem(dedupe_key="test:old", service_url=connector.url, conversation_id="c:old",
                     session_id="s1", payload={"type": "message", "text": "old"},
                     priority=Priority.URGENT)
    young = OutboxItem(dedupe_key="test:young", service_url=connector.url,
                       conversation_id="c:young", payload={"type": "message", "text": "young"})
    old_id = await store.enqueue(old, now - timedelta(hours=25))  # default give-up: 24 h
    young_id = await store.enqueue(young, now)
    bot.app[OUTBOX].wake()

    async def given_up() -> bool:
        return bool(await store.undelivered_outbox())

    await eventually(given_up)
    (undelivered,) = await store.undelivered_outbox()
    assert (undelivered.id, undelivered.session_id, undelivered.priority) == (
        old_id, "s1", Priority.URGENT)
    assert undelivered.last_error is not None and "429" in undelivered.last_error
    assert await store.undelivered_outbox("other session") == []

    young_row = await outbox_item(store, young_id)
    assert young_row is not None and young_row["status"] == "pending"  # a young one waits on
    connector.throttle(0)

    async def young_sent() -> bool:
        row = await outbox_item(store, young_id)
        return row is not None and row["status"] == "sent"

    await eventually(young_sent)
    assert [s.text for s in connector.sent] == ["young"]
