"""What a POST to /api/messages must pass before the bot sees it.

Header checks first (token, Content-Type, declared length), then the body within size, time and
nesting limits, then the token must vouch for the activity's channel and service URL, then the
envelope fields must have their documented types. Every refusal is an HTTP answer the caller
can act on (401, 415, 413, 408, 400, 503), raised as `Refused`; nothing here knows the bot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import ClientPayloadError, web

from auth.bot_token import AuthError, BotTokenValidator, VerifiedToken
from auth.envelope import EnvelopeError
from auth.envelope import check_envelope as check_activity_envelope

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_JSON_DEPTH = 64
# Bodies above this size are parsed in a worker thread, a few at a time, so that a burst of
# large bodies cannot hold the event loop while a real (small, few-KB) activity waits.
INLINE_PARSE_BYTES = 32 * 1024
LARGE_BODY_WORKERS = 1
LARGE_BODY_QUEUE = 64

T = TypeVar("T")


class BadActivity(Exception):
    """The request body is not an activity; answered 400 with this text."""


class Refused(Exception):
    """The request is answered with `response` and goes no further."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


class _BodyTooLarge(Exception):
    pass


def _error(status: int, text: str) -> Refused:
    return Refused(web.json_response({"error": text}, status=status))


def unauthorized(exc: AuthError) -> web.Response:
    """Every authentication failure looks the same to the caller: 401, no body."""
    log.info("request not authenticated", extra={"reason": exc.reason})
    return web.Response(status=401)


@dataclass(frozen=True)
class Accepted:
    """A request that passed every check: its activity JSON, its size, and the token's claims
    (None in local mode, where authentication is off)."""

    body: dict[str, Any]
    size: int
    claims: dict[str, Any] | None


@dataclass
class Inbound:
    """What a request must pass before the bot sees it: token, tenant, body limits."""

    validator: BotTokenValidator | None  # None: local mode, authentication off
    allowed_tenants: frozenset[str] | None  # None: any tenant
    body_timeout: float
    large_bodies: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(LARGE_BODY_WORKERS)
    )
    large_waiting: int = 0

    async def close(self) -> None:
        if self.validator is not None:
            await self.validator.keys.close()

    async def accept(self, request: web.Request) -> Accepted:
        """The request's activity JSON once every check has passed, or `Refused`."""
        # 1. Header-only checks, before a byte of the body is read: the token's signature,
        #    issuer, audience and lifetime. An unauthenticated caller learns nothing else.
        verified: VerifiedToken | None = None
        if self.validator is not None:
            try:
                verified = await self.validator.verify(request.headers.get("Authorization"))
            except AuthError as exc:
                raise Refused(unauthorized(exc)) from None
        media_type = content_type(request)
        if media_type is None:
            raise _error(415, "Content-Type could not be parsed")
        if media_type != "application/json":
            raise _error(415, "Content-Type must be application/json")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise _error(413, "body too large")
        # 2. The body: size, time and nesting limits before parsing.
        try:
            raw = await read_body(request, self.body_timeout)
        except _BodyTooLarge:
            raise _error(413, "body too large") from None
        except TimeoutError:
            raise _error(408, "body not received in time") from None
        except (ConnectionError, asyncio.IncompleteReadError, ClientPayloadError):
            raise _error(400, "body could not be read") from None
        try:
            body = await self.off_loop_if_large(len(raw), parse_body, raw)
        except BadActivity as exc:
            raise _error(400, str(exc)) from None
        # 3. The token must vouch for this activity's channel and service URL.
        if verified is not None:
            try:
                BotTokenValidator.check_activity(
                    verified, channel_id=body.get("channelId"), service_url=body.get("serviceUrl")
                )
            except AuthError as exc:
                raise Refused(unauthorized(exc)) from None
        try:
            check_envelope(body)
        except BadActivity as exc:
            raise _error(400, str(exc)) from None
        return Accepted(body=body, size=len(raw), claims=verified.claims if verified else None)

    async def off_loop_if_large(self, size: int, work: Callable[..., T], *args: Any) -> T:
        """Run `work(*args)` inline for small bodies, else in a thread, a few at a time."""
        if size <= INLINE_PARSE_BYTES:
            return work(*args)
        if self.large_waiting >= LARGE_BODY_QUEUE:
            raise web.HTTPServiceUnavailable(headers={"Retry-After": "1"})
        self.large_waiting += 1
        try:
            async with self.large_bodies:
                return await asyncio.to_thread(work, *args)
        finally:
            self.large_waiting -= 1


_JSON_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_JSON_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _check_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse deeply nested JSON before parsing it (the parser would recurse).

    Escapes, then strings, are removed and the brackets kept, all at C speed; only the
    brackets are walked in Python, stopping at the first level past the limit.
    """
    brackets = _JSON_STRING.sub(b"", _JSON_ESCAPE.sub(b"", raw)).translate(None, _NOT_BRACKETS)
    if len(brackets) <= limit:
        return
    depth = 0
    for byte in brackets:
        if byte == 0x5B or byte == 0x7B:  # [ {
            depth += 1
            if depth > limit:
                raise BadActivity("JSON nested too deeply")
        else:
            depth -= 1


def _without_nul(node: Any) -> Any:
    """The JSON value with NUL characters removed from every string (and key): PostgreSQL's
    text type cannot hold them, and no Teams client sends them."""
    if isinstance(node, str):
        return node.replace("\x00", "")
    if isinstance(node, list):
        return [_without_nul(value) for value in node]
    if isinstance(node, dict):
        return {_without_nul(key): _without_nul(value) for key, value in node.items()}
    return node


def parse_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object with a string `type`, or BadActivity."""
    _check_depth(raw)
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadActivity("body is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise BadActivity("body must be a JSON object")
    body: dict[str, Any] = _without_nul(parsed) if b"\\u0000" in raw else parsed
    if not isinstance(body.get("type"), str) or not body["type"].strip():
        raise BadActivity("activity has no type")
    return body


def check_envelope(body: dict[str, Any]) -> None:
    """The fields botbuilder and our handlers read must have their documented types."""
    try:
        check_activity_envelope(body)
    except EnvelopeError as exc:
        raise BadActivity(str(exc)) from None


async def read_body(request: web.Request, limit_seconds: float) -> bytes:
    """The whole body, at most MAX_BODY_BYTES, within `limit_seconds` (slow senders: 408)."""
    chunks: list[bytes] = []
    size = 0
    async with asyncio.timeout(limit_seconds):
        while True:
            chunk = await request.content.readany()
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _BodyTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


_REQUEST_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:|/+=-]")


def request_id(request: web.Request) -> str:
    """The caller's `x-ms-request-id` for log correlation, reduced to safe characters (it is
    untrusted and goes into every log line of the turn), or a fresh id."""
    given = _REQUEST_ID_UNSAFE.sub("", request.headers.get("x-ms-request-id", ""))[:64]
    return given or uuid.uuid4().hex[:16]


def content_type(request: web.Request) -> str | None:
    """The request's media type, or None when the header cannot be parsed.

    aiohttp parses Content-Type lazily with the standard library's header parser, which raises
    (IndexError for `;0*`) on some malformed parameter lists: that must be a 415, not a 500.
    """
    try:
        return request.content_type
    except Exception:
        return None
