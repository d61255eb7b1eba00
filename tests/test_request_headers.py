"""Every request header the bot reads is untrusted: no value of Content-Type, Content-Length,
Authorization or x-ms-request-id may produce a 5xx. Content-Type values the bot cannot parse
are a 415 with a one-line reason.

The headers are written on a raw socket, byte for byte, so that values an HTTP client would
refuse to send (non-ASCII bytes, stray quotes) reach the server as a hostile caller sends them.
"""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from aiohttp.test_utils import make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st

from auth.http import request_id as _request_id
from tests.conftest import RunningBot
from tests.teams import FACILITATOR, Teams

BODY = json.dumps({"type": "message", "text": "hi"}).encode()


def _raw_post(port: int, headers: list[tuple[bytes, bytes]], body: bytes = BODY) -> bytes:
    lines = [b"POST /api/messages HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name + b": " + value for name, value in headers]
    if not any(name.lower() == b"content-length" for name, _ in headers):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    request = b"\r\n".join(lines) + b"\r\n\r\n" + body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


async def post_headers(bot: RunningBot, headers: list[tuple[bytes, bytes]],
                       body: bytes = BODY) -> tuple[int, bytes]:
    port = int(bot.url.rsplit(":", 1)[1])
    reply = await asyncio.to_thread(_raw_post, port, headers, body)
    status = int(reply.split(b" ", 2)[1])
    return status, reply.partition(b"\r\n\r\n")[2]


UNPARSABLE_CONTENT_TYPES = [b";0*", b";0*;0*", b"application/json;0*"]


@pytest.mark.parametrize("value", UNPARSABLE_CONTENT_TYPES)
async def test_a_content_type_the_parser_chokes_on_is_a_415_with_a_reason(
    bot: RunningBot, value: bytes
) -> None:
    status, body = await post_headers(bot, [(b"Content-Type", value)])
    assert status == 415
    assert json.loads(body) == {"error": "Content-Type could not be parsed"}


@pytest.mark.parametrize("value", [
    b"", b";", b"*", b"=;=", b'"', b"application/json; charset", b"application/json;;;",
    b'a/b; c="', b"application/json; =x", b'application/json; charset="utf-8', b"\t",
    b"application/json; charset=\xff", b"\xc3\xa9/json", b"application/json; x*=utf-8''%ff",
    b"application/json; " + b"a=b; " * 2000, b";1*=x",
], ids=repr)
async def test_other_malformed_content_types_are_4xx(bot: RunningBot, value: bytes) -> None:
    status, _ = await post_headers(bot, [(b"Content-Type", value)])
    assert 400 <= status < 500, (value, status)


@pytest.mark.parametrize("value", [b"abc", b"-1", b"1e3", b"99999999999999999999999", b"+5",
                                   b"5, 5", b"\xff"])
async def test_a_malformed_content_length_is_a_4xx(bot: RunningBot, value: bytes) -> None:
    status, _ = await post_headers(
        bot, [(b"Content-Type", b"application/json"), (b"Content-Length", value)])
    assert 400 <= status < 500, (value, status)


REQUEST_IDS = {"empty": b"", "latin1": b"\xff\xfe", "long": b"x" * 8000, "quote": b'"; DROP',
               "utf8 and rtl override": b"\xc3\xa9\t\xe2\x80\xae", "100 chars": b"a" * 100}


@pytest.mark.parametrize("value", REQUEST_IDS.values(), ids=REQUEST_IDS.keys())
async def test_any_request_id_is_accepted_and_the_turn_runs(
    bot: RunningBot, teams: Teams, value: bytes
) -> None:
    activity = json.dumps(teams.command(FACILITATOR, "help")).encode()
    status, _ = await post_headers(
        bot, [(b"Content-Type", b"application/json"), (b"x-ms-request-id", value)], activity)
    assert status in (200, 201), (value, status)


def test_the_request_id_in_logs_keeps_only_safe_characters() -> None:
    def rid(value: str) -> str:
        return _request_id(make_mocked_request("POST", "/", headers={"x-ms-request-id": value}))

    assert rid("abc-123|0000") == "abc-123|0000"
    assert rid('a"b\\c\u00e9d') == "abcd"
    assert len(rid("z" * 500)) == 64
    assert len(rid("\u00e9\u00e9")) == 16  # nothing usable: a fresh id instead


@pytest.mark.slow
async def test_no_header_value_produces_a_5xx(bot: RunningBot) -> None:
    """Random bytes in each header the bot reads (local mode, where every body is handled)."""
    loop = asyncio.get_running_loop()
    header_bytes = st.binary(max_size=80).map(
        lambda b: bytes(c for c in b if c not in b"\r\n\x00"))
    names = st.sampled_from([b"Content-Type", b"Authorization", b"x-ms-request-id"])
    seen: list[int] = []

    @settings(deadline=None, database=None, max_examples=300)
    @given(st.lists(st.tuples(names, header_bytes), max_size=3))
    def case(extra: list[tuple[bytes, bytes]]) -> None:
        headers = [(b"Content-Type", b"application/json"), *extra]
        status, _ = asyncio.run_coroutine_threadsafe(
            post_headers(bot, headers), loop).result(timeout=60)
        seen.append(status)
        assert status < 500, (extra, status)

    await asyncio.to_thread(case)
    assert len(seen) >= 300
