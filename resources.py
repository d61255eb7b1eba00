"""What the running bot owns, built from the settings: the store, the Bot Connector and Graph
clients, the domain services, the outbox worker and the background loops. `bot.py` opens them
at start-up (`open_resources`), starts the loops, and closes everything on shutdown.

Host layer, beside `bot.py` and `config.py`: nothing below imports it.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import cards
from auth import outbound_hosts
from auth.openid import OpenIdKeys
from auth.tab_token import TabTokenValidator
from background import repeat, stop
from config import Settings
from console.access import ConsoleDeps
from console.feed import ChangeFeed
from console.views import Readout
from handlers.context import Services
from handlers.data_life import DataLife, make_data_life
from outbound.connector import ConnectorClient
from outbound.graph import GraphClient
from outbound.outbox import Notify, OutboxWorker
from outbound.tokens import BOT_FRAMEWORK_SCOPE, GRAPH_SCOPE, ClientCredentialTokens, no_token
from services.clock import Clock
from services.consent import ConsentService
from services.flags import FlagService
from services.roles import FacilitatorPolicy
from services.roster import RosterService
from services.scan_worker import load_screener, scan_executor
from services.screening_pipeline import ScreeningPipeline
from services.session_directory import SessionDirectory
from services.sessions import SessionService
from services.transcripts import TranscriptService
from services.undelivered import UndeliveredNotices
from store import Store, open_store
from study import Study


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


async def reminder_loop(services: Services, every_seconds: float) -> None:
    """Post due reminders. Claims are made in the database, so instances never double-post."""
    await repeat(services.sessions.run_due_reminders, every_seconds, "reminder round failed")


@dataclass
class Resources:
    """Everything `open_resources` built; `start` runs the background loops, `close` ends
    them and releases the clients and the store."""

    settings: Settings
    store: Store
    connector: ConnectorClient
    graph: GraphClient | None
    outbox: OutboxWorker
    services: Services
    console: ConsoleDeps

    def start(self) -> list[asyncio.Task[Any]]:
        every = self.settings.scheduler_poll_seconds
        services = self.services
        loops = {
            "outbox": self.outbox.run_forever(),
            "reminders": reminder_loop(services, every),
            "screening": services.screening.run_forever(),
            "roster": repeat(services.roster.retry_stale, every, "roster retry failed"),
            "retention": services.data_life.retention_task(self.store, services.study,
                                                           services.clock),
            "console-feed": repeat(self.console.feed.check_once, 1.0,
                                   "console change check failed"),
        }
        if services.undelivered is not None:
            loops["undelivered-notices"] = services.undelivered.run_forever()
        if services.transcripts is not None:
            loops["transcripts"] = repeat(services.transcripts.run_due, every,
                                          "transcript round failed")
        return [asyncio.create_task(loop, name=name) for name, loop in loops.items()]

    async def close(self, tasks: list[asyncio.Task[Any]]) -> None:
        for task in tasks:
            await stop(task)
        await self.connector.close()
        if self.console.tab_tokens is not None:
            await self.console.tab_tokens.keys.close()
        if self.graph is not None:
            await self.graph.close()
        await self.store.close()


async def open_resources(settings: Settings, study: Study, clock: Clock) -> Resources:
    """Open the store (applying migrations), build the clients and the services, and wire the
    outbox's delivery hooks. Raises StoreUnavailable if the database cannot be reached."""
    store = await open_store(settings.database_url)
    connector = make_connector(settings)
    outbox = OutboxWorker(store, connector, bot_id=settings.microsoft_app_id or None,
                          give_up_after=timedelta(hours=settings.outbox_give_up_hours),
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
    outbox.on_delivered(Notify.CONSENT_CARD, sessions.on_consent_card_delivered)
    outbox.on_delivered(Notify.FLAG_CARD, flags.on_card_delivered)
    outbox.on_delivered(Notify.DIGEST_CARD, flags.on_digest_delivered)
    return Resources(settings, store, connector, graph, outbox, services,
                     make_console(settings, services))
