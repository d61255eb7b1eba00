"""The facilitator console's API over HTTP: who may read and act, that an action here updates
the 1:1 flag card through the outbox, the tab token rules, and the page's security headers."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from docx import Document

import resources
from bot import SERVICES
from services.sessions import Conversation
from tests.clock import ManualClock
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, FACILITATOR, MEETING_CHAT, TENANT, Teams, User
from tests.test_auth import APP_ID, FakeTokens, KeyServer, sign
from tests.test_flags import (
    FACILITATORS,
    IDENTIFYING,
    SAFEGUARDING,
    flag_cards,
    live_session,
    personal,
    settle,
)
from tests.test_session_flow import _texts, all_statements_ticked, consent_data
from tests.test_transcript_fetch import GraphStandIn, graph  # noqa: F401  (a fixture)

PUBLIC_HOST = "focusbot.example.org"


async def call(bot: RunningBot, method: str, path: str, authorization: str | None,
               chat: str = MEETING_CHAT) -> tuple[int, Any, dict[str, str]]:
    headers = {"Authorization": authorization} if authorization else {}
    url = f"{bot.url}{path}{'&' if '?' in path else '?'}chat={quote(chat)}"
    async with aiohttp.ClientSession() as http, http.request(method, url, headers=headers) as r:
        body = await r.json() if r.content_type == "application/json" else await r.read()
        return r.status, body, dict(r.headers)


def local(user: User) -> str:
    return f"Local {user.id}"


@pytest.fixture
async def consolebot(start_bot: BotFactory) -> RunningBot:
    return await start_bot(facilitator_ids=FACILITATORS, screening_processes=0)


async def test_facilitator_sees_roster_and_flags_and_redact_updates_the_flag_card(
    consolebot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(consolebot, teams, connector, consenting=(ALICE, BOB))
    assert (await consolebot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    assert (await consolebot.post(teams.chat(BOB, SAFEGUARDING)))[0] == 201
    await connector.wait_for(lambda c: len(flag_cards(c, personal(FACILITATOR))) == 2)
    await settle(consolebot)

    status, state, _ = await call(consolebot, "GET", "/console/api/state", local(FACILITATOR))
    assert status == 200
    roster = {p["name"]: p["consent"] for p in state["roster"]}
    assert roster["Alice Participant"] == roster["Bob Participant"] == "accepted"
    first, second = state["flags"]
    assert first["urgent"] and first["kind"] == "safeguarding"  # urgent ones first
    assert "Priya Sharma" in [s["text"] for s in second["segments"] if s["category"]]
    assert {a["label"] for a in second["actions"]} >= {
        "Remind group", "Redact in export", "Not identifying", "Escalate"}
    assert state["session"]["live"] and state["session"]["next_reminder_at"]

    puts = len([s for s in connector.sent if s.method == "PUT"])
    status, _, _ = await call(consolebot, "POST",
                              f"/console/api/flags/{second['id']}/flag.redact", local(FACILITATOR))
    assert status == 200
    await connector.wait_for(lambda c: len([s for s in c.to(personal(FACILITATOR))
                                            if s.method == "PUT"]) >= 1)
    [update] = [s for s in connector.to(personal(FACILITATOR)) if s.method == "PUT"]
    shown = " ".join(_texts(update.cards[0]))
    assert "F1" in shown and "redact" in shown.lower()  # the card says who did what
    # Its headline is dark text on the tinted band (it was amber on amber, 1.18:1).
    assert update.cards[0]["body"][0]["items"][0]["color"] == "Default"
    assert len([s for s in connector.sent if s.method == "PUT"]) > puts
    _, after, _ = await call(consolebot, "GET", "/console/api/state", local(FACILITATOR))
    assert [f["status"] for f in after["flags"] if f["id"] == second["id"]] == ["redact"]


async def test_participant_gets_no_flags_only_their_consent_and_the_sheet(
    consolebot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(consolebot, teams, connector)
    assert (await consolebot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    await settle(consolebot)
    for path in ("/console/api/state", "/console/api/events", "/console/api/export"):
        status, body, _ = await call(consolebot, "GET", path, local(ALICE))
        assert status == 403 and body == {"error": "not_facilitator"}
    status, _, _ = await call(consolebot, "POST", "/console/api/flags/1/flag.dismiss", local(ALICE))
    assert status == 403
    status, _, _ = await call(consolebot, "POST", "/console/api/session/end", local(ALICE))
    assert status == 403
    status, me, _ = await call(consolebot, "GET", "/console/api/me", local(ALICE))
    assert status == 200 and me["role"] == "participant" and me["consent"] == "accepted"
    assert "flags" not in me and "roster" not in me and "Priya" not in str(me)
    assert me["information_sheet"]["sections"]


async def test_session_controls_remind_and_end(
    consolebot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(consolebot, teams, connector)
    before = len(connector.to(MEETING_CHAT))
    status, _, _ = await call(consolebot, "POST", "/console/api/session/remind", local(FACILITATOR))
    assert status == 200
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) > before)
    status, _, _ = await call(consolebot, "POST", "/console/api/session/end", local(FACILITATOR))
    assert status == 200
    _, state, _ = await call(consolebot, "GET", "/console/api/state", local(FACILITATOR))
    assert not state["session"]["live"] and state["session"]["next_reminder_at"] is None
    assert state["transcript"]["available"] is False and state["transcript"]["state"] == "off"
    assert "TRANSCRIPT_FETCH_ENABLED=true" in state["transcript"]["words"]
    status, _, _ = await call(consolebot, "GET", "/console/api/transcript", local(FACILITATOR))
    assert status == 404  # nothing fetched: nothing to download
    status, body, headers = await call(consolebot, "GET", "/console/api/export?format=csv",
                                       local(FACILITATOR))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]


async def test_no_sign_in_is_401_and_the_page_has_security_headers(
    consolebot: RunningBot,
) -> None:
    for authorization in (None, "Bearer abc.def.ghi", "Local "):
        status, _, _ = await call(consolebot, "GET", "/console/api/me", authorization)
        assert status == 401
    async with aiohttp.ClientSession() as http, http.get(f"{consolebot.url}/console/") as r:
        assert r.status == 200
        page = await r.text()
        csp = r.headers["Content-Security-Policy"]
    assert "<script>" not in page and "onclick" not in page  # no inline script
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'self' https://teams.microsoft.com" in csp
    assert "https://*.cloud.microsoft" in csp
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{consolebot.url}/console/static/axe.min.js") as r:
            assert r.status == 404  # the test-only library is never served


# ---- Single sign-on tokens (an app id is set) ---------------------------------------------------


@pytest.fixture
async def entra() -> AsyncIterator[KeyServer]:
    server = KeyServer()
    server.add_key("key-1")
    runner = await server.start()
    yield server
    await server.stop(runner)


def tab_claims(user: User, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
        "aud": f"api://{PUBLIC_HOST}/{APP_ID}", "tid": TENANT, "oid": user.aad,
        "nbf": now - 10, "iat": now - 10, "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


async def ssobot_for(start_bot: BotFactory, entra: KeyServer, connector: ConnectorStandIn,
                     monkeypatch: pytest.MonkeyPatch) -> RunningBot:
    """The bot with an app id (so tab tokens are required) and a live session in the meeting
    chat, started through the session service (activities would need bot tokens too)."""
    monkeypatch.setattr(resources, "ClientCredentialTokens", FakeTokens)
    running = await start_bot(
        microsoft_app_id=APP_ID, microsoft_app_password="not-a-real-secret",
        public_base_url=f"https://{PUBLIC_HOST}", tab_openid_metadata_url=entra.metadata_url,
        openid_min_refetch_seconds=60.0, allowed_service_hosts=["127.0.0.1"],
        facilitator_ids=[FACILITATOR.aad])
    await running.app[SERVICES].sessions.start(Conversation(
        conversation_id=MEETING_CHAT, service_url=connector.url, tenant_id=TENANT,
        meeting_id=None, bot_id=None, bot_name=None, title="Focus group 1"))
    return running


@pytest.fixture
async def ssobot(start_bot: BotFactory, entra: KeyServer, connector: ConnectorStandIn,
                 monkeypatch: pytest.MonkeyPatch) -> RunningBot:
    return await ssobot_for(start_bot, entra, connector, monkeypatch)


async def test_tab_tokens_facilitator_reads_participant_refused(
    ssobot: RunningBot, entra: KeyServer
) -> None:
    good = f"Bearer {sign(entra, tab_claims(FACILITATOR))}"
    assert (await call(ssobot, "GET", "/console/api/state", good))[0] == 200
    v1 = tab_claims(FACILITATOR, iss=f"https://sts.windows.net/{TENANT}/", aud=APP_ID)
    assert (await call(ssobot, "GET", "/console/api/state", f"Bearer {sign(entra, v1)}"))[0] == 200
    alice = f"Bearer {sign(entra, tab_claims(ALICE))}"
    assert (await call(ssobot, "GET", "/console/api/state", alice))[0] == 403
    status, me, _ = await call(ssobot, "GET", "/console/api/me", alice)
    assert status == 200 and me["role"] == "participant"
    # Local sign-in means nothing once an app id is set.
    assert (await call(ssobot, "GET", "/console/api/state", local(FACILITATOR)))[0] == 401
    assert (await call(ssobot, "GET", "/console/local", None))[0] == 404


async def test_expired_forged_or_misaddressed_tab_tokens_get_401(
    ssobot: RunningBot, entra: KeyServer
) -> None:
    now = int(time.time())
    forger = KeyServer()
    forger.add_key("key-1")
    bad = {
        "expired": sign(entra, tab_claims(FACILITATOR, exp=now - 600, iat=now - 4000,
                                          nbf=now - 4000)),
        "forged": sign(forger, tab_claims(FACILITATOR)),
        "other app": sign(entra, tab_claims(FACILITATOR, aud="api://elsewhere/other-app")),
        "other issuer": sign(entra, tab_claims(FACILITATOR, iss="https://evil.example/")),
        "tenant mismatch": sign(entra, tab_claims(
            FACILITATOR, iss="https://login.microsoftonline.com/"
                             "00000000-0000-4000-8000-000000000000/v2.0")),
        "no oid": sign(entra, tab_claims(FACILITATOR, oid=None)),
        "tampered": sign(entra, tab_claims(FACILITATOR))[:-6] + "AAAAAA",
    }
    for name, token in bad.items():
        status, body, _ = await call(ssobot, "GET", "/console/api/state", f"Bearer {token}")
        assert status == 401, name
        assert "flags" not in str(body)


async def test_meeting_organiser_acts_in_the_console_by_their_meeting_role(
    consolebot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    """Bob is neither listed nor recorded as a facilitator; Teams says he organises the
    meeting. The console's read and its action are both decided with that meeting role (a
    card click, from a 1:1 chat, has no meeting to ask about)."""
    await live_session(consolebot, teams, connector)
    assert (await consolebot.post(teams.chat(ALICE, IDENTIFYING)))[0] == 201
    await settle(consolebot)
    connector.meeting_roles[BOB.id] = "Organizer"  # he has not spoken: not on the roster
    status, state, _ = await call(consolebot, "GET", "/console/api/state", local(BOB))
    assert status == 200
    flag_id = state["flags"][0]["id"]
    status, _, _ = await call(consolebot, "POST", f"/console/api/flags/{flag_id}/flag.redact",
                              local(BOB))
    assert status == 200


# ---- the meeting transcript, as the details view shows it ----------------------------------

SUMMER = datetime(2026, 7, 3, 13, 5, tzinfo=UTC)  # Friday 3 July 2026, 14:05 in London (BST)


async def meeting_then_end(start_bot: BotFactory, clock: ManualClock, teams: Teams,
                           connector: ConnectorStandIn,
                           graph: GraphStandIn,  # noqa: F811  (the fixture's value)
                           **overrides: Any) -> RunningBot:
    """A meeting session with Alice consenting, ended by Teams' meetingEnd (the fetch is
    queued then), with transcript fetching on and Graph at the stand-in."""
    bot = await start_bot(clock=clock, transcript_fetch_enabled=True, graph_base_url=graph.url,
                          **overrides)
    assert (await bot.post(teams.command(FACILITATOR, "start")))[0] == 201
    await connector.wait_for(lambda c: any(
        "consent.accept" in str(card) for s in c.to(MEETING_CHAT) for card in s.cards))
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    assert (await bot.post(teams.card_action(ALICE, "consent.accept", data)))[0] == 200
    assert (await bot.post(teams.meeting_end()))[0] in (200, 201, 202)
    return bot


async def transcript_when(bot: RunningBot, state: str) -> dict[str, Any]:
    """The console's whole state once its transcript reaches `state` (the fetch runs in the
    bot's background loop; a bound on the wait, not a timed assertion)."""
    for _ in range(400):
        status, body, _ = await call(bot, "GET", "/console/api/state", local(FACILITATOR))
        assert status == 200
        if body["transcript"]["state"] == state:
            return dict(body)
        await asyncio.sleep(0.025)
    raise AssertionError(f"transcript never reached {state!r}: {body['transcript']}")


