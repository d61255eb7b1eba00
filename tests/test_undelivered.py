"""An item the outbox gives up on reaches the facilitators as a private notice, end to end over
HTTP with the Bot Connector stand-in: refused for good (403) or still undelivered at the
give-up age. The notice names kinds, the session and times, never what was said; it is sent
once (not again after a restart, not for itself when it cannot be delivered either), a storm
of refusals makes one notice, and `status` shows the count."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot import OUTBOX, SERVICES, STORE
from services.undelivered import kind_of, notice_text
from store import OutboxItem, Priority, Session, UndeliveredItem
from tests.clock import ManualClock
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn, Sent
from tests.harness.store_reads import outbox_counts
from tests.teams import ALICE, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams
from tests.test_console_api import call, local
from tests.test_flags import FACILITATORS, IDENTIFYING, live_session, personal, settle

NOTICE = "could not be delivered to Teams, and I have stopped trying"


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait for a condition with a generous bound (the machine may be heavily loaded)."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def notices(connector: ConnectorStandIn, conversation_id: str) -> list[Sent]:
    return [s for s in connector.to(conversation_id) if s.method == "POST" and NOTICE in s.text]


def says(connector: ConnectorStandIn, conversation_id: str, words: str) -> list[str]:
    return [s.text for s in connector.to(conversation_id) if words in s.text]


async def nothing_left(bot: RunningBot) -> bool:
    """Nothing pending in the outbox and every given-up item accounted for."""
    store = bot.app[STORE]
    return ((await outbox_counts(store)).get("pending", 0) == 0
            and await store.unreported_undelivered() == [])


def assert_content_free(notice: Sent) -> None:
    assert notice.activity.get("attachments") in (None, [])  # plain words, no card
    for word in ("Priya", "Sharma", "Leeds", IDENTIFYING, ALICE.name, "P01", "Alice"):
        assert word not in notice.text, word


async def test_a_card_refused_for_good_is_told_privately_once_and_counted_by_status(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    clock = ManualClock()
    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=0, clock=clock)
    await live_session(bot, teams, connector)
    connector.refuse(personal(CO_FACILITATOR), 403)  # e.g. the bot was blocked in that chat
    group_before = len(connector.to(MEETING_CHAT))

    assert (await bot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    await connector.wait_for(lambda c: notices(c, personal(FACILITATOR)), timeout=60)
    [notice] = notices(connector, personal(FACILITATOR))
    assert "1 flag card" in notice.text and "queued" in notice.text
    assert "console" in notice.text
    assert_content_free(notice)
    # the notice to the blocked facilitator is refused too, and makes no notice of its own
    await connector.wait_for(lambda c: c.refused.count(personal(CO_FACILITATOR)) >= 2,
                             timeout=60)
    await eventually(lambda: nothing_left(bot))
    store = bot.app[STORE]
    assert await store.undelivered_total() == 2  # the flag card and the notice about it
    assert len(connector.to(MEETING_CHAT)) == group_before  # never in the group chat
    assert not any(NOTICE in s.text for s in connector.to(MEETING_CHAT))

    # `status` counts the item (not the notice about it), privately
    assert (await bot.post(teams.command(FACILITATOR, "status")))[0] == 201
    await connector.wait_for(
        lambda c: says(c, personal(FACILITATOR), "Undelivered: 1 item"), timeout=60)
    [line] = says(connector, personal(FACILITATOR), "Undelivered: 1 item")
    assert "(1 flag card)" in line and "Priya" not in line
    assert not says(connector, MEETING_CHAT, "Undelivered")
    status, ready = await bot.get("/readyz")
    assert ready["undelivered"] == 2, (status, ready)
    status, state, _ = await call(bot, "GET", "/console/api/state", local(FACILITATOR))
    assert status == 200 and state["undelivered"]["count"] == 1
    assert "(1 flag card)" in state["undelivered"]["words"]

    # the notice does not repeat itself: not later, not after a restart
    clock.advance(timedelta(hours=1))
    assert await bot.app[SERVICES].undelivered.report_once() == 0  # type: ignore[union-attr]
    await bot.restart()
    assert await bot.app[SERVICES].undelivered.report_once() == 0  # type: ignore[union-attr]
    await eventually(lambda: nothing_left(bot))
    assert len(notices(connector, personal(FACILITATOR))) == 1
    assert len(notices(connector, personal(CO_FACILITATOR))) == 0


async def test_a_reminder_still_throttled_at_the_give_up_age_is_told_to_the_facilitator(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    clock = ManualClock()
    bot = await start_bot(screening_processes=0, clock=clock)
    assert (await bot.post(teams.command(FACILITATOR, "start")))[0] == 201
    await settle(bot)
    connector.refuse(MEETING_CHAT, 429, retry_after=1)  # the group chat is throttled
    assert (await bot.post(teams.command(FACILITATOR, "remind")))[0] == 201
    await connector.wait_for(lambda c: MEETING_CHAT in c.refused, timeout=60)
    store = bot.app[STORE]
    assert await store.undelivered_total() == 0  # throttling is a wait, not a failure

    clock.advance(timedelta(hours=25))  # the default give-up age is 24 h
    bot.app[OUTBOX].wake()
    await connector.wait_for(lambda c: notices(c, personal(FACILITATOR)), timeout=60)
    [notice] = notices(connector, personal(FACILITATOR))
    assert "Chatham House reminder" in notice.text
    assert_content_free(notice)

    assert (await bot.post(teams.command(FACILITATOR, "status")))[0] == 201
    await connector.wait_for(
        lambda c: says(c, personal(FACILITATOR), "Undelivered: 1 item"), timeout=60)
    [line] = says(connector, personal(FACILITATOR), "Undelivered: 1 item")
    assert "Chatham House reminder" in line
    assert len(notices(connector, personal(FACILITATOR))) == 1


async def test_a_storm_of_refusals_makes_one_notice_per_window(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    clock = ManualClock()
    bot = await start_bot(screening_processes=0, clock=clock)
    assert (await bot.post(teams.command(FACILITATOR, "start")))[0] == 201
    await settle(bot)
    store = bot.app[STORE]
    session = await store.live_session(MEETING_CHAT)
    assert session is not None
    gone = "a:personal:gone"
    connector.refuse(gone, 404)

    def cards(*numbers: int) -> list[OutboxItem]:
        return [OutboxItem(dedupe_key=f"flag:{n}:copy:0", service_url=connector.url,
                           conversation_id=gone, session_id=session.id, priority=Priority.BULK,
                           payload={"type": "message", "text": f"secret {n}"})
                for n in numbers]

    await store.enqueue_many(cards(*range(1, 6)), clock())
    bot.app[OUTBOX].wake()
    await connector.wait_for(lambda c: notices(c, personal(FACILITATOR)), timeout=60)
    await eventually(lambda: nothing_left(bot))
    [notice] = notices(connector, personal(FACILITATOR))
    assert "5 flag cards" in notice.text and "secret" not in notice.text

    # more refusals within the window wait for the next notice...
    await store.enqueue_many(cards(6, 7), clock())
    bot.app[OUTBOX].wake()
    await eventually(lambda: _given_up(bot, 7))
    assert await bot.app[SERVICES].undelivered.report_once() == 0  # type: ignore[union-attr]
    assert len(await store.unreported_undelivered()) == 2
    assert len(notices(connector, personal(FACILITATOR))) == 1
    # ...which covers them all once the window has passed
    clock.advance(timedelta(minutes=11))
    await connector.wait_for(lambda c: len(notices(c, personal(FACILITATOR))) == 2,
                             timeout=60)
    assert "2 flag cards" in notices(connector, personal(FACILITATOR))[1].text


async def _given_up(bot: RunningBot, count: int) -> bool:
    return (await outbox_counts(bot.app[STORE])).get("failed", 0) >= count


T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def given_up(key: str, priority: int = Priority.NORMAL, notify_ref: str | None = None,
             minutes: int = 0) -> UndeliveredItem:
    return UndeliveredItem(1, "s1", notify_ref, priority, T0 + timedelta(minutes=minutes),
                           "403 Forbidden", key, "19:chat")


@pytest.mark.parametrize(("key", "priority", "words"), [
    ("flag:7:copy:0", Priority.BULK, "flag card"),
    ("flag:7:copy:1", Priority.URGENT, "safeguarding flag card"),
    ("flag:7:organiser", Priority.URGENT, "safeguarding flag card"),
    ("flag:7:card:3:update:dismissed", Priority.BULK, "update of a flag card"),
    ("flag:7:remind:act-1", Priority.NORMAL, "confidentiality reminder"),
    ("digest:s1:29400:copy:0", Priority.BULK, "flag summary card"),
    ("session:s1:chatham_house:scheduled:4", Priority.NORMAL, "Chatham House reminder"),
    ("session:s1:consent_card", Priority.NORMAL, "consent card"),
    ("session:s1:auto_reminder:b12", Priority.BULK, "confidentiality reminder"),
    ("session:s1:declined:p2:act-3:to:p1", Priority.NORMAL, "private notice to a facilitator"),
    ("reply:19:chat:act-9:0", Priority.NORMAL, "reply to a command"),
    ("retention:failed:run:1:0", Priority.NORMAL, "notice about the retention purge"),
    ("something:new", Priority.NORMAL, "message"),
])
def test_each_kind_of_item_is_named_in_plain_words(key: str, priority: int, words: str) -> None:
    kind = kind_of(given_up(key, priority))
    assert kind is not None and kind.one == words


def test_a_notice_about_undelivered_items_is_never_itself_noticed() -> None:
    assert kind_of(given_up("session:s1:undelivered:4:copy:0",
                            notify_ref="undelivered_notice:s1")) is None


def test_the_notice_names_kinds_session_and_times_only() -> None:
    session = Session("s1", "19:chat", "https://smba/", None, None, None, None, "Group A", "v1",
                      "live", T0, None, None)
    text = notice_text(session, [
        given_up("flag:1:copy:0", Priority.BULK, minutes=2),
        given_up("flag:2:copy:0", Priority.BULK, minutes=5),
        given_up("flag:3:copy:0", Priority.URGENT, minutes=5),
        given_up("session:s1:undelivered:9:copy:0", notify_ref="undelivered_notice:s1"),
    ], "Europe/London")
    assert text.startswith('3 items from the session "Group A" (started Monday 2 March 2026, '
                           "09:30) could not be delivered to Teams")
    assert "- 2 flag cards, queued Monday 2 March 2026, 09:32 to 09:35" in text
    assert "- 1 safeguarding flag card, queued Monday 2 March 2026, 09:35" in text
    assert "please read it in the console" in text
    assert "403" not in text  # not even Teams' reason
