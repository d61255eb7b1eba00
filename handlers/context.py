"""What a handler gets: the bot's services, and one typed view of the current turn."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botbuilder.core import TurnContext

from handlers.data_life import DataLife
from handlers.incoming import Incoming
from services.clock import Clock
from services.consent import ConsentService
from services.flags import FlagService
from services.messages import text_activity, to_user
from services.roles import FacilitatorPolicy, Where
from services.roster import RosterService
from services.screening_pipeline import ScreeningPipeline
from services.sessions import Conversation, SessionService
from services.transcripts import TranscriptService
from services.undelivered import UndeliveredNotices
from store import Identity, OutboxItem, Participant, Session, Store
from study import Study
from study.dates import DEFAULT_TIMEZONE

if TYPE_CHECKING:  # the engine's module loads spaCy and Presidio: import it only to type
    from screening import Screener


ReplyNow = Callable[[str, str, dict[str, Any]], Awaitable[str | None]]
"""(service_url, conversation_id, activity) -> activity id: sent now, not stored."""


@dataclass(frozen=True)
class Services:
    """Everything the handlers use, built once at start-up by `bot.py`."""

    store: Store
    study: Study
    sessions: SessionService
    consent: ConsentService
    facilitators: FacilitatorPolicy
    roster: RosterService
    flags: FlagService
    screening: ScreeningPipeline
    data_life: DataLife
    clock: Clock
    wake_outbox: Callable[[], None]
    reply_now: ReplyNow
    screener: Screener | None = None
    auto_start_on_meeting_start: bool = True
    timezone: str = DEFAULT_TIMEZONE
    transcripts: TranscriptService | None = None
    undelivered: UndeliveredNotices | None = None


@dataclass
class Turn:
    """One incoming activity. `context` is botbuilder's turn, or None on the chat fast path
    (`FocusGroupBot.on_chat_json`), whose handlers never reply inline."""

    context: TurnContext | None
    incoming: Incoming
    services: Services
    _facilitator: bool | None = None
    _replies: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def study(self) -> Study:
        return self.services.study

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def identity(self) -> Identity:
        sender = self.incoming.sender
        return Identity(sender.teams_user_id, sender.aad_object_id, sender.display_name)

    def conversation(self, title: str | None = None) -> Conversation:
        incoming = self.incoming
        return Conversation(
            conversation_id=incoming.conversation_id,
            service_url=incoming.service_url,
            tenant_id=incoming.tenant_id,
            meeting_id=incoming.meeting_id,
            bot_id=incoming.bot_id,
            bot_name=incoming.bot_name,
            title=title,
        )

    def where(self, *, any_live_session: bool = False) -> Where:
        """Where the sender acts, for `FacilitatorPolicy`: this turn's meeting, if any. In a
        1:1 chat (no meeting) a facilitator of any session passes this first check; every
        act there then names a session and is checked against it (`may_act_on`)."""
        incoming = self.incoming
        return Where(service_url=incoming.service_url, meeting_id=incoming.meeting_id,
                     tenant_id=incoming.tenant_id, any_live_session=any_live_session,
                     any_session=incoming.personal and not any_live_session)

    async def is_facilitator(self) -> bool:
        """Decided on the server by `FacilitatorPolicy`, where this turn happens."""
        if self._facilitator is None:
            self._facilitator = await self.services.facilitators.is_facilitator(
                self.incoming.sender, self.where())
        return self._facilitator

    async def may_act_on(self, session: Session) -> bool:
        """May the sender act on this session's data? Decided by `FacilitatorPolicy` against
        the session's own meeting, whatever chat the request came from."""
        return await self.services.facilitators.is_facilitator_of(self.incoming.sender, session)

    async def live_session(self) -> Session | None:
        return await self.store.live_session(self.incoming.conversation_id)

    async def participant(self, session: Session) -> Participant:
        return await self.services.sessions.participant(
            session, self.identity, facilitator=await self.is_facilitator()
        )

    def _reply_key(self) -> str:
        incoming = self.incoming
        return (
            f"reply:{incoming.conversation_id}:{incoming.activity_id or id(self)}:"
            f"{next(self._replies)}"
        )

    async def reply(self, payload: dict[str, Any]) -> None:
        """Answer in the conversation the activity came from (through the outbox).

        The key is derived from the activity id, so a repeated delivery answers once.
        """
        incoming = self.incoming
        item = OutboxItem(
            dedupe_key=self._reply_key(),
            service_url=incoming.service_url,
            tenant_id=incoming.tenant_id,
            conversation_id=incoming.conversation_id,
            payload=payload,
        )
        await self.store.enqueue(item, self.services.clock())
        self.services.wake_outbox()

    async def reply_text(self, text: str) -> None:
        await self.reply(text_activity(text))

    async def tell_privately(self, payload: dict[str, Any]) -> None:
        """Send to the sender alone: here if this is a 1:1 chat, else in a 1:1 the bot opens."""
        if self.incoming.personal:
            await self.reply(payload)
            return
        channel = await self.store.facilitator_channel(self.incoming.sender.teams_user_id)
        item = to_user(
            key=self._reply_key() + ":private",
            service_url=channel.service_url if channel else self.incoming.service_url,
            tenant_id=self.incoming.tenant_id,
            conversation_id=channel.conversation_id if channel else None,
            user_id=self.incoming.sender.teams_user_id,
            payload=payload,
        )
        await self.store.enqueue(item, self.services.clock())
        self.services.wake_outbox()
