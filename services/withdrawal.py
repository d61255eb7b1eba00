"""Withdrawal from the study: the window (compared in UTC, shown in the study's time zone),
the append-only record, and the cascade.

The information sheet promises: a participant may withdraw up to two weeks after the focus
group; then their chat responses are not used, and responses by others that mention them are
deleted. Here: the withdrawal is recorded once (withdrawing twice is harmless), the
participant's messages are left out of every export (see `export.exclusions`), and so are other
people's messages that refer to them (name, short form, handle, @mention, reply or quote);
borderline ones right after theirs ("she said…", "+1") wait for a facilitator's Exclude or
Keep on a review card in their 1:1, and are left out until kept. The facilitators are told
privately (pseudonym and counts only). A facilitator may revert a mistaken withdrawal within
the window. Refusals and withdrawals are audited; audit details
and stored reasons never carry names or AAD ids.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from export.build import SessionRedactor
from export.exclusions import references
from export.purge import redact_text
from services.card_port import CardPort
from services.clock import Clock
from services.messages import card_activity
from store import Participant, Session
from store.ports import WithdrawalServiceStore
from study import Study
from study.dates import DEFAULT_TIMEZONE, format_local, format_local_date

log = logging.getLogger(__name__)

RequestedBy = Literal["self", "facilitator"]
MAX_REASON = 500
REVIEW_DECISIONS = ("exclude", "keep")


class ReviewRefused(Exception):
    """A review decision or a revert that cannot be made; `message` says why (no names)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReviewItem:
    """A borderline message for the facilitator's 1:1 review card (never a group chat)."""

    review_id: int
    pseudonym: str  # who wrote it
    text: str
    decision: str


class WindowClosed(Exception):
    """The withdrawal window of the session has passed; `message` is the study's text."""

    def __init__(self, message: str, deadline: datetime) -> None:
        super().__init__(message)
        self.message = message
        self.deadline = deadline


@dataclass(frozen=True)
class WithdrawalOutcome:
    session: Session
    participant: Participant
    created: bool  # False: they had withdrawn already (nothing changed)
    excluded_messages: int
    mentions_flagged: int  # others' messages excluded because they refer to them
    borderline: int = 0  # borderline messages waiting for a facilitator's review


@dataclass(frozen=True)
class Candidate:
    """A session a Teams user took part in, and whether they can still withdraw from it."""

    session: Session
    participant: Participant
    open: bool
    already_withdrawn: bool
    deadline: datetime | None
    zone: str = DEFAULT_TIMEZONE  # the study's time zone, for what the participant reads

    def label(self) -> str:
        """How a participant recognises the session: its date (never its title: names)."""
        return f"The focus group on {format_local_date(self.session.started_at, self.zone)}"


def withdrawal_deadline(study: Study, session: Session) -> datetime | None:
    """None while the session is live: the window has not started yet."""
    if session.live or session.ended_at is None:
        return None
    return study.withdrawal_deadline_for(session.ended_at)


def window_open(study: Study, session: Session, now: datetime) -> bool:
    """Withdrawal is possible while live and up to (and at) the deadline, compared in UTC."""
    deadline = withdrawal_deadline(study, session)
    return deadline is None or now <= deadline


Notify = Callable[[Session, str, dict[str, Any]], Awaitable[int]]
ScreenerGet = Callable[[], Any]


