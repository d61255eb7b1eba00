"""What every part of the flag service shares: its collaborators, the check of who may see or
act on a flag, and how a stored flag becomes the content of its card."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.card_port import CardPort
from services.clock import Clock
from services.flag_content import FlagCardContent, content_of_view
from services.flag_ports import MeetingDetails, MessageHider
from services.messages import SESSION_DELETED
from services.roles import FacilitatorPolicy, Person
from store.chat_records import FlagView
from store.ports import FlagServiceStore
from study import Study

# One logger for all the flag service's parts, under the name it had as one module.
log = logging.getLogger("services.flags")


@dataclass(frozen=True)
class ActionResult:
    card: dict[str, Any]
    refused: bool = False


class FlagServiceBase:
    """The flag service's state; its parts (delivery, digests, actions, card copies, automatic
    responses) are mixins of this class, put together as `services.flags.FlagService`."""

    def __init__(
        self,
        store: FlagServiceStore,
        study: Study,
        facilitators: FacilitatorPolicy,
        *,
        cards: CardPort,
        clock: Clock,
        wake_outbox: Any,
        hider: MessageHider | None = None,
        digest_threshold: int = 5,
        meetings: MeetingDetails | None = None,
    ) -> None:
        self.store = store
        self.study = study
        self.facilitators = facilitators
        self.cards = cards
        self.clock = clock
        self._wake = wake_outbox or (lambda: None)
        self.hider = hider
        self.digest_threshold = digest_threshold
        self.meetings = meetings
        # Digest entries drawn this minute, by digest (key prefix). An entry shows only what
        # never changes (time, pseudonym, categories), so a storm's redraws reuse them instead
        # of reading a dozen flags back for every flag that joins.
        self._digest_entries: dict[str, dict[int, FlagCardContent]] = {}

    @property
    def hide_available(self) -> bool:
        return self.hider is not None

    def content_of(self, view: FlagView, *, notice: str | None = None,
                   session_title: str | None = None) -> FlagCardContent:
        return content_of_view(view, hide_available=self.hide_available, notice=notice,
                               session_title=session_title)

    async def _refusal(self, view: FlagView | None, person: Person) -> ActionResult | None:
        """Why `person` may not act on the flag (a card to show them), or None if they may.
        Checked on the server on every click, against the flag's own session and its meeting,
        never the meeting the click came from (which may be another session's)."""
        if view is None:
            return ActionResult(self.cards.notice_card("Flag not found",
                                                  "This flag no longer exists."), refused=True)
        if await self.store.session_purged(view.session_id):
            return ActionResult(self.cards.notice_card("Flag", SESSION_DELETED), refused=True)
        session = await self.store.get_session(view.session_id)
        if session is None or not await self.facilitators.is_facilitator_of(person, session):
            log.info("flag action refused", extra={"flag_id": view.id})
            return ActionResult(self.cards.notice_card(
                "Only facilitators can do that",
                "Flag actions are for the session's facilitators. Nothing was changed.",
                urgent=True), refused=True)
        return None

    def now(self) -> datetime:
        return self.clock()
