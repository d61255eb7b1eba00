"""The meeting transcript, fetched from Microsoft Graph by itself after the meeting and kept
only redacted.

Teams publishes a transcript some minutes (sometimes hours) after a meeting ends, so meetingEnd
only queues a fetch (a store row with its next attempt time). A background loop claims due
fetches with a lease, as reminders are claimed, so a restart resumes the polling and two
instances never poll the same meeting. Each attempt resolves the meeting (its Graph id and
organiser, from the Bot Connector), lists the transcripts and downloads the first as WebVTT,
backing off (Graph's Retry-After when it gives one) until TRANSCRIPT_FETCH_HOURS have passed.
The WebVTT is redacted at once with the chat export's rules (`export.transcript`: speakers
become the session's pseudonyms, withdrawn or non-consenting participants' turns [REMOVED],
identifying spans their category) and only that result is stored; the facilitators are told in
their 1:1 chats, with counts by category and the redacted lines to review. Refusals reach them
in plain words.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from export.build import SessionRedactor
from export.transcript import Speakers, TextRedactor, redact_vtt
from services.card_port import CardPort
from services.clock import Clock
from services.messages import card_activity
from store import Session
from store.ports import TranscriptServiceStore
from store.records import TranscriptFetch

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
REVIEW_LINES = 15
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_ ]*[A-Z])\]")
_TIMING = re.compile(r"^\s*(\d{1,2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?\s*-->")
_CUE = re.compile(r"^<v ([^>]+)>(.*)</v>$")

REFUSED = (
    "Microsoft Graph refused to give the bot this meeting's transcript. Either the app's "
    "permission to read meeting transcripts (OnlineMeetingTranscript.Read.Chat, granted when "
    "the app is added to the meeting) has not been consented to, or your organisation's policy "
    "does not let apps read meeting transcripts. Ask your Teams administrator; meanwhile you "
    "can download the transcript from the meeting's Recap and run "
    "'python -m export redact-transcript'."
)
NOT_SIGNED_IN = ("The bot could not sign in to Microsoft Graph to fetch the meeting "
                 "transcript (check its app registration).")
NO_MEETING = ("The bot could not look up this meeting in Teams, so it cannot fetch its "
              "transcript. Download it from the meeting's Recap and run "
              "'python -m export redact-transcript'.")

# Why a fetch stopped, as kept in its row (transcript_fetches.state) for the console to say.
REFUSED_STATE = "refused"  # Graph answered 403: permission or tenant policy
NOT_SIGNED_IN_STATE = "no_sign_in"  # Graph answered 401
NO_MEETING_STATE = "no_meeting"  # the Bot Connector could not resolve the meeting
GAVE_UP_STATE = "gave_up"  # no transcript within TRANSCRIPT_FETCH_HOURS
FAILED_STATE = "failed"  # the session was purged meanwhile


def gave_up_words(hours: float) -> str:
    return (f"No transcript of this meeting appeared within {hours:g} hours. Was "
            "transcription turned on during the meeting? If a transcript exists, download it "
            "from the meeting's Recap and run 'python -m export redact-transcript'.")


class GraphRead(Protocol):
    @property
    def status(self) -> int | None: ...
    @property
    def body(self) -> bytes: ...
    @property
    def retry_after(self) -> float | None: ...


class MeetingIds(Protocol):
    @property
    def graph_id(self) -> str | None: ...
    @property
    def organizer_aad_id(self) -> str | None: ...


class MeetingLookup(Protocol):
    """The Bot Connector's meeting details (outbound.connector.ConnectorClient)."""

    async def meeting_details(self, service_url: str, meeting_id: str) -> MeetingIds: ...


class TranscriptSource(Protocol):
    """Graph's transcript API (outbound.graph.GraphClient)."""

    async def list_transcripts(self, organizer_id: str, meeting_id: str,
                               tenant_id: str | None) -> GraphRead: ...
    async def transcript_content(self, organizer_id: str, meeting_id: str, transcript_id: str,
                                 tenant_id: str | None) -> GraphRead: ...


Notify = Callable[[Session, str, dict[str, Any]], Awaitable[int]]


@dataclass(frozen=True)
class RedactedTranscript:
    content: str
    counts: dict[str, int]
    review: list[str]


