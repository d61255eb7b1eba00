"""Issue 11: no chat message unscreened and no flag without a recipient, end to end over HTTP
with the Bot Connector stand-in."""

from __future__ import annotations

from bot import SERVICES
from tests.conftest import RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams
from tests.test_flags import (
    IDENTIFYING,
    SAFEGUARDING,
    _verbs,
    db,
    flag_cards,
    live_session,
    personal,
    settle,
)
from tests.test_session_flow import _texts


async def test_an_unconsented_authors_message_is_screened_and_flagged_but_not_kept(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector, consenting=())
    group_before = len(connector.to(MEETING_CHAT))

    assert (await flagbot.post(teams.chat(BOB, IDENTIFYING)))[0] == 201
    assert (await flagbot.post(teams.chat(BOB, SAFEGUARDING)))[0] == 201
    await connector.wait_for(lambda c: all(len(flag_cards(c, personal(f))) == 2
                                           for f in (FACILITATOR, CO_FACILITATOR)))
    await settle(flagbot)

    flags = await db(flagbot, "SELECT kind, level FROM flags ORDER BY id")
    assert [(f.kind, f.level) for f in flags] == [("identifying", None),
                                                 ("safeguarding", "urgent")]
    rows = await db(flagbot, "SELECT text, kept FROM messages")
    assert len(rows) == 2 and all(r.text is None and not r.kept for r in rows)
    assert await db(flagbot, "SELECT id FROM findings") == []
    stored = str(await db(flagbot, "SELECT payload FROM outbox"))
    assert "Priya" not in stored and "die some days" not in stored
    for user in (FACILITATOR, CO_FACILITATOR):
        shown = [" ".join(_texts(card)) for card in flag_cards(connector, personal(user))]
        assert all("not kept" in text and "Bob Participant" in text for text in shown)
        assert any("URGENT" in text for text in shown)
    group = connector.to(MEETING_CHAT)[group_before:]
    assert "Priya" not in str([s.activity for s in group])
    assert not any("flag.escalate" in _verbs(card) for s in group for card in s.cards)


async def test_a_mention_of_the_bot_that_is_not_a_command_is_screened_not_answered_in_the_group(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    group_before = len(connector.to(MEETING_CHAT))

    assert (await flagbot.post(teams.command(ALICE, IDENTIFYING)))[0] == 201
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR))
                             and flag_cards(c, personal(CO_FACILITATOR))
                             and c.to(personal(ALICE)))
    await settle(flagbot)

    [flag] = await db(flagbot, "SELECT f.kind, m.text FROM flags f "
                               "JOIN messages m ON m.id = f.message_id")
    assert flag.kind == "identifying" and "Priya Sharma" in flag.text
    assert "Focus Group Bot" not in flag.text
    assert connector.to(MEETING_CHAT)[group_before:] == []
    [help_card] = [card for s in connector.to(personal(ALICE)) for card in s.cards
                   if "help" in str(card).lower()]
    assert "Priya" not in str(help_card)


async def test_an_exact_command_after_a_mention_still_runs(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    group_before = len(connector.to(MEETING_CHAT))

    assert (await flagbot.post(teams.command(ALICE, "info")))[0] == 201
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) > group_before)
    await settle(flagbot)
    assert await db(flagbot, "SELECT id FROM messages WHERE text LIKE '%info%'") == []


async def test_a_flag_no_facilitator_can_receive_waits_and_reaches_the_first_who_registers(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    assert (await flagbot.post(teams.meeting_start()))[0] == 201  # nobody has spoken yet
    await connector.wait_for(lambda c: any("consent.accept" in _verbs(card)
                                           for s in c.to(MEETING_CHAT) for card in s.cards))
    assert (await flagbot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    await settle(flagbot)
    [flag] = await db(flagbot, "SELECT id FROM flags")
    assert await db(flagbot, "SELECT id FROM flag_cards") == []

    assert (await flagbot.post(teams.command(FACILITATOR, "status")))[0] == 201
    await connector.wait_for(lambda c: any("Undelivered flags: 1" in s.text
                                           for s in c.to(personal(FACILITATOR))))
    assert "Undelivered" not in str([s.activity for s in connector.to(MEETING_CHAT)])

    assert (await flagbot.post(teams.personal(FACILITATOR, "register")))[0] == 201
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    await settle(flagbot)
    await flagbot.app[SERVICES].screening.sweep_once()  # another sweep sends nothing more
    await settle(flagbot)
    [card] = flag_cards(connector, personal(FACILITATOR))
    assert "Priya Sharma" in " ".join(_texts(card)) or "not kept" in " ".join(_texts(card))
    assert flag_cards(connector, personal(CO_FACILITATOR)) == []
    assert [row.flag_id for row in await db(flagbot, "SELECT flag_id FROM flag_cards")] == [
        flag.id]
