"""Reports made from a chat message's "..." menu (a message extension action): "Report to the
facilitators" and "Please remove my message from the research".

A report reaches the session's facilitators like a flag, through the same flag machinery (a
private card per recipient through the outbox, the same actions), and is kept as a labelled
outcome: a miss of screening when no flag covered the message, else a line added to the
existing flag (one card, not a second). The card says that a participant (or a facilitator)
reported the message, never who: the reporter is kept as a pseudonymous participant in the
outcome only. A removal request is its author's alone (checked on the server against the
message's author); it leaves the message out of every export and tells the facilitators
privately. Nothing is ever said in the group chat, and a repeated request records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.flag_actions import FlagActions
from services.flag_base import log
from services.flag_content import CONCERN_WORDS
from services.flag_delivery import FlagDelivery, Recipient
from services.messages import SESSION_DELETED, card_activity, to_user
from services.roles import Person
from store import Identity, OutboxItem, Session
from store.outcome_records import (
    ALREADY_FLAGGED,
    MISSED,
    REMOVAL_REQUESTED,
    REPORTED_FLAG_KIND,
    ChatMessageRef,
    FlagNote,
    NewOutcome,
    NewReportFlag,
)

REPORTED = REPORTED_FLAG_KIND
REPORT_ACTION = "report"  # its line in a flag's history
COVERING_KINDS = ("identifying", "safeguarding", "unscreened", REPORTED)

NOT_A_SESSION = ("This chat is not one of the study's focus group sessions, so nothing was "
                 "recorded. Use this on a message in the session's meeting chat.")
NO_MESSAGE = "Teams did not say which message this was. Nothing was recorded; please try again."
REPORTED_ANSWER = ("Thank you. The facilitators have been told privately: they see the "
                   "message and that someone in the session reported it, not who. Nothing was "
                   "posted in the meeting chat.")
ADDED_ANSWER = ("Thank you. The facilitators had already been told about this message; your "
                "report has been added to it (they do not see who reported it). Nothing was "
                "posted in the meeting chat.")
REPEAT_REPORT = ("You have already reported this message, and the facilitators have it. "
                 "Nothing more was recorded.")
NOT_YOURS = ("You can only ask to remove your own messages, so nothing was recorded. If "
             "someone else's message worries you, use 'Report to the facilitators' on it.")
REMOVED_ANSWER = ("Done. This message will be left out of the research: it will not appear in "
                  "any export, and the facilitators have been told privately. It is still "
                  "visible in the meeting chat; you can delete it there as well.")
NOT_KEPT_ANSWER = ("Done. The bot had not kept this message, so it is not in the research "
                   "record; your request has been noted and the facilitators told privately. "
                   "It is still visible in the meeting chat; you can delete it there as well.")
REPEAT_REMOVAL = ("You have already asked for this message to be removed from the research; "
                  "it will not appear in any export. Nothing more was recorded.")


@dataclass(frozen=True)
class ReportedMessage:
    """What a message action's invoke says about the message (its text is never read: the
    card shows only what the bot itself kept)."""

    teams_message_id: str
    author_aad_id: str | None  # messagePayload.from.user.id: the author's AAD object id


@dataclass(frozen=True)
class ReportAnswer:
    text: str  # for the person who asked, alone
    recorded: bool


class FlagReports(FlagDelivery, FlagActions):
    async def report_session(self, conversation_id: str) -> Session | None:
        """The session whose chat this is: the running one (or the one a breakout chat is
        linked to), else the chat's latest (a report may come after the meeting)."""
        return (await self.store.live_session(conversation_id)
                or await self.store.latest_session(conversation_id))

    async def refusal(self, action: str, conversation_id: str, person: Person,
                      message: ReportedMessage) -> str | None:
        """Why `person` may not use `action` ("report" or "remove") on this message, or None:
        checked before the dialog opens, and again when it is sent."""
        session = await self.report_session(conversation_id)
        if session is None:
            return NOT_A_SESSION
        if await self.store.session_purged(session.id):
            return SESSION_DELETED
        if not message.teams_message_id:
            return NO_MESSAGE
        if action == "remove":
            ref = await self.store.chat_message_ref(session.id, message.teams_message_id)
            if not _is_author(person, message, ref):
                return NOT_YOURS
        return None

    async def report_message(self, conversation_id: str, reporter: Person,
                             message: ReportedMessage, concern: str) -> ReportAnswer:
        """'Report to the facilitators': anyone in the session, about any message in it."""
        refused = await self.refusal("report", conversation_id, reporter, message)
        session = await self.report_session(conversation_id)
        if refused is not None or session is None:
            return ReportAnswer(refused or NOT_A_SESSION, False)
        concern = concern if concern in CONCERN_WORDS else "other"
        facilitator = await self.facilitators.is_facilitator_of(reporter, session)
        participant = await self.store.participant_for(
            session.id, _identity(reporter), "facilitator" if facilitator else "participant",
            self.clock())
        key = f"report:{session.id}:{message.teams_message_id}:{participant.id}"
        if await self.store.outcome_recorded(key):
            return ReportAnswer(REPEAT_REPORT, False)
        ref = await self.store.chat_message_ref(session.id, message.teams_message_id)
        existing = await self._covering_flag(ref)
        note = FlagNote(REPORT_ACTION, "A facilitator" if facilitator else "A participant",
                        CONCERN_WORDS[concern])
        outcome = NewOutcome(
            key=key, session_id=session.id, kind=ALREADY_FLAGGED if existing else MISSED,
            at=self.clock(), flag_id=existing, message_id=ref.message_id if ref else None,
            teams_message_id=message.teams_message_id, participant_id=participant.id,
            category=concern)
        result = await self.store.record_report(
            outcome, new_flag=None if existing else NewReportFlag(REPORTED, concern), note=note)
        if not result.recorded or result.flag_id is None:
            return ReportAnswer(REPEAT_REPORT, False)
        view = await self.store.flag_view(result.flag_id)
        assert view is not None
        content = self.content_of(view, session_title=session.title)
        self.log_report(outcome.kind, session.id)
        if existing is not None:
            await self._update_copies(session, view, content, None, change="reported")
            self._wake()
            return ReportAnswer(ADDED_ANSWER, True)
        recipients = await self.session_recipients(session)
        if recipients:  # else the flag waits for one, like any flag (`deliver_pending`)
            await self.store.add_flag_cards(
                result.flag_id, self.card_items(session, recipients, result.flag_id, content),
                self.clock())
            self._wake()
        return ReportAnswer(REPORTED_ANSWER, True)

    async def request_removal(self, conversation_id: str, author: Person,
                              message: ReportedMessage) -> ReportAnswer:
        """'Please remove my message from the research': its author's alone."""
        refused = await self.refusal("remove", conversation_id, author, message)
        session = await self.report_session(conversation_id)
        if refused is not None or session is None:
            return ReportAnswer(refused or NOT_A_SESSION, False)
        key = f"remove:{session.id}:{message.teams_message_id}"
        if await self.store.outcome_recorded(key):
            return ReportAnswer(REPEAT_REMOVAL, False)
        ref = await self.store.chat_message_ref(session.id, message.teams_message_id)
        if ref is not None:
            participant_id, pseudonym = ref.participant_id, ref.pseudonym
        else:
            facilitator = await self.facilitators.is_facilitator_of(author, session)
            participant = await self.store.participant_for(
                session.id, _identity(author), "facilitator" if facilitator else "participant",
                self.clock())
            participant_id, pseudonym = participant.id, participant.pseudonym
        notices = self._removal_notices(session, await self.session_recipients(session),
                                        key, pseudonym, kept=ref is not None)
        result = await self.store.record_report(NewOutcome(
            key=key, session_id=session.id, kind=REMOVAL_REQUESTED, at=self.clock(),
            flag_id=await self._covering_flag(ref), message_id=ref.message_id if ref else None,
            teams_message_id=message.teams_message_id, participant_id=participant_id),
            notices=notices)
        if not result.recorded:
            return ReportAnswer(REPEAT_REMOVAL, False)
        self.log_report(REMOVAL_REQUESTED, session.id)
        self._wake()
        return ReportAnswer(REMOVED_ANSWER if ref is not None else NOT_KEPT_ANSWER, True)

    async def session_recipients(self, session: Session) -> list[Recipient]:
        """The session's flag recipients, as the screening pipeline finds them."""
        roster = await self.store.roster(session.id)
        facilitators = [e.identity for e in roster
                        if e.participant.role == "facilitator" and e.identity]
        return await self.recipients(session, facilitators)

    def _removal_notices(self, session: Session, recipients: list[Recipient], key: str,
                         pseudonym: str, *, kept: bool) -> list[OutboxItem]:
        where = f" in {session.title}" if session.title else ""
        text = (f"{pseudonym} asked for one of their messages{where} to be left out of the "
                "research. It will not appear in any export"
                + ("." if kept else " (the bot had not kept it).")
                + " Nothing was said in the meeting chat.")
        payload = card_activity(self.cards.notice_card(
            "A message was removed from the research", text),
            summary="A message was removed from the research")
        return [to_user(
            key=f"{key}:notice:{number}",
            service_url=r.channel.service_url if r.channel else session.service_url,
            tenant_id=session.tenant_id,
            conversation_id=r.channel.conversation_id if r.channel else None,
            user_id=r.identity.teams_user_id, session_id=session.id, payload=payload,
        ) for number, r in enumerate(recipients)]

    async def _covering_flag(self, ref: ChatMessageRef | None) -> int | None:
        """The flag already raised for the stored message, if any (the first)."""
        if ref is None:
            return None
        for flag_id in await self.store.flag_ids_for_message(ref.message_id):
            view = await self.store.flag_view(flag_id)
            if view is not None and view.kind in COVERING_KINDS:
                return flag_id
        return None

    def log_report(self, kind: str, session_id: str) -> None:
        log.info("message reported", extra={"kind": kind, "session_id": session_id})


def _identity(person: Person) -> Identity:
    return Identity(person.teams_user_id, person.aad_object_id, person.display_name)


def _is_author(person: Person, message: ReportedMessage, ref: ChatMessageRef | None) -> bool:
    """Whether `person` (the invoking user) wrote the message: Teams names the author of a
    message action's message by AAD object id (`from.user.id`), the invoker by `from.id`
    and `from.aadObjectId`. When the bot kept the message, its stored author must match too."""
    mine = (person.aad_object_id or "").casefold()
    if not mine or (message.author_aad_id or "").casefold() != mine:
        return False
    if ref is None or (ref.teams_user_id is None and ref.aad_object_id is None):
        return True  # not kept, or its author's identity already purged
    return (ref.teams_user_id == person.teams_user_id
            or (ref.aad_object_id or "").casefold() == mine)
