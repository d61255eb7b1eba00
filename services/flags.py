"""Flags: who receives them, what their cards say, and what a facilitator's action does.

A flag goes privately to every facilitator of the session and to every registered facilitator
channel, never to the group. An action is checked on the server (the clicker must be a
facilitator), recorded append-only with the facilitator's pseudonym, applied, and then every
facilitator's copy of the card is updated through the outbox.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from outbound.outbox import Delivered, Notify
from services.card_port import CardPort
from services.clock import Clock
from services.flag_content import (
    CATEGORY_WORDS,
    FlagCardContent,
    HistoryEntry,
    Segment,
    reasons_of,
    segments_of,
)
from services.messages import SESSION_DELETED, card_activity, to_session_chat, to_user
from services.roles import FacilitatorPolicy, Person
from store import FacilitatorChannel, Identity, OutboxItem, Priority, Session
from store.chat_records import FlagView
from store.ports import FlagServiceStore
from store.records import DIGEST_KEY_PREFIX
from study import Study

log = logging.getLogger(__name__)

# A flag card's outbox lane: safeguarding never waits behind a storm of identifying cards.
FLAG_CARD_LANES = {"safeguarding": Priority.URGENT, "unscreened": Priority.NORMAL}

HIDE_POLICY_TIP = (
    "A facilitator of this research focus group hid this message because it may identify "
    "someone. Please keep details general."
)
PRIVATE_NOTE_TITLE = "A gentle reminder about confidentiality"
PRIVATE_NOTE = (
    "Your recent message in the focus group chat may include details that could identify "
    "someone, such as a name or a place. Please keep details general. The facilitators have "
    "been told privately; nothing has been said to the group."
)
CONSENT_NUDGE = (
    "Thank you for joining. Your messages in the meeting chat are not being kept for the "
    "research because you have not answered the consent card yet. You can find it in the "
    "meeting chat, or type 'consent' to me to see it again."
)

ACTIONS = {
    "flag.remind": "remind",
    "flag.hide": "hide",
    "flag.redact": "redact",
    "flag.dismiss": "dismiss",
    "flag.escalate": "escalate",
}
SHOW_VERB = "flag.show"  # a digest entry's button: send that flag's own card to the clicker
DIGEST_WINDOW = timedelta(minutes=1)
SAFEGUARDING_WAIT = timedelta(seconds=60)  # then every channel available is tried


@dataclass(frozen=True)
class Recipient:
    identity: Identity
    channel: FacilitatorChannel | None


RecipientsOf = Callable[[str], Awaitable[tuple[Session, list[Recipient]] | None]]
"""session id -> the session and its flag recipients now (None: no such session)."""


@dataclass(frozen=True)
class ActionResult:
    card: dict[str, Any]
    refused: bool = False


def _card_of(payload: dict[str, Any] | None) -> Any:
    """The Adaptive Card in an outgoing activity (None if it carries none)."""
    for attachment in (payload or {}).get("attachments") or []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            return attachment.get("content")
    return None


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


class FlagService:
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

    @property
    def hide_available(self) -> bool:
        return self.hider is not None

    # ---- recipients and cards ---------------------------------------------------------------

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

    # ---- flag storms: digests ----------------------------------------------------------------

    async def into_digest(self, flags: Sequence[tuple[str, str]]) -> list[bool]:
        """For new flags (session id, kind), in the order they will be stored: whether each
        goes into its session's digest card rather than a card of its own. It does once the
        session has had more than `digest_threshold` flags in the last minute; safeguarding
        flags never do (they stay individual and urgent) and do not count."""
        since = self.clock() - DIGEST_WINDOW
        counts: dict[str, int] = {}
        folded = []
        for session_id, kind in flags:
            if kind == "safeguarding":
                folded.append(False)
                continue
            if session_id not in counts:
                counts[session_id] = await self.store.recent_flag_count(session_id, since)
            counts[session_id] += 1
            folded.append(counts[session_id] > self.digest_threshold)
        return folded

    async def digest_items(
        self, session: Session, recipients: Sequence[Recipient], content: FlagCardContent,
        listed: dict[str, list[FlagCardContent]],
    ) -> list[OutboxItem]:
        """The digest card of this minute, one copy per recipient, now listing `content` too.

        `listed` carries the entries drawn so far in this batch (by digest), so that several
        flags stored together each queue the card with every entry before them. The key is
        made of row ids only (session, minute, copy number): a key never carries identity."""
        minute = int(self.clock().timestamp() // DIGEST_WINDOW.total_seconds())
        prefix = f"{DIGEST_KEY_PREFIX}{session.id}:{minute}:copy:"
        if prefix not in listed:
            listed[prefix] = []
            for flag_id in await self.store.digest_flag_ids(f"{prefix}0"):
                view = await self.store.flag_view(flag_id)
                if view is not None:
                    listed[prefix].append(self.content_of(view))
        listed[prefix].append(content)
        entries = listed[prefix]
        payload = card_activity(self.cards.digest_card(entries, session.title),
                                summary=f"{len(entries)} messages flagged")
        return [to_user(
            key=f"{prefix}{copy_number}",
            service_url=recipient.channel.service_url if recipient.channel
            else session.service_url,
            tenant_id=session.tenant_id,
            conversation_id=recipient.channel.conversation_id if recipient.channel else None,
            user_id=recipient.identity.teams_user_id,
            session_id=session.id,
            payload=payload,
            notify_ref=Notify.DIGEST_CARD.ref(copy_number),
            priority=Priority.BULK,
        ) for copy_number, recipient in enumerate(recipients)]

    async def on_digest_delivered(self, delivered: Delivered) -> None:
        """A digest card reached Teams. Flags that joined it while it was being sent replaced
        the queued payload too late for this send: the card is updated in place with it."""
        item = await self.store.digest_item(delivered.outbox_id)
        if (item is None or not delivered.conversation_id or not delivered.activity_id
                or json.loads(json.dumps(delivered.payload)) == item.payload):
            return
        await self.store.enqueue(replace(
            item, dedupe_key=f"{item.dedupe_key}:update:redraw:{delivered.outbox_id}",
            conversation_id=delivered.conversation_id, user_id=None, operation="update",
            target_activity_id=delivered.activity_id, notify_ref=None), self.clock())
        self._wake()

    async def show(self, flag_id: int, person: Person, *, conversation_id: str,
                   service_url: str, tenant_id: str | None, request_id: str) -> str:
        """A digest entry was clicked: queue that flag's own card, with its actions, to the
        clicker's conversation (tracked like any copy, so later actions update it too).
        Returns what to tell the clicker."""
        view = await self.store.flag_view(flag_id)
        if view is None or await self._refusal(view, person) is not None:
            return "That flag is not available to you."
        session = await self.store.get_session(view.session_id)
        assert session is not None
        content = self.content_of(view, session_title=session.title)
        await self.store.add_flag_cards(flag_id, [to_user(
            key=f"flag:{flag_id}:shown:{request_id}", service_url=service_url,
            tenant_id=tenant_id, conversation_id=conversation_id, session_id=session.id,
            payload=card_activity(self.cards.flag_card(content), summary="A flagged message"),
            notify_ref=Notify.FLAG_CARD.ref(flag_id),
        )], self.clock())
        self._wake()
        return "The flag's card is on its way to this chat."

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

    def content_of(self, view: FlagView, *, notice: str | None = None,
                   session_title: str | None = None) -> FlagCardContent:
        text = view.message_text or ""
        return FlagCardContent(
            flag_id=view.id,
            kind=view.kind,
            sent_at=view.message_received_at or view.created_at,
            author_name=view.author.display_name if view.author else None,
            author_pseudonym=view.author_pseudonym,
            segments=segments_of(text, view.findings) if text else [Segment("(text not kept)")],
            reasons=reasons_of(view.findings),
            safeguarding_level=view.level,
            safeguarding_reason=view.reason,
            status=view.status,
            history=[HistoryEntry(a.action, a.actor, a.at, a.outcome) for a in view.actions],
            hide_available=self.hide_available,
            edited=view.message_edited,
            hidden=view.message_hidden_at is not None,
            deleted=view.message_deleted_at is not None,
            notice=notice,
            session_title=session_title,
        )

    # ---- automatic responses ----------------------------------------------------------------

    def consent_nudge(self) -> dict[str, Any]:
        return card_activity(self.cards.notice_card("Your messages are not being kept yet",
                                               CONSENT_NUDGE), summary="Consent")

    async def auto_response_items(
        self, session: Session, *, message_id: int, author: Identity | None, identifying: bool,
        safeguarding: bool, reminded_sessions: set[str],
    ) -> list[OutboxItem]:
        """The study's automatic response to a flag: nothing, a group reminder, or a note.

        Never for safeguarding (nothing about it goes to the group or back to the author).
        Group reminders are rate-limited per session through the store, so instances agree.
        """
        mode = self.study.auto_response
        if mode == "none" or not identifying or safeguarding:
            return []
        if mode == "private_note":
            if author is None:
                return []
            return [to_user(
                key=f"session:{session.id}:auto_note:m{message_id}",
                service_url=session.service_url, tenant_id=session.tenant_id,
                user_id=author.teams_user_id, session_id=session.id,
                payload=card_activity(self.cards.notice_card(PRIVATE_NOTE_TITLE, PRIVATE_NOTE),
                                      summary=PRIVATE_NOTE_TITLE),
            )]
        interval = self.study.auto_response_min_interval_minutes * 60
        if session.id in reminded_sessions:
            return []
        now = self.clock()
        if interval > 0:
            last = await self.store.last_queued_at(f"session:{session.id}:auto_reminder:")
            if last is not None and (now - last).total_seconds() < interval:
                return []
            key = f"auto_reminder:b{int(now.timestamp() // interval)}"
        else:
            key = f"auto_reminder:m{message_id}"
        reminded_sessions.add(session.id)
        return [to_session_chat(session, key,
                                card_activity(self.cards.confidentiality_reminder_card(self.study)))]

    # ---- facilitator actions ----------------------------------------------------------------

    async def act(
        self, verb: str, flag_id: int, person: Person, *, request_id: str,
        clicked_in: str | None,
    ) -> ActionResult:
        """The actor must facilitate the flag's own session: its meeting's role counts (from a
        card in a 1:1 chat and from the console alike), never the meeting the click came from,
        which may be another session's."""
        action = ACTIONS[verb]
        view = await self.store.flag_view(flag_id)
        refused = await self._refusal(view, person)
        if refused is not None:
            return refused
        assert view is not None
        session = await self.store.get_session(view.session_id)
        assert session is not None
        actor = await self._actor_label(session, person)
        now = self.clock()
        status: str | None = None
        dismiss: bool | None = None
        hidden = False
        notice: str | None = None
        outcome: str | None = None
        if action == "remind":
            if session.live:
                await self.store.enqueue(to_session_chat(
                    session, f"flag:{flag_id}:remind:{request_id}",
                    card_activity(self.cards.confidentiality_reminder_card(self.study)),
                ), now)
                outcome = "Reminder posted to the group (it does not quote the message)"
            else:
                outcome = "The session has ended, so no reminder was posted"
        elif action == "hide":
            outcome, hidden = await self._hide(session, view)
            if not hidden:
                notice = outcome
        elif action == "redact":
            status, dismiss = "redact", False
        elif action == "dismiss":
            status, dismiss = "dismissed", True
        elif action == "escalate":
            status = "escalated"
        await self.store.record_flag_action(
            flag_id, action=action, actor=actor, outcome=outcome, at=now, status=status,
            dismiss_findings=dismiss, hidden=hidden,
        )
        log.info("flag action", extra={"flag_id": flag_id, "action": action,
                                       "ok": notice is None})
        view = await self.store.flag_view(flag_id)
        assert view is not None
        content = self.content_of(view, session_title=session.title)
        await self._update_copies(session, view, content, clicked_in)
        self._wake()
        return ActionResult(self.cards.flag_card(replace(content, notice=notice)))

    async def _actor_label(self, session: Session, person: Person) -> str:
        """The facilitator's pseudonym in the flag's session (never a name)."""
        participant = await self.store.participant_for(
            session.id, person, "facilitator", self.clock(),
        )
        return participant.pseudonym

    async def _hide(self, session: Session, view: FlagView) -> tuple[str, bool]:
        if self.hider is None:
            return "Hiding messages is not set up for this bot", False
        if not view.message_activity_id:
            return "There is no Teams message to hide", False
        conditions = list(dict.fromkeys(
            CATEGORY_WORDS.get(f.category, f.category) for f in view.findings
        ))
        result = await self.hider.hide_message(
            session.conversation_id, view.message_activity_id, HIDE_POLICY_TIP,
            conditions=conditions or ["Identifying information"], tenant_id=session.tenant_id,
        )
        return result.reason, result.ok

    async def message_changed(self, session: Session, message_id: int, change: str) -> None:
        """The author deleted or restored a flagged message: every facilitator's copy of its
        flag cards is redrawn (the card says "The author has deleted this message")."""
        for flag_id in await self.store.flag_ids_for_message(message_id):
            view = await self.store.flag_view(flag_id)
            if view is not None:
                content = self.content_of(view, session_title=session.title)
                await self._update_copies(session, view, content, None, change=change)
        self._wake()

    async def on_card_delivered(self, delivered: Delivered) -> None:
        """The outbox delivered a copy of a flag card (`Notify.FLAG_CARD`): record where it
        is, so later changes can update it, and redraw it if it is already stale."""
        await self.store.flag_card_delivered(delivered.outbox_id,
                                             activity_id=delivered.activity_id,
                                             conversation_id=delivered.conversation_id)
        await self.card_delivered(int(delivered.key), delivered.payload,
                                  delivered.conversation_id)

    async def card_delivered(self, flag_id: int, delivered: dict[str, Any] | None,
                             conversation_id: str | None) -> None:
        """A copy of a flag card has just reached a facilitator. If the flag changed while
        that copy was on its way (another facilitator acted, the author deleted the message),
        the copy already shows an old state and no earlier update could reach it (it had no
        Teams id yet), so it is redrawn now."""
        if not conversation_id or not await self.store.flag_changed_since_created(flag_id):
            return  # the usual case: nothing happened to the flag while its card travelled
        view = await self.store.flag_view(flag_id)
        session = await self.store.get_session(view.session_id) if view else None
        if view is None or session is None:
            return
        content = self.content_of(view, session_title=session.title)
        if _card_of(delivered) == json.loads(json.dumps(self.cards.flag_card(content))):
            return  # (compared as stored: the outbox keeps payloads as JSON)
        await self._update_copies(session, view, content, None, change="on-delivery",
                                  only=conversation_id)
        self._wake()

    async def _update_copies(self, session: Session, view: FlagView,
                             content: FlagCardContent, clicked_in: str | None,
                             change: str | None = None, only: str | None = None) -> None:
        """Queue an update of each delivered copy (or of the copy in conversation `only`);
        `change` names what changed (default: the latest action), so that each change is
        sent once however often it is retried."""
        payload = card_activity(self.cards.flag_card(content), summary="Flag updated")
        change = change or str(len(view.actions))
        items: list[tuple[int, OutboxItem]] = []
        for ref in view.cards:
            if ref.digest:
                continue  # a digest lists many flags: one flag's card must not replace it
            if ref.conversation_id and ref.conversation_id == clicked_in:
                continue  # the clicker's copy is replaced by the invoke response
            if only is not None and ref.conversation_id != only:
                continue
            if ref.activity_id and ref.conversation_id:
                items.append((ref.outbox_id, OutboxItem(
                    dedupe_key=f"flag:{view.id}:card:{ref.id}:update:{change}",
                    service_url=ref.service_url or session.service_url,
                    tenant_id=ref.tenant_id or session.tenant_id,
                    conversation_id=ref.conversation_id,
                    session_id=session.id,
                    operation="update",
                    target_activity_id=ref.activity_id,
                    payload=payload,
                    priority=Priority.BULK,
                )))
            else:
                items.append((ref.outbox_id, OutboxItem(
                    dedupe_key="", service_url="", payload=payload,
                )))
        if items:
            await self.store.enqueue_flag_updates(view.id, items, self.clock())

    # ---- helpers for the clock-free parts ----------------------------------------------------

    def now(self) -> datetime:
        return self.clock()
