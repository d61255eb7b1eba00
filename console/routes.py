"""The console's HTTP routes: the page, its API and its live stream (Server-Sent Events).

Every API request is authenticated (the tab's Entra ID token; in local mode a loopback-only
sign-in as a chosen person) and authorised on the server: facilitator *of that chat's latest
session* by the one facilitator policy, for every read and every action. Anyone else gets only
their own consent status and the information sheet. The chat id travels in the query string;
message text never does, and nothing here logs a name, a token or a message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from console.access import (
    CLOSING,
    CONSOLE,
    ConsoleDeps,
    Denied,
    access,
    facilitator_access,
    is_loopback,
)
from console.views import facilitator_state, participant_state
from export.render import CONTENT_TYPES, FORMATS
from export.service import export_session
from export.transcript import transcript_docx
from services.flag_actions import ACTIONS
from services.sessions import Conversation

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
# Only these files are served; the test-only vendored axe-core is not among them.
STATIC_FILES = {
    "console.js": WEB_DIR / "console.js",
    "console.css": WEB_DIR / "console.css",
    "local.js": WEB_DIR / "local.js",
    "configure.js": WEB_DIR / "configure.js",
    "teams-js.js": WEB_DIR / "vendor" / "teams-js" / "MicrosoftTeams.min.js",
}
# Microsoft's list of hosts that frame Teams tabs ("Prerequisites" for tabs, learn.microsoft.com).
FRAME_ANCESTORS = (
    "https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft "
    "https://*.microsoft365.com https://*.office.com https://outlook.office.com "
    "https://outlook.office365.com"
)
# The Teams JS library fetches its list of valid host origins from Microsoft's CDN at start-up
# (falling back to a list built into it); nothing else leaves the bot's own origin.
TEAMS_JS_ORIGINS = "https://res.cdn.office.net"
STREAM_SECONDS = 300.0  # a stream ends after this; the page reconnects with a fresh token
KEEPALIVE_SECONDS = 15.0


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def console_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every console response; refusals as bare JSON reasons."""
    if not request.path.startswith("/console"):
        return await handler(request)
    try:
        response = await handler(request)
    except Denied as exc:
        response = web.json_response({"error": exc.reason}, status=exc.status)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {TEAMS_JS_ORIGINS}; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors 'self' {FRAME_ANCESTORS}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- the page --------------------------------------------------------------------------------


async def page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_DIR / "console.html",
                            headers={"Content-Type": "text/html; charset=utf-8"})


