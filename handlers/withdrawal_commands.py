"""Commands `withdraw` and `export`, the 1:1 dialog runner and the file-consent invoke.

- `withdraw` (a participant, anywhere): in a 1:1 chat it starts the withdrawal dialog. In the
  meeting chat the bot does not discuss it in front of everyone: it answers "I've sent you a
  private message" and sends, privately, a card with one button that starts the dialog in the
  1:1 chat (dialog state cannot live in the group chat, where it would be shared).
- `withdraw <P03|"Display Name"> [--session ID] <reason>` (a facilitator, anywhere; for
  requests that arrive by email): records the withdrawal; the reason is stored redacted.
  Replies go to the facilitator privately.
- `export [session id] [docx|csv|jsonl]` (a facilitator, 1:1 only): sends the anonymised
  export through Teams' file consent card; on accept, uploads it and audits the export.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from botbuilder.core import ConversationState, MemoryStorage, Storage
from botbuilder.dialogs import DialogSet
from botbuilder.schema import Activity, ActivityTypes

from dialogs.withdrawal_dialog import WithdrawalDialog
from export.render import CONTENT_TYPES, FORMATS
from export.service import (
    LazyScreener,
    SessionNotFound,
    audit_export,
    export_session,
    resolve_session,
)
from handlers.commands import commands
from handlers.context import BotServices, Turn
from handlers.file_upload import UploadError, file_consent_activity, file_info_activity, upload
from handlers.incoming import as_dict
from services.retention import retention_forever
from services.withdrawal import WindowClosed, WithdrawalService
from store import Participant, Session
from study.dates import format_utc_date

log = logging.getLogger(__name__)

DATA_LIFE = "data_life"
_PSEUDONYM = re.compile(r"^[PF]\d{1,3}$", re.IGNORECASE)
_SESSION_OPT = re.compile(r"(?:^|\s)--session[=\s]+(\S+)")
_KEEP_KEYS = ("type", "text", "textFormat", "attachments", "attachmentLayout",
              "suggestedActions", "inputHint", "summary")
HERO = "application/vnd.microsoft.card.hero"


@dataclass
class DataLife:
    """What these handlers need, built once at start-up by `install`."""

    withdrawals: WithdrawalService
    screener: LazyScreener
    state: ConversationState
    dialogs: DialogSet
    dialog: WithdrawalDialog
    retention_purge_after: date | None

    def retention_task(self, services: BotServices) -> Awaitable[None]:
        return retention_forever(
            services.store, services.study, screener=self.screener.get, clock=services.clock,
            purge_after=self.retention_purge_after,
        )


def install(
    services: BotServices,
    *,
    screening_model: str,
    screening_threshold: float,
    retention_purge_after: date | None,
) -> DataLife:
    """Wire withdrawal, export and retention into the bot's services (called by bot.py)."""
    from screening import ScreeningConfig

    screener = LazyScreener(ScreeningConfig(model=screening_model, threshold=screening_threshold),
                            existing=lambda: services.screener)
    withdrawals = WithdrawalService(
        services.store, services.study, clock=services.clock,
        notify_facilitators=services.sessions.notify_facilitators, screener=screener.get,
    )
    state = ConversationState(_dialog_storage(services))
    dialogs = DialogSet(state.create_property("DialogState"))
    dialog = WithdrawalDialog(withdrawals)
    dialogs.add(dialog)
    data_life = DataLife(withdrawals, screener, state, dialogs, dialog, retention_purge_after)
    services.extras[DATA_LIFE] = data_life
    services.extras["dialog_handler"] = continue_dialog
    services.extras.setdefault("invokes", {})["fileConsent/invoke"] = on_file_consent
    return data_life


def _dialog_storage(services: BotServices) -> Storage:
    """Dialog state in the bot's database (survives restarts, shared by instances)."""
    try:
        from handlers.state_storage import SqlBotStorage
    except ImportError:  # the SQL storage is not installed: dialogs work per instance only
        log.warning("SqlBotStorage unavailable; withdrawal dialogs kept in memory")
        return MemoryStorage()
    return SqlBotStorage(services.store)


def _data_life(turn: Turn) -> DataLife:
    return turn.services.extras[DATA_LIFE]  # type: ignore[no-any-return]


# ---- 1:1 dialogs: replies go through the outbox like every other message --------------------


