"""The hypothesis profiles, and what keeps the repeatable one repeatable.

Property and fuzz tests draw the same examples on every run (seeded by the test's name), so a
run is repeatable and CI's verdict does not depend on luck. `HYPOTHESIS_PROFILE=explore` draws
new examples each run, to look for new failures; add what it finds as an explicit @example.

Nothing in the repeatable profile depends on the clock: no deadline, no health checks (the
"too slow" one times the test), a fixed number of examples, no report of further bugs (that
search stops on a 10-second timer). tests/test_repeatable.py checks that CI runs under it.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

REPEATABLE: dict[str, Any] = dict(
    derandomize=True, database=None, deadline=None, max_examples=100,
    suppress_health_check=list(HealthCheck), report_multiple_bugs=False)


def freeze_local_constants() -> None:
    """The repeatable profile draws without constants taken from the project's own modules.

    Hypothesis mixes string and number constants found in local modules into its draws. It
    rescans whenever `sys.modules` grows (a module the bot imports lazily, at a moment that
    depends on the machine's speed), and it caches what it found under `.hypothesis/constants`
    and reads that cache back in a way that can differ from a fresh scan: two runs of one commit
    drew different fuzz cases from case 38 on, on a warm cache against a cold one. With an
    empty pool the draws depend on the seed alone. `HYPOTHESIS_PROFILE=explore` keeps them."""
    empty = Constants()
    providers._get_local_constants = lambda: empty
    providers.CONSTANTS_CACHE.cache.clear()


def load() -> str:
    """Register both profiles and load the one asked for (at conftest import). The constant
    pool is frozen later, before the first test (`freeze_local_constants`): hypothesis warns
    against computing it while pytest is still initialising."""
    hypothesis_settings.register_profile("repeatable", **REPEATABLE)
    hypothesis_settings.register_profile("explore", derandomize=False, deadline=None)
    profile = os.environ.get("HYPOTHESIS_PROFILE", "repeatable")
    hypothesis_settings.load_profile(profile)
    return profile
