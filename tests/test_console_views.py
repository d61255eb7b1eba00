"""What the console's details view says, state by state, without a bot: the transcript (off,
waiting, polling, refused, gave up, ready …) and the times people read, which are in the
study's zone (Europe/London) while the machine fields stay ISO 8601 UTC. The dates are in
British Summer Time, where a time shown in UTC would read an hour early."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from console.views import Readout, flag_view, session_view, transcript_view
from services.flag_content import FlagCardContent, HistoryEntry
from services.transcripts import (
    GAVE_UP_STATE,
    NO_MEETING_STATE,
    NOT_SIGNED_IN_STATE,
    REFUSED_STATE,
)
from store import Session
from store.records import StoredTranscript, TranscriptFetchStatus

ENDED = datetime(2026, 7, 3, 13, 5, tzinfo=UTC)  # Friday 3 July 2026, 14:05 in London (BST)
SESSION = Session("0123456789abcdef", "19:chat", "https://smba.example/", "tenant", "meeting-1",
                  "28:bot", "Focus Bot", "Group A", "v1", "ended",
                  ENDED - timedelta(hours=1), ENDED)
ON = Readout(transcript_fetch_enabled=True, transcript_fetch_hours=6)


def fetch(state: str = "pending", attempts: int = 0) -> TranscriptFetchStatus:
    return TranscriptFetchStatus(SESSION.id, state, attempts,
                                 next_attempt_at=ENDED + timedelta(minutes=2),
                                 give_up_at=ENDED + timedelta(hours=6))


def test_fetching_turned_off_says_how_to_turn_it_on() -> None:
    view = transcript_view(SESSION, None, None, Readout())
    assert view["state"] == "off" and view["available"] is False
    assert "turned off" in view["words"] and "TRANSCRIPT_FETCH_ENABLED=true" in view["words"]
    assert "OnlineMeetingTranscript.Read.Chat" in view["words"]


def test_before_and_just_after_the_meeting_the_view_says_what_comes_next() -> None:
    live = replace(SESSION, status="live", ended_at=None)
    assert transcript_view(live, None, None, ON)["state"] == "after_meeting"
    assert transcript_view(SESSION, None, None, ON)["state"] == "waiting_for_meeting_end"
    chat_only = replace(SESSION, meeting_id=None)
    view = transcript_view(chat_only, None, None, ON)
    assert view["state"] == "not_meeting" and "not in a Teams meeting" in view["words"]


def test_polling_says_since_when_the_next_check_and_until_when_in_london_time() -> None:
    view = transcript_view(SESSION, fetch(attempts=2), None, ON)
    assert view["state"] == "polling" and view["available"] is False
    words = view["words"]
    assert "since Friday 3 July 2026, 14:05" in words and "(2 checks so far)" in words
    assert "Next check Friday 3 July 2026, 14:07" in words
    assert "stops trying at Friday 3 July 2026, 20:05" in words
    assert "13:05" not in words and "19:05" not in words  # not UTC
    assert view["since"] == "2026-07-03T13:05:00+00:00"  # machine fields: ISO 8601 UTC
    assert view["until"] == "2026-07-03T19:05:00+00:00"
    assert view["next_attempt_at"] == "2026-07-03T13:07:00+00:00"
    assert "no check yet" in transcript_view(SESSION, fetch(), None, ON)["words"]


@pytest.mark.parametrize(("state", "words"), [
    (REFUSED_STATE, ["Refused by Microsoft Graph", "permission", "policy", "administrator"]),
    (NOT_SIGNED_IN_STATE, ["could not sign in to Microsoft Graph"]),
    (NO_MEETING_STATE, ["could not look up this meeting"]),
    (GAVE_UP_STATE, ["Gave up", "within 6 hours", "transcription turned on"]),
    ("failed", ["no longer there"]),
    ("done", ["no longer kept"]),
])
def test_a_stopped_fetch_says_why_in_plain_words(state: str, words: list[str]) -> None:
    view = transcript_view(SESSION, fetch(state, attempts=3), None, ON)
    assert view["state"] == ("gone" if state == "done" else state)
    assert view["available"] is False and view["export_command"] is None
    for expected in words:
        assert expected in view["words"]


def test_ready_gives_counts_when_and_how_to_export() -> None:
    kept = StoredTranscript(SESSION.id, "WEBVTT\n", {"PERSON": 2, "LOCATION": 1}, [],
                            ENDED + timedelta(minutes=10))
    for readout in (ON, Readout()):  # kept before fetching was turned off: still there
        view = transcript_view(SESSION, fetch("done"), kept, readout)
        assert view["state"] == "ready" and view["available"] is True
        assert view["counts"] == {"PERSON": 2, "LOCATION": 1}
        assert "Redactions: 1 LOCATION, 2 PERSON" in view["words"]
        assert "on Friday 3 July 2026, 14:15" in view["words"]
        assert view["fetched_at"] == "2026-07-03T13:15:00+00:00"
        assert view["export_command"] == "export transcript 01234567"
        assert "'export transcript 01234567'" in view["words"]
        assert "Redacted transcript (.docx)" in view["words"]


def test_session_and_flag_times_read_in_the_study_zone_and_stay_utc_for_machines() -> None:
    live = replace(SESSION, status="live", ended_at=None)
    view = session_view(live, ENDED + timedelta(minutes=20), Readout())
    assert view["started_at"] == "2026-07-03T12:05:00+00:00"
    assert view["started_at_words"] == "Friday 3 July 2026, 13:05"
    assert view["next_reminder_at"] == "2026-07-03T13:25:00+00:00"
    assert view["next_reminder_words"] == "14:25"

    content = FlagCardContent(
        flag_id=7, kind="identifying", sent_at=ENDED, author_name="Alice",
        author_pseudonym="P01", segments=[], reasons=[],
        history=[HistoryEntry("dismiss", "F2", ENDED + timedelta(minutes=1), None)])
    flag = flag_view(content, hide_available=False)
    assert flag["sent_at"] == "2026-07-03T13:05:00+00:00"
    assert flag["sent_at_words"] == "Friday 3 July 2026, 14:05"
    assert flag["history"][0]["at_words"] == "Friday 3 July 2026, 14:06"
    elsewhere = flag_view(content, False, Readout(zone="America/New_York"))
    assert elsewhere["sent_at_words"] == "Friday 3 July 2026, 09:05"  # STUDY_TIMEZONE honoured
