"""A small client for the Bot Connector REST API (the calls this bot makes on its own).

botbuilder 4.17.1's connector does not retry on 429, its message POSTs are not idempotent, and
`TeamsInfo.get_meeting_participant` calls the wrong URL from a blocking thread. The outbox needs
the status code and `Retry-After` of every attempt, so it talks to the REST API directly:
- POST /v3/conversations/{conversationId}/activities
- PUT  /v3/conversations/{conversationId}/activities/{activityId}
- POST /v3/conversations                     (open a 1:1 chat; the tenant goes in channelData)
- GET  /v1/meetings/{meetingId}/participants/{participantId}?tenantId=...
- GET  /v1/meetings/{meetingId}?tenantId=...  (meeting details: Graph id and organiser)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from outbound.http_session import LazyClientSession

log = logging.getLogger(__name__)

TokenProvider = Callable[[], Awaitable[str | None]]


class ConnectorError(Exception):
    """A call to the Bot Connector failed. `retryable` says whether trying again may help."""

    def __init__(self, status: int | None, reason: str, retry_after: float | None = None) -> None:
        super().__init__(f"connector {status or 'connection'} error: {reason}")
        self.status = status
        self.reason = reason
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in (408, 412, 429, 500, 502, 503, 504)


class ServiceUrlRefused(ConnectorError):
    """The service URL's host is not one the bot may send its token to."""

    def __init__(self, host: str) -> None:
        super().__init__(None, f"service host not allowed: {host}")

    @property
    def retryable(self) -> bool:
        return False


@dataclass(frozen=True)
class MeetingDetails:
    graph_id: str | None  # details.msGraphResourceId: the Graph onlineMeeting id
    organizer_aad_id: str | None  # organizer.aadObjectId


@dataclass(frozen=True)
class MeetingRole:
    role: str | None
    in_meeting: bool | None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class ConnectorClient:
    """Bot Connector calls with a bearer token from `token_provider` (None: local mode)."""

    def __init__(
        self,
        token_provider: TokenProvider,
        *,
        allowed_hosts: frozenset[str] | None = None,
        timeout_seconds: float = 15.0,
    ) -> None:
        self._token_provider = token_provider
        self._allowed_hosts = allowed_hosts
        self._http = LazyClientSession(timeout_seconds)

    async def close(self) -> None:
        await self._http.close()

    def _session(self) -> aiohttp.ClientSession:
        return self._http.get()

    def check_service_url(self, service_url: str) -> None:
        """Refuse, before any token is requested, a host outside the allow-list."""
        if self._allowed_hosts is None:
            return
        parts = urlsplit(service_url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" and host not in ("127.0.0.1", "localhost", "::1"):
            raise ServiceUrlRefused(host or service_url[:40])
        if host not in self._allowed_hosts:
            raise ServiceUrlRefused(host)

    async def _request(
        self, method: str, service_url: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.check_service_url(service_url)
        url = service_url.rstrip("/") + path
        headers = {"Content-Type": "application/json"}
        token = await self._token_provider()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self._session().request(method, url, json=body, headers=headers) as resp:
                if resp.status >= 400:
                    raise ConnectorError(
                        resp.status,
                        resp.reason or "error",
                        _retry_after(resp.headers.get("Retry-After")),
                    )
                if resp.status == 204 or resp.content_length == 0:
                    return {}
                try:
                    data = await resp.json(content_type=None)
                except (ValueError, aiohttp.ContentTypeError):
                    return {}
                return data if isinstance(data, dict) else {}
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise ConnectorError(None, type(exc).__name__) from exc

    async def send(
        self, service_url: str, conversation_id: str, activity: dict[str, Any]
    ) -> str | None:
        """Post an activity; returns the new activity's id."""
        data = await self._request(
            "POST", service_url, f"/v3/conversations/{quote(conversation_id, safe='')}/activities",
            activity,
        )
        return data.get("id")

    async def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        body = dict(activity, id=activity_id)
        await self._request(
            "PUT",
            service_url,
            f"/v3/conversations/{quote(conversation_id, safe='')}/activities/"
            f"{quote(activity_id, safe='')}",
            body,
        )

    async def create_personal_conversation(
        self, service_url: str, *, user_id: str, tenant_id: str | None, bot_id: str | None
    ) -> str:
        body: dict[str, Any] = {
            "isGroup": False,
            "members": [{"id": user_id}],
            "channelData": {"tenant": {"id": tenant_id}} if tenant_id else {},
        }
        if bot_id:
            body["bot"] = {"id": bot_id}
        if tenant_id:
            body["tenantId"] = tenant_id
        data = await self._request("POST", service_url, "/v3/conversations", body)
        conversation_id = data.get("id")
        if not conversation_id:
            raise ConnectorError(200, "no conversation id in response")
        return str(conversation_id)

    async def conversation_member_ids(self, service_url: str, conversation_id: str) -> list[str]:
        """Members' ids of a chat (GET /v3/conversations/{id}/members)."""
        path = f"/v3/conversations/{quote(conversation_id, safe='')}/members"
        self.check_service_url(service_url)
        token = await self._token_provider()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._session().get(service_url.rstrip("/") + path,
                                           headers=headers) as resp:
                if resp.status >= 400:
                    raise ConnectorError(resp.status, resp.reason or "error")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise ConnectorError(None, type(exc).__name__) from exc
        if not isinstance(data, list):
            return []
        return [str(m["id"]) for m in data if isinstance(m, dict) and m.get("id")]

    async def meeting_role(
        self, service_url: str, *, meeting_id: str, participant_id: str, tenant_id: str | None
    ) -> MeetingRole:
        path = (
            f"/v1/meetings/{quote(meeting_id, safe='')}/participants/"
            f"{quote(participant_id, safe='')}"
        )
        if tenant_id:
            path += f"?tenantId={quote(tenant_id, safe='')}"
        data = await self._request("GET", service_url, path)
        meeting = data.get("meeting") or {}
        return MeetingRole(role=meeting.get("role"), in_meeting=meeting.get("inMeeting"))

    async def meeting_role_name(self, service_url: str, meeting_id: str, participant_id: str,
                                tenant_id: str | None) -> str | None:
        """The participant's role alone (`services.roles.RoleLookup`)."""
        found = await self.meeting_role(service_url, meeting_id=meeting_id,
                                        participant_id=participant_id, tenant_id=tenant_id)
        return found.role

    async def meeting_details(self, service_url: str, meeting_id: str,
                              tenant_id: str | None = None) -> MeetingDetails:
        """The meeting's Graph id and organiser (Teams "Get meeting details" API): for the
        transcript fetch, and the last channel for a safeguarding flag nobody else received."""
        path = f"/v1/meetings/{quote(meeting_id, safe='')}"
        if tenant_id:
            path += f"?tenantId={quote(tenant_id, safe='')}"
        data = await self._request("GET", service_url, path)
        details = data.get("details") or {}
        organizer = data.get("organizer") or {}
        return MeetingDetails(graph_id=details.get("msGraphResourceId"),
                              organizer_aad_id=organizer.get("aadObjectId"))
