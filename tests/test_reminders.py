"""Chatham House reminders: on schedule while live, kept in the store across a restart."""

from __future__ import annotations

import asyncio

from bot import STORE
from tests.conftest import BotFactory
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import pending_reminders
from tests.teams import FACILITATOR, MEETING_CHAT, Teams

INTERVAL_MINUTES = 0.02  # 1.2 seconds


def chatham_posts(connector: ConnectorStandIn) -> int:
    return sum(
        1
        for sent in connector.to(MEETING_CHAT)
        for card in sent.cards
        if "Chatham House Rule" in str(card) and "refresh" not in card
        and "information" not in str(card.get("body", [{}])[0]).lower()
    )


async def test_reminders_are_posted_on_schedule_while_the_session_is_live(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(reminder_interval_minutes=INTERVAL_MINUTES)
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: chatham_posts(c) >= 1)

    await connector.wait_for(lambda c: chatham_posts(c) >= 3, timeout=10)

    await bot.post(teams.command(FACILITATOR, "end"))
    await connector.wait_for(lambda c: any("withdraw" in str(card).lower() and
                                           "closing" in str(card).lower() or
                                           "thank" in str(card).lower()
                                           for s in c.sent for card in s.cards))
    after_end = chatham_posts(connector)
    await asyncio.sleep(INTERVAL_MINUTES * 60 * 2)
    assert chatham_posts(connector) == after_end, "a reminder was posted after the end"


async def test_a_due_reminder_survives_a_restart_and_is_posted_once(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(reminder_interval_minutes=INTERVAL_MINUTES * 2)
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: chatham_posts(c) == 1)
    await bot.stop()
    await asyncio.sleep(INTERVAL_MINUTES * 60 * 2 * 3)  # three intervals pass while down
    assert chatham_posts(connector) == 1

    await bot.start()
    await connector.wait_for(lambda c: chatham_posts(c) == 2, timeout=5)
    await asyncio.sleep(0.5)
    assert chatham_posts(connector) == 2, "missed reminders must not be posted as a burst"
    pending = await pending_reminders(
        bot.app[STORE],  # type: ignore[index]
        (await bot.app[STORE].live_session(MEETING_CHAT)).id  # type: ignore[index,union-attr]
    )
    assert len(pending) == 1


async def test_remind_command_posts_the_reminder_now(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot()
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: chatham_posts(c) == 1)
    await bot.post(teams.command(FACILITATOR, "remind"))
    await connector.wait_for(lambda c: chatham_posts(c) == 2)
