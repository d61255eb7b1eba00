"""No personal data or secret in any log line or traceback, with everything logging at DEBUG.

A whole session runs (start, consent, chat with names, postcodes and phone numbers, commands,
a failing turn, end), then a bot with authentication on receives bearer tokens (good, bad,
expired). Every record is captured twice: through the production JSON formatter into a buffer,
and raw through caplog, where the message, every extra field and the full traceback (with
exception messages) are searched. No canary may appear anywhere.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

import resources
from observability import JsonFormatter, configure_logging
from services.sessions import SessionService
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import FACILITATOR, MEETING_CHAT, Teams, User
from tests.test_auth import APP_ID, KeyServer, claims_for, sign
from tests.test_session_flow import all_statements_ticked, consent_data, start_session

MALLORY = User("Mallory Quincebridge", "cccccccc-0000-4000-8000-00000000c001")
ZEBEDEE = User("Zebedee Ffoulkes-Anstruther", "cccccccc-0000-4000-8000-00000000c002")
BEARER = ("eyJhbGciOiJSUzI1NiIsImtpZCI6ImNhbmFyeSJ9.eyJjYW5hcnkiOiJsb2dzLXByaXZhY3kifQ."
          "Q2FuYXJ5U2lnbmF0dXJlRG9Ob3RMb2c")
OUTBOUND_TOKEN = "outbound-canary-token-7f3a9c"
CANARIES = [
    "Mallory", "Quincebridge", "Zebedee", "Ffoulkes", "Anstruther",
    "Tobias Wrenfield", "Wrenfield", "Ottilie Marchbanks", "Marchbanks",
    "SW1A 1AA", "SW1A1AA", "M1 1AE", "EH99 1SP", "B33 8TH",
    "07700 900123", "07700900123", "+44 20 7946 0958", "020 7946 0958", "447700900456",
    "canary-wren@example.org",
    "Q2FuYXJ5U2lnbmF0dXJlRG9Ob3RMb2c", "eyJjYW5hcnkiOiJsb2dzLXByaXZhY3kifQ", BEARER,
    OUTBOUND_TOKEN, "not-a-real-secret-canary",
    "flat 3, 12 Wrenfield Road",
]
CHAT_LINES = [
    "Hi, I'm Tobias Wrenfield and I work in the Manchester team at M1 1AE",
    "The family at SW1A 1AA rang me on 07700 900123 about their daughter Ottilie Marchbanks",
    "You can reach me on +44 20 7946 0958 or canary-wren@example.org",
    "She lives at flat 3, 12 Wrenfield Road, EH99 1SP, call 020 7946 0958",
    "Mallory Quincebridge said the child was at risk and nobody visited B33 8TH",
    "Zebedee Ffoulkes-Anstruther agrees, the number was 447700900456",
]


class Capture:
    """Everything logged while the test runs: JSON lines and raw records."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.handler = logging.StreamHandler(self.buffer)
        self.handler.setFormatter(JsonFormatter())
        self.handler.setLevel(logging.DEBUG)

    def json_lines(self) -> list[str]:
        return [line for line in self.buffer.getvalue().splitlines() if line.strip()]


@pytest.fixture
def capture(caplog: pytest.LogCaptureFixture) -> Iterator[Capture]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level
                    for name in logging.root.manager.loggerDict}
    configure_logging("DEBUG")  # the production set-up, third-party loggers included
    cap = Capture()
    root.addHandler(cap.handler)
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    yield cap
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


def _raw_texts(records: list[logging.LogRecord]) -> list[str]:
    """Message, every extra field and the traceback's frames and locals-free chain of each
    record, before any formatter. Exception *messages* are left out: the production formatter
    drops them by design (the failing turn below proves it with a message full of canaries)."""
    texts = []
    for record in records:
        parts = [record.getMessage()]
        parts += [f"{k}={v!r}" for k, v in vars(record).items()
                  if k not in ("msg", "args", "exc_info", "exc_text", "stack_info")]
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            parts += [f"{f.filename}:{f.lineno}:{f.name}"
                      for f in traceback.extract_tb(exc.__traceback__)]
            parts.append(type(exc).__name__)
        if record.stack_info:
            parts.append(record.stack_info)
        texts.append("\n".join(parts))
    return texts


