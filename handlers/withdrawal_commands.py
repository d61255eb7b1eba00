"""Command `withdraw` and the 1:1 dialog runner.

- `withdraw` (a participant, anywhere): in a 1:1 chat it starts the withdrawal dialog. In the
  meeting chat the bot does not discuss it in front of everyone: it answers "I've sent you a
  private message" and sends, privately, a card with one button that starts the dialog in the
  1:1 chat (dialog state cannot live in the group chat, where it would be shared).
- `withdraw <P03|"Display Name"> [--session ID] <reason>` (a facilitator, anywhere; for
  requests that arrive by email): records the withdrawal; the reason is stored redacted.
  Replies go to the facilitator privately.
- `withdraw undo P03 --session ID` and `withdraw review [--session ID]` (a facilitator):
  see `handlers/withdrawal_review.py`.
  Only sessions the facilitator facilitates are searched (`handlers.facilitated`), and "no
  such participant" and "not in your sessions" get the same private reply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.dialogs import DialogContext
from botbuilder.schema import Activity, ActivityTypes

from handlers.context import Turn
from handlers.facilitated import (
    NotFound,
    acting_facilitator,
    default_session,
    facilitated_sessions,
    find_session,
)
from handlers.routes import routes
from handlers.withdrawal_review import send_review, undo_withdrawal
from services.withdrawal import WindowClosed
from store import Participant, Session
from study.dates import format_local_date

log = logging.getLogger(__name__)

_PSEUDONYM = re.compile(r"^[PF]\d{1,3}$", re.IGNORECASE)
_SESSION_OPT = re.compile(r"(?:^|\s)--session[=\s]+(\S+)")
_KEEP_KEYS = ("type", "text", "textFormat", "attachments", "attachmentLayout",
              "suggestedActions", "inputHint", "summary")
HERO = "application/vnd.microsoft.card.hero"
FOLLOW_UPS = {"undo": undo_withdrawal, "review": send_review}  # handlers/withdrawal_review.py


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


async def _dialog_context(turn: Turn) -> DialogContext:
    data_life = turn.services.data_life
    assert turn.context is not None  # 1:1 messages always come through botbuilder's turn
    turn.context.on_send_activities(_through_outbox(turn))
    return await data_life.dialogs.create_context(turn.context)


@routes.on_dialog_reply
async def continue_dialog(turn: Turn) -> bool:
    """Continue a 1:1 dialog if one is waiting for this reply. True if the turn was used."""
    if not turn.incoming.personal:
        return False
    words = turn.incoming.command_text.split()
    first = words[0].lower() if words else ""
    data_life = turn.services.data_life
    dc = await _dialog_context(turn)
    if dc.active_dialog is None:
        return False
    if routes.command(first) is not None and first not in ("withdraw",):
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


@routes.on_command("withdraw", help="Withdraw from the study (facilitators: withdraw P03 <reason>)")
async def withdraw(turn: Turn, argument: str) -> None:
    if argument.strip():
        if not await turn.is_facilitator():
            await turn.reply_text(
                "To withdraw yourself, type just 'withdraw'. Only facilitators can record a "
                "withdrawal for someone else.")
            return
        first, _, rest = argument.strip().partition(" ")
        if first.lower() in FOLLOW_UPS:
            await FOLLOW_UPS[first.lower()](turn, rest)
        else:
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
    data_life = turn.services.data_life
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


async def _withdraw_for_someone(turn: Turn, argument: str) -> None:
    request = parse_withdraw(argument)
    if request is None:
        await turn.tell_privately({"type": "message", "textFormat": "plain", "text": (
            "To record a withdrawal, give the participant and a reason, e.g. "
            "'withdraw P03 --session 1a2b3c4d asked by email on 3 March' or "
            "'withdraw \"Jane Smith\" asked by email'. A reason is required.")})
        return
    store = turn.store
    not_found = {"type": "message", "textFormat": "plain", "text": (
        "I couldn't find that participant in a session you facilitate. Check the pseudonym "
        "(P01, P02…) and the session.")}
    # Only sessions the actor facilitates are searched, and "no such person or session"
    # and "not yours" get the same answer: nothing says whether someone took part elsewhere.
    session: Session | None
    try:
        session = (await find_session(turn, request.session_ref) if request.session_ref
                   else await default_session(turn))
    except NotFound:
        await turn.tell_privately(not_found)
        return
    target: Participant | None = None
    if _PSEUDONYM.match(request.who):
        if session is None:
            await turn.tell_privately({"type": "message", "textFormat": "plain", "text": (
                "Which session? Add --session <id> (see `python -m export sessions`).")})
            return
        target = await store.participant_by_pseudonym(session.id, request.who)
    else:
        scope = ([session.id] if session is not None and request.session_ref
                 else [s.id for s in await facilitated_sessions(turn)])
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
        await turn.tell_privately(not_found)
        return
    try:
        outcome = await turn.services.data_life.withdrawals.withdraw(
            session, target, requested_by="facilitator",
            actor=await acting_facilitator(turn, session), reason=request.reason)
    except WindowClosed as closed:
        await turn.tell_privately({"type": "message", "textFormat": "plain",
                                   "text": f"Not recorded. {closed.message}"})
        return
    if outcome.created:
        held_on = format_local_date(session.started_at, turn.services.timezone)
        text = (f"Recorded: {target.pseudonym} has withdrawn from the focus group on "
                f"{held_on} (session {session.id[:8]}). "
                f"{outcome.excluded_messages} message(s) are left out of exports; "
                f"{outcome.mentions_flagged} message(s) by others that refer to them are left "
                f"out too; {outcome.borderline} borderline message(s) await your review.")
    else:
        text = f"{target.pseudonym} had already withdrawn; nothing changed."
    await turn.tell_privately({"type": "message", "textFormat": "plain", "text": text})


