"""A message the screening engine keeps failing on is not retried unseen for ever: after a
few attempts each facilitator gets a card asking them to read it themselves."""

from __future__ import annotations

import pytest

import services.scan_worker as scan_worker
import services.screening_pipeline as pipeline
from cards import card_problems
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.failing_engine import EngineFailingOn
from tests.teams import ALICE, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams
from tests.test_flags import (
    FACILITATORS,
    IDENTIFYING,
    _verbs,
    db,
    flag_cards,
    live_session,
    personal,
    settle,
)
from tests.test_session_flow import _texts

TRIPS_THE_ENGINE = "the bit about the Tuesday rota \u2603 was odd"


@pytest.fixture
async def fragile_bot(start_bot: BotFactory, monkeypatch: pytest.MonkeyPatch) -> RunningBot:
    real_load = scan_worker.load_screener
    monkeypatch.setattr(scan_worker, "load_screener",
                        lambda *args: EngineFailingOn(real_load(*args), "\u2603"))
    return await start_bot(facilitator_ids=FACILITATORS, screening_processes=0)


@pytest.mark.slow
async def test_a_message_the_engine_keeps_failing_on_goes_to_facilitators_to_read(
    fragile_bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(fragile_bot, teams, connector)
    group_before = len(connector.to(MEETING_CHAT))

    for text in (TRIPS_THE_ENGINE, IDENTIFYING):
        assert (await fragile_bot.post(teams.chat(ALICE, text)))[0] == 201
    await connector.wait_for(lambda c: all(len(flag_cards(c, personal(f))) == 2
                                           for f in (FACILITATOR, CO_FACILITATOR)), timeout=20)
    await settle(fragile_bot)

    flags = await db(fragile_bot, "SELECT f.kind, m.text, m.scan_attempts, m.scanned_at "
                                  "FROM flags f JOIN messages m ON m.id = f.message_id "
                                  "ORDER BY f.id")
    kinds = {flag.text: flag.kind for flag in flags}
    assert kinds == {IDENTIFYING: "identifying", TRIPS_THE_ENGINE: "unscreened"}
    [unscreened] = [flag for flag in flags if flag.kind == "unscreened"]
    assert unscreened.scan_attempts == pipeline.SCAN_ATTEMPTS
    assert unscreened.scanned_at is not None  # no longer retried
    for user in (FACILITATOR, CO_FACILITATOR):
        [card] = [c for c in flag_cards(connector, personal(user))
                  if "could not be screened" in " ".join(_texts(c))]
        assert card_problems(card) == []
        shown = " ".join(_texts(card))
        assert "Tuesday rota" in shown and "Alice Participant" in shown
        assert "read it" in shown
        assert {"flag.remind", "flag.dismiss", "flag.escalate"} <= _verbs(card)
        assert "flag.redact" not in _verbs(card)  # nothing was found to redact
    assert len(connector.to(MEETING_CHAT)) == group_before


@pytest.mark.slow
async def test_an_edit_gives_an_unscreened_message_fresh_attempts(
    fragile_bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(fragile_bot, teams, connector)
    assert (await fragile_bot.post(teams.chat(ALICE, TRIPS_THE_ENGINE,
                                              activity_id="1763999999200")))[0] == 201
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)), timeout=20)
    await settle(fragile_bot)

    edit = teams.chat(ALICE, IDENTIFYING, activity_id="1763999999200")
    edit["type"] = "messageUpdate"
    edit["channelData"]["eventType"] = "editMessage"
    assert (await fragile_bot.post(edit))[0] in (200, 201)
    await connector.wait_for(lambda c: len(flag_cards(c, personal(FACILITATOR))) == 2,
                             timeout=20)
    await settle(fragile_bot)
    [row] = await db(fragile_bot, "SELECT scan_attempts FROM messages")
    assert row.scan_attempts == 1
    kinds = [flag.kind for flag in await db(fragile_bot, "SELECT kind FROM flags ORDER BY id")]
    assert kinds == ["unscreened", "identifying"]
