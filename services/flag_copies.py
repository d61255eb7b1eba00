"""Keeping every delivered copy of a flag card current: after an action, when the author
deletes or restores the message, and when a copy arrives already stale."""

from __future__ import annotations

import json
from typing import Any

from outbound.outbox import Delivered
from services.flag_base import FlagServiceBase
from services.flag_content import FlagCardContent
from services.messages import card_activity, card_of
from store import OutboxItem, Priority, Session
from store.chat_records import FlagView


class FlagCopies(FlagServiceBase):
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
        if card_of(delivered) == json.loads(json.dumps(self.cards.flag_card(content))):
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
