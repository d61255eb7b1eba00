"""The HTTP host: `create_app(settings)` wires the bot together; `python bot.py` runs it.

Routes: POST /api/messages (Bot Framework activities), GET /healthz (process alive),
GET /readyz (database reachable, study loaded). The startup hook owns every resource (store,
connector, screening engine, outbox worker, reminder scheduler) and closes it on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import re
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import ClientPayloadError, web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
)

from auth import (
    AuthError,
    BotTokenValidator,
    OpenIdKeys,
    VerifiedToken,
    outbound_hosts,
    tenant_allowed,
    tenant_fingerprint,
)
from auth.envelope import EnvelopeError
from auth.envelope import check_envelope as check_activity_envelope
from background import cancel_requested
from config import ConfigError, Settings, load_settings
from handlers.context import BotServices
from handlers.router import FocusGroupBot
from handlers.withdrawal_commands import install as install_data_life
from observability import configure_logging, request_id_var
from outbound.connector import ConnectorClient
from outbound.graph import GraphClient
from outbound.outbox import OutboxWorker
from outbound.tokens import BOT_FRAMEWORK_SCOPE, GRAPH_SCOPE, ClientCredentialTokens, no_token
from services.clock import Clock, utcnow
from services.consent import ConsentService
from services.flags import FlagService
from services.roles import RoleResolver
from services.screening_pipeline import (
    ScreeningPipeline,
    SessionDirectory,
    load_screener,
    scan_executor,
)
from services.sessions import SessionService
from store import LeasedItem, Store, StoreUnavailable, is_unavailable, open_store
from study import Study, StudyError, load_study

log = logging.getLogger("bot")

SETTINGS = web.AppKey("settings", Settings)
STUDY = web.AppKey("study", Study)
STORE = web.AppKey("store", Store)
BOT = web.AppKey("bot", FocusGroupBot)
ADAPTER = web.AppKey("adapter", CloudAdapter)
OUTBOX = web.AppKey("outbox", OutboxWorker)
SERVICES = web.AppKey("services", BotServices)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")

MAX_BODY_BYTES = 256 * 1024
MAX_JSON_DEPTH = 64
# Bodies above this size are parsed in a worker thread, a few at a time, so that a burst of
# large bodies cannot hold the event loop while a real (small, few-KB) activity waits.
INLINE_PARSE_BYTES = 32 * 1024
LARGE_BODY_WORKERS = 1
LARGE_BODY_QUEUE = 64


class BadActivity(Exception):
    """The request body is not an activity; answered 400 with this text."""


class _BodyTooLarge(Exception):
    pass


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


INBOUND = web.AppKey("inbound", Inbound)

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
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadActivity("body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadActivity("body must be a JSON object")
    if b"\\u0000" in raw:
        body = _without_nul(body)
    if not isinstance(body.get("type"), str) or not body["type"].strip():
        raise BadActivity("activity has no type")
    return body


def check_envelope(body: dict[str, Any]) -> None:
    """The fields botbuilder and our handlers read must have their documented types."""
    try:
        check_activity_envelope(body)
    except EnvelopeError as exc:
        raise BadActivity(str(exc)) from None


def to_activity(body: dict[str, Any]) -> Activity:
    try:
        activity = Activity().deserialize(body)
    except Exception as exc:  # msrest raises several kinds for wrong field types
        raise BadActivity("activity could not be read") from exc
    if not activity.type:
        raise BadActivity("activity has no type")
    return activity


def parse_activity(raw: bytes) -> Activity:
    body = parse_body(raw)
    check_envelope(body)
    return to_activity(body)


async def _off_loop_if_large(inbound: Inbound, size: int, work: Any, *args: Any) -> Any:
    """Run `work(*args)` inline for small bodies, else in a thread, a few at a time."""
    if size <= INLINE_PARSE_BYTES:
        return work(*args)
    if inbound.large_waiting >= LARGE_BODY_QUEUE:
        raise web.HTTPServiceUnavailable(headers={"Retry-After": "1"})
    inbound.large_waiting += 1
    try:
        async with inbound.large_bodies:
            return await asyncio.to_thread(work, *args)
    finally:
        inbound.large_waiting -= 1


async def _read_body(request: web.Request, limit_seconds: float) -> bytes:
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


def _unauthorized(exc: AuthError) -> web.Response:
    """Every authentication failure looks the same to the caller: 401, no body."""
    log.info("request not authenticated", extra={"reason": exc.reason})
    return web.Response(status=401)


def _authenticate_result(
    adapter: CloudAdapter, claims: dict[str, Any] | None
) -> AuthenticateRequestResult:
    """What botbuilder's own authentication would have produced, from claims we checked."""
    if claims is None:  # local mode: anonymous, as botbuilder does with auth disabled
        identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
        caller_id = None
    else:
        identity = ClaimsIdentity(dict(claims), True)
        caller_id = CallerIdConstants.public_azure_channel.value
    result = AuthenticateRequestResult()
    result.claims_identity = identity
    result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    result.caller_id = caller_id
    result.connector_factory = adapter.bot_framework_authentication.create_connector_factory(
        identity
    )
    return result


