"""The HTTP host: `create_app(settings)` wires the bot together; `python bot.py` runs it.

Routes: POST /api/messages (Bot Framework activities), GET /healthz (process alive),
GET /readyz (database reachable, study loaded). The startup hook owns every resource (store,
connector, screening engine, outbox worker, reminder scheduler) and closes it on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity
from sqlalchemy.exc import DBAPIError, OperationalError

from config import ConfigError, Settings, load_settings
from handlers.context import BotServices
from handlers.router import FocusGroupBot
from observability import configure_logging, request_id_var
from outbound.connector import ConnectorClient
from outbound.outbox import OutboxWorker
from outbound.tokens import BOT_FRAMEWORK_SCOPE, ClientCredentialTokens, no_token
from services.clock import utcnow
from services.consent import ConsentService
from services.roles import RoleResolver
from services.sessions import SessionService
from store import LeasedItem, Store, StoreUnavailable, open_store
from study import Study, StudyError, load_study

log = logging.getLogger("bot")

SETTINGS = web.AppKey("settings", Settings)
STUDY = web.AppKey("study", Study)
STORE = web.AppKey("store", Store)
BOT = web.AppKey("bot", FocusGroupBot)
ADAPTER = web.AppKey("adapter", CloudAdapter)
OUTBOX = web.AppKey("outbox", OutboxWorker)
SERVICES = web.AppKey("services", BotServices)

MAX_BODY_BYTES = 256 * 1024
MAX_JSON_DEPTH = 64


class BadActivity(Exception):
    """The request body is not an activity; answered 400 with this text."""


def _check_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse deeply nested JSON before parsing it (the parser would recurse)."""
    depth = 0
    in_string = False
    escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                raise BadActivity("JSON nested too deeply")
        elif byte in (0x5D, 0x7D):
            depth -= 1


def parse_activity(raw: bytes) -> Activity:
    _check_depth(raw)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadActivity("body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadActivity("body must be a JSON object")
    if not isinstance(body.get("type"), str) or not body["type"].strip():
        raise BadActivity("activity has no type")
    try:
        activity = Activity().deserialize(body)
    except Exception as exc:  # msrest raises several kinds for wrong field types
        raise BadActivity("activity could not be read") from exc
    if not activity.type:
        raise BadActivity("activity has no type")
    return activity


def _is_database_down(exc: BaseException) -> bool:
    if isinstance(exc, StoreUnavailable | OperationalError | ConnectionError | OSError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


async def messages(request: web.Request) -> web.StreamResponse:
    request_id = request.headers.get("x-ms-request-id") or uuid.uuid4().hex[:16]
    token = request_id_var.set(request_id)
    try:
        content_type = request.headers.get("Content-Type", "")
        if "application/json" not in content_type.lower():
            return web.json_response({"error": "Content-Type must be application/json"},
                                     status=415)
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            raw = await request.content.read(MAX_BODY_BYTES + 1)
        except (ConnectionError, asyncio.IncompleteReadError):
            return web.json_response({"error": "body could not be read"}, status=400)
        if len(raw) > MAX_BODY_BYTES:
            return web.json_response({"error": "body too large"}, status=413)
        try:
            activity = parse_activity(raw)
        except BadActivity as exc:
            return web.json_response({"error": str(exc)}, status=400)
        auth_header = request.headers.get("Authorization", "")
        app = request.app
        try:
            invoke = await app[ADAPTER].process_activity(auth_header, activity, app[BOT].on_turn)
        except PermissionError:
            return web.Response(status=401)
        except Exception as exc:
            if _is_database_down(exc):
                log.error("database unavailable", extra={"error": type(exc).__name__})
                return web.json_response({"error": "temporarily unavailable"}, status=503,
                                         headers={"Retry-After": "5"})
            log.error("turn failed", extra={"error": type(exc).__name__}, exc_info=exc)
            return web.json_response({"error": "internal error"}, status=500)
        if invoke is not None:
            return web.json_response(invoke.body, status=invoke.status)
        return web.Response(status=201)
    finally:
        request_id_var.reset(token)


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


def make_adapter(settings: Settings) -> CloudAdapter:
    auth = ConfigurationBotFrameworkAuthentication(settings.botbuilder_configuration())
    return CloudAdapter(auth)


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
    return ConnectorClient(provider)


async def _scheduler(services: BotServices, every_seconds: float) -> None:
    """Post due reminders. Claims are made in the database, so instances never double-post."""
    while True:
        try:
            await services.sessions.run_due_reminders()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("reminder round failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(every_seconds)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _lifespan(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    study = app[STUDY]
    store = await open_store(settings.database_url)
    app[STORE] = store
    connector = make_connector(settings)

    async def on_delivered(leased: LeasedItem, activity_id: str | None, _: str | None) -> None:
        ref = leased.item.notify_ref or ""
        if ref.startswith("consent_card:") and activity_id:
            await store.set_consent_activity(ref.split(":", 1)[1], activity_id)

    outbox = OutboxWorker(store, connector, bot_id=settings.microsoft_app_id or None,
                          on_delivered=on_delivered)
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
        clock=utcnow,
        worker_id=outbox.owner,
        wake_outbox=outbox.wake,
        list_members=connector.conversation_member_ids,
    )
    services = BotServices(
        store=store,
        study=study,
        sessions=sessions,
        consent=ConsentService(store, study, clock=utcnow),
        roles=RoleResolver(settings.facilitator_ids, meeting_role),
        clock=utcnow,
        wake_outbox=outbox.wake,
        auto_start_on_meeting_start=settings.auto_start_on_meeting_start,
    )
    app[SERVICES] = services
    app[BOT] = FocusGroupBot(services)
    tasks = [
        asyncio.create_task(outbox.run_forever(), name="outbox"),
        asyncio.create_task(_scheduler(services, settings.scheduler_poll_seconds),
                            name="reminders"),
    ]
    log.info("bot ready", extra={"local_mode": settings.local_mode,
                                 "database": store.dialect})
    try:
        yield
    finally:
        for task in tasks:
            await _cancel(task)
        await connector.close()
        await store.close()


def create_app(settings: Settings, study: Study | None = None) -> web.Application:
    """Build the application. Raises StudyError if the study file is invalid."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[STUDY] = study or load_study(settings.study_file)
    app[ADAPTER] = make_adapter(settings)
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
