"""Reporting a chat message from its "..." menu (message extension actions), end to end: the
invoke Teams sends, the facilitators' private cards from the Bot Connector stand-in, a
facilitator's decision on the card, and the quality report that counts it all."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from bot import STORE
from cards import card_problems
from export.exclusions import message_exclusions
from services.flag_reports import (
    ADDED_ANSWER,
    NOT_A_SESSION,
    NOT_YOURS,
    REMOVED_ANSWER,
    REPEAT_REPORT,
    REPORTED_ANSWER,
)
from tests.conftest import RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams, User
from tests.test_flags import (
    HARMLESS,
    IDENTIFYING,
    db,
    flag_cards,
    flag_id_of,
    live_session,
    personal,
    settle,
)
from tests.test_session_flow import _texts, _walk

PROJECT = Path(__file__).resolve().parents[1]
REPORT = "reportMessage"
REMOVE = "removeMyMessage"
HOSTILE = "**Bold** _and_ \"quoted\" {braces} [see above](#) I agree with that point about workload"


def answer(body: Any) -> str:
    """The text of a task module `message` response (Teams shows it to the user alone)."""
    assert body["task"]["type"] == "message", body
    text = body["task"]["value"]
    assert isinstance(text, str)
    return text


def reported_cards(connector: ConnectorStandIn, user: User) -> list[dict[str, Any]]:
    return [card for card in flag_cards(connector, personal(user))
            if "A message was reported to you" in _texts(card)]


def notices(connector: ConnectorStandIn, user: User) -> list[str]:
    return [" ".join(_texts(card)) for sent in connector.to(personal(user)) for card in sent.cards
            if "A message was removed from the research" in _texts(card)]


async def post_action(bot: RunningBot, teams: Teams, user: User, command: str, message_id: str,
                      author: User, **data: str) -> str:
    """The dialog opens (fetchTask) and is sent (submitAction); the answer of the latter."""
    status, body = await bot.post(teams.message_action(user, command, message_id, author))
    assert status == 200
    if body["task"]["type"] == "message":
        return answer(body)
    assert body["task"]["type"] == "continue"
    card = body["task"]["value"]["card"]["content"]
    assert card_problems(card) == []
    submit = next(n for n in _walk(card) if isinstance(n, dict)
                  and n.get("type") == "Action.Submit")
    status, body = await bot.post(teams.message_action(
        user, command, message_id, author, submit=True, data={**submit["data"], **data}))
    assert status == 200
    return answer(body)


async def quality_cli(bot: RunningBot, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": bot.settings.database_url}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "export", "quality", *args, cwd=PROJECT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_reports_reach_facilitators_privately_and_are_counted_as_outcomes(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector, consenting=(ALICE, BOB))
    harmless, flagged, second, removable = ("1764000000001", "1764000000002",
                                            "1764000000003", "1764000000004")
    await flagbot.post(teams.chat(ALICE, HOSTILE, activity_id=harmless))
    await flagbot.post(teams.chat(ALICE, IDENTIFYING, activity_id=flagged))
    await flagbot.post(teams.chat(BOB, "I met Tom Baker at 3 Church Lane", activity_id=second))
    await flagbot.post(teams.chat(BOB, HARMLESS, activity_id=removable))
    await connector.wait_for(lambda c: len(flag_cards(c, personal(FACILITATOR))) == 2)
    await settle(flagbot)
    group_before = len(connector.to(MEETING_CHAT))
    screening_cards = len(flag_cards(connector, personal(FACILITATOR)))

    # Bob reports Alice's message, which screening did not flag: a known miss
    said = await post_action(flagbot, teams, BOB, REPORT, harmless, ALICE, concern="identifying")
    assert said == REPORTED_ANSWER
    await connector.wait_for(lambda c: reported_cards(c, FACILITATOR)
                             and reported_cards(c, CO_FACILITATOR))
    [card] = reported_cards(connector, FACILITATOR)
    assert card_problems(card) == []
    shown = " ".join(_texts(card))
    assert "A participant reported this message" in shown
    runs = "".join(n["text"] for n in _walk(card) if isinstance(n, dict)
                   and n.get("type") == "TextRun")
    assert "**Bold** _and_ \"quoted\" {braces} [see above](#)" in runs  # as typed, inert
    assert "Bob" not in shown  # the facilitators are not told who reported it
    assert {"flag.redact", "flag.dismiss", "flag.escalate"} <= {
        n.get("verb") for n in _walk(card) if isinstance(n, dict)}

    # Teams retries the invoke: recorded once, no second card
    status, body = await flagbot.post(teams.message_action(
        BOB, REPORT, harmless, ALICE, submit=True, data={"action": "report",
                                                         "concern": "identifying"}))
    assert (status, answer(body)) == (200, REPEAT_REPORT)

    # a report of a message already flagged joins its flag: no new card
    assert await post_action(flagbot, teams, BOB, REPORT, flagged, ALICE) == ADDED_ANSWER
    await settle(flagbot)
    assert len(reported_cards(connector, FACILITATOR)) == 1
    assert len(flag_cards(connector, personal(FACILITATOR))) == screening_cards + 1

    # the facilitators decide: one screening flag dismissed, one confirmed, the report confirmed
    by_message = {row.activity_id: row.id for row in await db(
        flagbot, "SELECT f.id, m.activity_id FROM flags f JOIN messages m ON m.id = f.message_id")}
    for verb, flag_id in (("flag.dismiss", by_message[flagged]),
                          ("flag.redact", by_message[second]),
                          ("flag.redact", flag_id_of(card))):
        status, body = await flagbot.post(teams.card_action(FACILITATOR, verb,
                                                            {"flag_id": flag_id}))
        assert status == 200 and card_problems(body["value"]) == []
    await settle(flagbot)

    # Bob asks for his own message to be removed from the research
    assert await post_action(flagbot, teams, BOB, REMOVE, removable, BOB) == REMOVED_ANSWER
    await connector.wait_for(lambda c: notices(c, FACILITATOR) and notices(c, CO_FACILITATOR))
    [notice] = notices(connector, FACILITATOR)
    assert "P02" in notice and "agree" not in notice  # the pseudonym, never the message
    await settle(flagbot)

    assert len(connector.to(MEETING_CHAT)) == group_before  # the group learnt nothing
    outcomes = await db(flagbot, "SELECT kind, flag_kind, category FROM labelled_outcomes "
                                 "ORDER BY id")
    assert [(o.kind, o.flag_kind) for o in outcomes] == [
        ("missed", "reported"), ("already_flagged", "identifying"),
        ("dismissed", "identifying"), ("confirmed", "identifying"),
        ("confirmed", "reported"), ("removal_requested", None)]
    assert outcomes[0].category == "identifying"
    store = flagbot.app[STORE]
    [session] = await store.list_sessions()
    source = await store.session_source(session.id)
    assert source is not None
    removed_id = next(m.id for m in source.messages if m.activity_id == removable)
    harmless_id = next(m.id for m in source.messages if m.activity_id == harmless)
    assert message_exclusions(source) == {removed_id: "removed_by_author",
                                          harmless_id: "reported_left_out"}

    table = await quality_cli(flagbot)
    row = next(line for line in table.splitlines() if line.startswith(session.id[:8]))
    #              decided dismissed precision undecided misses reports-on-flagged removals
    assert row.split()[2:] == ["2", "1", "0.50", "0", "1", "1", "1"]
    for private in ("Alice", "Bob", "Priya", "agree", "Bold"):
        assert private not in table
    figures = json.loads(await quality_cli(flagbot, "--json"))
    total = figures["study_total"]
    assert (total["flags_decided"], total["dismissed"], total["precision"],
            total["known_misses"], total["removal_requests"]) == (2, 1, 0.5, 1, 1)
    assert total["decisions_by_category"]["PERSON"] == {"confirmed": 1, "dismissed": 1}


async def test_only_the_author_may_remove_a_message_and_nothing_is_recorded_otherwise(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector, consenting=(ALICE, BOB))
    await flagbot.post(teams.chat(ALICE, HARMLESS, activity_id="1764000000101"))
    await settle(flagbot)

    status, body = await flagbot.post(teams.message_action(BOB, REMOVE, "1764000000101", ALICE))
    assert (status, answer(body)) == (200, NOT_YOURS)  # the dialog does not even open
    # a forged submit naming Bob as the author: the stored message says Alice wrote it
    status, body = await flagbot.post(teams.message_action(
        BOB, REMOVE, "1764000000101", BOB, submit=True, data={"action": "remove"}))
    assert (status, answer(body)) == (200, NOT_YOURS)
    # a facilitator cannot remove a participant's message either
    status, body = await flagbot.post(teams.message_action(
        FACILITATOR, REMOVE, "1764000000101", ALICE, submit=True, data={"action": "remove"}))
    assert answer(body) == NOT_YOURS
    await settle(flagbot)

    assert await db(flagbot, "SELECT id FROM labelled_outcomes") == []
    assert notices(connector, FACILITATOR) == []


async def test_a_chat_that_is_no_session_gets_a_clear_answer(
    flagbot: RunningBot, connector: ConnectorStandIn
) -> None:
    elsewhere = Teams(connector.url, conversation_id="19:meeting_other@thread.v2")
    for command, author in ((REPORT, BOB), (REMOVE, ALICE)):
        for submit in (False, True):
            status, body = await flagbot.post(elsewhere.message_action(
                ALICE, command, "1764000000201", author, submit=submit))
            assert (status, answer(body)) == (200, NOT_A_SESSION)
    assert await db(flagbot, "SELECT id FROM labelled_outcomes") == []
    assert connector.sent == []


async def test_a_command_from_the_compose_box_is_pointed_to_the_message_menu(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    activity = teams.message_action(ALICE, REPORT, "1764000000301", BOB)
    activity["value"]["commandContext"] = "compose"
    del activity["value"]["messagePayload"]
    status, body = await flagbot.post(activity)
    assert status == 200 and "menu of a message" in answer(body)
