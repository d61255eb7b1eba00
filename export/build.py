"""Build the anonymised export of one session from what the store holds.

`anonymise_session` is pure (no I/O): it takes a `SessionSource`, the study and a screener
(anything with `scan(text, roster=...)`), and decides for each message whether it is
exported (the rules are in `export.exclusions`) and what its anonymised text is. The same
function makes the copies purge keeps, so an export before purge and one after it are the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from export.exclusions import EXCLUSION_REASONS, message_exclusions, why_excluded
from export.redact import (
    PERSON,
    REMOVED,
    Span,
    apply_spans,
    mention_texts,
    merge_spans,
    name_spans,
    name_variants,
    pseudonym_spans,
)
from store.data_life import SessionSource, SourceMessage, SourcePerson
from study.dates import DEFAULT_TIMEZONE


class Unscreenable(Exception):
    """The screening engine failed on a text. Such text is withheld, never exported unchecked."""


def screened_spans(screener: ScreenerLike, text: str, roster: Any) -> list[Span]:
    """The engine's identifying spans in `text`; Unscreenable if the engine fails on it."""
    try:
        result = screener.scan(text, roster=roster)
    except Exception as exc:
        raise Unscreenable(type(exc).__name__) from exc
    return [Span(f.start, f.end, f.category) for f in result.findings]


class ScreenerLike(Protocol):
    def scan(self, text: str, roster: Any = ...) -> Any: ...


@dataclass(frozen=True)
class ExportLine:
    seq: int
    message_id: int
    at: datetime
    speaker: str
    role: str
    text: str
    edited: bool
    removed_mentions: int
    redactions: dict[str, int]


@dataclass
class SessionExport:
    """One session's anonymised chat and the header that explains it."""

    study_id: str
    study_title: str
    session_id: str
    session_date: str  # YYYY-MM-DD (UTC)
    started_at: datetime
    ended_at: datetime | None
    form_version: str
    generated_at: datetime
    lines: list[ExportLine] = field(default_factory=list)
    excluded: Counter[str] = field(default_factory=Counter)
    redactions: Counter[str] = field(default_factory=Counter)
    removed_mentions: int = 0
    messages_mentioning_withdrawn: int = 0
    borderline_kept: int = 0
    participants: int = 0
    withdrawn_participants: int = 0
    failed_formats: dict[str, str] = field(default_factory=dict)  # format -> one-line reason
    timezone: str = DEFAULT_TIMEZONE  # the wall clock of the human-readable parts

    @property
    def short_id(self) -> str:
        return self.session_id[:8]

    @property
    def file_stem(self) -> str:
        return f"focus-group_{self.session_date}_{self.short_id}"

    def header(self) -> dict[str, Any]:
        return {
            "study_id": self.study_id,
            "study": self.study_title,
            "session_id": self.session_id,
            "session_date": self.session_date,
            "form_version": self.form_version,
            "generated_at": self.generated_at.astimezone(UTC).isoformat(timespec="seconds"),
            "messages_included": len(self.lines),
            "messages_excluded": {k: self.excluded.get(k, 0) for k in EXCLUSION_REASONS},
            "mentions_of_withdrawn_participants_removed": self.removed_mentions,
            "messages_mentioning_withdrawn_participants": self.messages_mentioning_withdrawn,
            "borderline_references_kept": self.borderline_kept,
            "identifying_spans_replaced": dict(sorted(self.redactions.items())),
            "participants": self.participants,
            "withdrawn_participants": self.withdrawn_participants,
        }


@dataclass(frozen=True)
class Anonymised:
    text: str
    removed_mentions: int
    redactions: dict[str, int]



def in_export(person: SourcePerson) -> bool:
    """Whether this person's words can appear in exports (so their pseudonym means something
    to the reader): facilitators, and participants who consented and did not withdraw."""
    if person.withdrawn:
        return False
    return person.role == "facilitator" or person.consent == "accepted"


