"""Flag storms: past a threshold of flags a minute, a session's new flags are listed on one
digest card per facilitator (updated as flags join it) instead of a card each; a digest entry's
button sends that flag's own card to the clicker."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from outbound.outbox import Delivered, Notify
from services.flag_base import FlagServiceBase
from services.flag_content import FlagCardContent
from services.flag_delivery import Recipient
from services.messages import card_activity, to_user
from services.roles import Person
from store import OutboxItem, Priority, Session
from store.records import DIGEST_KEY_PREFIX

SHOW_VERB = "flag.show"  # a digest entry's button: send that flag's own card to the clicker
DIGEST_WINDOW = timedelta(minutes=1)
DIGEST_DRAWN = 12  # the newest entries drawn on a digest card; the rest are only counted


@dataclass
class DigestDraft:
    """A digest card being drawn in one batch: how many flags it holds and the newest of
    them (a storm's card is redrawn with each flag that joins it, so drawing every entry
    each time would cost the square of the storm)."""

    total: int = 0
    newest: list[FlagCardContent] = field(default_factory=list)

    def add(self, content: FlagCardContent) -> None:
        self.total += 1
        self.newest = [*self.newest, content][-DIGEST_DRAWN:]


class FlagDigests(FlagServiceBase):
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
        listed: dict[str, DigestDraft],
    ) -> list[OutboxItem]:
        """The digest card of this minute, one copy per recipient, now listing `content` too.

        `listed` carries the entries drawn so far in this batch (by digest), so that several
        flags stored together each queue the card with every entry before them. The key is
        made of row ids only (session, minute, copy number): a key never carries identity."""
        minute = int(self.clock().timestamp() // DIGEST_WINDOW.total_seconds())
        prefix = f"{DIGEST_KEY_PREFIX}{session.id}:{minute}:copy:"
        if prefix not in listed:
            draft = listed[prefix] = DigestDraft()
            already = await self.store.digest_flag_ids(f"{prefix}0")
            draft.total = len(already)
            drawn = self._digest_entries.get(prefix, {})
            for flag_id in already[-DIGEST_DRAWN:]:
                entry = drawn.get(flag_id)
                if entry is None:  # drawn by another instance, or before a restart
                    view = await self.store.flag_view(flag_id)
                    entry = self.content_of(view) if view is not None else None
                if entry is not None:
                    draft.newest.append(entry)
        draft = listed[prefix]
        draft.add(content)
        minute_suffix = f":{minute}:copy:"
        self._digest_entries = {
            key: entries for key, entries in self._digest_entries.items()
            if key.endswith(minute_suffix) and key != prefix
        }
        self._digest_entries[prefix] = {entry.flag_id: entry for entry in draft.newest}
        payload = card_activity(
            self.cards.digest_card(draft.newest, session.title, total=draft.total),
            summary=f"{draft.total} messages flagged")
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
