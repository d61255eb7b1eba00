"""Who is a facilitator: one policy, decided on the server, used by every check.

A person is a facilitator, where they act, when any of these holds (checked in this order,
cheapest first):
1. their AAD object id or Teams user id is in FACILITATOR_IDS;
2. Teams says their role in the meeting where they act is Organizer or Presenter (asked of
   Teams, never taken from the message; cached briefly per meeting and user; a failed lookup
   never grants the role);
3. the bot recorded them as a facilitator of the session concerned (`Where.session_id`), or,
   for acts not tied to one session (`Where.any_live_session`), of any live session.
Display names are never used. A check passes only the evidence it has: a click on a flag card
in a 1:1 chat has a session but no meeting; a command in the meeting chat has a meeting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from store.records import Identity

log = logging.getLogger(__name__)

FACILITATOR_MEETING_ROLES = frozenset({"organizer", "presenter"})

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


class SessionRoles(Protocol):
    """The roles the bot recorded (the store)."""

    async def session_role(self, session_id: str, teams_user_id: str) -> str | None: ...

    async def is_live_facilitator(self, teams_user_id: str) -> bool: ...


class FacilitatorPolicy:
    def __init__(
        self,
        facilitator_ids: Iterable[str],
        meeting_role: RoleLookup | None,
        recorded: SessionRoles,
        *,
        cache_seconds: float = 300.0,
        failure_cache_seconds: float = 30.0,
    ) -> None:
        self._ids = frozenset(i.strip().lower() for i in facilitator_ids if i.strip())
        self._meeting_role = meeting_role
        self._recorded = recorded
        self._cache_seconds = cache_seconds
        self._failure_cache_seconds = failure_cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    def is_listed(self, person: Person) -> bool:
        """Rule 1 alone: listed in FACILITATOR_IDS (a facilitator everywhere)."""
        candidates = {person.teams_user_id.lower()}
        if person.aad_object_id:
            candidates.add(person.aad_object_id.lower())
        return bool(candidates & self._ids)

    async def is_facilitator(self, person: Person, where: Where) -> bool:
        if self.is_listed(person):
            return True
        if await self._has_meeting_role(person, where):
            return True
        if where.session_id is not None:
            role = await self._recorded.session_role(where.session_id, person.teams_user_id)
            if role == "facilitator":
                return True
        if where.any_live_session:
            return await self._recorded.is_live_facilitator(person.teams_user_id)
        return False

    async def _has_meeting_role(self, person: Person, where: Where) -> bool:
        if not where.meeting_id or self._meeting_role is None:
            return False
        participant = person.aad_object_id or person.teams_user_id
        key = (where.meeting_id, participant)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            role = await self._meeting_role(where.service_url, where.meeting_id, participant,
                                            where.tenant_id)
        except Exception as exc:  # a failed lookup must never grant the role
            log.warning("meeting role lookup failed", extra={"error": type(exc).__name__})
            # Remember the refusal briefly, so that a chatty participant whose role Teams
            # will not tell (e.g. an anonymous guest) does not cost a lookup per message.
            self._cache[key] = (time.monotonic() + self._failure_cache_seconds, False)
            return False
        allowed = (role or "").lower() in FACILITATOR_MEETING_ROLES
        self._cache[key] = (time.monotonic() + self._cache_seconds, allowed)
        return allowed
