"""The sessions a facilitator ran, and how they are named in the audit log (never by name).

Used by the facilitator's commands that are not tied to the chat they are typed in (a
withdrawal recorded by email, an export in a 1:1 chat).
"""

from __future__ import annotations

from handlers.context import Turn
from store import Session


async def facilitated_sessions(turn: Turn) -> list[Session]:
    sender = turn.incoming.sender
    links = await turn.store.participants_for_user(sender.teams_user_id, sender.aad_object_id)
    ids = {link.session_id for link in links if link.participant.role == "facilitator"}
    sessions = [s for s in await turn.store.list_sessions() if s.id in ids]
    return sorted(sessions, key=lambda s: s.started_at, reverse=True)


async def default_session(turn: Turn) -> Session | None:
    if not turn.incoming.personal:
        return await turn.store.latest_session(turn.incoming.conversation_id)
    facilitated = await facilitated_sessions(turn)
    return facilitated[0] if facilitated else None


async def acting_facilitator(turn: Turn, session: Session | None) -> str:
    if session is not None:
        sender = turn.incoming.sender
        for link in await turn.store.participants_for_user(sender.teams_user_id,
                                                           sender.aad_object_id):
            if link.session_id == session.id and link.participant.role == "facilitator":
                return f"facilitator {link.participant.pseudonym}"
    return "facilitator"
