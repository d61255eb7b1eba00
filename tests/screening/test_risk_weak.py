"""The weak-evidence tier: several risk signs with an anchor and no silencing frame.
Phrasings written for these tests, separately from every benchmark and probe set."""

import pytest

from screening import Screener
from screening.risk_weak import weak_category

RAISED = [
    ("the toddler is missing meals and has bruising on her legs right now", "child"),
    ("I'm scared, there's blood on the kitchen floor from last night", "participant"),
    ("colleague keeps the court bundles on her own phone, and was told not to report it",
     "breach"),
]

QUIET = [
    "kill me now, the wifi's gone again",
    "a while back I was in a dark place and drinking too much, I'm fine now",
    "would you count a bruise and a missing meal as neglect?",
    "the training on knife crime and missing children was good",
]


@pytest.mark.parametrize(("text", "cat"), RAISED)
def test_weak_raised(text: str, cat: str) -> None:
    assert weak_category(text, now=True, quiet=False) == cat


@pytest.mark.parametrize("text", QUIET)
def test_weak_quiet_in_the_engine(screener: Screener, text: str) -> None:
    assert screener.scan(text).safeguarding is None, text


def test_one_sign_needs_now() -> None:
    assert weak_category("my colleague was stinking of booze", now=False, quiet=False) is None


def test_weak_result_has_reason(screener: Screener) -> None:
    sg = screener.scan("the little one had burns on his hands and was hungry today").safeguarding
    assert sg is not None and sg.category == "child" and sg.reason
