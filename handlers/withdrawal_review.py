"""A facilitator's side of a withdrawal after the fact: the review card's Exclude / Keep
buttons, `withdraw review` (the review list again, in the 1:1) and `withdraw undo` (revert a
withdrawal recorded by mistake, within the window).

Each action is allowed only to a facilitator of the session it concerns; the review card,
which shows message text, is only ever sent to a 1:1 chat.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import cards
from export.service import SessionNotFound, resolve_session
from handlers.context import Turn
from handlers.facilitated import acting_facilitator, default_session, facilitated_sessions
from handlers.routes import InvokeBody, card_response, routes
from services.messages import card_activity
from services.withdrawal import ReviewRefused, WindowClosed
from store import Session

log = logging.getLogger(__name__)

_SESSION_OPT = re.compile(r"(?:^|\s)--session[=\s]+(\S+)")
_PSEUDONYM = re.compile(r"^P\d{1,3}$", re.IGNORECASE)
UNDO_USAGE = "To undo a withdrawal: 'withdraw undo P03 --session 1a2b3c4d'."


def _int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


async def _facilitates(turn: Turn, session: Session) -> bool:
    return any(s.id == session.id for s in await facilitated_sessions(turn))


async def _review_card(turn: Turn, session: Session) -> dict[str, Any]:
    items = await turn.services.data_life.withdrawals.review_items(session.id)
    return cards.mention_review_card(
        session.id, [(i.review_id, i.pseudonym, i.text, i.decision) for i in items])


async def _decide(turn: Turn, data: dict[str, Any], decision: str) -> InvokeBody:
    session_id, review_id = data.get("session_id"), _int(data.get("review_id"))
    session = (await turn.store.get_session(session_id)
               if isinstance(session_id, str) else None)
    if session is None or review_id is None or not await _facilitates(turn, session):
        log.info("review decision refused", extra={"decision": decision})
        return card_response(cards.notice_card(
            "Withdrawal review", "Only this session's facilitators can review its messages."))
    try:
        await turn.services.data_life.withdrawals.decide(
            session, review_id, decision, actor=await acting_facilitator(turn, session))
    except ReviewRefused as refused:
        return card_response(cards.notice_card("Withdrawal review", refused.message))
    return card_response(await _review_card(turn, session))


@routes.on_card_action_execute("withdrawal.review.exclude")
async def on_review_exclude(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    return await _decide(turn, data, "exclude")


@routes.on_card_action_execute("withdrawal.review.keep")
async def on_review_keep(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    return await _decide(turn, data, "keep")


async def _session_for(turn: Turn, argument: str) -> tuple[Session | None, str]:
    """The session named by --session (or the facilitator's latest), and the rest."""
    found = _SESSION_OPT.search(argument)
    rest = argument
    ref = None
    if found:
        ref = found.group(1)
        rest = (argument[: found.start()] + " " + argument[found.end():]).strip()
    try:
        session = await resolve_session(turn.store, ref) if ref else await default_session(turn)
    except SessionNotFound:
        session = None
    if session is not None and not await _facilitates(turn, session):
        session = None  # never reveal another session's participants
    return session, rest


async def _tell(turn: Turn, text: str) -> None:
    await turn.tell_privately({"type": "message", "textFormat": "plain", "text": text})


async def send_review(turn: Turn, argument: str) -> None:
    """`withdraw review [--session ID]`: the review card, in the facilitator's 1:1."""
    session, _ = await _session_for(turn, argument)
    if session is None:
        await _tell(turn, "I couldn't find a session you facilitate. Add --session <id>.")
        return
    card = await _review_card(turn, session)
    if len(card["body"]) <= 2:
        await _tell(turn, "There is nothing to review for that session.")
        return
    await turn.tell_privately(card_activity(card, summary="Withdrawal: messages to review"))


async def review_before_export(turn: Turn, session: Session) -> None:
    """Before an export (in the facilitator's 1:1): the review card again if borderline
    messages still wait for a decision, which the export leaves out meanwhile."""
    if not await _facilitates(turn, session):
        return  # message text is shown to this session's facilitators only
    items = await turn.services.data_life.withdrawals.review_items(session.id)
    pending = sum(1 for i in items if i.decision == "pending")
    if not pending:
        return
    await turn.reply_text(
        f"{pending} message(s) that may refer to a withdrawn participant still await your "
        "review; this export leaves them out. Review them on the card below, then export "
        "again.")
    await turn.reply(card_activity(await _review_card(turn, session),
                                   summary="Withdrawal: messages to review"))


async def undo_withdrawal(turn: Turn, argument: str) -> None:
    """`withdraw undo P03 --session ID`: revert a withdrawal, within the window only."""
    session, rest = await _session_for(turn, argument)
    who = rest.split()[0] if rest.split() else ""
    if session is None or not _PSEUDONYM.match(who):
        await _tell(turn, f"I couldn't find that participant or session. {UNDO_USAGE}")
        return
    target = await turn.store.participant_by_pseudonym(session.id, who)
    if target is None or target.role != "participant":
        await _tell(turn, f"I couldn't find that participant or session. {UNDO_USAGE}")
        return
    try:
        reverted = await turn.services.data_life.withdrawals.revert(
            session, target, actor=await acting_facilitator(turn, session))
    except WindowClosed as closed:
        await _tell(turn, f"Not undone. {closed.message}")
        return
    if reverted:
        await _tell(turn, f"Undone: {target.pseudonym}'s withdrawal from session "
                          f"{session.id[:8]} is reverted; their messages are exported again.")
    else:
        await _tell(turn, f"{target.pseudonym} has no withdrawal in force; nothing changed.")
