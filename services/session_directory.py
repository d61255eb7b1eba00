"""Brief in-process caches of what the chat path and the scanner read about a session: the live
session of a conversation, participants, and a session's roster names, pseudonyms and flag
recipients."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from services.flag_delivery import FlagDelivery, Recipient
from store import Identity, Participant, Session
from store.ports import ScreeningStore


@dataclass
class SessionContext:
    session: Session
    names: list[str]
    people: dict[str, tuple[str, Identity | None]]  # participant id -> (pseudonym, identity)
    facilitators: list[Identity]
    recipients: list[Recipient]
    expires: float


@dataclass
class SessionDirectory:
    """Brief in-process caches for the acknowledgement path and the scanner.

    A live session is cached for `ttl` seconds (only when found: a new session is seen at
    once); a participant for the session's life (its id never changes).
    """

    store: ScreeningStore
    flags: FlagDelivery
    ttl: float = 1.0
    context_ttl: float = 2.0
    _live: dict[str, tuple[float, Session]] = field(default_factory=dict)
    _participants: OrderedDict[tuple[str, str], Participant] = field(
        default_factory=OrderedDict)
    _contexts: dict[str, SessionContext] = field(default_factory=dict)
    nudged: set[str] = field(default_factory=set)

    async def live(self, conversation_id: str) -> Session | None:
        cached = self._live.get(conversation_id)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        session = await self.store.live_session(conversation_id)
        if session is None:
            self._live.pop(conversation_id, None)
            return None
        self._live[conversation_id] = (now + self.ttl, session)
        return session

    def forget(self, conversation_id: str) -> None:
        self._live.pop(conversation_id, None)

    def refresh(self) -> None:
        """Forget the cached session contexts (their flag recipients have changed)."""
        self._contexts.clear()

    def participant(self, session_id: str, teams_user_id: str) -> Participant | None:
        return self._participants.get((session_id, teams_user_id))

    def remember(self, session_id: str, teams_user_id: str, participant: Participant) -> None:
        self._participants[(session_id, teams_user_id)] = participant
        if len(self._participants) > 20_000:
            self._participants.popitem(last=False)

    async def context(self, session_id: str, *, need: str | None = None) -> SessionContext | None:
        """Roster names, pseudonyms and flag recipients of a session (refreshed every 2 s)."""
        ctx = self._contexts.get(session_id)
        if ctx and ctx.expires > time.monotonic() and (need is None or need in ctx.people):
            return ctx
        session = await self.store.get_session(session_id)
        if session is None:
            return None
        roster = await self.store.roster(session_id)
        people = {e.participant.id: (e.participant.pseudonym, e.identity) for e in roster}
        names = sorted({e.identity.display_name for e in roster
                        if e.identity and e.identity.display_name})
        facilitators = [e.identity for e in roster
                        if e.participant.role == "facilitator" and e.identity]
        recipients = await self.flags.recipients(session, facilitators)
        ctx = SessionContext(session, names, people, facilitators, recipients,
                             time.monotonic() + self.context_ttl)
        self._contexts[session_id] = ctx
        return ctx
