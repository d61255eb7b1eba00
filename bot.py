"""The HTTP host: `create_app(settings)` wires the bot together; `python bot.py` runs it.

Routes: POST /api/messages (Bot Framework activities), GET /healthz (process alive),
GET /readyz (database reachable, study loaded), /console/ (the facilitator console). The
startup hook opens every resource (`resources.py`: store, clients, services, outbox worker,
background loops) and closes it on shutdown.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator

from aiohttp import web

from auth.http import MAX_BODY_BYTES, Inbound
from config import ConfigError, Settings, load_settings
from console.access import CONSOLE
from console.routes import add_console
from handlers.adapter import make_adapter
from handlers.context import Services
from handlers.endpoint import MessagesEndpoint, make_inbound
from handlers.router import FocusGroupBot
from observability import configure_logging
from outbound.outbox import OutboxWorker
from resources import open_resources
from services.clock import Clock, utcnow
from services.retention import retention_status
from store import Store, StoreUnavailable
from study import Study, StudyError, load_study

log = logging.getLogger("bot")

SETTINGS = web.AppKey("settings", Settings)
STUDY = web.AppKey("study", Study)
STORE = web.AppKey("store", Store)
OUTBOX = web.AppKey("outbox", OutboxWorker)
SERVICES = web.AppKey("services", Services)
ENDPOINT = web.AppKey("endpoint", MessagesEndpoint)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
INBOUND = web.AppKey("inbound", Inbound)


async def messages(request: web.Request) -> web.StreamResponse:
    """POST /api/messages, answered by the endpoint the startup hook built."""
    return await request.app[ENDPOINT](request)


async def healthz(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 only when a message would be screened at once: the database answers, the study is
    loaded and the screening engine has answered its warm-up scan (`ready` false with
    `database` and `study` true: the screening worker is still loading)."""
    store = request.app.get(STORE)
    database = bool(store and await store.ping())
    study = request.app.get(STUDY) is not None
    services = request.app.get(SERVICES)
    warm = services is not None and services.screening is not None and services.screening.warm
    ready = database and study and warm
    # A failed retention purge shows here but leaves readiness alone (services/retention.py).
    retention = await retention_status(store) if store is not None and database else "unknown"
    # Outbox items given up on (facilitators are told in private); shown, readiness unchanged.
    undelivered = await store.undelivered_total() if store is not None and database else None
    return web.json_response(
        {"ready": ready, "database": database, "study": study, "retention": retention,
         "undelivered": undelivered},
        status=200 if ready else 503,
    )


async def _close_inbound(app: web.Application) -> None:
    await app[INBOUND].close()


async def _lifespan(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    opened = await open_resources(settings, app[STUDY], app[CLOCK])
    app[STORE] = opened.store
    app[OUTBOX] = opened.outbox
    app[SERVICES] = opened.services
    app[CONSOLE] = opened.console
    adapter = make_adapter(settings.botbuilder_configuration())
    app[ENDPOINT] = MessagesEndpoint(app[INBOUND], adapter, FocusGroupBot(opened.services),
                                     opened.store, app[CLOCK])
    tasks = opened.start()
    log.info("bot ready", extra={"local_mode": settings.local_mode,
                                 "database": opened.store.dialect})
    try:
        yield
    finally:
        await opened.close(tasks)


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
    app[INBOUND] = make_inbound(settings)
    app.on_cleanup.append(_close_inbound)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    add_console(app)
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
    if settings.local_mode and not settings.listens_on_loopback_only:
        log.warning(
            "UNAUTHENTICATED AND REACHABLE FROM THE NETWORK: MicrosoftAppId is not set, so "
            "authentication is OFF, and ALLOW_UNAUTHENTICATED=true lets anyone who can reach "
            "%s:%s post activities", settings.listen_host, settings.port,
        )
    elif settings.local_mode:
        log.warning(
            "MicrosoftAppId is not set: authentication is OFF (local mode); listening on %s:%s",
            settings.listen_host, settings.port,
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
