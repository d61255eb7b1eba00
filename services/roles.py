"""Who is a facilitator, decided on the server.

A facilitator is someone whose AAD object id (or Teams user id) is in FACILITATOR_IDS, or whose
role in the Teams meeting is Organizer or Presenter (asked of Teams, never taken from the
message). Display names are never used. Meeting roles are cached briefly per meeting and user.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

FACILITATOR_MEETING_ROLES = frozenset({"organizer", "presenter"})

RoleLookup = Callable[[str, str, str, str | None], Awaitable[str | None]]
"""(service_url, meeting_id, participant_id, tenant_id) -> meeting role or None."""


@dataclass(frozen=True)
class Person:
    teams_user_id: str
    aad_object_id: str | None
    display_name: str | None


class RoleResolver:
    def __init__(
        self,
        facilitator_ids: Iterable[str],
        meeting_role: RoleLookup | None,
        *,
        cache_seconds: float = 300.0,
        failure_cache_seconds: float = 30.0,
    ) -> None:
        self._ids = frozenset(i.strip().lower() for i in facilitator_ids if i.strip())
        self._meeting_role = meeting_role
        self._cache_seconds = cache_seconds
        self._failure_cache_seconds = failure_cache_seconds
        self._cache: dict[tuple[str, str], tuple[float, bool]] = {}

    def is_listed(self, person: Person) -> bool:
        candidates = {person.teams_user_id.lower()}
        if person.aad_object_id:
            candidates.add(person.aad_object_id.lower())
        return bool(candidates & self._ids)

    async def is_facilitator(
        self,
        person: Person,
        *,
        service_url: str,
        meeting_id: str | None,
        tenant_id: str | None,
    ) -> bool:
        if self.is_listed(person):
            return True
        if not meeting_id or self._meeting_role is None:
            return False
        participant = person.aad_object_id or person.teams_user_id
        key = (meeting_id, participant)
        cached = self._cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            role = await self._meeting_role(service_url, meeting_id, participant, tenant_id)
        except Exception as exc:  # a failed lookup must never grant the role
            log.warning("meeting role lookup failed", extra={"error": type(exc).__name__})
            # Remember the refusal briefly, so that a chatty participant whose role Teams
            # will not tell (e.g. an anonymous guest) does not cost a lookup per message.
            self._cache[key] = (time.monotonic() + self._failure_cache_seconds, False)
            return False
        allowed = (role or "").lower() in FACILITATOR_MEETING_ROLES
        self._cache[key] = (time.monotonic() + self._cache_seconds, allowed)
        return allowed
