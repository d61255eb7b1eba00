"""Issue 11 item 3: a safeguarding flag that no card has reached for 60 s goes to the meeting
organiser's 1:1 (organiser from the meeting's details), end to end over HTTP with the Bot
Connector stand-in and a clock the test moves."""

from __future__ import annotations

from datetime import timedelta

from bot import SERVICES
from tests.clock import ManualClock
from tests.conftest import BotFactory
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams
from tests.test_flags import SAFEGUARDING, _verbs, db, flag_cards, flag_id_of, settle


async def test_a_safeguarding_flag_nobody_received_reaches_the_organisers_chat_after_60_s(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    clock = ManualClock()
    bot = await start_bot(clock=clock, facilitator_ids=[FACILITATOR.aad, CO_FACILITATOR.aad],
                          screening_processes=0)
    connector.organizer_aad = FACILITATOR.aad  # has not typed, registered or clicked
    assert (await bot.post(teams.meeting_start()))[0] == 201
    await connector.wait_for(lambda c: any("consent.accept" in _verbs(card)
                                           for s in c.to(MEETING_CHAT) for card in s.cards))
    assert (await bot.post(teams.chat(ALICE, SAFEGUARDING)))[0] == 201
    await settle(bot)
    [flag] = await db(bot, "SELECT id FROM flags WHERE kind = 'safeguarding'")
    organisers_chat = connector.personal_conversation_for(FACILITATOR.aad)
    flags = bot.app[SERVICES].flags

    clock.advance(timedelta(seconds=59))
    assert await flags.escalate_waiting() == 0  # not yet: it has waited under a minute
    assert flag_cards(connector, organisers_chat) == []

    clock.advance(timedelta(seconds=2))  # the sweep (every 2 s) sends it now
    await connector.wait_for(lambda c: flag_cards(c, organisers_chat), timeout=15)
    await settle(bot)
    assert await flags.escalate_waiting() == 0  # once
    [card] = flag_cards(connector, organisers_chat)
    assert flag_id_of(card) == flag.id and "flag.escalate" in _verbs(card)
    opened = [c["members"][0]["id"] for c in connector.created_conversations]
    assert opened.count(FACILITATOR.aad) == 1  # the organiser's 1:1, opened by its AAD id
    assert flag_cards(connector, MEETING_CHAT) == []  # never to the group
