"""The store's ports: one `typing.Protocol` per role, so that a service or a handler names only
the part of persistence it uses, and a test can hand it a small fake.

`store.Store` (store/sql_store.py) implements every port on one SQLAlchemy engine; each role's
implementation is its own module (store/sql_*.py, named in each port's docstring). The
combinations at the end are what one service needs where it uses several roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from store.chat_records import FlagView, ScanJob, ScanOutcome, StoredMessage
from store.data_life import (
    LinkedParticipant,
    MentionReview,
    PurgeRun,
    SessionSource,
    WithdrawalRecord,
)
from store.outcome_records import (
    ChatMessageRef,
    FlagNote,
    LabelledOutcome,
    NewOutcome,
    NewReportFlag,
    RecordedReport,
)
from store.records import (
    ConsentEvent,
    Decision,
    DueReminder,
    FacilitatorChannel,
    Identity,
    LeasedItem,
    NewSession,
    OutboxItem,
    Participant,
    Role,
    RosterEntry,
    Session,
    StateItem,
    StoredTranscript,
    TranscriptFetch,
    TranscriptFetchStatus,
    UndeliveredItem,
)


class SessionStore(Protocol):
    """Sessions and their reminders (store/sql_sessions.py)."""

    async def start_session(self, new: NewSession) -> tuple[Session, bool]: ...
    async def get_session(self, session_id: str) -> Session | None: ...
    async def live_session(self, conversation_id: str) -> Session | None: ...
    async def link_conversation(self, conversation_id: str, session_id: str,
                                at: datetime) -> None: ...
    async def latest_session(self, conversation_id: str) -> Session | None: ...
    async def list_sessions(self) -> list[Session]: ...
    async def end_session(self, session_id: str, at: datetime) -> bool: ...
    async def set_consent_activity(self, session_id: str, activity_id: str) -> None: ...
    async def schedule_reminder(self, session_id: str, kind: str, due_at: datetime) -> None: ...
    async def due_reminders(self, now: datetime, limit: int = 50) -> list[DueReminder]: ...
    async def claim_reminder(
        self, reminder: DueReminder, *, worker: str, now: datetime, send: OutboxItem | None,
        next_due_at: datetime | None,
    ) -> bool: ...


class ParticipantStore(Protocol):
    """Participants, their Teams identities and roles, and facilitators' private channels
    (store/sql_participants.py)."""

    async def participant_for(
        self, session_id: str, identity: Identity, role: Role, at: datetime
    ) -> Participant: ...
    async def roster(self, session_id: str) -> list[RosterEntry]: ...
    async def promote_to_facilitator(self, participant_id: str) -> Participant | None: ...
    async def mark_consent_nudged(self, participant_id: str, at: datetime) -> bool: ...
    async def is_live_facilitator(self, teams_user_id: str) -> bool: ...
    async def facilitated_any_session(self, teams_user_id: str) -> bool: ...
    async def session_role(self, session_id: str, teams_user_id: str) -> str | None: ...
    async def save_facilitator_channel(self, channel: FacilitatorChannel) -> None: ...
    async def facilitator_channel(self, teams_user_id: str) -> FacilitatorChannel | None: ...
    async def facilitator_channels(self) -> list[FacilitatorChannel]: ...


class ConsentStore(Protocol):
    """Consent answers, append-only (store/sql_consent.py)."""

    async def record_consent(
        self, *, session_id: str, participant_id: str, decision: Decision, form_version: str,
        content_hash: str, answers: dict[str, bool], at: datetime, activity_id: str | None = None,
    ) -> ConsentEvent: ...
    async def latest_consent(
        self, session_id: str, participant_id: str
    ) -> ConsentEvent | None: ...


class MessageStore(Protocol):
    """Chat messages and their scans (store/sql_messages.py)."""

    async def record_chat_message(
        self, *, session_id: str, participant_id: str, activity_id: str, text: str,
        mentions: list[Any] | None, at: datetime, consent_required: bool,
        reply_to_id: str | None = None,
    ) -> StoredMessage: ...
    async def edit_chat_message(
        self, *, session_id: str, activity_id: str, text: str, at: datetime
    ) -> int | None: ...
    async def mark_chat_message_deleted(
        self, *, session_id: str, activity_id: str, at: datetime
    ) -> int | None: ...
    async def mark_chat_message_restored(
        self, *, session_id: str, activity_id: str, at: datetime
    ) -> int | None: ...
    async def claim_unscanned(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int = 32,
        ids: Sequence[int] | None = None,
    ) -> list[ScanJob]: ...
    async def release_scan(
        self, message_id: int, *, owner: str, not_before: datetime | None = None
    ) -> None: ...
    async def reserve_flag_ids(self, count: int) -> list[int]: ...
    async def save_scans(
        self, outcomes: Sequence[ScanOutcome], *, owner: str, now: datetime
    ) -> list[ScanOutcome]: ...


class FlagStore(Protocol):
    """Flags: read whole, acted on, their cards tracked and updated (store/sql_flags.py)."""

    async def flag_card_delivered(
        self, outbox_id: int, *, activity_id: str | None, conversation_id: str | None
    ) -> None: ...
    async def flag_changed_since_created(self, flag_id: int) -> bool: ...
    async def flag_ids_for_message(self, message_id: int) -> list[int]: ...
    async def flag_view(self, flag_id: int) -> FlagView | None: ...
    async def record_flag_action(
        self, flag_id: int, *, action: str, actor: str, outcome: str | None, at: datetime,
        status: str | None = None, dismiss_findings: bool | None = None, hidden: bool = False,
        label: str | None = None,
    ) -> None: ...
    async def enqueue_flag_updates(
        self, flag_id: int, items: Sequence[tuple[int, OutboxItem]], now: datetime
    ) -> int: ...
    async def undelivered_flags(self, session_id: str | None = None) -> list[tuple[int, str]]: ...
    async def add_flag_cards(self, flag_id: int, items: Sequence[OutboxItem],
                             now: datetime) -> int: ...
    async def recent_flag_count(self, session_id: str, since: datetime) -> int: ...
    async def waiting_safeguarding_flags(
        self, raised_before: datetime) -> list[tuple[int, str]]: ...
    async def digest_flag_ids(self, dedupe_key: str) -> list[int]: ...
    async def digest_item(self, outbox_id: int) -> OutboxItem | None: ...


class OutcomeStore(Protocol):
    """Manual reports of chat messages and the labelled outcomes of flags and reports
    (store/sql_outcomes.py)."""

    async def chat_message_ref(self, session_id: str,
                               activity_id: str) -> ChatMessageRef | None: ...
    async def outcome_recorded(self, key: str) -> bool: ...
    async def record_report(
        self, outcome: NewOutcome, *, new_flag: NewReportFlag | None = None,
        note: FlagNote | None = None, notices: Sequence[OutboxItem] = (),
    ) -> RecordedReport: ...
    async def labelled_outcomes(
        self, session_id: str | None = None) -> list[LabelledOutcome]: ...
    async def undecided_flag_counts(self) -> dict[str, int]: ...


class OutboxStore(Protocol):
    """What is to be sent to Teams, leased to one worker at a time (store/sql_outbox.py)."""

    async def enqueue(self, item: OutboxItem, now: datetime) -> int: ...
    async def enqueue_many(self, items: Sequence[OutboxItem], now: datetime) -> list[int]: ...
    async def lease_outbox(
        self, *, owner: str, now: datetime, lease: timedelta, limit: int = 20
    ) -> list[LeasedItem]: ...
    async def outbox_sent(
        self, item_id: int, *, owner: str, at: datetime, activity_id: str | None,
        conversation_id: str | None,
    ) -> None: ...
    async def outbox_retry(
        self, item_id: int, *, owner: str, next_attempt_at: datetime, error: str,
        count_attempt: bool = True,
    ) -> None: ...
    async def outbox_release(self, item_ids: Sequence[int], *, owner: str) -> None: ...
    async def outbox_failed(self, item_id: int, *, owner: str, error: str) -> None: ...
    async def undelivered_outbox(
        self, session_id: str | None = None) -> list[UndeliveredItem]: ...
    async def last_queued_at(self, dedupe_prefix: str) -> datetime | None: ...


class UndeliveredStore(Protocol):
    """Outbox items given up on, and which of them facilitators have been told about
    (store/sql_undelivered.py)."""

    async def unreported_undelivered(self, limit: int = 500) -> list[UndeliveredItem]: ...
    async def report_undelivered(
        self, item_ids: Sequence[int], notices: Sequence[OutboxItem], now: datetime
    ) -> bool: ...
    async def undelivered_total(self) -> int: ...


class WithdrawalStore(Protocol):
    """Finding a person's participations; withdrawals (store/sql_withdrawals.py)."""

    async def participants_for_user(
        self, teams_user_id: str, aad_object_id: str | None
    ) -> list[LinkedParticipant]: ...
    async def participant_by_pseudonym(
        self, session_id: str, pseudonym: str
    ) -> Participant | None: ...
    async def participants_named(
        self, name: str, session_ids: Sequence[str] | None = None
    ) -> list[Participant]: ...
    async def withdrawals_for(self, session_id: str) -> list[WithdrawalRecord]: ...
    async def record_withdrawal(
        self, *, session_id: str, participant_id: str, requested_by: str, reason: str | None,
        at: datetime,
    ) -> tuple[WithdrawalRecord, bool]: ...


