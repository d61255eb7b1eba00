"""Dates people read: the study's wall clock (Europe/London by default), weekday and month
spelt out and capitalised, whatever the machine's locale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from config import ConfigError, load_settings
from study.dates import (
    DEFAULT_TIMEZONE,
    format_local,
    format_local_clock,
    format_local_date,
    study_zone,
)


def test_winter_is_greenwich_mean_time() -> None:
    assert format_local(datetime(2026, 11, 29, 14, 5, tzinfo=UTC)) == \
        "Sunday 29 November 2026, 14:05"


def test_summer_is_british_summer_time() -> None:
    assert format_local(datetime(2026, 7, 29, 14, 5, tzinfo=UTC)) == \
        "Wednesday 29 July 2026, 15:05"


def test_the_clocks_change_at_one_in_the_morning_utc() -> None:
    # 29 March 2026: 01:00 GMT becomes 02:00 BST; 25 October 2026: 02:00 BST becomes 01:00 GMT
    spring = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert format_local_clock(spring - timedelta(minutes=1)) == "00:59"
    assert format_local_clock(spring) == "02:00"
    autumn = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert format_local_clock(autumn - timedelta(minutes=1)) == "01:59"
    assert format_local_clock(autumn) == "01:00"


def test_the_local_date_can_differ_from_the_utc_date() -> None:
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 July
    assert format_local(late) == "Wednesday 1 July 2026, 00:30"


def test_no_leading_zero_and_capitals_for_every_weekday_and_month() -> None:
    days = {format_local_date(datetime(2026, 1, 5, 12, tzinfo=UTC) + timedelta(days=d))
            .split()[0] for d in range(7)}
    assert days == {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday"}
    months = [format_local_date(datetime(2026, m, 1, 12, tzinfo=UTC)).split()[2]
              for m in range(1, 13)]
    assert months[0] == "January" and months[11] == "December"
    assert all(m[0].isupper() and m[1:].islower() for m in months)
    assert format_local_date(datetime(2026, 3, 2, 12, tzinfo=UTC)) == "Monday 2 March 2026"


def test_naive_times_are_utc_and_other_offsets_are_converted() -> None:
    assert format_local(datetime(2026, 11, 29, 14, 5)) == "Sunday 29 November 2026, 14:05"
    paris = datetime(2026, 11, 29, 15, 5, tzinfo=timezone(timedelta(hours=1)))
    assert format_local(paris) == "Sunday 29 November 2026, 14:05"


def test_another_study_zone() -> None:
    assert format_local(datetime(2026, 11, 29, 14, 5, tzinfo=UTC), "Europe/Berlin") == \
        "Sunday 29 November 2026, 15:05"


def test_an_unknown_zone_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        study_zone("Mars/Olympus")
    assert DEFAULT_TIMEZONE == "Europe/London"


def test_study_timezone_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDY_TIMEZONE", raising=False)
    assert load_settings().study_timezone == "Europe/London"
    monkeypatch.setenv("STUDY_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        load_settings()
