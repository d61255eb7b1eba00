"""Breakout rooms: `link <session code>` in a room's chat makes it part of a running session.

Teams sends bots no event when breakout rooms open, and each room is a chat of its own that
the bot is not in until someone adds it. So a facilitator adds the bot to the room's chat and
types `link <code>` there (the code `status` gives). From then on that chat's messages are
screened as the parent session's: the same pseudonyms, consent answers and withdrawals, and
flags go to the same facilitators. The store's live-session lookup follows the link.
"""

from __future__ import annotations

import logging

from export.service import SessionNotFound, resolve_session
from handlers.context import Turn
from handlers.routes import routes

log = logging.getLogger(__name__)


def session_code(session_id: str) -> str:
    """The short code facilitators type: the session id's first 8 characters."""
    return session_id[:8]


@routes.on_command("link", help="Screen this breakout room chat as part of a running session "
                                "(link <session code>, from 'status')",
                   facilitator_only=True, where="group")
async def link(turn: Turn, argument: str) -> None:
    code = argument.strip().split()[0] if argument.strip() else ""
    if not code:
        await turn.reply_text("Type 'link' followed by the session code that 'status' sent you "
                              "in the main meeting chat.")
        return
    try:
        session = await resolve_session(turn.store, code)
    except SessionNotFound:
        session = None
    if session is None or not session.live:
        await turn.reply_text("No running session has that code. Type 'status' in the main "
                              "meeting chat to get it.")
        return
    conversation_id = turn.incoming.conversation_id
    if session.conversation_id == conversation_id:
        await turn.reply_text("This is already the session's own chat.")
        return
    own = await turn.live_session()
    if own is not None and own.conversation_id == conversation_id:
        await turn.reply_text("A session of its own is running in this chat. Type 'end' to "
                              "close it first.")
        return
    await turn.store.link_conversation(conversation_id, session.id, turn.services.clock())
    log.info("breakout chat linked", extra={"session_id": session.id})
    await turn.reply_text(
        "This chat is now part of the focus group: messages here are checked for identifying "
        "details like those in the main chat, with the same pseudonyms, consent and withdrawal. "
        "Anyone who has not answered the consent card yet can @mention me with 'consent' here.")
