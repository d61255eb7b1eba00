"""Times people read in Teams are on the study's clock (Europe/London), end to end: a session
on a summer date, where British Summer Time is an hour ahead of UTC, so a time drawn in UTC
would read an hour early. Machine fields stay ISO 8601 UTC (tests/test_console_views.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.clock import ManualClock
from tests.conftest import BotFactory
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, FACILITATOR, MEETING_CHAT, Teams
from tests.test_flags import FACILITATORS, IDENTIFYING, flag_cards, personal, settle
from tests.test_session_flow import _texts, all_statements_ticked, consent_data

SUMMER = datetime(2026, 7, 3, 13, 5, tzinfo=UTC)  # Friday 3 July 2026, 14:05 BST
LONDON = "Friday 3 July 2026, 14:05"


async def test_consent_flag_card_and_closing_message_read_in_london_time(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn,
) -> None:
    bot = await start_bot(clock=ManualClock(SUMMER), facilitator_ids=FACILITATORS,
                          screening_processes=0)
    assert (await bot.post(teams.command(FACILITATOR, "start")))[0] == 201
    await connector.wait_for(lambda c: any(
        "consent.accept" in str(card) for s in c.to(MEETING_CHAT) for card in s.cards))
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    status, body = await bot.post(teams.card_action(ALICE, "consent.accept", data))
    assert status == 200
    answer = " ".join(_texts(body["value"]))
    assert f"You consented on {LONDON}." in answer and "13:05" not in answer

    assert (await bot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    await settle(bot)
    [card] = flag_cards(connector, personal(FACILITATOR))
    shown = " ".join(_texts(card))
    assert LONDON in shown and "13:05" not in shown and "UTC" not in shown

    before = len(connector.to(MEETING_CHAT))
    assert (await bot.post(teams.command(FACILITATOR, "end")))[0] == 201
    await connector.wait_for(lambda c: any("withdraw" in " ".join(_texts(card)).lower()
                                           for s in c.to(MEETING_CHAT)[before:]
                                           for card in s.cards))
    closing = " ".join(" ".join(_texts(card)) for s in connector.to(MEETING_CHAT)[before:]
                       for card in s.cards)
    # The withdrawal deadline: two weeks after the end, on the study's clock.
    assert "Friday 17 July 2026, 14:05" in closing and "13:05" not in closing
