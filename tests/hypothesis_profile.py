"""The hypothesis profiles, and what keeps the repeatable one repeatable.

Property and fuzz tests draw the same examples on every run (seeded by the test's name), so a
run is repeatable and CI's verdict does not depend on luck. `HYPOTHESIS_PROFILE=explore` draws
new examples each run, to look for new failures; add what it finds as an explicit @example.

Nothing in the repeatable profile depends on the clock: no deadline, no health checks (the
"too slow" one times the test), a fixed number of examples, no report of further bugs (that
search stops on a 10-second timer). tests/test_repeatable.py checks that CI runs under it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.internal.conjecture import providers

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = ("auth", "cards", "dialogs", "export", "handlers", "outbound", "screening",
                    "services", "store", "study")
PROJECT_MODULES = ("background", "bot", "config", "observability")

REPEATABLE: dict[str, Any] = dict(
    derandomize=True, database=None, deadline=None, max_examples=100,
    suppress_health_check=list(HealthCheck), report_multiple_bugs=False)


def _import_every_project_module() -> None:
    for name in PROJECT_MODULES:
        importlib.import_module(name)
    for package in PROJECT_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if info.name.endswith("__main__") or ".migrations" in info.name:
                continue
            importlib.import_module(info.name)


def freeze_local_constants() -> None:
    """Hypothesis mixes string and number constants found in the project's own modules into
    its draws, and rescans whenever `sys.modules` grows. A module the bot imports lazily (at
    a different moment on a loaded machine, or after other tests) then changes what a
    derandomised test draws: two runs of one commit drew different fuzz cases from case 38 on.
    Every project module is imported now, and the pool is frozen as it then stands."""
    _import_every_project_module()
    frozen = providers._get_local_constants()
    providers._get_local_constants = lambda: frozen


def load() -> str:
    """Register both profiles and load the one asked for (at conftest import). The constant
    pool is frozen later, before the first test (`freeze_local_constants`): hypothesis warns
    against computing it while pytest is still initialising."""
    hypothesis_settings.register_profile("repeatable", **REPEATABLE)
    hypothesis_settings.register_profile("explore", derandomize=False, deadline=None)
    profile = os.environ.get("HYPOTHESIS_PROFILE", "repeatable")
    hypothesis_settings.load_profile(profile)
    return profile
