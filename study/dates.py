"""UTC date formatting in British style, shared by study texts and cards."""

from __future__ import annotations

from datetime import UTC, datetime

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def as_utc(moment: datetime) -> datetime:
    """Convert to UTC; a naive datetime is taken to be UTC already (as the store keeps it)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_utc_date(moment: datetime) -> str:
    """'23 November 2026' (no leading zero, independent of locale)."""
    moment = as_utc(moment)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def format_utc(moment: datetime) -> str:
    """'23 November 2026, 10:04 UTC'."""
    moment = as_utc(moment)
    return f"{format_utc_date(moment)}, {moment:%H:%M} UTC"


def format_utc_on_at(moment: datetime) -> str:
    """'23 November 2026 at 10:04 UTC', for running sentences."""
    moment = as_utc(moment)
    return f"{format_utc_date(moment)} at {moment:%H:%M} UTC"