class MentionReviewStore(Protocol):
    """What refers to a withdrawn participant, decisions on it, reverts
    (store/sql_mention_reviews.py)."""

    async def save_mention_reviews(
        self, session_id: str, participant_id: str,
        found: Sequence[tuple[int, str, str]], at: datetime,
    ) -> int: ...
    async def mention_reviews(self, session_id: str) -> list[MentionReview]: ...
    async def mention_review(self, review_id: int) -> MentionReview | None: ...
    async def decide_mention_review(
        self, review_id: int, decision: str, actor: str, at: datetime
    ) -> MentionReview | None: ...
    async def revert_withdrawal(
        self, withdrawal_id: int, session_id: str, actor: str, at: datetime
    ) -> bool: ...


class ExportSource(Protocol):
    """The reads of an export or a retention check (store/sql_export.py)."""

    async def session_source(self, session_id: str) -> SessionSource | None: ...
    async def session_counts(self) -> dict[str, dict[str, int]]: ...


class PurgeStore(Protocol):
    """Purge runs and the removal of every link between people and what they said
    (store/sql_purge.py)."""

    async def begin_purge(self, at: datetime) -> PurgeRun: ...
    async def purge_step_done(
        self, run_id: int, step: str, at: datetime | None = None
    ) -> None: ...
    async def purge_runs(self) -> list[PurgeRun]: ...
    async def linking_identifiers(self) -> tuple[set[str], set[str]]: ...
    async def save_anonymised(
        self, *, message_id: int, session_id: str, text: str | None, removed_mentions: int,
        redactions: dict[str, int], at: datetime,
    ) -> None: ...
    async def set_session_title(self, session_id: str, title: str | None) -> None: ...
    async def scrub_identifiers(
        self, ids: Iterable[str], names: Iterable[str] = (), *, skip_tables: Sequence[str] = ()
    ) -> dict[str, int]: ...
    async def delete_linking_data(self) -> dict[str, int]: ...
    async def find_identifiers(
        self, ids: Iterable[str], names: Iterable[str] = (), words: Iterable[str] = ()
    ) -> dict[str, int]: ...
    async def find_identifiers_in_files(self, needles: Iterable[str]) -> dict[str, int]: ...
    async def compact(self) -> None: ...


