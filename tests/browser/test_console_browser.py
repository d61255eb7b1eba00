"""The facilitator console in a real headless Chromium, against the real bot over HTTP.

Local mode (no app id): the page's loopback sign-in stands in for Teams SSO; the token rules
themselves are tested in tests/test_console_api.py, and here through the page with a stand-in
for the Teams JS library that hands the page a token."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.conftest import Browser
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, FACILITATOR, MEETING_CHAT, Teams, User
from tests.test_auth import KeyServer, sign
from tests.test_console_api import (
    entra,  # noqa: F401  (a fixture)
    ssobot_for,
    tab_claims,
)
from tests.test_flags import FACILITATORS, IDENTIFYING, live_session, personal
from tests.test_session_flow import _texts, all_statements_ticked, consent_data
from tests.times import LOCAL_TIME

FLAG_ITEMS = "return document.querySelectorAll('#flags li.flag').length"


async def sign_in(browser: Browser, bot: RunningBot, user: User) -> None:
    """Through the local sign-in page, as a person of the (only) session."""
    await browser.open(f"{bot.url}/console/local")
    label = f"Sign in as {user.name}"
    await browser.wait_for(
        "return [...document.querySelectorAll('button')].some(b => b.innerText.startsWith("
        "arguments[0]))", 10.0, label)
    await browser.js("[...document.querySelectorAll('button')].find(b => b.innerText.startsWith("
                     "arguments[0])).click()", label)
    await browser.wait_for("return location.pathname === '/console/'")


async def consent_of(browser: Browser, name: str) -> str:
    return str(await browser.js(
        "const li = [...document.querySelectorAll('#roster li')].find(l => "
        "l.innerText.includes(arguments[0])); return li ? li.innerText : '';", name))


async def no_serious_violations(browser: Browser, state: str) -> None:
    for width in (320, 1280):
        await browser.width(width)
        violations = await browser.axe()
        assert violations == [], f"{state} at {width} px: {violations}"
        await browser.screenshot(f"{state}-{width}")


@pytest.fixture
async def consolebot(start_bot: BotFactory) -> RunningBot:
    return await start_bot(facilitator_ids=FACILITATORS, screening_processes=0)


async def test_facilitator_console_live_roster_flag_and_redact(
    consolebot: RunningBot, teams: Teams, connector: ConnectorStandIn, browser: Browser
) -> None:
    bot = consolebot
    await live_session(bot, teams, connector, consenting=())
    for user in (ALICE, BOB):  # they speak before consenting: on the roster, not yet answered
        assert (await bot.post(teams.chat(user, "hello")))[0] == 201

    await sign_in(browser, bot, FACILITATOR)
    await browser.wait_for(
        "return document.querySelector('#connection').innerText === 'Updates live'")
    await browser.wait_for("return document.querySelectorAll('#roster li').length >= 3")
    assert "Not yet answered" in await consent_of(browser, ALICE.name)
    assert "LOCAL MODE" in (await browser.text("#local-banner")).upper()
    await no_serious_violations(browser, "1-roster")

    data = {**consent_data(connector), **all_statements_ticked(connector)}
    assert (await bot.post(teams.card_action(ALICE, "consent.accept", data)))[0] == 200
    await browser.wait_for(
        "return [...document.querySelectorAll('#roster li')].some(l => "
        "l.innerText.includes(arguments[0]) && l.innerText.includes('Consented'))", 15.0,
        ALICE.name)
    assert "Not yet answered" in await consent_of(browser, BOB.name)

    assert await browser.js(FLAG_ITEMS) == 0
    assert (await bot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    posted = time.monotonic()
    await browser.wait_for(FLAG_ITEMS, 15.0)  # pushed, not polled: no reload in between
    # The issue's own acceptance figure (the one timed assertion kept in the suite; the flag is
    # pushed over the open event stream, typically a few hundred ms after the message).
    assert time.monotonic() - posted < 2.0
    flag = await browser.text("#flags li.flag")
    assert "Priya Sharma" in flag and "Status: Open" in flag
    # The server's words in the study's zone, not the browser's locale ("04:26 AM").
    assert LOCAL_TIME.search(flag) and " AM" not in flag and " PM" not in flag
    assert "started " in await browser.text("#session-elapsed")
    await browser.wait_for("return document.querySelector('#live').innerText.includes('new flag')")
    await no_serious_violations(browser, "2-flag")

    card_puts = len([s for s in connector.to(personal(FACILITATOR)) if s.method == "PUT"])
    await browser.width(320)
    await browser.js("document.querySelector('#flags button[data-verb=\"flag.redact\"]').focus()")
    await browser.js("document.activeElement.click()")
    await browser.wait_for(
        "return document.querySelector('#flags li.flag').innerText.includes('Will be redacted')",
        5.0)
    await connector.wait_for(lambda c: len([s for s in c.to(personal(FACILITATOR))
                                            if s.method == "PUT"]) > card_puts)
    update = [s for s in connector.to(personal(FACILITATOR)) if s.method == "PUT"][-1]
    assert "redact" in " ".join(_texts(update.cards[0])).lower()  # the 1:1 flag card too
    await no_serious_violations(browser, "3-redacted")

    # A click on the 1:1 card shows in the console as well.
    action = teams.card_action(FACILITATOR, "flag.escalate", {"flag_id": int(
        await browser.js("return document.querySelector('#flags li.flag').dataset.flagId"))})
    assert (await bot.post(action))[0] == 200
    await browser.wait_for(
        "return document.querySelector('#flags li.flag').innerText.includes('Escalated')", 5.0)

    # Session controls: end the session; the after-the-meeting part stays.
    await browser.js("document.querySelector('#end').click()")
    await browser.wait_for("return document.querySelector('#session-status').innerText"
                           ".includes('Ended')", 5.0)
    transcript = await browser.text("#transcript")
    assert "turned off" in transcript and "TRANSCRIPT_FETCH_ENABLED" in transcript
    assert await browser.js("return document.querySelector('#transcript-download').hidden")
    await no_serious_violations(browser, "4-ended")
    assert await browser.errors() == []  # no script error, nothing the CSP had to block


async def test_participant_sees_only_their_consent_and_the_sheet(
    consolebot: RunningBot, teams: Teams, connector: ConnectorStandIn, browser: Browser
) -> None:
    bot = consolebot
    await live_session(bot, teams, connector, consenting=(ALICE,))
    assert (await bot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    await sign_in(browser, bot, ALICE)
    await browser.wait_for("return !document.querySelector('#participant').hidden")
    assert "Consented" in await browser.text("#my-consent")
    page = await browser.text("body")
    assert "Priya" not in page and await browser.js(FLAG_ITEMS) == 0
    status = await browser.js_async(
        "const done = arguments[arguments.length - 1];"
        "fetch('/console/api/state?chat=' + encodeURIComponent(arguments[0]),"
        " {headers: {Authorization: 'Local ' + arguments[1]}}).then(r => done(r.status));",
        MEETING_CHAT, ALICE.id)
    assert status == 403
    await no_serious_violations(browser, "5-participant")


# ---- through the Teams JS library's API, with tokens (an app id is set) -----------------------

TEAMS_STAND_IN = """
Object.defineProperty(window, 'microsoftTeams', {writable: false, value: {
  app: {initialize: async () => {}, getContext: async () => ({chat: {id: %s}})},
  authentication: {getAuthToken: async () => %s},
}});
"""


async def open_in_teams(browser: Browser, bot: RunningBot, token: str) -> None:
    """The page as Teams shows it, with a stand-in for the library that hands over `token`."""
    script = TEAMS_STAND_IN % (json.dumps(MEETING_CHAT), json.dumps(token))
    await browser.run(browser.driver.execute_cdp_cmd, "Page.addScriptToEvaluateOnNewDocument",
                      {"source": script})
    await browser.open(f"{bot.url}/console/")


@pytest.mark.parametrize("case", ["facilitator", "participant", "expired", "forged"])
async def test_tab_tokens_in_the_page(
    case: str, start_bot: BotFactory, entra: KeyServer,  # noqa: F811  (the fixture)
    connector: ConnectorStandIn,
    browser: Browser, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await ssobot_for(start_bot, entra, connector, monkeypatch)
    now = int(time.time())
    claims: dict[str, Any] = {
        "facilitator": tab_claims(FACILITATOR),
        "participant": tab_claims(ALICE),
        "expired": tab_claims(FACILITATOR, exp=now - 600, iat=now - 4000, nbf=now - 4000),
        "forged": tab_claims(FACILITATOR),
    }[case]
    if case == "forged":
        forger = KeyServer()
        forger.add_key("key-1")
        token = sign(forger, claims)
    else:
        token = sign(entra, claims)
    await open_in_teams(browser, bot, token)
    if case == "facilitator":
        await browser.wait_for("return document.querySelector('#connection').innerText === "
                               "'Updates live'")
        assert await browser.js("return document.querySelector('#local-banner').hidden")
    elif case == "participant":
        await browser.wait_for("return !document.querySelector('#participant').hidden")
        assert await browser.js(FLAG_ITEMS) == 0
    else:
        await browser.wait_for("return document.querySelector('#connection').innerText"
                               ".includes('401')")
        assert await browser.js("return document.querySelector('#facilitator').hidden")
