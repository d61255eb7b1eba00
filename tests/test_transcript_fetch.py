"""The meeting transcript, fetched by itself: meeting end -> Graph polled (404 while not ready,
429 with Retry-After) -> redacted with the session's pseudonyms -> facilitators told in their
1:1 -> `export transcript` as DOCX. Graph is a local stand-in on loopback; time is a manual
clock, so the backoff is driven by the test, not waited for."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiohttp import web
from docx import Document

from tests.clock import ManualClock
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, FACILITATOR, Teams
from tests.test_session_flow import all_statements_ticked, consent_data
from tests.test_withdrawal_teams import OneDrive, attachments, onedrive, texts  # noqa: F401

VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:05.000\n"
    "<v Alice Participant>I work with Jamie Smith in Leeds.</v>\n\n"
    "00:00:06.000 --> 00:00:08.000\n"
    "<v Fay Facilitator>Thank you, that is helpful.</v>\n"
)
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@dataclass
class GraphStandIn:
    """Answers the transcript list with the queued statuses, then with the transcript."""

    url: str = ""
    list_answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    content_status: int = 200
    calls: list[str] = field(default_factory=list)


@pytest.fixture
async def graph() -> AsyncIterator[GraphStandIn]:
    standin = GraphStandIn()

    async def transcripts(request: web.Request) -> web.Response:
        standin.calls.append(f"list {request.match_info['user']} {request.match_info['m']}")
        if standin.list_answers:
            status, headers = standin.list_answers.pop(0)
            return web.json_response({"error": {"code": str(status)}}, status=status,
                                     headers=headers)
        return web.json_response({"value": [{"id": "T1", "meetingId": request.match_info["m"],
                                             "createdDateTime": "2026-11-29T10:00:00Z"}]})

    async def content(request: web.Request) -> web.Response:
        standin.calls.append(f"content {request.query.get('$format')}")
        if standin.content_status != 200:
            return web.json_response({}, status=standin.content_status)
        return web.Response(text=VTT, content_type="text/vtt")

    app = web.Application()
    base = "/v1.0/users/{user}/onlineMeetings/{m}/transcripts"
    app.router.add_get(base, transcripts)
    app.router.add_get(base + "/{t}/content", content)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    standin.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore
    yield standin
    await runner.cleanup()


async def _meeting_with_alice(start_bot: BotFactory, clock: ManualClock, teams: Teams,
                              connector: ConnectorStandIn, graph: GraphStandIn) -> RunningBot:
    bot = await start_bot(clock=clock, transcript_fetch_enabled=True,
                          graph_base_url=graph.url)
    await bot.post(teams.command(FACILITATOR, "start"))
    await connector.wait_for(lambda c: _has_consent_card(c))
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    status, _ = await bot.post(teams.card_action(ALICE, "consent.accept", data))
    assert status == 200
    status, _ = await bot.post(teams.meeting_end())
    assert status in (200, 201, 202)
    return bot


def _has_consent_card(connector: ConnectorStandIn) -> bool:
    try:
        consent_data(connector)
    except AssertionError:
        return False
    return True


async def _poll(clock: ManualClock, graph: GraphStandIn, connector: ConnectorStandIn,
                minutes: float, calls: int) -> None:
    clock.advance(timedelta(minutes=minutes))
    await connector.wait_for(lambda _c: len(graph.calls) >= calls)


async def test_meeting_end_polls_graph_redacts_tells_facilitators_and_exports_docx(
    start_bot: BotFactory, clock: ManualClock, teams: Teams, connector: ConnectorStandIn,
    graph: GraphStandIn, onedrive: OneDrive,  # noqa: F811
) -> None:
    graph.list_answers = [(404, {}), (429, {"Retry-After": "90"})]
    bot = await _meeting_with_alice(start_bot, clock, teams, connector, graph)
    assert graph.calls == []  # nothing before the first attempt is due

    await _poll(clock, graph, connector, 3, 1)  # 404: not published yet
    await _poll(clock, graph, connector, 5, 2)  # 429 with Retry-After
    clock.advance(timedelta(seconds=30))
    assert len(graph.calls) == 2  # Retry-After is honoured
    await _poll(clock, graph, connector, 2, 4)  # listed, then the content
    assert graph.calls[0] == "list organizer-aad graph-" + graph.calls[0].split("graph-")[1]
    assert graph.calls[-1] == "content text/vtt"

    private = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: "redacted transcript is ready" in texts(c, private))
    told = texts(connector, private).replace("\\", "")  # the card escapes Markdown
    assert "PERSON" in told and "Jamie Smith" not in told and "Alice" not in told
    assert "P01: I work with [PERSON] in [LOCATION]" in told
    assert "1 PERSON" in told and "1 LOCATION" in told  # counts by category

    status, _ = await bot.post(teams.personal(FACILITATOR, "export transcript"))
    assert status in (200, 201)
    await connector.wait_for(lambda c: attachments(c, private, FILE_CONSENT))
    (offer,) = attachments(connector, private, FILE_CONSENT)
    accept = teams.personal(FACILITATOR, "")
    accept.update(type="invoke", name="fileConsent/invoke", text=None)
    accept["value"] = {"type": "fileUpload", "action": "accept",
                       "context": offer["content"]["acceptContext"],
                       "uploadInfo": {"uploadUrl": f"{onedrive.url}/upload/t.docx",
                                      "contentUrl": "https://x/t.docx", "name": "t.docx",
                                      "uniqueId": "T", "fileType": "docx"}}
    status, _ = await bot.post(accept)
    assert status == 200
    ((_, body),) = onedrive.uploads
    assert body[:2] == b"PK"
    paragraphs = [p.text for p in Document(io.BytesIO(body)).paragraphs]
    assert any(p.startswith("P01: I work with [PERSON]") and p.endswith("(00:00:01)")
               for p in paragraphs)
    assert not any("Alice" in p or "Jamie" in p or "Fay" in p for p in paragraphs)


async def test_a_graph_refusal_reaches_facilitators_in_plain_words_and_polling_stops(
    start_bot: BotFactory, clock: ManualClock, teams: Teams, connector: ConnectorStandIn,
    graph: GraphStandIn,
) -> None:
    graph.list_answers = [(403, {})]
    await _meeting_with_alice(start_bot, clock, teams, connector, graph)
    await _poll(clock, graph, connector, 3, 1)
    private = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: "transcript was not fetched" in texts(c, private))
    assert "administrator" in texts(connector, private)
    clock.advance(timedelta(hours=1))
    await _poll(clock, graph, connector, 1, 1)
    assert len(graph.calls) == 1


async def test_the_pending_fetch_survives_a_restart(
    start_bot: BotFactory, clock: ManualClock, teams: Teams, connector: ConnectorStandIn,
    graph: GraphStandIn,
) -> None:
    graph.list_answers = [(404, {})]
    bot = await _meeting_with_alice(start_bot, clock, teams, connector, graph)
    await bot.restart()
    await _poll(clock, graph, connector, 3, 1)
    await _poll(clock, graph, connector, 5, 3)
    private = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: "redacted transcript is ready" in texts(c, private))