class PurgedSessions(Protocol):
    """Whether a session's data has been purged (store/sql_purge.py): card actions on it must
    create nothing."""

    async def session_purged(self, session_id: str) -> bool: ...


class BotStateStore(Protocol):
    """Key-value state with eTags, backing botbuilder's `Storage` (store/sql_bot_state.py)."""

    async def state_read(self, keys: Iterable[str]) -> dict[str, StateItem]: ...
    async def state_write(
        self, key: str, data: dict[str, Any], expected_etag: str | None
    ) -> str: ...
    async def state_delete(self, keys: Iterable[str]) -> None: ...


class ActivityKeys(Protocol):
    """Keys of activities already processed, shared by instances (store/sql_bot_state.py)."""

    async def first_delivery(self, key: str, at: datetime) -> bool: ...
    async def forget_delivery(self, key: str) -> None: ...


class AuditLog(Protocol):
    """Who did what to whose data, append-only (store/sql_audit.py)."""

    async def audit(
        self, *, actor: str, action: str, subject: str | None, at: datetime,
        details: dict[str, Any] | None = None,
    ) -> None: ...


class TranscriptStore(Protocol):
    """Meeting transcripts: pending Graph fetches and the redacted result
    (store/sql_transcripts.py)."""

    async def schedule_transcript_fetch(
        self, session_id: str, meeting_id: str, service_url: str, tenant_id: str | None, *,
        first_attempt_at: datetime, give_up_at: datetime,
    ) -> bool: ...
    async def claim_transcript_fetches(
        self, now: datetime, lease: timedelta, limit: int = 5
    ) -> list[TranscriptFetch]: ...
    async def retry_transcript_fetch(self, session_id: str, next_attempt_at: datetime) -> None: ...
    async def finish_transcript_fetch(self, session_id: str, state: str) -> None: ...
    async def save_transcript(
        self, session_id: str, content: str, counts: dict[str, int], review: list[str],
        at: datetime,
    ) -> None: ...
    async def transcript(self, session_id: str) -> StoredTranscript | None: ...
    async def transcript_fetch(self, session_id: str) -> TranscriptFetchStatus | None: ...