_REQUEST_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._:|/+=-]")


def _request_id(request: web.Request) -> str:
    """The caller's `x-ms-request-id` for log correlation, reduced to safe characters (it is
    untrusted and goes into every log line of the turn), or a fresh id."""
    given = _REQUEST_ID_UNSAFE.sub("", request.headers.get("x-ms-request-id", ""))[:64]
    return given or uuid.uuid4().hex[:16]


def _content_type(request: web.Request) -> str | None:
    """The request's media type, or None when the header cannot be parsed.

    aiohttp parses Content-Type lazily with the standard library's header parser, which raises
    (IndexError for `;0*`) on some malformed parameter lists: that must be a 415, not a 500.
    """
    try:
        return request.content_type
    except Exception:
        return None


async def messages(request: web.Request) -> web.StreamResponse:
    token = request_id_var.set(_request_id(request))
    try:
        return await _messages(request)
    except web.HTTPException as exc:
        return web.Response(status=exc.status, headers=exc.headers)
    finally:
        request_id_var.reset(token)


async def _messages(request: web.Request) -> web.StreamResponse:
    app = request.app
    inbound = app[INBOUND]
    # 1. Header-only checks, before a byte of the body is read: the token's signature, issuer,
    #    audience and lifetime. An unauthenticated caller learns nothing else (always 401).
    verified: VerifiedToken | None = None
    if inbound.validator is not None:
        try:
            verified = await inbound.validator.verify(request.headers.get("Authorization"))
        except AuthError as exc:
            return _unauthorized(exc)
    content_type = _content_type(request)
    if content_type is None:
        return web.json_response({"error": "Content-Type could not be parsed"}, status=415)
    if content_type != "application/json":
        return web.json_response({"error": "Content-Type must be application/json"}, status=415)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    # 2. The body: size, time and nesting limits before parsing.
    try:
        raw = await _read_body(request, inbound.body_timeout)
    except _BodyTooLarge:
        return web.json_response({"error": "body too large"}, status=413)
    except TimeoutError:
        return web.json_response({"error": "body not received in time"}, status=408)
    except (ConnectionError, asyncio.IncompleteReadError, ClientPayloadError):
        return web.json_response({"error": "body could not be read"}, status=400)
    try:
        body = await _off_loop_if_large(inbound, len(raw), parse_body, raw)
    except BadActivity as exc:
        return web.json_response({"error": str(exc)}, status=400)
    # 3. The token must vouch for this activity's channel and service URL.
    if verified is not None:
        try:
            BotTokenValidator.check_activity(
                verified, channel_id=body.get("channelId"), service_url=body.get("serviceUrl")
            )
        except AuthError as exc:
            return _unauthorized(exc)
    try:
        check_envelope(body)
    except BadActivity as exc:
        return web.json_response({"error": str(exc)}, status=400)
    try:
        # 4. Tenants outside the allow-list are dropped before anything is stored.
        if not tenant_allowed(body, inbound.allowed_tenants):
            return await _refuse_tenant(app, body)
        # 5. Plain chat traffic is handled from the JSON; everything else is a botbuilder turn.
        bot = app[BOT]
        if await bot.on_chat_json(body):
            return web.Response(status=201)
        try:
            activity = await _off_loop_if_large(inbound, len(raw), to_activity, body)
        except BadActivity as exc:
            return web.json_response({"error": str(exc)}, status=400)
        adapter = app[ADAPTER]
        auth = _authenticate_result(adapter, verified.claims if verified else None)
        invoke = await adapter.process_activity(auth, activity,
                                                functools.partial(bot.on_turn, body=body))
    except PermissionError:
        return web.Response(status=401)
    except Exception as exc:
        if is_unavailable(exc):
            log.error("database unavailable", extra={"error": type(exc).__name__})
            return web.json_response({"error": "temporarily unavailable"}, status=503,
                                     headers={"Retry-After": "5"})
        log.error("turn failed", extra={"error": type(exc).__name__}, exc_info=exc)
        return web.json_response({"error": "internal error"}, status=500)
    if invoke is not None:
        return web.json_response(invoke.body, status=invoke.status)
    return web.Response(status=201)