def _through_outbox(turn: Turn) -> Callable[..., Awaitable[None]]:
    """An `on_send_activities` hook: message activities go to the outbox (one outbound path,
    retried on 429, idempotent per incoming activity). botbuilder's own send step always runs
    after the hooks and refuses an empty list, so each message is swapped for a trace
    activity, which CloudAdapter does not send to Teams."""

    async def handler(_ctx: Any, activities: list[Activity], next_send: Any) -> None:
        for index, activity in enumerate(activities):
            if activity.type == ActivityTypes.message:
                payload = {k: v for k, v in activity.serialize().items() if k in _KEEP_KEYS}
                await turn.reply(payload)
                activities[index] = Activity(type=ActivityTypes.trace, name="queued",
                                             channel_id=activity.channel_id)
        await next_send()

    return handler


async def _dialog_context(turn: Turn) -> Any:
    data_life = _data_life(turn)
    turn.context.on_send_activities(_through_outbox(turn))
    return await data_life.dialogs.create_context(turn.context)


async def continue_dialog(turn: Turn) -> bool:
    """Continue a 1:1 dialog if one is waiting for this reply. True if the turn was used."""
    if not turn.incoming.personal or DATA_LIFE not in turn.services.extras:
        return False
    words = turn.incoming.command_text.split()
    first = words[0].lower() if words else ""
    data_life = _data_life(turn)
    dc = await _dialog_context(turn)
    if dc.active_dialog is None:
        return False
    if commands.get(first) is not None and first not in ("withdraw",):
        await dc.cancel_all_dialogs()  # another command: leave the dialog and run it
        await data_life.state.save_changes(turn.context)
        return False
    if first == "withdraw":
        await dc.cancel_all_dialogs()
        await data_life.state.save_changes(turn.context)
        return False  # the command starts it afresh
    await dc.continue_dialog()
    await data_life.state.save_changes(turn.context)
    return True


# ---- withdraw -----------------------------------------------------------------------------


@commands.on("withdraw", help="Withdraw from the study (facilitators: withdraw P03 <reason>)")
async def withdraw(turn: Turn, argument: str) -> None:
    if argument.strip():
        if not await turn.is_facilitator():
            await turn.reply_text(
                "To withdraw yourself, type just 'withdraw'. Only facilitators can record a "
                "withdrawal for someone else.")
            return
        await _withdraw_for_someone(turn, argument)
        return
    if not turn.incoming.personal:
        await turn.tell_privately({
            "type": "message",
            "attachments": [{"contentType": HERO, "content": {
                "title": "Withdrawing from the study",
                "text": "You asked to withdraw from the study. Press the button (or type "
                        "'withdraw' here) and I will explain what it means and ask you to "
                        "confirm. Nothing changes until you confirm.",
                "buttons": [{"type": "imBack", "title": "Start withdrawal",
                             "value": "withdraw"}],
            }}],
        })
        await turn.reply_text("I've sent you a private message.")
        return
    await _start_dialog(turn)


async def _start_dialog(turn: Turn) -> None:
    data_life = _data_life(turn)
    sender = turn.incoming.sender
    candidates = await data_life.withdrawals.candidates(sender.teams_user_id,
                                                        sender.aad_object_id)
    contact = turn.study.withdrawal_contact_email
    if not candidates:
        await turn.reply_text(
            "I couldn't find a focus group you took part in with this Teams account. If you "
            f"took part and want to withdraw, please email {contact} and the team will help.")
        return
    open_ = [c for c in candidates if c.open and not c.already_withdrawn]
    if not open_:
        if all(c.already_withdrawn for c in candidates if c.open) and any(
                c.open for c in candidates):
            await turn.reply_text("You have already withdrawn from the study; nothing more to "
                                  "do. Thank you.")
            return
        closed = [c for c in candidates if not c.open and not c.already_withdrawn]
        if closed:
            latest = closed[0]
            assert latest.deadline is not None
            await data_life.withdrawals.store.audit(
                actor=f"participant {latest.participant.pseudonym} (self)",
                action="withdrawal.refused", subject=f"session:{latest.session.id}",
                at=turn.services.clock(),
                details={"participant": latest.participant.pseudonym, "requested_by": "self",
                         "why": "window_closed", "deadline": latest.deadline.isoformat()},
            )
            await turn.reply_text(data_life.withdrawals.closed_message(latest.deadline))
        else:
            await turn.reply_text("You have already withdrawn from the study; nothing more to "
                                  "do. Thank you.")
        return
    options = {"sessions": [
        {"session_id": c.session.id, "participant_id": c.participant.id,
         "pseudonym": c.participant.pseudonym, "label": c.label()}
        for c in open_
    ]}
    # Reload: continue_dialog may already have saved this turn, so the cached eTag is stale.
    await data_life.state.load(turn.context, True)
    dc = await _dialog_context(turn)
    await dc.cancel_all_dialogs()
    await dc.begin_dialog(data_life.dialog.id, options)
    await data_life.state.save_changes(turn.context)