def _assert_no_canary(capture: Capture, caplog: pytest.LogCaptureFixture,
                      extra: tuple[str, ...] = ()) -> None:
    lines = capture.json_lines()
    raw = _raw_texts(caplog.records)
    assert len(lines) > 5 and len(raw) > 5, "the session should have logged something"
    for line in lines:
        json.loads(line)  # every line is one JSON object
    print(f"\n[logs] {len(lines)} JSON lines and {len(raw)} raw records searched for "
          f"{len(CANARIES) + len(extra)} canaries")
    leaks = [(canary[:40], text[:400]) for text in lines + raw for canary in (*CANARIES, *extra)
             if canary.lower() in text.lower()]
    assert not leaks, leaks[:5]


@pytest.mark.slow
async def test_a_whole_session_at_debug_logs_no_names_postcodes_phones_or_tokens(
    capture: Capture, caplog: pytest.LogCaptureFixture, bot: RunningBot, teams: Teams,
    connector: ConnectorStandIn, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await start_session(bot, teams, connector)
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    for user in (MALLORY, ZEBEDEE):
        await bot.post(teams.members_added(user))
        status, _ = await bot.post(teams.card_action(user, "consent.accept", data))
        assert status == 200
    for i, line in enumerate(CHAT_LINES):
        status, _ = await bot.post(teams.chat(MALLORY if i % 2 else ZEBEDEE, line))
        assert status == 201
    for command in ("status", "help", "info", "remind", "check", "dance Mallory Quincebridge"):
        await bot.post(teams.command(FACILITATOR, command))
    await bot.post(teams.personal(MALLORY, "withdraw"))
    # A turn that fails with personal data in the exception message.
    async def broken(self: SessionService, *args: Any) -> None:
        raise RuntimeError("Mallory Quincebridge SW1A 1AA 07700 900123")

    monkeypatch.setattr(SessionService, "remind_now", broken)
    status, _ = await bot.post(teams.command(FACILITATOR, "remind"))
    assert status == 500
    monkeypatch.undo()
    # Hostile bodies carrying personal data.
    await bot.post('{"type": "message", "text": "Mallory Quincebridge SW1A 1AA"')
    await bot.post({"type": "message", "text": "07700 900123", "channelId": "msteams"})
    await bot.post(teams.command(FACILITATOR, "end"))
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) >= 6)
    await _settle(bot)

    _assert_no_canary(capture, caplog)
    failed = [json.loads(line) for line in capture.json_lines() if "turn failed" in line]
    assert failed and failed[0]["exception"] == "RuntimeError" and failed[0]["stack"]


@pytest.mark.slow
async def test_bearer_tokens_and_secrets_never_reach_the_logs(
    capture: Capture, caplog: pytest.LogCaptureFixture, start_bot: BotFactory,
    teams: Teams, connector: ConnectorStandIn, monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Tokens:
        def __init__(self, **_: Any) -> None:
            pass

        async def __call__(self) -> str:
            return OUTBOUND_TOKEN

    monkeypatch.setattr(resources, "ClientCredentialTokens", Tokens)
    server = KeyServer()
    server.add_key("key-1")
    runner = await server.start()
    try:
        bot = await start_bot(microsoft_app_id=APP_ID,
                              microsoft_app_password="not-a-real-secret-canary",
                              openid_metadata_url=server.metadata_url,
                              allowed_service_hosts=["127.0.0.1"])
        good = sign(server, claims_for(teams.service_url))
        expired = sign(server, claims_for(teams.service_url, exp=int(time.time()) - 900))
        tokens = (good, good.split(".")[2], expired.split(".")[2])
        activity = teams.command(FACILITATOR, "start")
        for header in (f"Bearer {BEARER}", f"Bearer {expired}", f"Basic {BEARER}", BEARER,
                       f"Bearer {good}"):
            await bot.post(activity, headers={"Authorization": header})
        await connector.wait_for(lambda c: len(c.sent) >= 4)
        assert all(s.authorization == f"Bearer {OUTBOUND_TOKEN}" for s in connector.sent)
        await _settle(bot)
    finally:
        await server.stop(runner)
    _assert_no_canary(capture, caplog, tokens)


async def _settle(bot: RunningBot) -> None:
    """Give the outbox and scheduler a moment to log what they do."""
    await asyncio.sleep(0.5)
