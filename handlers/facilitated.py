"""The sessions a facilitator may act on, and how they are named in the audit log.

Used by the facilitator's commands that are not tied to the chat they are typed in (a
withdrawal recorded by email, an export in a 1:1 chat). Every session offered or searched
here has passed `FacilitatorPolicy.is_facilitator_of`: a lookup never reaches a session the
actor does not facilitate, and the answers for "no such session" and "not yours" are the same.
"""

from __future__ import annotations

from handlers.context import Turn
from services.roster import record_facilitator
from store import Session


class NotFound(LookupError):
    """No session the actor facilitates matches (whether or not another one does)."""


async def facilitated_sessions(turn: Turn) -> list[Session]:
    """Newest first: every session for a study-level admin; else the sessions the bot
    recorded them facilitating, and this chat's session when they facilitate it."""
    sender = turn.incoming.sender
    policy = turn.services.facilitators
    sessions = await turn.store.list_sessions()
    if not policy.is_listed(sender):
        links = await turn.store.participants_for_user(sender.teams_user_id,
                                                       sender.aad_object_id)
        candidates = {link.session_id for link in links}
        if not turn.incoming.personal:
            candidates |= {s.id for s in sessions
                           if s.conversation_id == turn.incoming.conversation_id}
        sessions = [s for s in sessions if s.id in candidates and await turn.may_act_on(s)]
    return sorted(sessions, key=lambda s: s.started_at, reverse=True)


async def find_session(turn: Turn, ref: str) -> Session:
    """A session the actor facilitates, by id or unique id prefix (at least 4 characters)."""
    ref = ref.strip()
    mine = await facilitated_sessions(turn)
    exact = [s for s in mine if s.id == ref]
    matches = exact or ([s for s in mine if s.id.startswith(ref)] if len(ref) >= 4 else [])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(f"'{ref}' matches {len(matches)} of your sessions; give more of the id")
    raise NotFound(f"no session '{ref}'")


async def default_session(turn: Turn) -> Session | None:
    """This chat's latest session (in a meeting chat) or the actor's latest session (1:1),
    if the actor facilitates it."""
    if not turn.incoming.personal:
        session = await turn.store.latest_session(turn.incoming.conversation_id)
        return session if session is not None and await turn.may_act_on(session) else None
    facilitated = await facilitated_sessions(turn)
    return facilitated[0] if facilitated else None


async def acting_facilitator(turn: Turn, session: Session) -> str:
    """The actor as the audit trail names them: their facilitator pseudonym in the session
    (recorded now if they act there for the first time, e.g. a study-level admin), never a
    name or an account id."""
    participant = await record_facilitator(turn.store, session, turn.identity,
                                           turn.services.clock)
    return f"facilitator {participant.pseudonym}"