@dataclass(frozen=True)
class WithdrawRequest:
    who: str
    session_ref: str | None
    reason: str


def parse_withdraw(argument: str) -> WithdrawRequest | None:
    """`P03 [--session ID] reason…`, `"Jane Smith" reason…` or `Jane Smith: reason…`."""
    session_ref = None
    found = _SESSION_OPT.search(argument)
    if found:
        session_ref = found.group(1)
        argument = (argument[: found.start()] + " " + argument[found.end():]).strip()
    argument = argument.strip()
    if argument[:1] in ('"', "“", "'"):
        closing = {'"': '"', "“": "”", "'": "'"}[argument[0]]
        end = argument.find(closing, 1)
        if end < 0:
            return None
        who, reason = argument[1:end], argument[end + 1:]
    elif ":" in argument:
        who, reason = argument.split(":", 1)
    else:
        parts = argument.split(maxsplit=1)
        who, reason = parts[0], parts[1] if len(parts) > 1 else ""
    who, reason = " ".join(who.split()), reason.strip(" :-—")
    if not who or not reason:
        return None
    return WithdrawRequest(who, session_ref, reason)


async def _facilitated_sessions(turn: Turn) -> list[Session]:
    sender = turn.incoming.sender
    links = await turn.store.participants_for_user(sender.teams_user_id, sender.aad_object_id)
    ids = {link.session_id for link in links if link.participant.role == "facilitator"}
    sessions = [s for s in await turn.store.list_sessions() if s.id in ids]
    return sorted(sessions, key=lambda s: s.started_at, reverse=True)


async def _default_session(turn: Turn) -> Session | None:
    if not turn.incoming.personal:
        return await turn.store.latest_session(turn.incoming.conversation_id)
    facilitated = await _facilitated_sessions(turn)
    return facilitated[0] if facilitated else None


async def _actor(turn: Turn, session: Session | None) -> str:
    if session is not None:
        sender = turn.incoming.sender
        for link in await turn.store.participants_for_user(sender.teams_user_id,
                                                           sender.aad_object_id):
            if link.session_id == session.id and link.participant.role == "facilitator":
                return f"facilitator {link.participant.pseudonym}"
    return "facilitator"


async def _withdraw_for_someone(turn: Turn, argument: str) -> None:
    request = parse_withdraw(argument)
    if request is None:
        await turn.tell_privately({"type": "message", "textFormat": "plain", "text": (
            "To record a withdrawal, give the participant and a reason, e.g. "
            "'withdraw P03 --session 1a2b3c4d asked by email on 3 March' or "
            "'withdraw \"Jane Smith\" asked by email'. A reason is required.")})
        return
    store = turn.store
    try:
        session = (await resolve_session(store, request.session_ref) if request.session_ref
                   else await _default_session(turn))
    except SessionNotFound as exc:
        await turn.tell_privately({"type": "message", "textFormat": "plain",
                                   "text": f"Sorry: {exc}."})
        return
    target: Participant | None = None
    if _PSEUDONYM.match(request.who):
        if session is None:
            await turn.tell_privately({"type": "message", "textFormat": "plain", "text": (
                "Which session? Add --session <id> (see `python -m export sessions`).")})
            return
        target = await store.participant_by_pseudonym(session.id, request.who)
    else:
        scope = [session.id] if session is not None and request.session_ref else None
        matches = [p for p in await store.participants_named(request.who, scope)
                   if p.role == "participant"]
        if len(matches) > 1:
            listed = ", ".join(f"{p.pseudonym} in session {p.session_id[:8]}" for p in matches)
            await turn.tell_privately({"type": "message", "textFormat": "plain", "text": (
                f"That name matches more than one participant ({listed}). Please use the "
                "pseudonym with --session, e.g. 'withdraw P03 --session 1a2b3c4d <reason>'.")})
            return
        target = matches[0] if matches else None
        if target is not None:
            session = await store.get_session(target.session_id)
    if target is None or session is None or target.role != "participant":
        await turn.tell_privately({"type": "message", "textFormat": "plain", "text": (
            "I couldn't find that participant. Check the pseudonym (P01, P02…) and the "
            "session.")})
        return
    try:
        outcome = await _data_life(turn).withdrawals.withdraw(
            session, target, requested_by="facilitator", actor=await _actor(turn, session),
            reason=request.reason)
    except WindowClosed as closed:
        await turn.tell_privately({"type": "message", "textFormat": "plain",
                                   "text": f"Not recorded. {closed.message}"})
        return
    if outcome.created:
        text = (f"Recorded: {target.pseudonym} has withdrawn from the focus group on "
                f"{format_utc_date(session.started_at)} (session {session.id[:8]}). "
                f"{outcome.excluded_messages} message(s) are left out of exports; "
                f"{outcome.mentions_flagged} message(s) by others are flagged for review.")
    else:
        text = f"{target.pseudonym} had already withdrawn; nothing changed."
    await turn.tell_privately({"type": "message", "textFormat": "plain", "text": text})