class SessionRedactor:
    """The names to look for in one session: everyone's (to replace), the withdrawn's (to
    remove), and which of them belong to exactly one person whose words are in the export
    (written as that person's pseudonym, so "agree with Toby" becomes "agree with P03")."""

    def __init__(self, source: SessionSource) -> None:
        self.roster = sorted({p.display_name for p in source.people.values() if p.display_name})
        self.names: set[str] = set()
        self.withdrawn_names: set[str] = set()
        self.withdrawn_user_ids: set[str] = set()
        owners: dict[str, set[str]] = {}  # casefolded name -> participant ids using it
        spelled: dict[str, set[str]] = {}  # casefolded name -> the spellings seen
        by_user_id: dict[str, SourcePerson] = {}

        def note(name: str, person: SourcePerson | None) -> None:
            key = name.casefold()
            spelled.setdefault(key, set()).add(name)
            owners.setdefault(key, set()).add(person.participant_id if person else "?")

        for person in source.people.values():
            variants = name_variants(person.display_name)
            self.names |= variants
            for variant in variants:
                note(variant, person)
            ids = {i.lower() for i in (person.teams_user_id, person.aad_object_id) if i}
            by_user_id.update(dict.fromkeys(ids, person))
            if person.withdrawn:
                self.withdrawn_names |= variants
                self.withdrawn_user_ids |= ids
        for message in source.messages:  # @mention texts are names too
            for user_id, text in mention_texts(message.mentions):
                if text and text.strip():
                    self.names.add(text.strip())
                    note(text.strip(), by_user_id.get(user_id.lower()))
                    if user_id.lower() in self.withdrawn_user_ids:
                        self.withdrawn_names.add(text.strip())
        self.pseudonyms: dict[str, str] = {}  # name -> pseudonym, for unambiguous names only
        for key, ids in owners.items():
            owner = source.people.get(next(iter(ids))) if len(ids) == 1 else None
            if owner is not None and in_export(owner):
                self.pseudonyms.update(dict.fromkeys(spelled[key], owner.pseudonym))

    def mentions_withdrawn(self, message: SourceMessage) -> bool:
        ids = {user_id.lower() for user_id, _ in mention_texts(message.mentions)}
        if ids & self.withdrawn_user_ids:
            return True
        return bool(message.text and name_spans(message.text, self.withdrawn_names, REMOVED))

    def anonymise(self, message: SourceMessage, screener: ScreenerLike | None) -> Anonymised:
        """The export text: every identifying span replaced by [CATEGORY], a name of someone
        whose words are in the export by their pseudonym, a withdrawn participant's by
        [REMOVED]."""
        if message.anonymised is not None:
            copy = message.anonymised
            return Anonymised(copy.text, copy.removed_mentions, dict(copy.redactions))
        text = message.text or ""
        spans: list[Span] = []
        dismissed: set[tuple[int, int, str]] = set()
        for stored in message.spans:
            if stored.dismissed:
                dismissed.add((stored.start, stored.end, stored.category))
            else:
                spans.append(Span(stored.start, stored.end, stored.category))
        if screener is not None and text:
            for span in screened_spans(screener, text, self.roster):
                if (span.start, span.end, span.label) not in dismissed:
                    spans.append(span)  # (a facilitator said a dismissed span is not identifying)
        spans += name_spans(text, self.withdrawn_names, REMOVED)
        spans += pseudonym_spans(text, self.pseudonyms)
        spans += name_spans(text, self.names, PERSON)
        merged = merge_spans(spans)
        counts = Counter(s.label for s in merged)
        return Anonymised(apply_spans(text, merged), counts.pop(REMOVED, 0), dict(counts))


def anonymise_session(
    source: SessionSource,
    *,
    study_id: str,
    study_title: str,
    screener: ScreenerLike | None,
    now: datetime,
    timezone: str = DEFAULT_TIMEZONE,
) -> SessionExport:
    redactor = SessionRedactor(source)
    export = SessionExport(
        study_id=study_id,
        study_title=study_title,
        session_id=source.session_id,
        session_date=source.started_at.astimezone(UTC).date().isoformat(),
        started_at=source.started_at,
        ended_at=source.ended_at,
        form_version=source.form_version,
        generated_at=now,
        participants=sum(1 for p in source.people.values() if p.role != "facilitator"),
        withdrawn_participants=sum(1 for p in source.people.values() if p.withdrawn),
        timezone=timezone,
    )
    excluded = message_exclusions(source)
    for message in source.messages:
        person = source.people.get(message.participant_id)
        reason = why_excluded(message, person, excluded)
        if reason is not None:
            export.excluded[reason] += 1
            continue
        assert person is not None
        if any(r.kind == "borderline" for r in source.reviews.get(message.id, [])):
            export.borderline_kept += 1
        try:
            result = redactor.anonymise(message, screener)
        except Unscreenable:
            export.excluded["unscreenable"] += 1
            continue
        mentions_withdrawn = result.removed_mentions > 0 or (
            message.anonymised is None and redactor.mentions_withdrawn(message)
        )
        export.lines.append(
            ExportLine(
                seq=len(export.lines) + 1,
                message_id=message.id,
                at=message.received_at,
                speaker=person.pseudonym,
                role=person.role,
                text=result.text,
                edited=message.edited_at is not None,
                removed_mentions=result.removed_mentions,
                redactions=result.redactions,
            )
        )
        export.redactions.update(result.redactions)
        export.removed_mentions += result.removed_mentions
        if mentions_withdrawn:
            export.messages_mentioning_withdrawn += 1
    return export