async def _refuse_tenant(app: web.Application, body: dict[str, Any]) -> web.Response:
    """403: the caller is genuine (Bot Connector) but its tenant may not use this bot.

    Not 401 (authentication succeeded) and not 2xx (monitoring should see refusals); the
    Bot Connector does not retry 4xx. The audit row holds a hash of the tenant id and the
    activity type only: no text, no user ids.
    """
    activity_type = str(body.get("type"))[:40]
    subject = tenant_fingerprint(body)
    await app[STORE].audit(actor="bot", action="tenant_refused", subject=subject,
                           at=app[CLOCK](), details={"activity_type": activity_type})
    log.warning("activity from a tenant not allowed",
                extra={"tenant_hash": subject, "activity_type": activity_type})
    return web.Response(status=403)


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    store = request.app.get(STORE)
    database = bool(store and await store.ping())
    study = request.app.get(STUDY) is not None
    ready = database and study
    return web.json_response(
        {"ready": ready, "database": database, "study": study}, status=200 if ready else 503
    )


def _fast_msrest_retry_policy() -> None:
    """CloudAdapter builds two msrest clients per turn; each computes its retry codes as
    `i not in <a 500-item list>` for 999 codes (~5 ms of CPU, ~11 ms a turn, capping a
    process near 90 activities/s). A frozenset of the same codes gives the same policy."""
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)


def make_adapter(settings: Settings) -> CloudAdapter:
    """The adapter runs the turn; inbound authentication is ours (`make_inbound`)."""
    _fast_msrest_retry_policy()
    auth = ConfigurationBotFrameworkAuthentication(settings.botbuilder_configuration())
    return CloudAdapter(auth)


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


async def _close_inbound(app: web.Application) -> None:
    await app[INBOUND].close()


def make_connector(settings: Settings) -> ConnectorClient:
    if settings.local_mode:
        provider: Any = no_token()
    else:
        provider = ClientCredentialTokens(
            app_id=settings.microsoft_app_id,
            app_password=settings.microsoft_app_password.get_secret_value(),
            app_type=settings.microsoft_app_type,
            tenant_id=settings.microsoft_app_tenant_id,
            scope=BOT_FRAMEWORK_SCOPE,
        )
    # The bot's token goes only to Teams' service hosts (locally: loopback) and configured ones.
    hosts = outbound_hosts(local_mode=settings.local_mode, extra=settings.allowed_service_hosts)
    return ConnectorClient(provider, allowed_hosts=hosts)


def make_graph(settings: Settings) -> GraphClient | None:
    """The Graph client for 'Hide from chat', or None when that action is not configured."""
    if not settings.graph_hide_enabled:
        return None
    if settings.local_mode:
        return GraphClient(settings.graph_base_url, lambda _tenant: no_token()())
    providers: dict[str, ClientCredentialTokens] = {}

    async def token(tenant_id: str | None) -> str | None:
        tenant = tenant_id or settings.microsoft_app_tenant_id
        if tenant not in providers:  # app-only tokens are per tenant (the chat's tenant)
            providers[tenant] = ClientCredentialTokens(
                app_id=settings.microsoft_app_id,
                app_password=settings.microsoft_app_password.get_secret_value(),
                app_type=settings.microsoft_app_type,
                tenant_id=tenant,
                scope=GRAPH_SCOPE,
                authority_host=settings.graph_authority_host,
            )
        return await providers[tenant]()

    return GraphClient(settings.graph_base_url, token)