# ---- export through the file consent card -------------------------------------------------


@commands.on("export", help="Send me the anonymised chat export (docx, csv or jsonl)",
             facilitator_only=True, where="personal")
async def export_command(turn: Turn, argument: str) -> None:
    words = argument.split()
    fmt = next((w.lower() for w in words if w.lower() in FORMATS), "docx")
    refs = [w for w in words if w.lower() not in FORMATS]
    try:
        if refs:
            session = await resolve_session(turn.store, refs[0])
        else:
            session = await _default_session(turn)
            if session is None:
                sessions = await turn.store.list_sessions()
                session = sessions[-1] if sessions else None
    except SessionNotFound as exc:
        await turn.reply_text(f"Sorry: {exc}.")
        return
    if session is None:
        await turn.reply_text("There is no session to export yet.")
        return
    data_life = _data_life(turn)
    screener = await asyncio.to_thread(data_life.screener.get)
    export, files = await export_session(
        turn.store, study_id=turn.study.study_id, study_title=turn.study.title,
        session_id=session.id, screener=screener, formats=(fmt,), now=turn.services.clock(),
        actor="teams", channel="teams", run_in_thread=asyncio.to_thread, audit=False,
    )
    name = f"{export.file_stem}.{fmt}"
    await turn.reply(file_consent_activity(
        name,
        f"Anonymised chat of the focus group on {export.session_date}: "
        f"{len(export.lines)} messages, {sum(export.excluded.values())} left out.",
        len(files[fmt]),
        {"session_id": session.id, "format": fmt},
    ))


async def on_file_consent(turn: Turn) -> tuple[int, Any]:
    value = as_dict(turn.incoming.value)
    action = str(value.get("action") or "").lower()
    context = as_dict(value.get("context"))
    if not turn.incoming.personal or not await turn.is_facilitator():
        log.info("file consent refused", extra={"reason": "not a facilitator in 1:1"})
        return 403, {"error": "not allowed"}
    if action != "accept":
        await turn.reply_text("OK, I won't send the file.")
        return 200, {}
    fmt = str(context.get("format") or "docx")
    upload_info = as_dict(value.get("uploadInfo"))
    upload_url = upload_info.get("uploadUrl")
    if fmt not in FORMATS or not context.get("session_id") or not upload_url:
        return 400, {"error": "bad file consent"}
    session = await turn.store.get_session(str(context["session_id"]))
    if session is None:
        await turn.reply_text("Sorry, I can't find that session any more.")
        return 200, {}
    data_life = _data_life(turn)
    screener = await asyncio.to_thread(data_life.screener.get)
    now = turn.services.clock()
    export, files = await export_session(
        turn.store, study_id=turn.study.study_id, study_title=turn.study.title,
        session_id=session.id, screener=screener, formats=(fmt,), now=now, actor="teams",
        channel="teams", run_in_thread=asyncio.to_thread, audit=False,
    )
    try:
        await upload(str(upload_url), files[fmt])
    except UploadError as exc:
        log.warning("export upload failed", extra={"session_id": session.id,
                                                   "error": str(exc)})
        await turn.reply_text("Sorry, the upload to your OneDrive failed. Please try 'export' "
                              "again.")
        return 200, {}
    await audit_export(turn.store, export, (fmt,), now=now,
                       actor=await _actor(turn, session) + " (teams)", channel="teams")
    await turn.reply(file_info_activity(
        upload_info, f"Here is the anonymised export ({CONTENT_TYPES[fmt]})."))
    log.info("export uploaded", extra={"session_id": session.id, "bytes": len(files[fmt])})
    return 200, {}
