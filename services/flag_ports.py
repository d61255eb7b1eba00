"""What the flag service needs from outside the domain, as ports: `bot.py` fills them with the
Graph client (hiding a message) and the Bot Connector client (a meeting's organiser)."""

from __future__ import annotations

from typing import Protocol


class HideOutcome(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def reason(self) -> str: ...  # plain words for the facilitator


class MessageHider(Protocol):
    """Hides a chat message from its members ('Hide from chat'); the Graph client does it."""

    async def hide_message(
        self, chat_id: str, message_id: str, policy_tip: str, *,
        conditions: list[str] | None = None, tenant_id: str | None = None,
    ) -> HideOutcome: ...


class Organiser(Protocol):
    @property
    def organizer_aad_id(self) -> str | None: ...


class MeetingDetails(Protocol):
    """Who organised a meeting (the Bot Connector client does it)."""

    async def meeting_details(self, service_url: str, meeting_id: str,
                              tenant_id: str | None = None) -> Organiser: ...
