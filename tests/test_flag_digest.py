"""Issue 11 item 5: a storm of flags becomes one digest card per facilitator, updated in place,
while safeguarding flags stay individual; end to end over HTTP with the Bot Connector stand-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.clock import ManualClock
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn, Sent
from tests.teams import ALICE, CO_FACILITATOR, FACILITATOR, Teams, User
from tests.test_flags import (
    IDENTIFYING,
    SAFEGUARDING,
    _verbs,
    flag_cards,
    flag_id_of,
    live_session,
    personal,
    settle,
)
from tests.test_session_flow import _texts

FLOOD = 40


async def _bot(start_bot: BotFactory) -> RunningBot:
    """Facilitators FACILITATOR and CO_FACILITATOR; past one flag a minute, a digest. The
    clock stands still at the start of a minute, so the whole flood falls in one."""
    clock = ManualClock(datetime(2026, 11, 29, 10, 0, 1, tzinfo=UTC))
    return await start_bot(clock=clock, facilitator_ids=[FACILITATOR.aad, CO_FACILITATOR.aad],
                           screening_processes=0, flag_digest_threshold=1)


def _digests(connector: ConnectorStandIn, user: User) -> list[tuple[Sent, dict[str, Any]]]:
    return [(sent, card) for sent in connector.to(personal(user)) for card in sent.cards
            if "flag.show" in _verbs(card)]


def _safeguarding(connector: ConnectorStandIn, user: User) -> list[dict[str, Any]]:
    return [card for card in flag_cards(connector, personal(user))
            if "Safeguarding (" in " ".join(_texts(card))]


def _shown_flag_ids(card: dict[str, Any]) -> list[int]:
    found: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("verb") == "flag.show":
                found.append(int(node["data"]["flag_id"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def test_a_flood_becomes_one_digest_per_facilitator_updated_in_place(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await _bot(start_bot)
    await live_session(bot, teams, connector)
    for n in range(FLOOD):
        assert (await bot.post(teams.chat(ALICE, f"{IDENTIFYING} ({n})")))[0] == 201
        if n == FLOOD // 2:
            assert (await bot.post(teams.chat(ALICE, SAFEGUARDING)))[0] == 201
    await settle(bot, within=120)

    for user in (FACILITATOR, CO_FACILITATOR):
        posted = [sent for sent in connector.to(personal(user)) if sent.method == "POST"
                  and any(_verbs(card) & {"flag.redact", "flag.show"} for card in sent.cards)]
        assert len(posted) <= 2  # the first flag's own card, then the digest
        digests = _digests(connector, user)
        assert [sent.method for sent, _ in digests][0] == "POST"
        assert any(sent.method == "PUT" for sent, _ in digests)  # updated in place
        assert len({sent.activity_id for sent, _ in digests}) == 1
        last = digests[-1][1]
        assert f"{FLOOD - 1} messages flagged" in " ".join(_texts(last))
        assert len(json.dumps(last)) < 20_000  # small: no message text, a dozen entries
        assert IDENTIFYING not in json.dumps(last)
        [urgent] = _safeguarding(connector, user)  # its own card, never folded in
        assert "flag.escalate" in _verbs(urgent)


async def test_a_digest_entry_sends_that_flags_own_card_with_its_actions(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await _bot(start_bot)
    await live_session(bot, teams, connector)
    for n in range(4):
        assert (await bot.post(teams.chat(ALICE, f"{IDENTIFYING} ({n})")))[0] == 201
    await settle(bot)
    digest = _digests(connector, FACILITATOR)[-1][1]
    entries = _shown_flag_ids(digest)
    assert len(entries) == 3
    before = len(flag_cards(connector, personal(FACILITATOR)))

    click = teams.card_action(FACILITATOR, "flag.show", {"flag_id": entries[-1]})
    click["conversation"] = {"conversationType": "personal", "id": personal(FACILITATOR)}
    status, body = await bot.post(click)

    assert status == 200 and body["type"] == "application/vnd.microsoft.activity.message"
    await connector.wait_for(
        lambda c: len(flag_cards(c, personal(FACILITATOR))) == before + 1)
    card = flag_cards(connector, personal(FACILITATOR))[-1]
    assert flag_id_of(card) == entries[-1]
    assert {"flag.redact", "flag.dismiss", "flag.escalate"} <= _verbs(card)
    assert "Priya Sharma" in " ".join(_texts(card))
    assert len(flag_cards(connector, personal(CO_FACILITATOR))) == 1  # only the clicker
