"""The suite's verdict must not depend on the machine's speed that day.

Property and fuzz tests draw the same examples on every run under the repeatable profile; only
`HYPOTHESIS_PROFILE=explore` (never set in CI) draws new ones. `python -m tests.repeatability`
runs the fuzz module three times beside a CPU burner and compares the cases drawn.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.internal.conjecture import providers

from tests.test_fuzz import FUZZ


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.mark.skipif(not _in_ci(), reason="checks the profile CI runs under (CI=true)")
def test_ci_runs_the_repeatable_profile() -> None:
    assert os.environ.get("HYPOTHESIS_PROFILE", "repeatable") == "repeatable"
    assert hypothesis_settings.get_current_profile_name() == "repeatable"


def test_the_repeatable_profile_has_nothing_that_depends_on_time() -> None:
    """Also see test_a_module_imported_late_does_not_change_what_is_drawn."""
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


@pytest.mark.skipif(hypothesis_settings.get_current_profile_name() != "repeatable",
                    reason="only the repeatable profile freezes the constant pool")
def test_a_module_imported_late_does_not_change_what_is_drawn(tmp_path: Path) -> None:
    """Hypothesis draws constants found in local modules; one imported lazily by the bot (at a
    moment that depends on the machine's speed) must not change the draws."""
    before = set(providers._get_local_constants().set_for_type("string"))
    source = tmp_path / "late_module_for_hypothesis.py"
    source.write_text('MARKER = "late-constant-7f3a9c"\n')
    spec = importlib.util.spec_from_file_location("late_module_for_hypothesis", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        after = set(providers._get_local_constants().set_for_type("string"))
    finally:
        del sys.modules[spec.name]
    assert "late-constant-7f3a9c" not in after
    assert after == before == set()
