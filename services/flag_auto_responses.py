"""The automatic responses to chat messages, decided by the study: a note to an author whose
message may identify someone, a reminder to the group, and the nudge to answer the consent card."""

from __future__ import annotations

from typing import Any

from services.flag_base import FlagServiceBase
from services.messages import card_activity, to_session_chat, to_user
from store import Identity, OutboxItem, Session

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


class FlagAutoResponses(FlagServiceBase):
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
