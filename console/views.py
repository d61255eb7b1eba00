"""What the console shows, as JSON-ready dicts: built from the same services and records the
flag cards are drawn from (FlagService.content_of), so the page and the card agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.flag_content import CATEGORY_WORDS, FlagCardContent
from services.flags import FlagService
from services.transcripts import (
    GAVE_UP_STATE,
    NO_MEETING,
    NO_MEETING_STATE,
    NOT_SIGNED_IN,
    NOT_SIGNED_IN_STATE,
    REFUSED,
    REFUSED_STATE,
    gave_up_words,
)
from services.undelivered import Kind, counted
from store import RosterEntry, Session
from store.chat_records import FlagView
from store.records import StoredTranscript, TranscriptFetchStatus
from study import Study
from study.dates import DEFAULT_TIMEZONE, as_utc, format_local, format_local_clock

ACTION_LABELS = {
    "flag.remind": "Remind group",
    "flag.hide": "Hide from chat",
    "flag.redact": "Redact in export",
    "flag.dismiss": "Not identifying",
    "flag.escalate": "Escalate",
}
STATUS_WORDS = {
    "open": "Open",
    "redact": "Will be redacted in the export",
    "escalated": "Escalated",
    "dismissed": "Not identifying",
}
CONSENT_WORDS = {"accepted": "Consented", "declined": "Declined", None: "Not yet answered"}


class ConsoleReads(Protocol):
    """The store reads the console needs beyond the services' ports."""

    async def roster(self, session_id: str) -> list[RosterEntry]: ...
    async def flag_view(self, flag_id: int) -> FlagView | None: ...
    async def console_flag_ids(self, session_id: str, limit: int = 100) -> list[int]: ...
    async def next_reminder_at(self, session_id: str) -> datetime | None: ...
    async def console_fingerprint(self, session_id: str) -> tuple[Any, ...]: ...
    async def transcript_fetch(self, session_id: str) -> TranscriptFetchStatus | None: ...
    async def transcript(self, session_id: str) -> StoredTranscript | None: ...


