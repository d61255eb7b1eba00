"""The suite's verdict must not depend on the machine's speed that day.

Property and fuzz tests draw the same examples on every run under the repeatable profile; only
`HYPOTHESIS_PROFILE=explore` (never set in CI) draws new ones. `python -m tests.repeatability`
runs the fuzz module three times beside a CPU burner and compares the cases drawn.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.test_fuzz import FUZZ


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.mark.skipif(not _in_ci(), reason="checks the profile CI runs under (CI=true)")
def test_ci_runs_the_repeatable_profile() -> None:
    assert os.environ.get("HYPOTHESIS_PROFILE", "repeatable") == "repeatable"
    assert hypothesis_settings.get_current_profile_name() == "repeatable"


def test_the_repeatable_profile_has_nothing_that_depends_on_time() -> None:
    profile = hypothesis_settings.get_profile("repeatable")
    assert profile.derandomize is True
    assert profile.database is None
    assert profile.deadline is None
    assert profile.max_examples == 100
    assert set(profile.suppress_health_check) == set(HealthCheck)
    assert profile.report_multiple_bugs is False


def test_the_fuzz_settings_inherit_the_profile_in_force() -> None:
    """The fuzz module once set derandomize=False itself, overriding the profile: two clean
    clones of one commit drew different cases and gave two verdicts."""
    current = hypothesis_settings.default
    assert FUZZ.derandomize == current.derandomize
    assert FUZZ.deadline is None
    if hypothesis_settings.get_current_profile_name() == "repeatable":
        assert FUZZ.derandomize is True
