"""How well screening did, from the labelled outcomes: per session and for the study, how many
flags facilitators decided, how many they dismissed (precision), how many are still undecided,
and the known misses (messages reported from their menu that no flag covered).

Pure (no I/O): `python -m export quality` reads the store and prints this. It shows counts,
session ids and dates, and finding categories only: never message text, never a name (a
session's title is left out too, as a facilitator may have typed one in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from store.outcome_records import (
    ALREADY_FLAGGED,
    CONFIRMED,
    DISMISSED,
    MISSED,
    REMOVAL_REQUESTED,
    LabelledOutcome,
)
from store.records import Session

# The flags whose decisions measure screening; a reported message's own flag does not.
SCREENING_FLAG_KINDS = ("identifying", "safeguarding")


@dataclass
class Figures:
    confirmed: int = 0
    dismissed: int = 0
    undecided: int = 0
    misses: int = 0  # reports of messages no flag covered
    reported_flagged: int = 0  # reports of messages already flagged
    reports_dismissed: int = 0  # reported messages facilitators marked not identifying
    removals: int = 0  # authors asking for their message to be left out
    categories: Counter[tuple[str, str]] = field(default_factory=Counter)  # (category, label)

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def precision(self) -> float | None:
        """confirmed / (confirmed + dismissed); None when nothing was decided."""
        return self.confirmed / self.decided if self.decided else None

    def add(self, other: Figures) -> None:
        for name in ("confirmed", "dismissed", "undecided", "misses", "reported_flagged",
                     "reports_dismissed", "removals"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.categories.update(other.categories)

    def as_dict(self) -> dict[str, Any]:
        by_category: dict[str, dict[str, int]] = {}
        for (category, label), count in sorted(self.categories.items()):
            by_category.setdefault(category, {CONFIRMED: 0, DISMISSED: 0})[label] = count
        return {
            "flags_decided": self.decided, "confirmed": self.confirmed,
            "dismissed": self.dismissed,
            "precision": None if self.precision is None else round(self.precision, 4),
            "flags_undecided": self.undecided, "known_misses": self.misses,
            "reports_of_flagged_messages": self.reported_flagged,
            "reports_dismissed": self.reports_dismissed, "removal_requests": self.removals,
            "decisions_by_category": by_category,
        }


@dataclass(frozen=True)
class SessionQuality:
    session_id: str
    date: str  # YYYY-MM-DD (UTC)
    figures: Figures


@dataclass(frozen=True)
class QualityReport:
    sessions: list[SessionQuality]
    total: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "sessions": [{"session_id": s.session_id, "date": s.date, **s.figures.as_dict()}
                         for s in self.sessions],
            "study_total": self.total.as_dict(),
        }


def _figures(outcomes: Iterable[LabelledOutcome], undecided: int) -> Figures:
    figures = Figures(undecided=undecided)
    latest: dict[int, LabelledOutcome] = {}  # a flag's decision is its latest one
    for outcome in outcomes:
        if outcome.kind in (CONFIRMED, DISMISSED) and outcome.flag_id is not None:
            latest[outcome.flag_id] = outcome
        elif outcome.kind == MISSED:
            figures.misses += 1
        elif outcome.kind == ALREADY_FLAGGED:
            figures.reported_flagged += 1
        elif outcome.kind == REMOVAL_REQUESTED:
            figures.removals += 1
    for decision in latest.values():
        if decision.flag_kind not in SCREENING_FLAG_KINDS:
            figures.reports_dismissed += decision.kind == DISMISSED
            continue
        if decision.kind == CONFIRMED:
            figures.confirmed += 1
        else:
            figures.dismissed += 1
        figures.categories[(decision.category or "(none)", decision.kind)] += 1
    return figures


def quality_report(sessions: Sequence[Session], outcomes: Sequence[LabelledOutcome],
                   undecided: Mapping[str, int]) -> QualityReport:
    by_session: dict[str, list[LabelledOutcome]] = {}
    for outcome in outcomes:
        by_session.setdefault(outcome.session_id, []).append(outcome)
    rows = [SessionQuality(s.id, f"{s.started_at:%Y-%m-%d}",
                           _figures(by_session.get(s.id, []), undecided.get(s.id, 0)))
            for s in sessions]
    total = Figures()
    for row in rows:
        total.add(row.figures)
    return QualityReport(rows, total)


def _precision(figures: Figures) -> str:
    return "n/a" if figures.precision is None else f"{figures.precision:.2f}"


def render_text(report: QualityReport) -> str:
    """A plain table, one line per session and the study's total, then the decisions by
    finding category."""
    head = (f"{'session':8}  {'date':10}  {'decided':>7}  {'dismissed':>9}  {'precision':>9}  "
            f"{'undecided':>9}  {'known misses':>12}  {'reports on flagged':>18}  "
            f"{'removals':>8}")

    def line(name: str, date: str, f: Figures) -> str:
        return (f"{name:8}  {date:10}  {f.decided:>7}  {f.dismissed:>9}  {_precision(f):>9}  "
                f"{f.undecided:>9}  {f.misses:>12}  {f.reported_flagged:>18}  "
                f"{f.removals:>8}")

    lines = ["Screening quality from facilitators' decisions and reports "
             "(counts only: no message text, no names)", "", head]
    lines += [line(s.session_id[:8], s.date, s.figures) for s in report.sessions]
    lines.append(line("study", "", report.total))
    lines += ["", "precision = confirmed / (confirmed + dismissed) of the flags screening "
                  "raised (Redact in export or Escalate: confirmed; Not identifying: "
                  "dismissed); n/a when none was decided.",
              "known misses = messages someone reported from their menu that no flag covered."]
    if report.total.categories:
        lines += ["", "Decisions by finding category (study):"]
        for category, counts in report.total.as_dict()["decisions_by_category"].items():
            lines.append(f"  {category}: {counts[CONFIRMED]} confirmed, "
                         f"{counts[DISMISSED]} dismissed")
    return "\n".join(lines) + "\n"
