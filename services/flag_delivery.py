"""Who receives a new flag, the private card queued for each of them, and flags still waiting
for a recipient: sent once one is reachable, and (safeguarding) escalated to the meeting's
organiser after a minute. A flag goes privately to facilitators, never to the group."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from outbound.outbox import Notify
from services.flag_base import FlagServiceBase, log
from services.flag_content import FlagCardContent
from services.messages import card_activity, to_user
from services.roles import Person
from store import FacilitatorChannel, Identity, OutboxItem, Priority, Session

# A flag card's outbox lane: safeguarding never waits behind a storm of identifying cards.
FLAG_CARD_LANES = {"safeguarding": Priority.URGENT, "unscreened": Priority.NORMAL,
                   "reported": Priority.NORMAL}
SAFEGUARDING_WAIT = timedelta(seconds=60)  # then every channel available is tried


@dataclass(frozen=True)
class Recipient:
    identity: Identity
    channel: FacilitatorChannel | None


RecipientsOf = Callable[[str], Awaitable[tuple[Session, list[Recipient]] | None]]
"""session id -> the session and its flag recipients now (None: no such session)."""


class FlagDelivery(FlagServiceBase):
    async def recipients(
        self, session: Session, facilitators: Sequence[Identity]
    ) -> list[Recipient]:
        """Who receives a session's flags, once each: the session's facilitators (at their
        registered 1:1 chat if they have one), and registered facilitators listed in
        FACILITATOR_IDS (the study team), who hear about every session. Someone who is a
        facilitator only by their role in another meeting does not get this session's flags."""
        channels = {c.teams_user_id: c for c in await self.store.facilitator_channels()}
        people: dict[str, Recipient] = {}
        for person in facilitators:
            people[person.teams_user_id] = Recipient(person, channels.get(person.teams_user_id))
        for user_id, channel in channels.items():
            listed = self.facilitators.is_listed(
                Person(user_id, channel.aad_object_id, channel.display_name))
            if user_id not in people and listed:
                people[user_id] = Recipient(
                    Identity(user_id, channel.aad_object_id, channel.display_name), channel
                )
        return list(people.values())

    def card_items(
        self, session: Session, recipients: Sequence[Recipient], flag_id: int,
        content: FlagCardContent,
    ) -> list[OutboxItem]:
        content = replace(content, flag_id=flag_id)
        summary = {"safeguarding": "Safeguarding: a message needs your attention",
                   "unscreened": "A message could not be screened: please read it",
                   "reported": "A message was reported to you",
                   }.get(content.kind, "A message may identify someone")
        payload = card_activity(self.cards.flag_card(content), summary=summary)
        items = []
        # The copy's number, not the recipient's Teams id, keys it: the flag and all its copies
        # are queued in one transaction, and a key must never carry identity (purge).
        for copy_number, recipient in enumerate(recipients):
            channel = recipient.channel
            items.append(to_user(
                key=f"flag:{flag_id}:copy:{copy_number}",
                service_url=channel.service_url if channel else session.service_url,
                tenant_id=session.tenant_id,
                conversation_id=channel.conversation_id if channel else None,
                user_id=recipient.identity.teams_user_id,
                session_id=session.id,
                payload=payload,
                notify_ref=Notify.FLAG_CARD.ref(flag_id),
                priority=FLAG_CARD_LANES.get(content.kind, Priority.BULK),
            ))
        return items

    async def deliver_pending(self, recipients_of: RecipientsOf) -> int:
        """Send the flags that no facilitator could be reached for, now that one can: a flag
        always gets a recipient eventually (a facilitator registers, is resolved by role, or
        starts using the bot). Returns how many cards were queued."""
        queued = 0
        for flag_id, session_id in await self.store.undelivered_flags():
            found = await recipients_of(session_id)
            view = await self.store.flag_view(flag_id) if found and found[1] else None
            if found is None or view is None:
                continue
            session, recipients = found
            content = self.content_of(view, session_title=session.title)
            queued += await self.store.add_flag_cards(
                flag_id, self.card_items(session, recipients, flag_id, content), self.clock())
        if queued:
            log.info("waiting flags sent", extra={"count": queued})
            self._wake()
        return queued

    async def escalate_waiting(self) -> int:
        """Safeguarding flags that no card has reached for SAFEGUARDING_WAIT (no facilitator
        known, or their cards are stuck) also go to the meeting organiser's 1:1, once each:
        the organiser, read from the meeting's details, is the one person Teams guarantees
        is responsible for the meeting. Returns how many cards were queued."""
        queued = 0
        waiting = await self.store.waiting_safeguarding_flags(self.clock() - SAFEGUARDING_WAIT)
        for flag_id, session_id in waiting:
            key = f"flag:{flag_id}:organiser"
            session = await self.store.get_session(session_id)
            if (self.meetings is None or session is None or not session.meeting_id
                    or await self.store.last_queued_at(key) is not None):
                continue
            try:
                organiser = (await self.meetings.meeting_details(
                    session.service_url, session.meeting_id, session.tenant_id)
                ).organizer_aad_id
            except Exception as exc:  # a failed lookup is tried again at the next sweep
                log.warning("meeting organiser lookup failed",
                            extra={"flag_id": flag_id, "error": type(exc).__name__})
                continue
            view = await self.store.flag_view(flag_id)
            if organiser is None or view is None:
                continue
            content = self.content_of(view, session_title=session.title)
            queued += await self.store.add_flag_cards(flag_id, [to_user(
                key=key, service_url=session.service_url, tenant_id=session.tenant_id,
                user_id=organiser, session_id=session.id,
                payload=card_activity(self.cards.flag_card(content),
                                      summary="Safeguarding: a message needs your attention"),
                notify_ref=Notify.FLAG_CARD.ref(flag_id),
                priority=Priority.URGENT,
            )], self.clock())
        if queued:
            log.warning("safeguarding flags sent to the meeting organiser",
                        extra={"count": queued})
            self._wake()
        return queued

    async def undelivered_count(self, session_id: str) -> int:
        return len(await self.store.undelivered_flags(session_id))
