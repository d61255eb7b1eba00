"""A focus-group session end to end: Teams activities in over HTTP, replies out to the stand-in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot import STORE
from tests.conftest import RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams
from tests.times import LOCAL_TIME


def card_kinds(connector: ConnectorStandIn, conversation_id: str = MEETING_CHAT) -> list[str]:
    """A readable label for each card posted to a conversation, from its first text block."""
    kinds = []
    for sent in connector.to(conversation_id):
        for card in sent.cards:
            actions = [a.get("verb") for a in _walk(card) if isinstance(a, dict)
                       and a.get("type") == "Action.Execute"]
            if "consent.accept" in actions:
                kinds.append("consent")
            elif any("information" in str(t).lower() for t in _texts(card)[:3]):
                kinds.append("information_sheet")
            elif any("chatham house" in str(t).lower() for t in _texts(card)):
                kinds.append("chatham_house")
            else:
                kinds.append("other")
    return kinds


def _walk(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


def _texts(card: dict[str, Any]) -> list[str]:
    """Every piece of text a person can read on the card (text blocks, facts, titles)."""
    return [
        n[key]
        for n in _walk(card)
        if isinstance(n, dict)
        for key in ("text", "title", "value")
        if isinstance(n.get(key), str) and key in n
    ]


def consent_data(connector: ConnectorStandIn, chat: str = MEETING_CHAT) -> dict[str, Any]:
    for sent in connector.to(chat):
        for card in sent.cards:
            for node in _walk(card):
                if isinstance(node, dict) and node.get("verb") == "consent.accept":
                    return dict(node["data"])
    raise AssertionError("no consent card was posted")


def all_statements_ticked(connector: ConnectorStandIn) -> dict[str, str]:
    ids = []
    for sent in connector.to(MEETING_CHAT):
        for card in sent.cards:
            ids += [n["id"] for n in _walk(card) if isinstance(n, dict)
                    and n.get("type") == "Input.Toggle"]
    assert ids, "the consent card has no statements"
    return {i: "true" for i in dict.fromkeys(ids)}


async def start_session(bot: RunningBot, teams: Teams, connector: ConnectorStandIn) -> None:
    status, _ = await bot.post(teams.command(FACILITATOR, "start"))
    assert status == 201
    await connector.wait_for(lambda c: len(card_kinds(c)) >= 4)


async def test_start_posts_welcome_information_sheet_consent_and_chatham_house(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)

    kinds = card_kinds(connector)
    assert kinds[1:] == ["information_sheet", "consent", "chatham_house"]
    consent = next(c for s in connector.to(MEETING_CHAT) for c in s.cards
                   if "refresh" in c)
    assert consent["refresh"]["action"]["verb"] == "consent.refresh"
    assert FACILITATOR.id in consent["refresh"]["userIds"]


async def test_start_twice_keeps_one_session_and_says_so(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: any("already running" in s.text for s in c.sent))
    assert card_kinds(connector).count("consent") == 1


async def test_consent_invoke_returns_own_answer_and_records_one_event(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    data = {**consent_data(connector), **all_statements_ticked(connector)}

    status, body = await bot.post(teams.card_action(ALICE, "consent.accept", data))

    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    shown = " ".join(_texts(body["value"]))
    assert "You consented on" in shown and LOCAL_TIME.search(shown) and "UTC" not in shown
    store = bot.app[STORE]
    async with store.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT decision, form_version FROM consent_events"))).all()
    assert [r.decision for r in rows] == ["accepted"]
    assert rows[0].form_version == data["form_version"]

    status, refreshed = await bot.post(
        teams.card_action(ALICE, "consent.refresh", consent_data(connector), trigger="automatic")
    )
    assert status == 200 and "You consented on" in " ".join(_texts(refreshed["value"]))


async def test_consent_without_required_statements_is_not_recorded(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)

    status, body = await bot.post(teams.card_action(ALICE, "consent.accept",
                                                    consent_data(connector)))

    assert status == 200
    assert any("required" in t for t in _texts(body["value"]))
    store = bot.app[STORE]
    async with store.engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM consent_events"))).scalar_one()
    assert count == 0


async def test_declining_tells_the_participant_plainly_and_facilitators_privately(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)

    status, body = await bot.post(teams.card_action(BOB, "consent.decline",
                                                    consent_data(connector)))

    assert status == 200
    shown = " ".join(_texts(body["value"])).lower()
    assert "chose not to take part" in shown and "at any time" in shown
    assert "will not be used" in shown
    private = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: len(c.to(private)) == 1)
    notice = " ".join(_texts(connector.to(private)[0].cards[0]))
    assert "Bob Participant" in notice
    group_text = " ".join(" ".join(_texts(c)) + s.text for s in connector.to(MEETING_CHAT)
                          for c in (s.cards or [{}]))
    assert "Bob Participant" not in group_text


async def test_status_goes_only_to_the_facilitator_who_asked(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    await bot.post(teams.card_action(ALICE, "consent.accept",
                                     {**consent_data(connector),
                                      **all_statements_ticked(connector)}))
    await bot.post(teams.card_action(BOB, "consent.decline", consent_data(connector)))
    before = len(connector.to(MEETING_CHAT))

    await bot.post(teams.command(FACILITATOR, "status"))

    private = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: any("Consent" in " ".join(_texts(card))
                                           for s in c.to(private) for card in s.cards
                                           if "Alice" in " ".join(_texts(card))))
    status_card = next(card for s in connector.to(private) for card in s.cards
                       if "Alice" in " ".join(_texts(card)))
    names = " ".join(_texts(status_card))
    assert "Alice Participant" in names and "Bob Participant" in names
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) == before + 1)
    note = connector.to(MEETING_CHAT)[-1]
    assert note.cards == [] and "Alice" not in note.text and "Bob" not in note.text
    assert connector.to(connector.personal_conversation_for(CO_FACILITATOR.id)) == []


async def test_a_participant_cannot_start_a_session(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    status, _ = await bot.post(teams.command(ALICE, "start"))

    assert status == 201
    await connector.wait_for(lambda c: len(c.sent) == 1)
    assert "only the session's facilitators" in connector.sent[0].text
    store = bot.app[STORE]
    assert await store.live_session(MEETING_CHAT) is None


async def test_a_participant_typing_end_changes_nothing(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    await bot.post(teams.command(BOB, "end"))
    await connector.wait_for(lambda c: any("only the session's facilitators" in s.text
                                           for s in c.sent))
    store = bot.app[STORE]
    assert await store.live_session(MEETING_CHAT) is not None


async def test_meeting_organiser_is_a_facilitator_by_meeting_role(
    start_bot: Any, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=[])
    connector.meeting_roles[CO_FACILITATOR.aad] = "Organizer"
    connector.meeting_roles[ALICE.aad] = "Attendee"

    await bot.post(teams.command(ALICE, "start"))
    await connector.wait_for(lambda c: len(c.sent) == 1)
    assert "only the session's facilitators" in connector.sent[0].text

    await bot.post(teams.command(CO_FACILITATOR, "start"))
    await connector.wait_for(lambda c: "consent" in card_kinds(c))


async def test_unknown_command_gets_help(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await bot.post(teams.command(ALICE, "dance"))
    await connector.wait_for(lambda c: len(c.sent) == 2)
    assert "don't know that command" in connector.sent[0].text
    help_text = " ".join(_texts(connector.sent[1].cards[0]))
    assert "consent" in help_text and "status" not in help_text.split()


async def test_meeting_start_event_starts_the_session_and_meeting_end_closes_it(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    status, _ = await bot.post(teams.meeting_start("Focus group, Tuesday"))
    assert status == 201
    await connector.wait_for(lambda c: len(card_kinds(c)) == 4)
    store = bot.app[STORE]
    session = await store.live_session(MEETING_CHAT)
    assert session is not None and session.title == "Focus group, Tuesday"

    before = len(connector.sent)
    await bot.post(teams.meeting_end())
    await connector.wait_for(lambda c: len(c.sent) == before + 2)
    assert "withdraw" in " ".join(_texts(connector.sent[-1].cards[0])).lower()
    assert await store.live_session(MEETING_CHAT) is None


async def test_end_posts_closing_message_with_withdrawal_rights_and_contact(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    before = len(connector.sent)
    await bot.post(teams.command(FACILITATOR, "end"))
    await connector.wait_for(lambda c: len(c.sent) == before + 2)
    closing = " ".join(_texts(connector.sent[-1].cards[0]))
    assert "@researchinpractice.org.uk" in closing
    assert card_kinds(connector)[-2] == "chatham_house"


async def test_late_joiner_is_welcomed_and_added_to_the_consent_refresh_list(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    await bot.post(teams.participant_join(BOB))
    await connector.wait_for(lambda c: any(s.method == "PUT" for s in c.sent))
    update = next(s for s in connector.sent if s.method == "PUT")
    assert BOB.id in update.cards[0]["refresh"]["userIds"]
    welcome_count = len(connector.to(MEETING_CHAT))
    await bot.post(teams.members_added(BOB))
    await bot.post(teams.command(ALICE, "help"))
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) >= welcome_count + 1)
    late = [s for s in connector.to(MEETING_CHAT) if s.method == "POST"
            and any("consent" in " ".join(_texts(card)).lower() and "refresh" not in card
                    for card in s.cards)]
    assert late, "no late-joiner welcome was posted"


async def test_info_and_consent_are_open_to_everyone(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    before = card_kinds(connector)
    await bot.post(teams.command(ALICE, "info"))
    await bot.post(teams.command(ALICE, "consent"))
    await connector.wait_for(lambda c: len(card_kinds(c)) == len(before) + 2)
    assert card_kinds(connector)[-2:] == ["information_sheet", "consent"]


async def test_health_and_readiness(ready_bot: RunningBot) -> None:
    bot = ready_bot
    assert await bot.get("/healthz") == (200, {"status": "ok"})
    status, body = await bot.get("/readyz")
    assert status == 200 and body == {"ready": True, "database": True, "study": True,
                                      "retention": "none", "undelivered": 0}
