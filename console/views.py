"""What the console shows, as JSON-ready dicts: built from the same services and records the
flag cards are drawn from (FlagService.content_of), so the page and the card agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from services.flag_content import CATEGORY_WORDS, FlagCardContent
from services.flags import FlagService
from services.undelivered import Kind, counted
from store import RosterEntry, Session
from store.chat_records import FlagView
from study import Study

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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


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


def flag_view(content: FlagCardContent, hide_available: bool) -> dict[str, Any]:
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
        "author": content.author_name or content.author_pseudonym or "Unknown",
        "segments": [{"text": s.text, "category": CATEGORY_WORDS.get(s.category, s.category)
                      if s.category else None} for s in content.segments],
        "reasons": sorted({CATEGORY_WORDS.get(r.category, r.category) for r in content.reasons}),
        "status": content.status,
        "status_words": STATUS_WORDS.get(content.status, content.status.capitalize()),
        "hidden": content.hidden,
        "deleted": content.deleted,
        "history": [{"action": h.action, "actor": h.actor, "at": _iso(h.at),
                     "outcome": h.outcome} for h in content.history],
        "actions": actions,
    }


async def facilitator_state(
    store: ConsoleReads, flags: FlagService, session: Session, now: datetime,
    undelivered: dict[Kind, list[datetime]] | None = None,
) -> dict[str, Any]:
    """Everything a facilitator's console shows for one session; `undelivered`: the session's
    given-up outbox items by kind (`UndeliveredNotices.for_session`)."""
    items = []
    for flag_id in await store.console_flag_ids(session.id):
        view = await store.flag_view(flag_id)
        if view is not None:
            items.append(flag_view(flags.content_of(view, session_title=session.title),
                                   flags.hide_available))
    items.sort(key=lambda f: (not (f["urgent"] and f["status"] == "open"), -f["id"]))
    return {
        "role": "facilitator",
        "now": _iso(now),
        "session": session_view(session, await store.next_reminder_at(session.id)),
        "roster": roster_view(await store.roster(session.id)),
        "flags": items,
        "undelivered": undelivered_view(undelivered or {}),
        "transcript": {"available": False,
                       "words": "Not available: the bot does not fetch Teams transcripts. "
                                "Redact a downloaded transcript with the export tool."},
    }


def undelivered_view(kinds: dict[Kind, list[datetime]]) -> dict[str, Any]:
    """How many items could not be delivered to Teams, by kind; never their content."""
    count = sum(len(times) for times in kinds.values())
    words = (f"{count} item{'' if count == 1 else 's'} could not be delivered to Teams and "
             f"will not be retried ({counted(kinds)})." if count else "")
    return {"count": count, "words": words}


def session_view(session: Session, next_reminder: datetime | None) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "live": session.live,
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.ended_at),
        "next_reminder_at": _iso(next_reminder) if session.live else None,
    }


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