async def test_transcript_polling_then_ready_with_counts_and_a_download_in_london_time(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn,
    graph: GraphStandIn,  # noqa: F811  (the fixture)
) -> None:
    clock = ManualClock(SUMMER)
    graph.list_answers = [(404, {})]
    bot = await meeting_then_end(start_bot, clock, teams, connector, graph)

    state = await transcript_when(bot, "polling")
    words = state["transcript"]["words"]
    assert "since Friday 3 July 2026, 14:05 (no check yet)" in words
    assert "Next check Friday 3 July 2026, 14:07" in words
    assert "stops trying at Friday 3 July 2026, 20:05" in words
    assert "13:05" not in words  # UTC would read an hour early
    assert state["transcript"]["until"] == "2026-07-03T19:05:00+00:00"
    assert state["session"]["ended_at"] == "2026-07-03T13:05:00+00:00"
    assert state["session"]["ended_at_words"] == "Friday 3 July 2026, 14:05"

    clock.advance(timedelta(minutes=3))  # first check: 404, not published yet
    await connector.wait_for(lambda _c: len(graph.calls) >= 1)
    for _ in range(400):
        state = await transcript_when(bot, "polling")
        if "(1 check so far)" in state["transcript"]["words"]:
            break
        await asyncio.sleep(0.025)
    assert "Next check Friday 3 July 2026, 14:10" in state["transcript"]["words"]

    clock.advance(timedelta(minutes=5))  # listed, then the content
    state = await transcript_when(bot, "ready")
    transcript = state["transcript"]
    assert transcript["available"] is True
    assert transcript["counts"] == {"LOCATION": 1, "PERSON": 1}
    assert "Redactions: 1 LOCATION, 1 PERSON" in transcript["words"]
    assert "on Friday 3 July 2026, 14:13" in transcript["words"]
    assert transcript["export_command"] == f"export transcript {state['session']['id'][:8]}"

    status, body, headers = await call(bot, "GET", "/console/api/transcript", local(FACILITATOR))
    assert status == 200 and body[:2] == b"PK"
    assert "attachment" in headers["Content-Disposition"]
    text = " ".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
    assert "[PERSON]" in text and "Jamie" not in text and "Alice" not in text
    status, _, _ = await call(bot, "GET", "/console/api/transcript", local(ALICE))
    assert status == 403


@pytest.mark.parametrize(("answer", "state", "words"), [
    ((403, {}), "refused", "OnlineMeetingTranscript.Read.Chat"),
    ((401, {}), "no_sign_in", "could not sign in"),
    ((404, {}), "gave_up", "Was transcription turned on"),
])
async def test_a_stopped_transcript_fetch_says_why(
    answer: tuple[int, dict[str, str]], state: str, words: str,
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn,
    graph: GraphStandIn,  # noqa: F811  (the fixture)
) -> None:
    clock = ManualClock(SUMMER)
    graph.list_answers = [answer]
    # A short window: after one 404 the next try would fall after it, so the bot gives up.
    bot = await meeting_then_end(start_bot, clock, teams, connector, graph,
                                 transcript_fetch_hours=0.05)
    clock.advance(timedelta(minutes=3))
    found = await transcript_when(bot, state)
    assert words in found["transcript"]["words"] and found["transcript"]["available"] is False