# ---- combinations one service needs ---------------------------------------------------------


class DataLife(WithdrawalStore, ExportSource, PurgeStore, Protocol):
    """The data's life after the session: withdrawal, export reads, purge."""


class SessionServiceStore(SessionStore, ParticipantStore, OutboxStore, Protocol):
    """Running a session: its people, its reminders and what it posts (services/sessions.py)."""


class RosterStore(SessionStore, ParticipantStore, Protocol):
    """The roster's facilitators, recorded per session (services/roster.py)."""


class ConsentServiceStore(ConsentStore, ParticipantStore, Protocol):
    """Recording consent and reading who has answered (services/consent.py)."""


class FlagServiceStore(FlagStore, OutcomeStore, SessionStore, ParticipantStore, OutboxStore,
                       PurgedSessions, Protocol):
    """Flags, their recipients and their cards, and reports of messages (services/flags.py)."""


class ScreeningStore(MessageStore, SessionStore, ParticipantStore, Protocol):
    """Scanning stored messages with their session's roster (services/screening_pipeline.py)."""


class WithdrawalServiceStore(
    WithdrawalStore, MentionReviewStore, ExportSource, SessionStore, AuditLog, Protocol
):
    """Acting on a withdrawal and auditing it (services/withdrawal.py)."""


class ExportServiceStore(SessionStore, ExportSource, AuditLog, Protocol):
    """Exporting sessions and auditing it (export/service.py, export/transcript.py)."""


class PurgeServiceStore(SessionStore, DataLife, AuditLog, Protocol):
    """Purging the study's linking data and auditing it (export/purge.py)."""


class RetentionStore(PurgeServiceStore, ParticipantStore, OutboxStore, Protocol):
    """Deciding what is due for deletion, then purging it, and telling facilitators when it
    failed (services/retention.py)."""


class UndeliveredServiceStore(UndeliveredStore, OutboxStore, SessionStore, ParticipantStore,
                              Protocol):
    """What the undelivered-item notices need (services/undelivered.py)."""


class TranscriptServiceStore(TranscriptStore, SessionStore, ExportSource, AuditLog, Protocol):
    """Fetching, redacting and keeping a meeting's transcript (services/transcripts.py)."""
