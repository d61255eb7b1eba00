"""Who is a facilitator: one policy, decided on the server, used by every check.

A person is a facilitator, where they act, when any of these holds (checked in this order,
cheapest first):
1. their AAD object id or Teams user id is in FACILITATOR_IDS (a study-level admin: a
   facilitator of every session);
2. Teams says their role in the meeting concerned is one of FACILITATOR_MEETING_ROLES
   (default: Organizer only; in many tenants everyone joins as Presenter, so Presenter is
   opt-in). Asked of Teams, never taken from the message; cached per meeting and user, long
   for an answer, briefly for a failed lookup, so that one failure never freezes anyone's
   role for a whole session; a failed lookup never grants the role;
3. the bot recorded them as a facilitator of the session concerned, or, for acts not tied to
   one session, of any live session (`Where.any_live_session`: where flags go) or of any
   session (`Where.any_session`: a 1:1 chat, where each act then names its session and is
   checked against it).
Display names are never used. Every act on a session's data (withdraw, export, status, flag
actions, end, remind) asks `is_facilitator_of(person, session)`: the meeting in rule 2 is that
session's meeting, not the chat the request came from, so being a facilitator of one meeting
gives no power over another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from store.records import Identity, Session

log = logging.getLogger(__name__)

DEFAULT_FACILITATOR_MEETING_ROLES = ("Organizer",)

RoleLookup = Callable[[str, str, str, str | None], Awaitable[str | None]]
"""(service_url, meeting_id, participant_id, tenant_id) -> meeting role or None."""


Person = Identity
"""Who acts: the same triple the store links to a participant (Teams id, AAD id, name)."""


@dataclass(frozen=True)
class Where:
    """Where a person acts: the meeting (if any) and the session in question (if any)."""

    service_url: str = ""
    meeting_id: str | None = None
    tenant_id: str | None = None
    session_id: str | None = None
    any_live_session: bool = False
    any_session: bool = False


def where_of(session: Session) -> Where:
    """The session's own meeting and id: what `is_facilitator_of` checks against."""
    return Where(service_url=session.service_url, meeting_id=session.meeting_id,
                 tenant_id=session.tenant_id, session_id=session.id)


class SessionRoles(Protocol):
    """The roles the bot recorded (the store)."""

    async def session_role(self, session_id: str, teams_user_id: str) -> str | None: ...

    async def is_live_facilitator(self, teams_user_id: str) -> bool: ...

    async def facilitated_any_session(self, teams_user_id: str) -> bool: ...


class FacilitatorPolicy:
    def __init__(
        self,
        facilitator_ids: Iterable[str],
        meeting_role: RoleLookup | None,
        recorded: SessionRoles,
        *,
        meeting_roles: Iterable[str] = DEFAULT_FACILITATOR_MEETING_ROLES,
        cache_seconds: float = 300.0,
        failure_cache_seconds: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ids = frozenset(i.strip().lower() for i in facilitator_ids if i.strip())
        self._roles = frozenset(r.strip().lower() for r in meeting_roles if r.strip())
        self._meeting_role = meeting_role
        self._recorded = recorded
        self._cache_seconds = cache_seconds
        self._failure_cache_seconds = failure_cache_seconds
        self._monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[float, bool | None]] = {}

    def is_listed(self, person: Person) -> bool:
        """Rule 1 alone: listed in FACILITATOR_IDS (a facilitator everywhere)."""
        candidates = {person.teams_user_id.lower()}
        if person.aad_object_id:
            candidates.add(person.aad_object_id.lower())
        return bool(candidates & self._ids)

    async def is_facilitator(self, person: Person, where: Where) -> bool:
        if self.is_listed(person):
            return True
        if await self.meeting_says(person, where) is True:
            return True
        if where.session_id is not None:
            role = await self._recorded.session_role(where.session_id, person.teams_user_id)
            if role == "facilitator":
                return True
        if where.any_live_session:
            return await self._recorded.is_live_facilitator(person.teams_user_id)
        if where.any_session:
            return await self._recorded.facilitated_any_session(person.teams_user_id)
        return False

    async def is_facilitator_of(self, person: Person, session: Session) -> bool:
        """The check for every act on one session: an admin, or a facilitator of its meeting
        (by role there, or as the bot recorded in that session)."""
        return await self.is_facilitator(person, where_of(session))

    async def meeting_says(self, person: Person, where: Where) -> bool | None:
        """Rule 2 alone: True or False as Teams answered, None when it could not be asked or
        the lookup failed (the caller may try again once the short failure cache expires)."""
        if not where.meeting_id or self._meeting_role is None:
            return None
        participant = person.aad_object_id or person.teams_user_id
        key = (where.meeting_id, participant)
        now = self._monotonic()
        cached = self._cache.get(key)
        if cached and cached[0] > now:
            return cached[1]
        try:
            role = await self._meeting_role(where.service_url, where.meeting_id, participant,
                                            where.tenant_id)
        except Exception as exc:  # a failed lookup must never grant the role
            log.warning("meeting role lookup failed", extra={"error": type(exc).__name__})
            # Remember the failure briefly, so that a chatty participant whose role Teams
            # will not tell (e.g. an anonymous guest) does not cost a lookup per message,
            # and ask again soon after, so that one failure does not last the session.
            self._cache[key] = (now + self._failure_cache_seconds, None)
            return None
        allowed = (role or "").strip().lower() in self._roles
        self._cache[key] = (now + self._cache_seconds, allowed)
        return allowed
