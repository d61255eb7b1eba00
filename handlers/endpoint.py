"""POST /api/messages: a checked request becomes one turn of the bot, and every failure one
HTTP status.

`auth.http.Inbound` decides whether the request may be read at all; here the tenant allow-list
is applied (a refusal is audited), plain chat goes straight to the bot from its JSON, anything
else runs as a botbuilder turn, and errors map to 401 (permission), 503 (database unavailable,
with Retry-After) or 500.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter

from auth import BotTokenValidator, OpenIdKeys, tenant_allowed, tenant_fingerprint
from auth.http import Accepted, BadActivity, Inbound, Refused, request_id
from config import Settings
from handlers.adapter import authenticate_result, to_activity
from handlers.router import FocusGroupBot
from observability import request_id_var
from services.clock import Clock
from store import is_unavailable
from store.ports import AuditLog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessagesEndpoint:
    inbound: Inbound
    adapter: CloudAdapter
    bot: FocusGroupBot
    store: AuditLog
    clock: Clock

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        token = request_id_var.set(request_id(request))
        try:
            return await self._handle(request)
        except Refused as exc:
            return exc.response
        except web.HTTPException as exc:
            return web.Response(status=exc.status, headers=exc.headers)
        finally:
            request_id_var.reset(token)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        accepted = await self.inbound.accept(request)
        try:
            return await self._turn(accepted)
        except PermissionError:
            return web.Response(status=401)
        except Exception as exc:
            if is_unavailable(exc):
                log.error("database unavailable", extra={"error": type(exc).__name__})
                return web.json_response({"error": "temporarily unavailable"}, status=503,
                                         headers={"Retry-After": "5"})
            log.error("turn failed", extra={"error": type(exc).__name__}, exc_info=exc)
            return web.json_response({"error": "internal error"}, status=500)

    async def _turn(self, accepted: Accepted) -> web.StreamResponse:
        body = accepted.body
        # Tenants outside the allow-list are dropped before anything is stored.
        if not tenant_allowed(body, self.inbound.allowed_tenants):
            return await self._refuse_tenant(body)
        # Plain chat traffic is handled from the JSON; everything else is a botbuilder turn.
        if await self.bot.on_chat_json(body):
            return web.Response(status=201)
        try:
            activity = await self.inbound.off_loop_if_large(accepted.size, to_activity, body)
        except BadActivity as exc:
            return web.json_response({"error": str(exc)}, status=400)
        auth = authenticate_result(self.adapter, accepted.claims)
        invoke = await self.adapter.process_activity(
            auth, activity, functools.partial(self.bot.on_turn, body=body)
        )
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=201)

    async def _refuse_tenant(self, body: dict[str, Any]) -> web.Response:
        """403: the caller is genuine (Bot Connector) but its tenant may not use this bot.

        Not 401 (authentication succeeded) and not 2xx (monitoring should see refusals); the
        Bot Connector does not retry 4xx. The audit row holds a hash of the tenant id and the
        activity type only: no text, no user ids.
        """
        activity_type = str(body.get("type"))[:40]
        subject = tenant_fingerprint(body)
        await self.store.audit(actor="bot", action="tenant_refused", subject=subject,
                               at=self.clock(), details={"activity_type": activity_type})
        log.warning("activity from a tenant not allowed",
                    extra={"tenant_hash": subject, "activity_type": activity_type})
        return web.Response(status=403)


def make_inbound(settings: Settings) -> Inbound:
    """Token validation (off in local mode), tenant allow-list and body limits."""
    validator = None
    if not settings.local_mode:
        keys = OpenIdKeys(
            settings.openid_metadata_url,
            timeout_seconds=settings.openid_timeout_seconds,
            min_refetch_seconds=settings.openid_min_refetch_seconds,
        )
        validator = BotTokenValidator(keys, settings.microsoft_app_id)
        if settings.tenant_allow_list is None:
            log.warning("ALLOWED_TENANTS is not set: activities from any tenant are accepted")
    return Inbound(validator=validator, allowed_tenants=settings.tenant_allow_list,
                   body_timeout=settings.request_body_timeout_seconds)