async def _scheduler(services: BotServices, every_seconds: float) -> None:
    """Post due reminders. Claims are made in the database, so instances never double-post."""
    while True:
        try:
            await services.sessions.run_due_reminders()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if cancel_requested():
                raise asyncio.CancelledError from exc
            log.warning("reminder round failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(every_seconds)


async def _cancel(task: asyncio.Task[Any], grace_seconds: float = 10.0) -> None:
    """Cancel a background task and wait for it, but never let shutdown hang on it."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=grace_seconds)
    if not done:
        log.warning("background task did not stop in time", extra={"task": task.get_name()})
        return
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


async def _lifespan(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    study = app[STUDY]
    clock = app[CLOCK]
    store = await open_store(settings.database_url)
    app[STORE] = store
    connector = make_connector(settings)

    async def on_delivered(leased: LeasedItem, activity_id: str | None,
                           conversation_id: str | None) -> None:
        ref = leased.item.notify_ref or ""
        if ref.startswith("consent_card:") and activity_id:
            await store.set_consent_activity(ref.split(":", 1)[1], activity_id)
        elif ref.startswith("flag_card:"):
            await store.flag_card_delivered(leased.id, activity_id=activity_id,
                                            conversation_id=conversation_id)
            await flags.card_delivered(int(ref.split(":", 1)[1]), leased.item.payload,
                                       conversation_id)

    outbox = OutboxWorker(store, connector, bot_id=settings.microsoft_app_id or None,
                          on_delivered=on_delivered, clock=clock)
    app[OUTBOX] = outbox

    async def meeting_role(service_url: str, meeting_id: str, participant_id: str,
                           tenant_id: str | None) -> str | None:
        result = await connector.meeting_role(
            service_url, meeting_id=meeting_id, participant_id=participant_id, tenant_id=tenant_id
        )
        return result.role

    sessions = SessionService(
        store,
        study,
        reminder_interval=timedelta(minutes=settings.reminder_interval_minutes),
        clock=clock,
        worker_id=outbox.owner,
        wake_outbox=outbox.wake,
        list_members=connector.conversation_member_ids,
    )
    roles = RoleResolver(settings.facilitator_ids, meeting_role)
    screener = await asyncio.to_thread(
        load_screener, settings.screening_model, settings.screening_threshold
    )
    graph = make_graph(settings)
    flags = FlagService(store, study, roles, clock=clock, wake_outbox=outbox.wake, graph=graph)
    screening = ScreeningPipeline(
        store,
        functools.partial(scan_executor, settings.screening_model,
                          settings.screening_threshold, settings.screening_processes),
        flags, SessionDirectory(store, flags),
        clock=clock, owner=outbox.owner, wake_outbox=outbox.wake,
    )
    services = BotServices(
        store=store,
        study=study,
        sessions=sessions,
        consent=ConsentService(store, study, clock=clock),
        roles=roles,
        clock=clock,
        wake_outbox=outbox.wake,
        auto_start_on_meeting_start=settings.auto_start_on_meeting_start,
        screener=screener,
        screening=screening,
        flags=flags,
        reply_now=connector.send,
    )
    app[SERVICES] = services
    data_life = install_data_life(  # withdrawal, export in Teams, retention purge
        services, screening_model=settings.screening_model,
        screening_threshold=settings.screening_threshold,
        retention_purge_after=settings.retention_purge_after,
    )
    app[BOT] = FocusGroupBot(services)
    tasks = [
        asyncio.create_task(outbox.run_forever(), name="outbox"),
        asyncio.create_task(_scheduler(services, settings.scheduler_poll_seconds),
                            name="reminders"),
        asyncio.create_task(screening.run_forever(), name="screening"),
    ]
    tasks.append(asyncio.create_task(data_life.retention_task(services), name="retention"))
    log.info("bot ready", extra={"local_mode": settings.local_mode,
                                 "database": store.dialect})
    try:
        yield
    finally:
        for task in tasks:
            await _cancel(task)
        await connector.close()
        if graph is not None:
            await graph.close()
        await store.close()


def create_app(
    settings: Settings, study: Study | None = None, *, clock: Clock = utcnow
) -> web.Application:
    """Build the application. Raises StudyError if the study file is invalid.

    `clock` is the time every service and the outbox read, so tests can move it instead of
    waiting for it.
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[STUDY] = study or load_study(settings.study_file)
    app[ADAPTER] = make_adapter(settings)
    app[INBOUND] = make_inbound(settings)
    app.on_cleanup.append(_close_inbound)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.cleanup_ctx.append(_lifespan)
    return app


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        study = load_study(settings.study_file)
    except StudyError as exc:
        print(f"study error: {exc}", file=sys.stderr)
        return 2
    if settings.local_mode:
        log.warning(
            "MicrosoftAppId is not set: authentication is OFF (local mode); "
            "listening on %s only", settings.listen_host,
        )
    app = create_app(settings, study)
    try:
        web.run_app(app, host=settings.listen_host, port=settings.port, print=None,
                    access_log=None)
    except StoreUnavailable as exc:
        print(f"database error: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
