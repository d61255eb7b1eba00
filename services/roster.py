"""The roster from Teams: who is in a session's chat, and which of them are its facilitators.

The bot must not learn who facilitates from who happened to speak: a session auto-started by
the meeting-start event would otherwise have no facilitator until the organiser types, and
flags would reach no one. So at session start and on every join or leave event the full member
list is read from Teams (paged), each member's meeting role is asked of Teams through the one
policy (`services.roles.FacilitatorPolicy`), and facilitators are recorded in the session.
Participants are not recorded until they take part (nothing is stored about silent members);
`status` reads the live member list instead.

A member whose role lookup failed is retried: the session is marked stale and
`retry_stale` (called by the scheduler) syncs it again once the policy's short failure cache
has expired, so one failure never leaves the organiser a participant for the whole session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from services.clock import Clock
from services.roles import FacilitatorPolicy, where_of
from store import Identity, Participant, Session
from store.ports import ParticipantStore, RosterStore

log = logging.getLogger(__name__)

MemberLookup = Callable[[str, str], Awaitable[list[Identity]]]
"""(service_url, conversation_id) -> every member of the chat (Teams' paged member list)."""

MAX_MEMBERS = 300  # far beyond a focus group: a guard on the number of role lookups


def is_person(member: Identity) -> bool:
    """Bots (ids starting '28:') are members of a chat too; they are nobody's roster."""
    return bool(member.teams_user_id) and not member.teams_user_id.startswith("28:")


async def record_facilitator(store: ParticipantStore, session: Session, person: Identity,
                             clock: Clock) -> Participant:
    """The person's participant in the session, as a facilitator (promoted if they were first
    recorded as a participant while their role was unknown)."""
    found = await store.participant_for(session.id, person, "facilitator", clock())
    if found.role == "facilitator":
        return found
    return await store.promote_to_facilitator(found.id) or found


class RosterService:
    def __init__(
        self,
        store: RosterStore,
        policy: FacilitatorPolicy,
        list_members: MemberLookup | None,
        *,
        clock: Clock,
        retry_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.policy = policy
        self._list_members = list_members
        self.clock = clock
        self._retry_seconds = retry_seconds
        self._monotonic = monotonic
        self._stale: dict[str, float] = {}  # session id -> when to sync it again

    async def members(self, session: Session) -> list[Identity] | None:
        """The chat's members now (people only), or None when Teams could not say."""
        if self._list_members is None:
            return None
        try:
            found = await self._list_members(session.service_url, session.conversation_id)
        except Exception as exc:  # the roster is retried; the session works without it
            log.info("member list unavailable", extra={"error": type(exc).__name__})
            return None
        return [m for m in found if is_person(m)][:MAX_MEMBERS]

    async def refresh(self, session: Session) -> bool:
        """Read the member list from Teams and record the facilitators in it (`sync`)."""
        return await self.sync(session, await self.members(session))

    async def sync(self, session: Session, members: list[Identity] | None) -> bool:
        """Record the session's facilitators among `members` (None: Teams could not list
        them); True if every member's role was known. A session left incomplete is marked
        stale and synced again later."""
        complete = members is not None
        where = where_of(session)
        for person in members or []:
            if self.policy.is_listed(person):
                await record_facilitator(self.store, session, person, self.clock)
                continue
            says = await self.policy.meeting_says(person, where)
            if says is True:
                await record_facilitator(self.store, session, person, self.clock)
            elif says is None and session.meeting_id:
                complete = False
        if complete:
            self._stale.pop(session.id, None)
        else:
            self._stale[session.id] = self._monotonic() + self._retry_seconds
            log.info("roster incomplete; will retry", extra={"session_id": session.id})
        return complete

    async def retry_stale(self) -> int:
        """Sync again every live session whose last sync was incomplete and is due."""
        now = self._monotonic()
        synced = 0
        for session_id, due in list(self._stale.items()):
            if due > now:
                continue
            session = await self.store.get_session(session_id)
            if session is None or not session.live:
                self._stale.pop(session_id, None)
                continue
            await self.refresh(session)
            synced += 1
        return synced

    async def silent_members(self, session: Session) -> list[Identity]:
        """Members Teams lists who are not the session's facilitators (for `status`: those
        the bot has not seen are 'not yet answered')."""
        where = where_of(session)
        people = []
        for person in await self.members(session) or []:
            if self.policy.is_listed(person) or await self.policy.meeting_says(
                    person, where) is True:
                continue
            people.append(person)
        return people
