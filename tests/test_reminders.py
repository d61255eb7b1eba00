"""Chatham House reminders: on schedule while live, kept in the store across a restart.

The bot runs on a manual clock: a test moves time forward instead of waiting for it, then
checks what the scheduler did. A reminder round can also be run directly, which makes "nothing
was posted" a fact at that moment rather than the outcome of a wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import SERVICES, STORE
from tests.clock import ManualClock
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import pending_reminders
from tests.teams import FACILITATOR, MEETING_CHAT, Teams

INTERVAL_MINUTES = 30
INTERVAL = timedelta(minutes=INTERVAL_MINUTES)
PAST_DUE = INTERVAL + timedelta(seconds=1)


def chatham_posts(connector: ConnectorStandIn) -> int:
    return sum(
        1
        for sent in connector.to(MEETING_CHAT)
        for card in sent.cards
        if "Chatham House Rule" in str(card) and "refresh" not in card
        and "information" not in str(card.get("body", [{}])[0]).lower()
    )


async def reminder_round(bot: RunningBot) -> int:
    """Run one reminder round now, as the scheduler does; how many reminders it posted."""
    return await bot.app[SERVICES].sessions.run_due_reminders()


async def live_session_id(bot: RunningBot) -> str:
    session = await bot.app[STORE].live_session(MEETING_CHAT)
    assert session is not None
    return session.id


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def test_reminders_are_posted_on_schedule_while_the_session_is_live(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn, clock: ManualClock
) -> None:
    bot = await start_bot(clock=clock, reminder_interval_minutes=INTERVAL_MINUTES)
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: chatham_posts(c) >= 1)
    session_id = await live_session_id(bot)

    clock.advance(PAST_DUE)
    await connector.wait_for(lambda c: chatham_posts(c) >= 2, timeout=10)
    clock.advance(PAST_DUE)
    await connector.wait_for(lambda c: chatham_posts(c) >= 3, timeout=10)

    await bot.post(teams.command(FACILITATOR, "end"))
    await connector.wait_for(lambda c: any("withdraw" in str(card).lower() and
                                           "closing" in str(card).lower() or
                                           "thank" in str(card).lower()
                                           for s in c.sent for card in s.cards))
    after_end = chatham_posts(connector)
    clock.advance(2 * PAST_DUE)
    assert await reminder_round(bot) == 0, "a reminder was due after the end"
    assert await pending_reminders(bot.app[STORE], session_id) == []
    assert chatham_posts(connector) == after_end, "a reminder was posted after the end"


async def test_a_due_reminder_survives_a_restart_and_is_posted_once(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn, clock: ManualClock
) -> None:
    bot = await start_bot(clock=clock, reminder_interval_minutes=INTERVAL_MINUTES * 2)
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: chatham_posts(c) == 1)
    session_id = await live_session_id(bot)
    await bot.stop()
    clock.advance(3 * 2 * PAST_DUE)  # three intervals pass while down
    assert chatham_posts(connector) == 1

    await bot.start()
    await connector.wait_for(lambda c: chatham_posts(c) == 2, timeout=5)
    assert await reminder_round(bot) == 0, "missed reminders must not be posted as a burst"
    assert chatham_posts(connector) == 2, "missed reminders must not be posted as a burst"
    pending = await pending_reminders(bot.app[STORE], session_id)
    assert len(pending) == 1
    assert aware(pending[0].due_at) > clock(), "the next reminder is a catch-up, not due later"


async def test_remind_command_posts_the_reminder_now(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot()
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: chatham_posts(c) == 1)
    await bot.post(teams.command(FACILITATOR, "remind"))
    await connector.wait_for(lambda c: chatham_posts(c) == 2)
