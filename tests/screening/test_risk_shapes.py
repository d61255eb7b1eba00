"""Safeguarding by word class and shape (risk_extra.py, data/wordnet_concepts.tsv).
Phrasings written for these tests, separately from every benchmark set."""

import pytest

from screening import Screener
from screening.risk_extra import slot_words

DISCLOSURES = [
    ("he walloped me again last night and I'm staying at my mate's", "participant"),
    ("my husband's been throttling me when he's had a drink, it's getting worse", "participant"),
    ("i'm petrified of going back tonight", "participant"),
    ("stuck in a really dark place at the moment and I can't see a way out", "participant"),
    ("been scratching at my legs until they bleed again", "participant"),
    ("would anyone even care if i wasn't here", "participant"),
    ("the only thing getting me through the week is the gin", "participant"),
    ("mum's ex has been harassing me on messenger since the RCPC", "threat"),
    ("there was a man sat outside my house for an hour last night after the conference", "threat"),
    ("someone put a note through my letterbox today with my kids' names on it", "threat"),
    ("the uncle found out which nursery my daughter goes to and mentioned it", "threat"),
    ("i think dad's been tailing me to the office, same van every morning", "threat"),
    ("the 14 year old is going round to a flat where a 31 year old lives", "child"),
    ("the little ones were by themselves in the flat when police arrived", "child"),
    ("she came in with a gash behind her ear and mum says she just fell", "child"),
    ("he's been thumping the baby when she cries, the eldest told me", "child"),
    ("dad is back sleeping there most nights despite the safety plan", "child"),
    ("the family plan to take her abroad in the summer to get married", "child"),
    ("we're told to tick the visits as done so the figures look better for Ofsted", "breach"),
    ("my boyfriend had a nosy through the assessment on my laptop", "breach"),
    ("I was asked to put that I'd seen the baby alone when I hadn't", "breach"),
]


@pytest.mark.parametrize(("text", "cat"), DISCLOSURES)
def test_disclosures_by_shape(screener: Screener, text: str, cat: str) -> None:
    sg = screener.scan(text).safeguarding
    assert sg is not None, text
    assert sg.category == cat, (text, sg)
    assert sg.reason


TOPIC_TALK = [
    "the training covered what to do if a worker is being harassed by a parent",
    "would you say the dad threatening the chair is a reason to go online?",
    "a long time ago a parent waited by my car, it was dealt with by the police",
    "our code of conduct says case notes never go on personal phones",
    "in the scenario, the baby had a gash and the parents said he fell",
    "we always check the safety plan is being kept when dad has contact",
    "the gin and tonic at the leaving do was lovely",
    "how would you handle it if a child is left on their own in the house?",
]


@pytest.mark.parametrize("text", TOPIC_TALK)
def test_topic_talk_stays_quiet(screener: Screener, text: str) -> None:
    assert screener.scan(text).safeguarding is None, text


def test_wordnet_slots_are_shipped_and_inflected() -> None:
    assert {"punched", "thumping", "walloped"} <= slot_words("strike")
    assert {"stalking", "harassed", "intimidates"} <= slot_words("menace")
    assert "graze" in slot_words("injury") and "vodka" in slot_words("alcohol")
    assert "vicar" in slot_words("occupation")
    assert "diazepam" in slot_words("drug") and "wine" not in slot_words("drug")


MORE_DISCLOSURES = [
    ("keep having two large glasses of wine before every core group just to face it",
     "participant"),
    ("they'd all be better off if i just walked under a train tbh", "participant"),
    ("the 15 year old keeps going missing overnight and won't say where", "child"),
    ("mum wouldn't let the health visitor see the baby again today", "child"),
    ("somebody keyed my car outside the family centre this afternoon", "threat"),
    ("a withheld number rang me at 11pm saying they know where my son works", "threat"),
    ("I've been on the xanax most days just to get through the visits", "participant"),
    ("the grandad followed me back to my car after the RCPC and stood there", "threat"),
    ("his uncle has put my photo on a local facebook page saying I steal kids", "threat"),
    ("my husband pushed me down the stairs last night", "participant"),
]
MORE_TOPIC_TALK = [
    "the 13 year old went missing in may but he's back home now and settled",
    "it came up in the case review that the records had been falsified",
    "she ran off after the conference and came back later that night",
    "I posted my photo on the staff intranet so families know who I am",
]


@pytest.mark.parametrize(("text", "cat"), MORE_DISCLOSURES)
def test_more_disclosures_by_shape(screener: Screener, text: str, cat: str) -> None:
    sg = screener.scan(text).safeguarding
    assert sg is not None and sg.category == cat, (text, sg)


@pytest.mark.parametrize("text", MORE_TOPIC_TALK)
def test_resolved_or_reviewed_stays_quiet(screener: Screener, text: str) -> None:
    assert screener.scan(text).safeguarding is None, text


def test_copying_an_agenda_forward_is_quiet_for_the_rules(screener: Screener) -> None:
    """The learned vote reads this as a possible records breach (it knows "copy", "so it looks
    the same", not whose paper it is): a known false alert that a facilitator dismisses with
    one click. The rules, which see the object, stay quiet."""
    text = "I do copy the agenda forward from last month so it looks the same each time"
    assert screener.safeguarding._by_rules(text) is None


def test_a_parents_drug_use_told_second_hand_is_left_to_the_facilitator(
        screener: Screener) -> None:
    """No child is said to be at risk, so the rules stay quiet; the learned vote reads it as a
    possible risk to a child (it knows the words, not the threshold) and a facilitator
    decides. Pinned so that a change to either stage is seen."""
    text = "the mum says dad smokes weed every night in the garden"
    assert screener.safeguarding._by_rules(text) is None
    sg = screener.scan(text).safeguarding
    assert sg is not None and sg.category == "child"