async def to_page(_: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")


async def configure_page(request: web.Request) -> web.StreamResponse:
    """Teams' configuration page for the tab: it only names the console as the tab's content."""
    return web.FileResponse(WEB_DIR / "configure.html",
                            headers={"Content-Type": "text/html; charset=utf-8"})


async def local_page(request: web.Request) -> web.StreamResponse:
    if request.app[CONSOLE].tab_tokens is not None or not is_loopback(request):
        raise web.HTTPNotFound()
    return web.FileResponse(WEB_DIR / "local.html",
                            headers={"Content-Type": "text/html; charset=utf-8"})


async def static(request: web.Request) -> web.StreamResponse:
    path = STATIC_FILES.get(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return web.FileResponse(path, headers={"Content-Type": f"{kind}; charset=utf-8"})


async def local_people(request: web.Request) -> web.StreamResponse:
    """Local mode only: the sessions and the people the bot has seen in them, to sign in as."""
    deps = request.app[CONSOLE]
    if deps.tab_tokens is not None or not is_loopback(request):
        raise web.HTTPNotFound()
    sessions = []
    for session in await deps.store.list_sessions():
        people = [{"teams_user_id": e.identity.teams_user_id,
                   "name": e.identity.display_name or e.participant.pseudonym,
                   "role": e.participant.role}
                  for e in await deps.store.roster(session.id) if e.identity is not None]
        sessions.append({"chat": session.conversation_id, "title": session.title,
                         "live": session.live, "people": people})
    return web.json_response({"sessions": sessions})


# ---- reads -----------------------------------------------------------------------------------


async def me(request: web.Request) -> web.StreamResponse:
    """Anyone signed in: a facilitator is told to load the console; others get their own view."""
    found = await access(request)
    if found.facilitator:
        return web.json_response({"role": "facilitator"})
    deps = request.app[CONSOLE]
    return web.json_response(participant_state(deps.study, found.session, found.entry))


async def _state(deps: ConsoleDeps, session_id: str) -> dict[str, Any]:
    session = await deps.store.get_session(session_id)
    assert session is not None
    undelivered = (await deps.undelivered.for_session(session)
                   if deps.undelivered is not None else None)
    return await facilitator_state(deps.store, deps.flags, session, deps.clock(), deps.readout,
                                   undelivered)


async def state(request: web.Request) -> web.StreamResponse:
    found = await facilitator_access(request)
    assert found.session is not None
    return web.json_response(await _state(request.app[CONSOLE], found.session.id))


async def events(request: web.Request) -> web.StreamResponse:
    """The live stream: the whole state whenever it changes (a keep-alive comment otherwise)."""
    found = await facilitator_access(request)
    assert found.session is not None
    deps = request.app[CONSOLE]
    closing = request.app[CLOSING]
    session_id = found.session.id
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    changed = deps.feed.watch(session_id)
    loop = asyncio.get_running_loop()
    ends_at = loop.time() + STREAM_SECONDS
    waiters: set[asyncio.Future[Any]] = set()
    try:
        changed.set()
        while not closing.is_set() and loop.time() < ends_at:
            if changed.is_set():
                changed.clear()
                body = json.dumps(await _state(deps, session_id), separators=(",", ":"))
                await response.write(f"event: state\ndata: {body}\n\n".encode())
                continue
            waiters = {asyncio.ensure_future(changed.wait()),
                       asyncio.ensure_future(closing.wait())}
            done, _ = await asyncio.wait(waiters, timeout=KEEPALIVE_SECONDS,
                                         return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if not done:
                await response.write(b": keep-alive\n\n")
    except ConnectionResetError:
        pass  # the page went away
    finally:
        for waiter in waiters:
            waiter.cancel()
        deps.feed.unwatch(session_id, changed)
    return response


# ---- actions ---------------------------------------------------------------------------------


async def flag_action(request: web.Request) -> web.StreamResponse:
    """The flag card's buttons, through the same FlagService.act a card click runs."""
    found = await facilitator_access(request)
    assert found.session is not None
    deps = request.app[CONSOLE]
    verb = request.match_info["verb"]
    if verb not in ACTIONS or not request.match_info["flag_id"].isdigit():
        raise Denied(404, "unknown_action")
    flag_id = int(request.match_info["flag_id"])
    view = await deps.store.flag_view(flag_id)
    if view is None or view.session_id != found.session.id:
        raise Denied(404, "no_such_flag")
    request_id = request.headers.get("X-Request-Id", "")[:64] or f"console-{id(request)}"
    result = await deps.flags.act(verb, flag_id, found.person, request_id=f"console:{request_id}",
                                  clicked_in=None)
    deps.feed.changed(found.session.id)
    log.info("console flag action", extra={"flag_id": flag_id, "action": ACTIONS[verb],
                                           "refused": result.refused})
    if result.refused:
        raise Denied(403, "refused")
    return web.json_response({"ok": True})


async def session_action(request: web.Request) -> web.StreamResponse:
    found = await facilitator_access(request)
    session = found.session
    assert session is not None
    deps = request.app[CONSOLE]
    action = request.match_info["action"]
    if action == "start":
        if session.live:
            raise Denied(409, "already_live")
        session, _ = await deps.sessions.start(Conversation(
            conversation_id=session.conversation_id, service_url=session.service_url,
            tenant_id=session.tenant_id, meeting_id=session.meeting_id, bot_id=session.bot_id,
            bot_name=session.bot_name, title=session.title))
    elif action == "remind":
        if not session.live:
            raise Denied(409, "not_live")
        request_id = request.headers.get("X-Request-Id", "")[:64] or str(id(request))
        await deps.sessions.remind_now(session, f"console:{request_id}")
    elif action == "end":
        if not await deps.sessions.end(session):
            raise Denied(409, "not_live")
    else:
        raise Denied(404, "unknown_action")
    deps.feed.changed(session.id)
    log.info("console session action", extra={"session_id": session.id, "action": action})
    return web.json_response({"ok": True})


async def export(request: web.Request) -> web.StreamResponse:
    """The anonymised export of the chat's session, audited like every export."""
    found = await facilitator_access(request)
    assert found.session is not None
    deps = request.app[CONSOLE]
    fmt = request.query.get("format", "docx")
    if fmt not in FORMATS:
        raise Denied(400, "unknown_format")
    screener = await asyncio.to_thread(deps.screener)
    result, files = await export_session(
        deps.store, study_id=deps.study.study_id, study_title=deps.study.title,
        session_id=found.session.id, screener=screener, formats=(fmt,), now=deps.clock(),
        actor="console", channel="console", run_in_thread=asyncio.to_thread,
    )
    name = f"{result.file_stem}.{fmt}"
    return web.Response(body=files[fmt], headers={
        "Content-Type": CONTENT_TYPES[fmt],
        "Content-Disposition": f'attachment; filename="{name}"',
    })


async def transcript(request: web.Request) -> web.StreamResponse:
    """The redacted meeting transcript as Word (what `export transcript` sends in Teams),
    audited like every export."""
    found = await facilitator_access(request)
    session = found.session
    assert session is not None
    deps = request.app[CONSOLE]
    kept = await deps.store.transcript(session.id)
    if kept is None:
        raise Denied(404, "no_transcript")
    title = f"Redacted transcript: {session.title or deps.study.short_title}"
    data = await asyncio.to_thread(transcript_docx, kept.content, title)
    await deps.store.audit(actor="console", action="transcript.exported",
                           subject=f"session:{session.id}", at=deps.clock(),
                           details={"format": "docx", "channel": "console"})
    return web.Response(body=data, headers={
        "Content-Type": CONTENT_TYPES["docx"],
        "Content-Disposition": f'attachment; filename="transcript_{session.id[:8]}.docx"',
    })


async def _closing(app: web.Application) -> None:
    app[CLOSING].set()


def add_console(app: web.Application) -> None:
    """Mount the console on the bot's app (CONSOLE is set by the startup hook)."""
    app[CLOSING] = asyncio.Event()
    app.middlewares.append(console_headers)
    app.on_shutdown.append(_closing)
    router = app.router
    router.add_get("/console", to_page)
    router.add_get("/console/", page)
    router.add_get("/console/local", local_page)
    router.add_get("/console/configure", configure_page)
    router.add_get("/console/static/{name}", static)
    router.add_get("/console/api/local/people", local_people)
    router.add_get("/console/api/me", me)
    router.add_get("/console/api/state", state)
    router.add_get("/console/api/events", events)
    router.add_post("/console/api/flags/{flag_id}/{verb}", flag_action)
    router.add_post("/console/api/session/{action}", session_action)
    router.add_get("/console/api/export", export)
    router.add_get("/console/api/transcript", transcript)
