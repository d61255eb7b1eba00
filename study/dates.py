"""Dates in British style for people to read, shared by study texts, cards and exports.

Machine fields (CSV time columns, JSONL, REFI-QDA attributes) stay ISO 8601 UTC; what people
read is either UTC (`format_utc*`) or the study's local time (`format_local*`, Europe/London
by default). Pure functions: no locale, no clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


# --- Local (study) time, for what people read: "Friday 29 November 2026, 14:05" ---------

DEFAULT_TIMEZONE = "Europe/London"
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def study_zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The IANA zone `name`; ValueError (not a KeyError deep inside zoneinfo) if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as "
                         f"{DEFAULT_TIMEZONE!r})") from exc


def as_local(moment: datetime, zone: str = DEFAULT_TIMEZONE) -> datetime:
    """`moment` on the study's wall clock (BST in summer, GMT in winter for London)."""
    return as_utc(moment).astimezone(study_zone(zone))


def format_local_date(moment: datetime, zone: str = DEFAULT_TIMEZONE) -> str:
    """'Friday 29 November 2026': weekday and month spelt out and capitalised, no leading
    zero, the same whatever the machine's locale."""
    local = as_local(moment, zone)
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}"


def format_local_clock(moment: datetime, zone: str = DEFAULT_TIMEZONE) -> str:
    """'14:05' (24-hour clock, local time)."""
    return f"{as_local(moment, zone):%H:%M}"


def format_local(moment: datetime, zone: str = DEFAULT_TIMEZONE) -> str:
    """'Friday 29 November 2026, 14:05' in the study's time zone."""
    return f"{format_local_date(moment, zone)}, {format_local_clock(moment, zone)}"
