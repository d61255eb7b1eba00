"""What a time people read looks like: the study's clock in the plain British format,
'Friday 29 November 2026, 14:05' (never '04:26 AM', never a UTC suffix)."""

from __future__ import annotations

import re

LOCAL_TIME = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) [1-9]\d? "
    r"(January|February|March|April|May|June|July|August|September|October|November|December) "
    r"\d{4}, [0-2]\d:[0-5]\d\b")
