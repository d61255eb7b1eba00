"""Breakout rooms: a facilitator links a room's chat to the running session with the code
`status` gives; that chat is then screened as the parent session's (same pseudonyms, consent
and facilitators), and a participant can answer the consent card there."""

from __future__ import annotations

import re

from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams
from tests.test_flags import (
    FACILITATORS,
    IDENTIFYING,
    db,
    flag_cards,
    live_session,
    personal,
    settle,
)
from tests.test_session_flow import _texts, _walk, all_statements_ticked

ROOM = "19:breakout-room-1@thread.v2"


async def _code(bot: RunningBot, teams: Teams, connector: ConnectorStandIn) -> str:
    await bot.post(teams.command(FACILITATOR, "status"))
    pattern = re.compile(r"Session code: (\w+)")
    await connector.wait_for(lambda c: any(pattern.search(s.text or "")
                                           for s in c.to(personal(FACILITATOR))))
    (code,) = {m.group(1) for s in connector.to(personal(FACILITATOR))
               if (m := pattern.search(s.text or ""))}
    return code


async def test_a_linked_room_chat_is_screened_as_part_of_the_session(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=0)
    await live_session(bot, teams, connector)
    code = await _code(bot, teams, connector)
    room = Teams(connector.url, conversation_id=ROOM)

    await bot.post(room.command(ALICE, f"link {code}"))  # participants cannot link
    await connector.wait_for(lambda c: any("only the session's facilitators" in (s.text or "")
                                           for s in c.to(ROOM)))
    await bot.post(room.command(FACILITATOR, f"link {code}"))
    await connector.wait_for(lambda c: any("now part of the focus group" in (s.text or "")
                                           for s in c.to(ROOM)))

    status, _ = await bot.post(room.chat(ALICE, IDENTIFYING))
    assert status == 201
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR))
                             and flag_cards(c, personal(CO_FACILITATOR)))
    [card] = flag_cards(connector, personal(FACILITATOR))
    assert "P01" in " ".join(_texts(card))  # Alice's pseudonym from the main chat
    sessions = await db(bot, "SELECT DISTINCT session_id FROM messages")
    assert len(sessions) == 1 and sessions[0].session_id.startswith(code)
    assert "Priya" not in str([s.activity for s in connector.to(MEETING_CHAT)])

    # Bob answers the consent card in the room: recorded for the parent session.
    await bot.post(room.command(BOB, "consent"))
    await connector.wait_for(lambda c: any(card for s in c.to(ROOM) for card in s.cards))
    data = next(dict(node["data"]) for s in connector.to(ROOM) for card in s.cards
                for node in _walk(card) if isinstance(node, dict)
                and node.get("verb") == "consent.accept")
    status, body = await bot.post(room.card_action(
        BOB, "consent.accept", {**data, **all_statements_ticked(connector)}))
    assert status == 200 and "no longer running" not in str(body)
    await settle(bot)
    decisions = await db(bot, "SELECT decision FROM consent_events")
    assert sorted(d.decision for d in decisions) == ["accepted", "accepted"]


async def test_a_wrong_code_links_nothing(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=0)
    await live_session(bot, teams, connector)
    room = Teams(connector.url, conversation_id=ROOM)
    await bot.post(room.command(FACILITATOR, "link zzzzzzzz"))
    await connector.wait_for(lambda c: any("No running session has that code" in (s.text or "")
                                           for s in c.to(ROOM)))
    assert await db(bot, "SELECT * FROM session_links") == []

