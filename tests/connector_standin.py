"""A local stand-in for the Bot Connector service, bound to 127.0.0.1.

It records what the bot sends (activities posted, updated, 1:1 conversations created) and can
be told to fail the next requests (e.g. 429 with Retry-After) to test the outbox. It answers
the roster (`pagedmembers`, `page_size` members a page with a continuation token) and meeting
participant lookups with roles (per meeting in `roles_in`, else `meeting_roles`); both can be
made to fail (`roles_down`, `role_failures`, `member_failures`) to test refreshing.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Sent:
    method: str
    conversation_id: str
    activity: dict[str, Any]
    activity_id: str
    at: float
    authorization: str | None = None

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a.get("content", {})
            for a in self.activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def text(self) -> str:
        return self.activity.get("text") or ""


@dataclass
class ConnectorStandIn:
    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    created_conversations: list[dict[str, Any]] = field(default_factory=list)
    meeting_roles: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    organizer_aad: str | None = "organizer-aad"  # the organiser GET /v1/meetings/{id} reports
    page_size: int = 2
    member_pages: list[str | None] = field(default_factory=list)  # tokens asked, in order
    member_failures: int = 0  # the next n member-list requests fail (500)
    roles_in: dict[str, dict[str, str]] = field(default_factory=dict)  # meeting -> id -> role
    roles_down: bool = False  # every role lookup fails (503) while set
    role_failures: int = 0  # the next n role lookups fail (500)
    role_lookups: list[tuple[str, str]] = field(default_factory=list)  # (meeting, participant)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # conversation id -> gate: a POST there waits (after being counted in `held`) until set
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)
    attempts: list[float] = field(default_factory=list)
    # "429 for a period": every request is refused until this monotonic time
    throttled_until: float = 0.0
    throttle_retry_after: str = "1"
    throttled: int = 0  # requests refused by the throttle
    # conversation id -> (status, Retry-After or None): every POST there is refused so
    refusing: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # conversations of refused POSTs
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _changed: asyncio.Condition | None = None

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        self.failures.extend([(status, headers or {})] * times)

    def throttle(self, seconds: float, retry_after: float = 1) -> None:
        """Answer every request with 429 (`Retry-After: retry_after`) for `seconds` from now;
        calling it again moves the end of the period (0 ends it now)."""
        self.throttled_until = time.monotonic() + seconds
        self.throttle_retry_after = f"{retry_after:g}"

    def refuse(self, conversation_id: str, status: int, retry_after: float | None = None) -> None:
        """Refuse every POST to one conversation with `status` (403: for good; 429 with
        `retry_after`: throttled) until `admit` is called for it."""
        self.refusing[conversation_id] = (
            status, None if retry_after is None else f"{retry_after:g}")

    def admit(self, conversation_id: str) -> None:
        self.refusing.pop(conversation_id, None)

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]

    def personal_conversation_for(self, user_id: str) -> str:
        return f"a:personal:{user_id}"

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until `predicate(self)` is true; fail loudly with what was sent otherwise."""
        assert self._changed is not None
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(s.method, s.conversation_id) for s in self.sent]
                    raise AssertionError(f"timed out; sent so far: {seen}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    continue

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    def _maybe_fail(self) -> web.Response | None:
        self.attempts.append(time.monotonic())
        if self.attempts[-1] < self.throttled_until:
            self.throttled += 1
            return web.json_response({"error": {"code": "Throttled"}}, status=429,
                                     headers={"Retry-After": self.throttle_retry_after})
        if self.failures:
            status, headers = self.failures.pop(0)
            return web.json_response({"error": {"code": "Throttled"}}, status=status,
                                     headers=headers)
        return None

    async def post_activity(self, request: web.Request) -> web.Response:
        failure = self._maybe_fail()
        if failure is not None:
            return failure
        refusal = self.refusing.get(request.match_info["conversation_id"])
        if refusal is not None:
            self.refused.append(request.match_info["conversation_id"])
            await self._notify()
            status, retry_after = refusal
            return web.json_response({"error": {"code": "Refused"}}, status=status,
                                     headers={"Retry-After": retry_after} if retry_after else {})
        gate = self.holds.get(request.match_info["conversation_id"])
        if gate is not None and not gate.is_set():
            self.held.append(request.match_info["conversation_id"])
            await self._notify()
            await gate.wait()
        body = await request.json()
        activity_id = f"1:{next(self._ids)}"
        self.sent.append(Sent("POST", request.match_info["conversation_id"], body, activity_id,
                              time.monotonic(), request.headers.get("Authorization")))
        await self._notify()
        return web.json_response({"id": activity_id}, status=201)

    async def put_activity(self, request: web.Request) -> web.Response:
        failure = self._maybe_fail()
        if failure is not None:
            return failure
        body = await request.json()
        self.sent.append(Sent("PUT", request.match_info["conversation_id"], body,
                              request.match_info["activity_id"], time.monotonic(),
                              request.headers.get("Authorization")))
        await self._notify()
        return web.json_response({"id": request.match_info["activity_id"]})

    async def create_conversation(self, request: web.Request) -> web.Response:
        failure = self._maybe_fail()
        if failure is not None:
            return failure
        body = await request.json()
        self.created_conversations.append(body)
        user_id = body["members"][0]["id"]
        await self._notify()
        return web.json_response({"id": self.personal_conversation_for(user_id)}, status=201)

    async def meeting_participant(self, request: web.Request) -> web.Response:
        participant = request.match_info["participant_id"]
        meeting = request.match_info["meeting_id"]
        self.role_lookups.append((meeting, participant))
        if self.roles_down:
            return web.json_response({"error": {"code": "ServiceUnavailable"}}, status=503)
        if self.role_failures > 0:
            self.role_failures -= 1
            return web.json_response({"error": {"code": "InternalError"}}, status=500)
        if meeting in self.roles_in:
            role = self.roles_in[meeting].get(participant)
        else:
            role = self.meeting_roles.get(participant)
        if role is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        return web.json_response({
            "user": {"id": participant, "aadObjectId": participant},
            "meeting": {"role": role, "inMeeting": True},
            "conversation": {"id": "meeting"},
        })

    async def meeting_details(self, request: web.Request) -> web.Response:
        """Teams' Get meeting details: the Graph id and organiser (404 when the test set no
        organiser: a lookup that fails)."""
        if self.organizer_aad is None:
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        meeting = request.match_info["meeting_id"]
        return web.json_response({
            "details": {"id": meeting, "msGraphResourceId": f"graph-{meeting[:8]}",
                        "title": "Focus group 1", "type": "Scheduled"},
            "conversation": {"isGroup": True, "conversationType": "groupchat", "id": "meeting"},
            "organizer": {"id": f"29:{self.organizer_aad}", "aadObjectId": self.organizer_aad,
                          "tenantId": "tenant"},
        })

    async def conversation_members(self, request: web.Request) -> web.Response:
        return web.json_response(self.members.get(request.match_info["conversation_id"], []))

    async def paged_members(self, request: web.Request) -> web.Response:
        token = request.query.get("continuationToken")
        self.member_pages.append(token)
        if self.member_failures > 0:
            self.member_failures -= 1
            return web.json_response({"error": {"code": "InternalError"}}, status=500)
        everyone = self.members.get(request.match_info["conversation_id"], [])
        start = int(token) if token else 0
        size = min(self.page_size, int(request.query.get("pageSize", self.page_size)))
        body: dict[str, Any] = {"members": everyone[start:start + size]}
        if start + size < len(everyone):
            body["continuationToken"] = str(start + size)
        return web.json_response(body)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation_id}/activities", self.post_activity)
        app.router.add_put("/v3/conversations/{conversation_id}/activities/{activity_id}",
                           self.put_activity)
        app.router.add_post("/v3/conversations", self.create_conversation)
        app.router.add_get("/v1/meetings/{meeting_id}/participants/{participant_id}",
                           self.meeting_participant)
        app.router.add_get("/v1/meetings/{meeting_id}", self.meeting_details)
        app.router.add_get("/v3/conversations/{conversation_id}/members",
                           self.conversation_members)
        app.router.add_get("/v3/conversations/{conversation_id}/pagedmembers",
                           self.paged_members)
        return app


async def start_connector() -> tuple[ConnectorStandIn, web.AppRunner]:
    standin = ConnectorStandIn()
    standin._changed = asyncio.Condition()
    runner = web.AppRunner(standin.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    standin.url = f"http://127.0.0.1:{port}/"
    return standin, runner
