"""`python -m export quality`'s figures from labelled outcomes (pure; the end-to-end path is in
tests/test_message_actions.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from export.quality import quality_report, render_text
from store import Session
from store.outcome_records import CONFIRMED, DISMISSED, MISSED, LabelledOutcome

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def session(session_id: str) -> Session:
    return Session(id=session_id, conversation_id="19:c", service_url="https://x", tenant_id=None,
                   meeting_id=None, bot_id=None, bot_name=None, title="Priya's group",
                   form_version="v1", status="ended", started_at=T0, ended_at=T0)


def outcome(n: int, kind: str, flag_id: int | None, session_id: str = "s1",
            flag_kind: str = "identifying") -> LabelledOutcome:
    return LabelledOutcome(n, session_id, kind, flag_id, flag_kind, None, "PERSON", T0)


def test_precision_counts_each_flags_latest_decision_and_says_n_a_when_none() -> None:
    report = quality_report(
        [session("s1"), session("s2")],
        [outcome(1, DISMISSED, 1), outcome(2, CONFIRMED, 1),  # changed their mind: confirmed
         outcome(3, DISMISSED, 2), outcome(4, MISSED, None),
         outcome(5, DISMISSED, 3, flag_kind="reported")],  # a report's flag: not screening's
        {"s1": 1})
    first, second = report.sessions
    assert (first.figures.decided, first.figures.dismissed, first.figures.precision) == (2, 1, 0.5)
    assert (first.figures.misses, first.figures.reports_dismissed) == (1, 1)
    assert second.figures.precision is None
    text = render_text(report)
    assert "n/a" in text and "Priya" not in text
    assert report.as_dict()["study_total"]["flags_undecided"] == 1