def redact_webvtt(content: str, speakers: Speakers, redact: TextRedactor) -> RedactedTranscript:
    """The redacted WebVTT, placeholders counted by category, and the lines that hold one."""
    text, _cues = redact_vtt(content, speakers, redact)
    counts: Counter[str] = Counter()
    review: list[str] = []
    when = ""
    for line in text.splitlines():
        timing = _TIMING.match(line)
        if timing:
            when = timing.group(1)
            continue
        found = _PLACEHOLDER.findall(line)
        if not found:
            continue
        counts.update(found)
        cue = _CUE.match(line)
        review.append(f"{when} {cue.group(1)}: {cue.group(2)}" if cue else f"{when} {line}")
    return RedactedTranscript(text, dict(counts), review)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … minutes between attempts, at most 30."""
    return timedelta(minutes=min(30, 2 ** min(attempts, 5)))


class TranscriptService:
    def __init__(
        self, store: TranscriptServiceStore, *, meetings: MeetingLookup,
        graph: TranscriptSource, cards: CardPort, notify: Notify,
        screener: Callable[[], Any], clock: Clock, hours: float = 6.0,
        first_delay: timedelta = timedelta(minutes=2),
    ) -> None:
        self.store = store
        self.meetings = meetings
        self.graph = graph
        self.cards = cards
        self.notify = notify
        self.screener = screener
        self.clock = clock
        self.window = timedelta(hours=hours)
        self.first_delay = first_delay

    async def schedule(self, session: Session) -> bool:
        """Queue the fetch for an ended meeting session (nothing for a plain group chat)."""
        if not session.meeting_id:
            return False
        now = self.clock()
        return await self.store.schedule_transcript_fetch(
            session.id, session.meeting_id, session.service_url, session.tenant_id,
            first_attempt_at=now + self.first_delay, give_up_at=now + self.window)

    async def run_due(self) -> int:
        """One round: every due fetch attempted once. Returns how many were attempted."""
        fetches = await self.store.claim_transcript_fetches(self.clock(), LEASE)
        for fetch in fetches:
            try:
                await self._attempt(fetch)
            except Exception:
                log.exception("transcript fetch failed", extra={"session_id": fetch.session_id})
                await self._retry(fetch, None)
        return len(fetches)

    async def _tell(self, session_id: str, kind: str, title: str, text: str) -> None:
        session = await self.store.get_session(session_id)
        if session is not None:
            card = self.cards.notice_card(title, text)
            await self.notify(session, f"transcript:{kind}:{session_id}",
                              card_activity(card, summary=title))

    async def _fail(self, fetch: TranscriptFetch, state: str, reason: str) -> None:
        await self.store.finish_transcript_fetch(fetch.session_id, state)
        log.info("transcript fetch stopped", extra={"session_id": fetch.session_id})
        await self._tell(fetch.session_id, "failed", "The meeting transcript was not fetched",
                         reason)

    async def _retry(self, fetch: TranscriptFetch, retry_after: float | None) -> None:
        now = self.clock()
        wait = backoff(fetch.attempts)
        if retry_after is not None:
            wait = max(timedelta(seconds=retry_after), timedelta(seconds=1))
        if now + wait > fetch.give_up_at:
            hours = round(self.window.total_seconds() / 3600, 1)
            await self._fail(fetch, GAVE_UP_STATE, gave_up_words(hours))
            return
        await self.store.retry_transcript_fetch(fetch.session_id, now + wait)

    async def _refused(self, fetch: TranscriptFetch, status: int | None,
                       retry_after: float | None) -> None:
        if status == 403:
            await self._fail(fetch, REFUSED_STATE, REFUSED)
        elif status == 401:
            await self._fail(fetch, NOT_SIGNED_IN_STATE, NOT_SIGNED_IN)
        else:  # 404 (not published yet), 429, 5xx, unreachable: try again later
            await self._retry(fetch, retry_after)

    async def _attempt(self, fetch: TranscriptFetch) -> None:
        try:
            ids = await self.meetings.meeting_details(fetch.service_url, fetch.meeting_id)
        except Exception as exc:
            status = getattr(exc, "status", None)
            if status in (401, 403, 404):
                await self._fail(fetch, NO_MEETING_STATE, NO_MEETING)
            else:
                await self._retry(fetch, getattr(exc, "retry_after", None))
            return
        if not ids.graph_id or not ids.organizer_aad_id:
            await self._fail(fetch, NO_MEETING_STATE, NO_MEETING)
            return
        listed = await self.graph.list_transcripts(ids.organizer_aad_id, ids.graph_id,
                                                   fetch.tenant_id)
        if listed.status != 200:
            await self._refused(fetch, listed.status, listed.retry_after)
            return
        values = json.loads(listed.body or b"{}").get("value") or []
        if not values:
            await self._retry(fetch, None)
            return
        transcript_id = str(values[0].get("id"))
        content = await self.graph.transcript_content(ids.organizer_aad_id, ids.graph_id,
                                                      transcript_id, fetch.tenant_id)
        if content.status != 200:
            await self._refused(fetch, content.status, content.retry_after)
            return
        await self._keep(fetch, content.body.decode("utf-8-sig", errors="replace"))

    async def _keep(self, fetch: TranscriptFetch, vtt: str) -> None:
        source = await self.store.session_source(fetch.session_id)
        if source is None:  # purged meanwhile: nothing to attribute, keep nothing
            await self.store.finish_transcript_fetch(fetch.session_id, FAILED_STATE)
            return
        speakers = Speakers.for_session(source)
        screener = await asyncio.to_thread(self.screener)
        redact = TextRedactor(SessionRedactor(source), screener)
        result = await asyncio.to_thread(redact_webvtt, vtt, speakers, redact)
        del vtt  # the original is never stored
        now = self.clock()
        await self.store.save_transcript(fetch.session_id, result.content, result.counts,
                                         result.review, now)
        await self.store.audit(
            actor="bot", action="transcript.fetched", subject=f"session:{fetch.session_id}",
            at=now, details={"counts": result.counts, "withheld": redact.withheld})
        log.info("transcript kept", extra={"session_id": fetch.session_id,
                                           "redactions": sum(result.counts.values())})
        counts = ", ".join(f"{n} {category}" for category, n in sorted(result.counts.items()))
        review = "\n".join(f"- {line}" for line in result.review[:REVIEW_LINES])
        more = len(result.review) - REVIEW_LINES
        text = (f"The meeting transcript has been fetched and redacted; only the redacted "
                f"copy is kept. Redactions: {counts or 'none'}.")
        if review:
            text += f"\n\nPlease review these lines:\n{review}"
            if more > 0:
                text += f"\n- … and {more} more"
        text += "\n\nType 'export transcript' here to get it as a Word document."
        await self._tell(fetch.session_id, "ready", "The redacted transcript is ready", text)
