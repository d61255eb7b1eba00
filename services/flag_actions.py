"""A facilitator's action on a flag (remind, hide, redact, dismiss, escalate): checked on the
server (the clicker must facilitate the flag's own session), recorded append-only with the
facilitator's pseudonym, applied, and then every facilitator's copy of the card is updated."""

from __future__ import annotations

from dataclasses import replace

from services.flag_base import ActionResult, log
from services.flag_content import CATEGORY_WORDS
from services.flag_copies import FlagCopies
from services.messages import card_activity, to_session_chat
from services.roles import Person
from store import Session
from store.chat_records import FlagView
from store.outcome_records import CONFIRMED, DISMISSED

HIDE_POLICY_TIP = (
    "A facilitator of this research focus group hid this message because it may identify "
    "someone. Please keep details general."
)

ACTIONS = {
    "flag.remind": "remind",
    "flag.hide": "hide",
    "flag.redact": "redact",
    "flag.dismiss": "dismiss",
    "flag.escalate": "escalate",
}


class FlagActions(FlagCopies):
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
        label: str | None = None  # a decision, kept as a labelled outcome
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
            status, dismiss, label = "redact", False, CONFIRMED
        elif action == "dismiss":
            status, dismiss, label = "dismissed", True, DISMISSED
        elif action == "escalate":
            status, label = "escalated", CONFIRMED
        await self.store.record_flag_action(
            flag_id, action=action, actor=actor, outcome=outcome, at=now, status=status,
            dismiss_findings=dismiss, hidden=hidden, label=label,
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
