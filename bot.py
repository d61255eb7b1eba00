"""The HTTP host: `create_app(settings)` wires the bot together; `python bot.py` runs it.

Routes: POST /api/messages (Bot Framework activities), GET /healthz (process alive),
GET /readyz (database reachable, study loaded), /console/ (the facilitator console). The
startup hook owns every resource (store, connector, screening engine, outbox worker, reminder
scheduler, the console's change feed) and closes it on shutdown.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from aiohttp import web

import cards
from auth import outbound_hosts
from auth.http import MAX_BODY_BYTES, Inbound
from auth.openid import OpenIdKeys
from auth.tab_token import TabTokenValidator
from background import repeat, stop
from config import ConfigError, Settings, load_settings
from console.access import CONSOLE, ConsoleDeps
from console.feed import ChangeFeed
from console.routes import add_console
from console.views import Readout
from handlers.adapter import make_adapter
from handlers.context import Services
from handlers.data_life import DataLife, make_data_life
from handlers.endpoint import MessagesEndpoint, make_inbound
from handlers.router import FocusGroupBot
from observability import configure_logging
from outbound.connector import ConnectorClient
from outbound.graph import GraphClient
from outbound.outbox import Notify, OutboxWorker
from outbound.tokens import BOT_FRAMEWORK_SCOPE, GRAPH_SCOPE, ClientCredentialTokens, no_token
from services.clock import Clock, utcnow
from services.consent import ConsentService
from services.flags import FlagService
from services.retention import retention_status
from services.roles import FacilitatorPolicy
from services.roster import RosterService
from services.scan_worker import load_screener, scan_executor
from services.screening_pipeline import ScreeningPipeline
from services.session_directory import SessionDirectory
from services.sessions import SessionService
from services.transcripts import TranscriptService
from services.undelivered import UndeliveredNotices
from store import Store, StoreUnavailable, open_store
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
    """The Graph client for 'Hide from chat' and the meeting transcript, or None when neither
    is configured."""
    if not (settings.graph_hide_enabled or settings.transcript_fetch_enabled):
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


def make_console(settings: Settings, services: Services) -> ConsoleDeps:
    """The facilitator console's dependencies: the same services the handlers use, and the
    tab token validator (none in local mode, where a loopback sign-in stands in for SSO)."""
    tab_tokens = None
    if not settings.local_mode:
        keys = OpenIdKeys(settings.tab_openid_metadata_url,
                          timeout_seconds=settings.openid_timeout_seconds,
                          min_refetch_seconds=settings.openid_min_refetch_seconds)
        tab_tokens = TabTokenValidator(
            keys, app_id=settings.microsoft_app_id,
            public_host=settings.public_host or "localhost",
            allowed_tenants=settings.tenant_allow_list)
    store = services.store
    return ConsoleDeps(
        store=store, study=services.study, flags=services.flags, sessions=services.sessions,
        facilitators=services.facilitators, feed=ChangeFeed(store.console_fingerprint),
        clock=services.clock, tab_tokens=tab_tokens, screener=services.data_life.screener.get,
        app_id=settings.microsoft_app_id, undelivered=services.undelivered,
        readout=Readout(zone=settings.study_timezone,
                        transcript_fetch_enabled=settings.transcript_fetch_enabled,
                        transcript_fetch_hours=settings.transcript_fetch_hours),
    )


def make_transcripts(
    settings: Settings, store: Store, connector: ConnectorClient, graph: GraphClient | None,
    sessions: SessionService, data_life: DataLife, clock: Clock,
) -> TranscriptService | None:
    """The transcript fetcher, when TRANSCRIPT_FETCH_ENABLED (off by default)."""
    if not settings.transcript_fetch_enabled or graph is None:
        return None
    return TranscriptService(
        store, meetings=connector, graph=graph, cards=cards.ZonedCards(settings.study_timezone),
        notify=sessions.notify_facilitators, screener=data_life.screener.get, clock=clock,
        hours=settings.transcript_fetch_hours,
    )


async def _scheduler(services: Services, every_seconds: float) -> None:
    """Post due reminders. Claims are made in the database, so instances never double-post."""
    await repeat(services.sessions.run_due_reminders, every_seconds, "reminder round failed")


async def _lifespan(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    study = app[STUDY]
    clock = app[CLOCK]
    app[STORE] = store = await open_store(settings.database_url)
    connector = make_connector(settings)
    app[OUTBOX] = outbox = OutboxWorker(store, connector,
                                        bot_id=settings.microsoft_app_id or None,
                                        give_up_after=timedelta(
                                            hours=settings.outbox_give_up_hours),
                                        clock=clock)
    facilitators = FacilitatorPolicy(
        settings.facilitator_ids, connector.meeting_role_name, store,
        meeting_roles=settings.facilitator_meeting_roles,
        cache_seconds=settings.meeting_role_cache_seconds,
        failure_cache_seconds=settings.meeting_role_retry_seconds,
    )
    roster = RosterService(store, facilitators, connector.conversation_members, clock=clock,
                           retry_seconds=settings.meeting_role_retry_seconds)
    card_port = cards.ZonedCards(settings.study_timezone)  # times on cards: the study's zone
    sessions = SessionService(
        store, study, cards=card_port,
        reminder_interval=timedelta(minutes=settings.reminder_interval_minutes),
        clock=clock, worker_id=outbox.owner, wake_outbox=outbox.wake, roster=roster,
    )
    screener = await asyncio.to_thread(
        load_screener, settings.screening_model, settings.screening_threshold
    )
    graph = make_graph(settings)
    flags = FlagService(store, study, facilitators, cards=card_port, clock=clock,
                        wake_outbox=outbox.wake,
                        hider=graph if settings.graph_hide_enabled else None,
                        digest_threshold=settings.flag_digest_threshold, meetings=connector)
    screening = ScreeningPipeline(
        store,
        functools.partial(scan_executor, settings.screening_model,
                          settings.screening_threshold, settings.screening_processes),
        flags, SessionDirectory(store, flags),
        clock=clock, owner=outbox.owner, wake_outbox=outbox.wake,
    )
    data_life = make_data_life(  # withdrawal, export in Teams, retention purge
        store, study, clock=clock, notify_facilitators=sessions.notify_facilitators,
        existing_screener=lambda: screener, screening_model=settings.screening_model,
        screening_threshold=settings.screening_threshold,
        retention_purge_after=settings.retention_purge_after,
        timezone=settings.study_timezone,
    )
    # Items the outbox gives up on are told to the session's facilitators in private.
    undelivered = UndeliveredNotices(
        store, flags, clock=clock, wake_outbox=outbox.wake, zone=settings.study_timezone,
        poll_seconds=settings.scheduler_poll_seconds)
    outbox.on_undelivered(undelivered.on_given_up)
    services = Services(
        store=store, study=study, sessions=sessions, facilitators=facilitators, roster=roster,
        flags=flags,
        consent=ConsentService(store, study, clock=clock), screening=screening,
        data_life=data_life, clock=clock, wake_outbox=outbox.wake, reply_now=connector.send,
        screener=screener, auto_start_on_meeting_start=settings.auto_start_on_meeting_start,
        timezone=settings.study_timezone,
        transcripts=make_transcripts(settings, store, connector, graph, sessions, data_life,
                                     clock),
        undelivered=undelivered,
    )
    app[SERVICES] = services
    console = make_console(settings, services)
    app[CONSOLE] = console
    outbox.on_delivered(Notify.CONSENT_CARD, sessions.on_consent_card_delivered)
    outbox.on_delivered(Notify.FLAG_CARD, flags.on_card_delivered)
    outbox.on_delivered(Notify.DIGEST_CARD, flags.on_digest_delivered)
    adapter = make_adapter(settings.botbuilder_configuration())
    app[ENDPOINT] = MessagesEndpoint(app[INBOUND], adapter, FocusGroupBot(services), store, clock)
    tasks = [
        asyncio.create_task(outbox.run_forever(), name="outbox"),
        asyncio.create_task(undelivered.run_forever(), name="undelivered-notices"),
        asyncio.create_task(_scheduler(services, settings.scheduler_poll_seconds),
                            name="reminders"),
        asyncio.create_task(screening.run_forever(), name="screening"),
        *([asyncio.create_task(repeat(services.transcripts.run_due,
                                      settings.scheduler_poll_seconds,
                                      "transcript round failed"), name="transcripts")]
          if services.transcripts is not None else []),
        asyncio.create_task(repeat(roster.retry_stale, settings.scheduler_poll_seconds,
                                   "roster retry failed"), name="roster"),
        asyncio.create_task(data_life.retention_task(store, study, clock), name="retention"),
        asyncio.create_task(repeat(console.feed.check_once, 1.0, "console change check failed"),
                            name="console-feed"),
    ]
    log.info("bot ready", extra={"local_mode": settings.local_mode,
                                 "database": store.dialect})
    try:
        yield
    finally:
        for task in tasks:
            await stop(task)
        await connector.close()
        if console.tab_tokens is not None:
            await console.tab_tokens.keys.close()
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
