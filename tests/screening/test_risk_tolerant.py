"""Safeguarding told loosely: negations that belong to the risk's own wording, dropped
subjects, misspelt risk words, risks spread over short sentences, lightly told coping.
Phrasings written for these tests, separately from every benchmark and probe set."""

import pytest

from screening import Screener
from screening.lexicon import get_lexicon
from screening.risk import _corrector

DISCLOSURES = [
    # a negation inside the concept's wording is the concept, not a frame
    ("honestly i can't keep going like this any more", "participant"),
    ("just can't take much more of it", "participant"),
    # a dropped "I" before an ordinary verb of finding or being
    ("noticed the mum's new fella has moved back in, kids home with him all day", "child"),
    ("was tailed back to the office by the uncle after the core group", "threat"),
    # a typo inside the risk word
    ("mums boyfrend thraetened the social worker at the door this morning", "threat"),
    ("the baby has a brusie on her ear nobody can explain, nursery rang just now", "child"),
    ("been self harmimg again this week", "participant"),
    # the risk told across short sentences
    ("mum's ex is round the house again. his van was there. the baby is in with them",
     "child"),
    ("grandad's back. the one with the record. the twins are staying there tonight", "child"),
    # coping told lightly, in passing, or with no subject
    ("three gins every evening on my own now haha, that's normal right", "participant"),
    ("necking my partner's diazepam to get to sleep", "participant"),
    ("got a little stash of paracetamol put by in the bathroom, just in case", "participant"),
    ("struggling to see the point of getting up", "participant"),
    ("every night it's half a bottle of vodka just to sleep", "participant"),
    ("been crying at my desk most mornings", "participant"),
    # understatement and shapes: a cause withheld, veiled words, adults by their age
    ("scratches down his arm at family time and dad couldn't say how it happened", "child"),
    ("she told her teacher uncle plays secret games with her at bedtime", "child"),
    ("the 13 yr old is hanging round with lads in their twenties who buy her cans", "child"),
    ("my windscreen was smashed overnight in the car park after the ICPC", "threat"),
    ("mum's brother was stood outside the office again when i finished", "threat"),
    # control and escalation at home; an overdose told in passing; drink to blot it out
    ("my husband's been going through my phone every night and takes my bank card", "participant"),
    ("he's getting more aggressive since christmas and i'm keeping my head down", "participant"),
    ("keep your voices down please, he'll go mad if he hears me on here", "participant"),
    ("swallowed a handful of my tablets on sunday, didn't tell anyone", "participant"),
    ("couple of glasses of red every night to take the edge off", "participant"),
    # a case party reaching the worker's private life
    ("the eldest brother's been filming outside my house from his car", "threat"),
    ("a fake account messaged me a screenshot of my daughter's netball team", "threat"),
    # control over the participant's work; the children "better off"; carers incapable;
    # a colleague's own device or someone else's login
    ("my husband won't let me join these from home so i'm in the car", "participant"),
    ("honestly the kids would be better off with their mum, I'm no use to them", "participant"),
    ("the twins were up on their own at midnight, dad was passed out on the floor", "child"),
    ("one of the agency SWs keeps pictures of the chronology on her phone", "breach"),
    ("the deputy has been using the TM's login to authorise the plans", "breach"),
]

QUIET = [
    "can't cope with this laptop any more, it crashes every call",
    "the family couldn't take much more of the delays, said mum at the review",
    "he's back from leave next week. the kids' reviews can wait till then",
    "a long time ago now. he was back at the house with the kids. it went to court",
    "friday night, big glass of wine incoming haha",
    "mum is taking her sister's tablets to sleep, we've asked the GP to review",
    "i don't see the point of the new form, it duplicates the old one",
    "a lot of our dads drink every night to cope, it comes up at every conference",
    "the training day on coping strategies was brilliant",
    "the exploitation team are involved and a disruption plan is in place for the older boy",
    "in the staff survey a lot of people said they'd been threatened by parents",
    "we ask all parents about self-harm as part of the assessment",
    "my TM checks my case notes every month in supervision",
    "dad's getting more engaged since the core group, which is good",
    "mum asked about my kids at the visit, she was being friendly",
    "dad knows my husband from five-a-side, I've told my manager",
    "mum was passed out on the sofa in that case, years ago, the children were removed",
    "we never share our passwords, the IT team check",
    "kept crying at the end of that film last night, so soppy",
    "the dad was waiting outside the office again for his 2pm appointment",
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


def test_corrector_reads_typos_as_concept_words_only() -> None:
    fix = _corrector(get_lexicon().words).fix
    assert fix("stabed") == "stabbed"  # a doubled letter before any other edit
    assert fix("tkae") == "take"  # four letters: a swap only
    assert fix("exploted") == "exploited"
    assert fix("stayed") is None  # an English word is never corrected
    assert fix("recieve") is None  # a typo of a word outside the concepts stays
    assert fix("Bruse") is None  # capitalised: may be a name
