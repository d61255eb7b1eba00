"""The one outbound path: 429 with Retry-After, restarts, and several instances on one database."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot import OUTBOX, STORE
from services.clock import utcnow
from store import OutboxItem
from tests.conftest import BotFactory
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import outbox_counts
from tests.teams import FACILITATOR, Teams


def personal_posts(connector: ConnectorStandIn) -> list[str]:
    return [s.text for s in connector.to(f"a:personal:{FACILITATOR.id}") if s.method == "POST"]


async def test_429_twice_then_201_is_delivered_once_after_the_retry_after_delays(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot()
    connector.fail_next(429, times=2, headers={"Retry-After": "1"})

    status, _ = await bot.post(teams.personal(FACILITATOR, "start"))
    assert status == 201
    await connector.wait_for(lambda c: personal_posts(c), timeout=15)
    await asyncio.sleep(0.3)

    assert len(personal_posts(connector)) == 1
    assert len(connector.attempts) == 3
    gaps = [b - a for a, b in zip(connector.attempts, connector.attempts[1:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # Retry-After honoured, never earlier
    counts = await outbox_counts(bot.app[STORE])
    assert counts == {"sent": 1}


@pytest.mark.slow
async def test_items_pending_at_a_restart_are_delivered_once(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot()
    connector.fail_next(429, times=1, headers={"Retry-After": "2"})
    for word in ("start", "end", "status"):  # each answered (privately) through the outbox
        await bot.post(teams.personal(FACILITATOR, word))
    await connector.wait_for(lambda c: len(c.attempts) >= 1)

    await bot.restart()  # the worker stops with three items pending; a new one takes over
    await connector.wait_for(lambda c: len(personal_posts(c)) >= 3, timeout=15)
    await asyncio.sleep(1.0)

    assert len(personal_posts(connector)) == 3
    assert sorted(Counter(personal_posts(connector)).values()) == [1, 1, 1]
    counts = await outbox_counts(bot.app[STORE])
    assert counts == {"sent": 3}


@pytest.mark.slow
async def test_two_instances_on_one_database_send_each_item_once(
    start_bot: BotFactory, connector: ConnectorStandIn
) -> None:
    first = await start_bot()
    second = await start_bot()  # same database file
    store = first.app[STORE]
    now = utcnow()
    for n in range(40):
        await store.enqueue(OutboxItem(
            dedupe_key=f"test:{n}", service_url=connector.url,
            conversation_id=f"19:conv{n % 4}@thread.v2",
            payload={"type": "message", "text": f"item {n}"},
        ), now)
    first.app[OUTBOX].wake()
    second.app[OUTBOX].wake()

    await connector.wait_for(lambda c: len(c.sent) >= 40, timeout=20)
    await asyncio.sleep(0.5)

    texts = Counter(s.text for s in connector.sent)
    assert len(texts) == 40 and set(texts.values()) == {1}
    assert await outbox_counts(store) == {"sent": 40}
