"""Consent: record answers (append-only), read a participant's own answer, summarise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.clock import Clock
from store import ConsentEvent, Identity, Participant, Session
from store.ports import ConsentServiceStore
from store.records import Decision
from study import Study


class ConsentIncomplete(Exception):
    """'I consent' was pressed without every required statement ticked."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"{len(missing)} required statement(s) not ticked")
        self.missing = missing


class FormOutdated(Exception):
    """The card answered was made from another version of the study form."""


@dataclass(frozen=True)
class ConsentSummary:
    consented: list[str]
    declined: list[str]
    pending: list[str]


class ConsentService:
    def __init__(self, store: ConsentServiceStore, study: Study, *, clock: Clock) -> None:
        self.store = store
        self.study = study
        self.clock = clock

    def parse_answers(self, data: dict[str, object]) -> dict[str, bool]:
        """Each statement's tick from the card's inputs (`statement.<id>`: "true"/"false")."""
        answers: dict[str, bool] = {}
        for statement in self.study.consent_statements:
            value = data.get(f"statement.{statement.id}")
            answers[statement.id] = str(value).lower() == "true" or value is True
        return answers

    async def answer(
        self,
        session: Session,
        participant: Participant,
        decision: Decision,
        answers: dict[str, bool],
        form_version: str | None,
        activity_id: str | None = None,
    ) -> ConsentEvent:
        """Record the answer; `activity_id` (the invoke's) makes a replay record nothing."""
        if form_version and form_version != self.study.form_version:
            raise FormOutdated(form_version)
        if decision == "accepted":
            missing = [
                s.id for s in self.study.consent_statements if s.required and not answers.get(s.id)
            ]
            if missing:
                raise ConsentIncomplete(missing)
        return await self.store.record_consent(
            session_id=session.id,
            participant_id=participant.id,
            decision=decision,
            form_version=self.study.form_version,
            content_hash=self.study.content_hash,
            answers=answers,
            at=self.clock(),
            activity_id=activity_id,
        )

    async def current(self, session: Session, participant: Participant) -> ConsentEvent | None:
        return await self.store.latest_consent(session.id, participant.id)

    async def summary(self, session: Session, members: Sequence[Identity] = ()) -> ConsentSummary:
        """Participants by answer. `members`: the chat's members from Teams who are not its
        facilitators; those the bot has not seen yet (silent so far) are 'not yet'."""
        consented: list[str] = []
        declined: list[str] = []
        pending: list[str] = []
        entries = await self.store.roster(session.id)
        known = {e.identity.teams_user_id for e in entries if e.identity}
        for entry in entries:
            if entry.participant.role != "participant":
                continue
            name = (entry.identity.display_name if entry.identity else None) or (
                entry.participant.pseudonym
            )
            if entry.consent is None:
                pending.append(name)
            elif entry.consent.decision == "accepted":
                consented.append(name)
            else:
                declined.append(name)
        for member in members:
            if member.teams_user_id not in known:
                known.add(member.teams_user_id)
                pending.append(member.display_name or "A member without a name")
        return ConsentSummary(consented, declined, pending)
