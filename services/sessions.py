"""Sessions: start, end, reminders, and private notices to a session's facilitators."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from outbound.outbox import Delivered, Notify
from services.card_port import CardPort
from services.clock import Clock
from services.messages import card_activity, to_session_chat, to_user
from services.roster import RosterService, record_facilitator
from store import (
    DueReminder,
    FacilitatorChannel,
    Identity,
    NewSession,
    OutboxItem,
    Participant,
    Session,
)
from store.ports import SessionServiceStore
from study import Study

log = logging.getLogger(__name__)

CHATHAM_HOUSE = "chatham_house"
MAX_REFRESH_USERS = 60


@dataclass(frozen=True)
class Conversation:
    """Where a session lives in Teams, taken from the activity that started it."""

    conversation_id: str
    service_url: str
    tenant_id: str | None
    meeting_id: str | None
    bot_id: str | None
    bot_name: str | None
    title: str | None


class SessionService:
    def __init__(
        self,
        store: SessionServiceStore,
        study: Study,
        *,
        cards: CardPort,
        reminder_interval: timedelta,
        clock: Clock,
        worker_id: str = "bot",
        wake_outbox: Any = None,
        roster: RosterService | None = None,
    ) -> None:
        self.store = store
        self.study = study
        self.cards = cards
        self.reminder_interval = reminder_interval
        self.clock = clock
        self.worker_id = worker_id
        self._wake = wake_outbox or (lambda: None)
        self.roster = roster

    # ---- start and end -------------------------------------------------------------------

    async def start(
        self,
        where: Conversation,
        *,
        member_ids: list[str] | None = None,
    ) -> tuple[Session, bool]:
        """Start a session (or find the live one) and queue the opening cards.

        The opening items have fixed dedupe keys, so starting again after a crash queues
        whatever is missing and nothing twice.
        """
        now = self.clock()
        session, created = await self.store.start_session(
            NewSession(
                conversation_id=where.conversation_id,
                service_url=where.service_url,
                tenant_id=where.tenant_id,
                meeting_id=where.meeting_id,
                bot_id=where.bot_id,
                bot_name=where.bot_name,
                title=where.title,
                form_version=self.study.form_version,
                started_at=now,
            )
        )
        if created:
            await self.store.schedule_reminder(
                session.id, CHATHAM_HOUSE, session.started_at + self.reminder_interval
            )
        members = list(member_ids or [])
        roster = await self.roster.members(session) if self.roster is not None else None
        members += [m.teams_user_id for m in roster or []]
        refresh_ids = await self.refresh_user_ids(session, members)
        items = [
            to_session_chat(session, "welcome", card_activity(self.cards.welcome_card(self.study))),
            to_session_chat(
                session,
                "information_sheet",
                card_activity(self.cards.information_sheet_card(self.study),
                              summary="Participant information sheet"),
            ),
            to_session_chat(
                session,
                "consent_card",
                card_activity(
                    self.cards.consent_card(self.study, session.id, refresh_ids),
                    summary="Consent",
                ),
            ),
            to_session_chat(
                session, "chatham_house:start",
                card_activity(self.cards.chatham_house_card(self.study)),
            ),
        ]
        items[2] = replace(items[2], notify_ref=Notify.CONSENT_CARD.ref(session.id))
        await self.store.enqueue_many(items, now)
        self._wake()
        if self.roster is not None:  # after the cards: role lookups take a moment
            await self.roster.sync(session, roster)
        log.info("session started", extra={"session_id": session.id, "new_session": created})
        return session, created

    async def refresh_user_ids(self, session: Session, member_ids: list[str]) -> list[str]:
        known = [e.identity.teams_user_id for e in await self.store.roster(session.id)
                 if e.identity]
        ids: list[str] = []
        for user_id in [*known, *member_ids]:
            if user_id and user_id not in ids and not user_id.startswith("28:"):
                ids.append(user_id)
        return ids[:MAX_REFRESH_USERS]

    async def on_consent_card_delivered(self, delivered: Delivered) -> None:
        """The consent card reached the chat (`Notify.CONSENT_CARD`): keep its Teams id, so
        that later consent changes update that card in place."""
        if delivered.activity_id:
            await self.store.set_consent_activity(delivered.key, delivered.activity_id)

    async def refresh_consent_card(self, session: Session) -> None:
        """Re-issue the consent card's refresh list so a late joiner sees their own view."""
        if not session.consent_activity_id:
            return
        ids = await self.refresh_user_ids(session, [])
        card = self.cards.consent_card(self.study, session.id, ids)
        item = OutboxItem(
            dedupe_key=f"session:{session.id}:consent_card:update:{len(ids)}",
            service_url=session.service_url,
            tenant_id=session.tenant_id,
            conversation_id=session.conversation_id,
            session_id=session.id,
            operation="update",
            target_activity_id=session.consent_activity_id,
            payload=card_activity(card, summary="Consent"),
        )
        await self.store.enqueue(item, self.clock())
        self._wake()

    async def end(self, session: Session) -> bool:
        """Close the session: last reminder and the closing message with withdrawal rights."""
        now = self.clock()
        if not await self.store.end_session(session.id, now):
            return False
        deadline = now + timedelta(days=self.study.withdrawal_window_days)
        items = [
            to_session_chat(
                session, "chatham_house:end",
                card_activity(self.cards.chatham_house_card(self.study)),
            ),
            to_session_chat(
                session, "closing", card_activity(self.cards.closing_card(self.study, deadline))
            ),
        ]
        await self.store.enqueue_many(items, now)
        self._wake()
        log.info("session ended", extra={"session_id": session.id})
        return True

    async def remind_now(self, session: Session, request_id: str) -> None:
        await self.store.enqueue(
            to_session_chat(
                session,
                f"chatham_house:manual:{request_id}",
                card_activity(self.cards.chatham_house_card(self.study)),
            ),
            self.clock(),
        )
        self._wake()

    # ---- scheduled reminders -------------------------------------------------------------

    async def run_due_reminders(self) -> int:
        """Post every reminder that is due, each exactly once across instances."""
        now = self.clock()
        posted = 0
        for reminder in await self.store.due_reminders(now):
            posted += await self._post_reminder(reminder, now)
        if posted:
            self._wake()
        return posted

    async def _post_reminder(self, reminder: DueReminder, now: datetime) -> int:
        session = await self.store.get_session(reminder.session_id)
        if session is None or not session.live:
            await self.store.claim_reminder(
                reminder, worker=self.worker_id, now=now, send=None, next_due_at=None
            )
            return 0
        next_due = reminder.due_at + self.reminder_interval
        if next_due <= now:  # the bot was down for a while: don't post a burst of catch-ups
            next_due = now + self.reminder_interval
        item = to_session_chat(
            session,
            f"chatham_house:scheduled:{reminder.id}",
            card_activity(self.cards.chatham_house_card(self.study)),
        )
        won = await self.store.claim_reminder(
            reminder, worker=self.worker_id, now=now, send=item, next_due_at=next_due
        )
        return 1 if won else 0

    # ---- facilitators --------------------------------------------------------------------

    async def facilitators(self, session: Session) -> list[tuple[str, Identity]]:
        """The session's facilitators that the bot can reach privately, as (participant id,
        identity): the participant id, never the Teams id, keys their private items."""
        people: dict[str, tuple[str, Identity]] = {}
        for entry in await self.store.roster(session.id):
            if entry.participant.role == "facilitator" and entry.identity:
                people[entry.identity.teams_user_id] = (entry.participant.id, entry.identity)
        return list(people.values())

    async def notify_facilitators(
        self, session: Session, key: str, payload: dict[str, Any]
    ) -> int:
        """Queue a private message to each facilitator (1:1 chats, never the group)."""
        now = self.clock()
        count = 0
        for participant_id, person in await self.facilitators(session):
            channel = await self.store.facilitator_channel(person.teams_user_id)
            await self.store.enqueue(
                self.private_item(session, participant_id, person, channel, key, payload), now
            )
            count += 1
        self._wake()
        return count

    def private_item(
        self,
        session: Session,
        participant_id: str,
        person: Identity,
        channel: FacilitatorChannel | None,
        key: str,
        payload: dict[str, Any],
        notify_ref: str | None = None,
    ) -> OutboxItem:
        """Keyed by the recipient's participant (row) id: a dedupe key carries no identity, so
        scrubbing identifiers at purge can never make two keys equal."""
        return to_user(
            key=f"session:{session.id}:{key}:to:{participant_id}",
            service_url=channel.service_url if channel else session.service_url,
            tenant_id=session.tenant_id,
            conversation_id=channel.conversation_id if channel else None,
            user_id=person.teams_user_id,
            session_id=session.id,
            payload=payload,
            notify_ref=notify_ref,
        )

    async def participant(
        self, session: Session, identity: Identity, *, facilitator: bool
    ) -> Participant:
        if facilitator:
            return await record_facilitator(self.store, session, identity, self.clock)
        return await self.store.participant_for(session.id, identity, "participant",
                                                self.clock())
