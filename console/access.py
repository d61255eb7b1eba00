"""Who may use the console: its dependencies, sign-in (Teams SSO token or local loopback) and
whether the viewer belongs to a session, or facilitates it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from auth.bot_token import AuthError
from auth.openid import LOOPBACK_HOSTS
from auth.tab_token import TabTokenValidator
from console.feed import ChangeFeed
from console.views import Readout
from services.flags import FlagService
from services.roles import FacilitatorPolicy, Person
from services.sessions import SessionService
from services.undelivered import UndeliveredNotices
from store import RosterEntry, Session, Store
from study import Study

log = logging.getLogger(__name__)

MAX_CHAT_ID = 512


@dataclass(frozen=True)
class ConsoleDeps:
    """What the console uses, built by bot.py from the same services the handlers use."""

    store: Store
    study: Study
    flags: FlagService
    sessions: SessionService
    facilitators: FacilitatorPolicy
    feed: ChangeFeed
    clock: Callable[[], datetime]
    tab_tokens: TabTokenValidator | None  # None: local mode (no app id)
    screener: Callable[[], Any]
    app_id: str = ""
    readout: Readout = Readout()  # the study's time zone and the transcript fetch settings
    undelivered: UndeliveredNotices | None = None  # given-up outbox items, by session


CONSOLE: web.AppKey[ConsoleDeps] = web.AppKey("console", ConsoleDeps)
CLOSING: web.AppKey[asyncio.Event] = web.AppKey("console_closing", asyncio.Event)


@dataclass(frozen=True)
class Viewer:
    """The authenticated person: a Teams user id (local sign-in) or an AAD object id (SSO)."""

    teams_user_id: str | None
    aad_object_id: str | None


class Denied(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def is_loopback(request: web.Request) -> bool:
    return (request.remote or "").lower() in LOOPBACK_HOSTS


async def authenticate(request: web.Request, deps: ConsoleDeps) -> Viewer:
    header = request.headers.get("Authorization")
    if deps.tab_tokens is None:
        # Local mode: no tenant to ask, so a developer (or a browser test) picks a person.
        scheme, _, who = (header or "").partition(" ")
        if scheme != "Local" or not who.strip() or not is_loopback(request):
            raise Denied(401, "local_sign_in_required")
        return Viewer(teams_user_id=who.strip()[:256], aad_object_id=None)
    try:
        user = await deps.tab_tokens.verify(header)
    except AuthError as exc:
        raise Denied(401, exc.reason) from exc
    return Viewer(teams_user_id=None, aad_object_id=user.aad_object_id)


def _entry_of(roster: list[RosterEntry], viewer: Viewer) -> RosterEntry | None:
    for entry in roster:
        identity = entry.identity
        if identity is None:
            continue
        if viewer.teams_user_id and identity.teams_user_id == viewer.teams_user_id:
            return entry
        if viewer.aad_object_id and (identity.aad_object_id or "").lower() == viewer.aad_object_id:
            return entry
    return None


def person_of(viewer: Viewer, entry: RosterEntry | None) -> Person:
    """The policy's Person: ids from the roster when the bot has seen them, else the token's."""
    if entry is not None and entry.identity is not None:
        identity = entry.identity
        return Person(identity.teams_user_id, identity.aad_object_id or viewer.aad_object_id,
                      None)
    return Person(viewer.teams_user_id or f"aad:{viewer.aad_object_id}", viewer.aad_object_id,
                  None)


@dataclass(frozen=True)
class Access:
    session: Session | None
    person: Person
    entry: RosterEntry | None
    facilitator: bool


async def access(request: web.Request) -> Access:
    """Who is asking about which session, and may they see a facilitator's view of it."""
    deps = request.app[CONSOLE]
    viewer = await authenticate(request, deps)
    chat = request.query.get("chat", "")
    if not chat or len(chat) > MAX_CHAT_ID:
        raise Denied(400, "no_chat")
    session = await deps.store.latest_session(chat)
    if session is None:
        return Access(None, person_of(viewer, None), None, False)
    entry = _entry_of(await deps.store.roster(session.id), viewer)
    person = person_of(viewer, entry)
    # Against the session's own meeting, as every facilitator action is (FlagService.act too).
    facilitator = await deps.facilitators.is_facilitator_of(person, session)
    return Access(session, person, entry, facilitator)


async def facilitator_access(request: web.Request) -> Access:
    found = await access(request)
    if found.session is None:
        raise Denied(404, "no_session")
    if not found.facilitator:
        log.info("console refused", extra={"session_id": found.session.id})
        raise Denied(403, "not_facilitator")
    return found
