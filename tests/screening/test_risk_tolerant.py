"""Safeguarding told loosely: negations that belong to the risk's own wording, dropped
subjects, misspelt risk words, risks spread over short sentences, lightly told coping.
Phrasings written for these tests, separately from every benchmark and probe set."""

import pytest

from screening import Screener

DISCLOSURES = [
    # a negation inside the concept's wording is the concept, not a frame
    ("honestly i can't keep going like this any more", "participant"),
    ("just can't take much more of it", "participant"),
    # a dropped "I" before an ordinary verb of finding or being
    ("noticed the mum's new fella has moved back in, kids home with him all day", "child"),
    ("was tailed back to the office by the uncle after the core group", "threat"),
]

QUIET = [
    "can't cope with this laptop any more, it crashes every call",
    "the family couldn't take much more of the delays, said mum at the review",
]


@pytest.mark.parametrize(("text", "cat"), DISCLOSURES)
def test_loose_disclosures(screener: Screener, text: str, cat: str) -> None:
    sg = screener.scan(text).safeguarding
    assert sg is not None, text
    assert sg.category == cat, (text, sg)
    assert sg.reason


@pytest.mark.parametrize("text", QUIET)
def test_quiet(screener: Screener, text: str) -> None:
    assert screener.scan(text).safeguarding is None, text
