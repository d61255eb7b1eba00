"""The structural safeguarding stage: category, reason and frame, on phrasings written for
these tests (not taken from any benchmark set)."""

import pytest

from screening import Screener

POSITIVE = [
    ("honestly been self harming again since the review, nobody at work knows", "participant"),
    ("some nights I sit there with the tablets counted out", "participant"),
    ("not gonna lie I'm getting through the week on gin every night just to cope", "participant"),
    ("my fella grabbed me by the throat on sunday and I've still got the marks", "participant"),
    ("the 6 yr old came into school this morning with a burn on her hand and mum's "
     "story doesn't add up", "child"),
    ("our 15 year old has been missing since friday and police have only just been told",
     "child"),
    ("yp keeps turning up with new trainers and two phones, older lads pick him up in cars",
     "child"),
    ("the boyfriend with the bail conditions is back at the house, neighbour saw him today",
     "child"),
    ("referral about the bruised toddler has sat in the duty tray for a week, nobody has "
     "visited", "child"),
    ("a colleague keeps photos of the children on her personal phone to show her mum",
     "breach"),
    ("our TM got us to backdate the visit records before the audit", "breach"),
    ("the locum chair smelt of booze at the ICPC this morning", "breach"),
    ("dad's address went out to mum's ex because someone cc'd the wrong family", "breach"),
    ("dad rang the office and said he's going to find me after the conference", "threat"),
    ("mum's partner has been sat outside my house in his van two nights running", "threat"),
    # chat spellings: dropped g, no apostrophes, "me" for "my", no subject
    ("been drinkin most nights to get thru it, cant face the visits otherwise", "participant"),
    ("got a bruise on me neck from him sunday, dont want to say more", "participant"),
    ("emailed the core group minutes to me gmail so i can finish at home", "breach"),
    ("keep gettin texts off a withheld number sayin i'm next", "threat"),
]

NEGATIVE = [
    "the self-harm training last week was really useful actually",
    "we always check whether dad is back in the home before the RCPC",
    "if a colleague turned up drunk I'd go straight to the manager",
    "years ago I had a family where the child went missing a lot, it was sorted in the end",
    "what do you do when a parent threatens you in a hybrid conference?",
    "you must never keep case notes on your personal phone, that's basic",
    "exploitation cases are so hard to chair virtually",
    "the missing person protocol is on the intranet",
    "I'd never put photos of families on social media",
    "the bruising was explained at the strategy meeting and the CP medical was clear",
    "lol this wifi is killing me",
    "is it a breach if the minutes go to the wrong address?",
    "back in 2016 a dad turned up at my house, police sorted it",
    "she went missin for a night last spring but came back the next day",
]


@pytest.mark.parametrize("text,category", POSITIVE)
def test_disclosure_has_category_and_plain_reason(
    screener: Screener, text: str, category: str
) -> None:
    found = screener.scan(text).safeguarding
    assert found is not None, text
    assert found.category == category
    assert found.reason and text not in found.reason
    assert found.level == ("concern" if category == "breach" else "urgent")


@pytest.mark.parametrize("text", NEGATIVE)
def test_topic_talk_is_not_an_alert(screener: Screener, text: str) -> None:
    assert screener.scan(text).safeguarding is None