@dataclass(frozen=True)
class Readout:
    """How the console writes for people: times in the study's zone (STUDY_TIMEZONE), and
    the transcript fetch as configured (TRANSCRIPT_FETCH_ENABLED, TRANSCRIPT_FETCH_HOURS)."""

    zone: str = DEFAULT_TIMEZONE
    transcript_fetch_enabled: bool = False
    transcript_fetch_hours: float = 6.0

    def when(self, value: datetime | None) -> str | None:
        """'Friday 29 November 2026, 14:05' in the study's zone (machine fields stay ISO)."""
        return format_local(value, self.zone) if value is not None else None


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC, for machines (the page computes durations from these)."""
    return as_utc(value).isoformat() if value is not None else None


def consent_word(entry: RosterEntry) -> tuple[str, str]:
    if entry.participant.role == "facilitator":
        return "facilitator", "Facilitator: no consent needed"
    decision = entry.consent.decision if entry.consent else None
    key = decision if decision in ("accepted", "declined") else "none"
    return key, CONSENT_WORDS.get(decision, CONSENT_WORDS[None])


def roster_view(entries: list[RosterEntry]) -> list[dict[str, Any]]:
    people = []
    for entry in entries:
        key, words = consent_word(entry)
        name = entry.identity.display_name if entry.identity else None
        people.append({
            "pseudonym": entry.participant.pseudonym,
            "name": name or entry.participant.pseudonym,
            "role": entry.participant.role,
            "consent": key,
            "consent_words": words,
        })
    return people


def flag_view(content: FlagCardContent, hide_available: bool,
              readout: Readout = Readout()) -> dict[str, Any]:
    urgent = content.kind == "safeguarding"
    actions = [{"verb": verb, "label": label} for verb, label in ACTION_LABELS.items()
               if verb != "flag.hide" or hide_available]
    return {
        "id": content.flag_id,
        "kind": content.kind,
        "urgent": urgent,
        "headline": ("Urgent: possible safeguarding concern" if urgent
                     else "Possibly identifying message"),
        "sent_at": _iso(content.sent_at),
        "sent_at_words": readout.when(content.sent_at),
        "author": content.author_name or content.author_pseudonym or "Unknown",
        "segments": [{"text": s.text, "category": CATEGORY_WORDS.get(s.category, s.category)
                      if s.category else None} for s in content.segments],
        "reasons": sorted({CATEGORY_WORDS.get(r.category, r.category) for r in content.reasons}),
        "status": content.status,
        "status_words": STATUS_WORDS.get(content.status, content.status.capitalize()),
        "hidden": content.hidden,
        "deleted": content.deleted,
        "history": [{"action": h.action, "actor": h.actor, "at": _iso(h.at),
                     "at_words": readout.when(h.at), "outcome": h.outcome}
                    for h in content.history],
        "actions": actions,
    }


async def facilitator_state(
    store: ConsoleReads, flags: FlagService, session: Session, now: datetime,
    readout: Readout = Readout(),
    undelivered: dict[Kind, list[datetime]] | None = None,
) -> dict[str, Any]:
    """Everything a facilitator's console shows for one session; `undelivered`: the session's
    given-up outbox items by kind (`UndeliveredNotices.for_session`)."""
    items = []
    for flag_id in await store.console_flag_ids(session.id):
        view = await store.flag_view(flag_id)
        if view is not None:
            items.append(flag_view(flags.content_of(view, session_title=session.title),
                                   flags.hide_available, readout))
    items.sort(key=lambda f: (not (f["urgent"] and f["status"] == "open"), -f["id"]))
    return {
        "role": "facilitator",
        "now": _iso(now),
        "session": session_view(session, await store.next_reminder_at(session.id), readout),
        "roster": roster_view(await store.roster(session.id)),
        "flags": items,
        "undelivered": undelivered_view(undelivered or {}),
        "transcript": transcript_view(session, await store.transcript_fetch(session.id),
                                      await store.transcript(session.id), readout),
    }


def undelivered_view(kinds: dict[Kind, list[datetime]]) -> dict[str, Any]:
    """How many items could not be delivered to Teams, by kind; never their content."""
    count = sum(len(times) for times in kinds.values())
    words = (f"{count} item{'' if count == 1 else 's'} could not be delivered to Teams and "
             f"will not be retried ({counted(kinds)})." if count else "")
    return {"count": count, "words": words}


def session_view(session: Session, next_reminder: datetime | None,
                 readout: Readout = Readout()) -> dict[str, Any]:
    next_at = next_reminder if session.live else None
    return {
        "id": session.id,
        "title": session.title,
        "live": session.live,
        "started_at": _iso(session.started_at),
        "started_at_words": readout.when(session.started_at),
        "ended_at": _iso(session.ended_at),
        "ended_at_words": readout.when(session.ended_at),
        "next_reminder_at": _iso(next_at),
        # the clock alone: the reminder is minutes away, on the day the page already shows
        "next_reminder_words": (format_local_clock(next_at, readout.zone)
                                if next_at is not None else None),
    }


ENABLE_FETCH = (
    "To turn it on, set TRANSCRIPT_FETCH_ENABLED=true in the bot's settings and restart it "
    "(the app also needs the Microsoft Graph permission OnlineMeetingTranscript.Read.Chat); "
    "it then fetches the transcript of each meeting that ends afterwards. Meanwhile, download "
    "the transcript from the meeting's Recap and run 'python -m export redact-transcript'."
)


def transcript_view(session: Session, fetch: TranscriptFetchStatus | None,
                    kept: StoredTranscript | None, readout: Readout = Readout()) -> dict[str, Any]:
    """Where the meeting transcript stands, in plain words, with machine fields (ISO UTC)
    beside them. `state`: ready, off, after_meeting, not_meeting, waiting_for_meeting_end,
    polling, refused, no_sign_in, no_meeting, gave_up, failed, gone."""
    command = f"export transcript {session.id[:8]}"
    view: dict[str, Any] = {"available": False, "export_command": None}
    if kept is not None:
        counts = ", ".join(f"{n} {category}" for category, n in sorted(kept.counts.items()))
        return {
            **view, "state": "ready", "available": True, "export_command": command,
            "counts": dict(kept.counts), "fetched_at": _iso(kept.created_at),
            "words": (f"Ready: fetched and redacted on {readout.when(kept.created_at)}; only "
                      f"the redacted copy is kept. Redactions: {counts or 'none'}. Download it "
                      f"with the 'Redacted transcript (.docx)' button, or send the bot "
                      f"'{command}' in your 1:1 chat with it."),
        }
    if fetch is None:
        if not readout.transcript_fetch_enabled:
            return {**view, "state": "off",
                    "words": "Not fetched: fetching meeting transcripts is turned off. "
                             + ENABLE_FETCH}
        if session.live:
            return {**view, "state": "after_meeting",
                    "words": "The bot fetches the meeting's transcript from Teams by itself "
                             "after the meeting ends."}
        if not session.meeting_id:
            return {**view, "state": "not_meeting",
                    "words": "No transcript: this session ran in a chat, not in a Teams "
                             "meeting, so there is no meeting transcript to fetch."}
        return {**view, "state": "waiting_for_meeting_end",
                "words": "Waiting for the meeting to end: the session has ended, and the bot "
                         "starts fetching the transcript when Teams reports that the meeting "
                         "itself has ended."}
    if fetch.state == "pending":
        since = fetch.give_up_at - timedelta(hours=readout.transcript_fetch_hours)
        tries = "no check yet" if fetch.attempts == 0 else (
            f"{fetch.attempts} check{'s' if fetch.attempts != 1 else ''} so far")
        return {
            **view, "state": "polling", "since": _iso(since),
            "next_attempt_at": _iso(fetch.next_attempt_at), "until": _iso(fetch.give_up_at),
            "words": (f"Waiting for Teams to publish the transcript: the bot has been asking "
                      f"since {readout.when(since)} ({tries}). Next check "
                      f"{readout.when(fetch.next_attempt_at)}; it stops trying at "
                      f"{readout.when(fetch.give_up_at)}."),
        }
    reasons = {
        REFUSED_STATE: f"Refused by Microsoft Graph. {REFUSED}",
        NOT_SIGNED_IN_STATE: f"Not fetched. {NOT_SIGNED_IN}",
        NO_MEETING_STATE: f"Not fetched. {NO_MEETING}",
        GAVE_UP_STATE: "Gave up. " + gave_up_words(readout.transcript_fetch_hours),
        "done": "The transcript was fetched but is no longer kept (the study's data has been "
                "purged).",
    }
    state = fetch.state if fetch.state in reasons else "failed"
    return {**view, "state": "gone" if state == "done" else state,
            "words": reasons.get(state, "Not fetched: the session's data was no longer there "
                                        "when the transcript was fetched.")}


def participant_state(study: Study, session: Session | None,
                      entry: RosterEntry | None) -> dict[str, Any]:
    """A participant's view: their own consent status and the information sheet, nothing else."""
    consent = consent_word(entry) if entry else ("none", CONSENT_WORDS[None])
    return {
        "role": "participant",
        "session": {"live": session.live} if session else None,
        "consent": consent[0],
        "consent_words": consent[1],
        "information_sheet": {
            "title": study.title,
            "sections": [{"heading": s.heading, "paragraphs": list(s.paragraphs)}
                         for s in study.sections],
            "contact_email": study.contact_email,
        },
    }
