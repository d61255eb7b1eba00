"""Microsoft Graph: hide a chat message from its readers (the DLP policy-violation API), and
read a meeting's transcript.

    PATCH {base}/v1.0/chats/{chatId}/messages/{messageId}
    {"policyViolation": {"dlpAction": "BlockAccess", "verdictDetails": "None",
                         "policyTip": {"generalText": ..., "complianceUrl": ...,
                                       "matchedConditionDescriptions": [...]}}}

Application permission `Chat.UpdatePolicyViolation.All`, app-only token from msal (client
credentials) for the chat's tenant. Graph's refusals are turned into plain words for the
facilitator who asked; the response body is never logged (it can quote the message).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from outbound.http_session import LazyClientSession

log = logging.getLogger(__name__)

GraphTokenProvider = Callable[[str | None], Awaitable[str | None]]
"""(tenant id) -> app-only Graph token, or None (local mode: the stand-in takes no token)."""

PLAIN_REASONS = {
    400: "Teams did not accept the request to hide this message.",
    401: "The bot could not sign in to Microsoft Graph (check its app registration).",
    403: "Microsoft Graph refused: the bot lacks permission to hide chat messages "
         "(Chat.UpdatePolicyViolation.All needs admin consent, and the tenant needs a "
         "licence that includes Communications DLP).",
    404: "Teams could not find this message; it may have been deleted.",
    409: "Teams is already changing this message; try again in a moment.",
    412: "Teams is already changing this message; try again in a moment.",
    423: "This chat is locked, so the message cannot be hidden.",
    429: "Teams is busy (too many requests); try again in a minute.",
}


@dataclass(frozen=True)
class HideResult:
    ok: bool
    status: int | None
    reason: str  # plain words for the facilitator

    @classmethod
    def refused(cls, status: int | None) -> HideResult:
        if status is None:
            return cls(False, None, "Microsoft Graph could not be reached; try again.")
        if status >= 500:
            return cls(False, status, "Microsoft Graph had a problem; try again in a minute.")
        return cls(False, status, PLAIN_REASONS.get(
            status, f"Microsoft Graph refused the request (status {status})."))


def policy_violation(general_text: str, conditions: list[str],
                     compliance_url: str | None = None) -> dict[str, Any]:
    tip: dict[str, Any] = {
        "generalText": general_text,
        "matchedConditionDescriptions": conditions,
    }
    if compliance_url:
        tip["complianceUrl"] = compliance_url
    return {
        "policyViolation": {
            "dlpAction": "BlockAccess",
            "verdictDetails": "None",
            "policyTip": tip,
        }
    }


@dataclass(frozen=True)
class GraphAnswer:
    """One Graph read: the status (None: unreachable), its body, and Retry-After seconds."""

    status: int | None
    body: bytes = b""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class GraphClient:
    def __init__(
        self,
        base_url: str,
        token_provider: GraphTokenProvider,
        *,
        timeout_seconds: float = 8.0,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = token_provider
        self._http = LazyClientSession(timeout_seconds)

    async def close(self) -> None:
        await self._http.close()

    def _session(self) -> aiohttp.ClientSession:
        return self._http.get()

    async def hide_message(
        self,
        chat_id: str,
        message_id: str,
        policy_tip: str,
        *,
        conditions: list[str] | None = None,
        tenant_id: str | None = None,
        compliance_url: str | None = None,
    ) -> HideResult:
        url = (f"{self._base}/v1.0/chats/{quote(chat_id, safe='')}/messages/"
               f"{quote(message_id, safe='')}")
        try:
            token = await self._tokens(tenant_id)
        except Exception as exc:  # msal refusal: say so without the details (may hold secrets)
            log.warning("graph token refused", extra={"error": type(exc).__name__})
            return HideResult(False, 401, PLAIN_REASONS[401])
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = policy_violation(policy_tip, conditions or [], compliance_url)
        try:
            async with self._session().patch(url, json=body, headers=headers) as resp:
                status = resp.status
                await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("graph hide failed", extra={"error": type(exc).__name__})
            return HideResult.refused(None)
        if 200 <= status < 300:
            return HideResult(True, status, "Hidden from the chat for readers.")
        log.info("graph hide refused", extra={"status": status})
        return HideResult.refused(status)

    async def _get(self, path: str, tenant_id: str | None) -> GraphAnswer:
        try:
            token = await self._tokens(tenant_id)
        except Exception as exc:  # msal refusal: say so without the details (may hold secrets)
            log.warning("graph token refused", extra={"error": type(exc).__name__})
            return GraphAnswer(401)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            async with self._session().get(f"{self._base}{path}", headers=headers) as resp:
                body = await resp.read()
                retry = resp.headers.get("Retry-After")
                return GraphAnswer(resp.status, body,
                                   float(retry) if retry and retry.isdigit() else None)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("graph read failed", extra={"error": type(exc).__name__})
            return GraphAnswer(None)

    async def list_transcripts(self, organizer_id: str, meeting_id: str,
                               tenant_id: str | None) -> GraphAnswer:
        """GET /users/{organizer}/onlineMeetings/{meeting}/transcripts (app-only token)."""
        return await self._get(
            f"/v1.0/users/{quote(organizer_id, safe='')}/onlineMeetings/"
            f"{quote(meeting_id, safe='')}/transcripts", tenant_id)

    async def transcript_content(self, organizer_id: str, meeting_id: str, transcript_id: str,
                                 tenant_id: str | None) -> GraphAnswer:
        """The transcript as WebVTT (`$format=text/vtt`)."""
        return await self._get(
            f"/v1.0/users/{quote(organizer_id, safe='')}/onlineMeetings/"
            f"{quote(meeting_id, safe='')}/transcripts/{quote(transcript_id, safe='')}/content"
            "?$format=text/vtt", tenant_id)