class WithdrawalService:
    def __init__(
        self,
        store: WithdrawalServiceStore,
        study: Study,
        *,
        clock: Clock,
        notify_facilitators: Notify | None = None,
        cards: CardPort | None = None,
        screener: ScreenerGet | None = None,
        zone: str = DEFAULT_TIMEZONE,
    ) -> None:
        self.store = store
        self.study = study
        self.zone = zone  # STUDY_TIMEZONE: every time a person reads
        self.clock = clock
        self._notify = notify_facilitators
        self._cards = cards
        self._screener = screener

    # ---- which sessions --------------------------------------------------------------------

    async def candidates(self, teams_user_id: str, aad_object_id: str | None) -> list[Candidate]:
        """The sessions this Teams user took part in as a participant, newest first."""
        now = self.clock()
        found: list[Candidate] = []
        for link in await self.store.participants_for_user(teams_user_id, aad_object_id):
            if link.participant.role != "participant":
                continue
            session = await self.store.get_session(link.session_id)
            if session is None:
                continue
            withdrawn = {w.participant_id for w in await self.store.withdrawals_for(session.id)}
            found.append(Candidate(
                session=session,
                participant=link.participant,
                open=window_open(self.study, session, now),
                already_withdrawn=link.participant.id in withdrawn,
                deadline=withdrawal_deadline(self.study, session),
                zone=self.zone,
            ))
        return sorted(found, key=lambda c: c.session.started_at, reverse=True)

    def closed_message(self, deadline: datetime) -> str:
        return self.study.format_text("withdrawal_closed_message", withdrawal_deadline=deadline,
                                     zone=self.zone)

    # ---- recording ---------------------------------------------------------------------------

    async def withdraw(
        self,
        session: Session,
        participant: Participant,
        *,
        requested_by: RequestedBy,
        actor: str,
        reason: str | None = None,
    ) -> WithdrawalOutcome:
        """Record the withdrawal and run the cascade. Raises WindowClosed (after auditing)."""
        now = self.clock()
        session = await self.store.get_session(session.id) or session
        already = any(w.participant_id == participant.id
                      for w in await self.store.withdrawals_for(session.id))
        if not already and not window_open(self.study, session, now):
            deadline = withdrawal_deadline(self.study, session)
            assert deadline is not None
            await self.store.audit(
                actor=actor, action="withdrawal.refused", subject=f"session:{session.id}",
                at=now, details={"participant": participant.pseudonym,
                                 "requested_by": requested_by, "why": "window_closed",
                                 "deadline": deadline.isoformat()},
            )
            log.info("withdrawal refused", extra={"session_id": session.id})
            raise WindowClosed(self.closed_message(deadline), deadline)
        stored_reason = await self.redact_reason(session.id, reason) if reason else None
        record, created = await self.store.record_withdrawal(
            session_id=session.id, participant_id=participant.id, requested_by=requested_by,
            reason=stored_reason, at=now,
        )
        excluded, flagged, borderline = await self.cascade(session.id, participant.id, now)
        await self.store.audit(
            actor=actor,
            action="withdrawal" if created else "withdrawal.repeated",
            subject=f"session:{session.id}",
            at=now,
            details={"participant": participant.pseudonym, "requested_by": requested_by,
                     "withdrawal_id": record.id, "messages_excluded": excluded,
                     "mentions_excluded": flagged, "borderline_for_review": borderline,
                     "reason_given": bool(reason)},
        )
        outcome = WithdrawalOutcome(session, participant, created, excluded, flagged, borderline)
        if created:
            await self._tell_facilitators(outcome, requested_by)
        log.info("withdrawal recorded", extra={"session_id": session.id, "new_record": created,
                                               "excluded": excluded, "flagged": flagged})
        return outcome

    async def cascade(self, session_id: str, participant_id: str, now: datetime) -> tuple[
        int, int, int
    ]:
        """(their messages now excluded, others' messages excluded because they refer to
        them, borderline messages newly waiting for review). What refers to them is stored
        with its decision, so the exclusion outlives the purge of the names that found it."""
        source = await self.store.session_source(session_id)
        if source is None:
            return 0, 0, 0
        own = sum(1 for m in source.messages if m.participant_id == participant_id)
        found = references(source, participant_id)
        known = {r.message_id for reviews in source.reviews.values() for r in reviews
                 if r.participant_id == participant_id}
        await self.store.save_mention_reviews(
            session_id, participant_id,
            [(mid, kind, "pending" if kind == "borderline" else "exclude")
             for mid, kind in sorted(found.items())], now)
        definite = sum(1 for mid, kind in found.items()
                       if kind != "borderline" and mid not in known)
        pending = sum(1 for r in await self.store.mention_reviews(session_id)
                      if r.participant_id == participant_id and r.decision == "pending")
        return own, definite, pending

    # ---- the facilitator's review of borderline cases ------------------------------------

    async def review_items(self, session_id: str) -> list[ReviewItem]:
        """The borderline messages of the withdrawals in force, with their text: for the
        facilitator's 1:1 review card only. The cascade runs again first, so messages sent
        after a withdrawal during a live session are on the list too."""
        now = self.clock()
        for withdrawal in await self.store.withdrawals_for(session_id):
            await self.cascade(session_id, withdrawal.participant_id, now)
        source = await self.store.session_source(session_id)
        if source is None:
            return []
        by_id = {m.id: m for m in source.messages}
        items = []
        for message_id, reviews in sorted(source.reviews.items()):
            message = by_id.get(message_id)
            for review in reviews:
                if review.kind != "borderline" or message is None:
                    continue
                author = source.people.get(message.participant_id)
                text = message.text or (message.anonymised.text if message.anonymised else "")
                items.append(ReviewItem(review.id, author.pseudonym if author else "?",
                                        text, review.decision))
        return items

    async def decide(
        self, session: Session, review_id: int, decision: str, *, actor: str
    ) -> ReviewItem:
        """Record a facilitator's Exclude or Keep on a borderline message, and audit it
        (actor, session, message id and decision; never the text)."""
        if decision not in REVIEW_DECISIONS:
            raise ReviewRefused("Unknown decision.")
        review = await self.store.mention_review(review_id)
        if review is None or review.session_id != session.id or review.kind != "borderline":
            raise ReviewRefused("That item is not on this session's review list.")
        now = self.clock()
        await self.store.decide_mention_review(review_id, decision, actor, now)
        await self.store.audit(
            actor=actor, action="withdrawal.review", subject=f"session:{session.id}", at=now,
            details={"message_id": review.message_id, "decision": decision,
                     "review_id": review_id})
        log.info("mention review decided", extra={"session_id": session.id,
                                                  "decision": decision})
        item = next((i for i in await self.review_items(session.id) if i.review_id == review_id),
                    None)
        if item is None:
            raise ReviewRefused("That item is no longer on the review list.")
        return item

    async def revert(self, session: Session, participant: Participant, *, actor: str) -> bool:
        """Undo a withdrawal made by mistake, within the window only; audited. False if they
        had not withdrawn. Their messages, and others' referring to them, are exported again."""
        now = self.clock()
        session = await self.store.get_session(session.id) or session
        record = next((w for w in await self.store.withdrawals_for(session.id)
                       if w.participant_id == participant.id), None)
        if record is None:
            return False
        if not window_open(self.study, session, now):
            deadline = withdrawal_deadline(self.study, session)
            assert deadline is not None
            await self.store.audit(
                actor=actor, action="withdrawal.revert_refused", subject=f"session:{session.id}",
                at=now, details={"participant": participant.pseudonym, "why": "window_closed",
                                 "withdrawal_id": record.id})
            raise WindowClosed(
                f"The withdrawal window closed on {format_local(deadline, self.zone)}; the "
                "withdrawal stands.", deadline)
        reverted = await self.store.revert_withdrawal(record.id, session.id, actor, now)
        await self.store.audit(
            actor=actor, action="withdrawal.reverted", subject=f"session:{session.id}", at=now,
            details={"participant": participant.pseudonym, "withdrawal_id": record.id})
        log.info("withdrawal reverted", extra={"session_id": session.id})
        return reverted

    async def redact_reason(self, session_id: str, reason: str) -> str:
        """A facilitator's free-text reason, with names and identifying details replaced
        before it is stored (the withdrawals table is append-only)."""
        reason = " ".join(reason.split())[:MAX_REASON]
        source = await self.store.session_source(session_id)
        if source is None:
            return reason
        redactor = SessionRedactor(source)
        screener = await asyncio.to_thread(self._screener) if self._screener else None
        return await asyncio.to_thread(redact_text, reason, redactor, screener)

    async def _tell_facilitators(self, outcome: WithdrawalOutcome, requested_by: str) -> None:
        if self._notify is None or self._cards is None:  # a notice needs both
            return
        session = outcome.session
        how = "asked the bot" if requested_by == "self" else "was recorded by a facilitator"
        lines = [
            f"{outcome.participant.pseudonym} has withdrawn from the study ({how}) for the "
            f"focus group on {format_local(session.started_at, self.zone)}.",
            f"Their {outcome.excluded_messages} chat message(s) are left out of every export.",
        ]
        if outcome.mentions_flagged:
            lines.append(
                f"{outcome.mentions_flagged} message(s) by others refer to them (by name, "
                "@mention or reply): those are left out of every export too."
            )
        if outcome.borderline:
            lines.append(
                f"{outcome.borderline} message(s) right after theirs may refer to them: please "
                "review them on the card that follows before exporting (until then they are "
                "left out)."
            )
        card = self._cards.notice_card("Withdrawal recorded", " ".join(lines))
        await self._notify(session, f"withdrawal:{outcome.participant.id}",
                           card_activity(card, summary="Withdrawal recorded"))
        if outcome.borderline:
            await self.send_review_card(session, f"withdrawal:{outcome.participant.id}:review")

    async def send_review_card(self, session: Session, key: str) -> int:
        """The review list, to each facilitator's 1:1 (the text is never shown in the group).
        How many facilitators it was queued for."""
        if self._notify is None or self._cards is None:
            return 0
        items = await self.review_items(session.id)
        if not items:
            return 0
        card = self._cards.mention_review_card(
            session.id, [(i.review_id, i.pseudonym, i.text, i.decision) for i in items])
        return await self._notify(session, key,
                                  card_activity(card, summary="Withdrawal: messages to review"))
