"""Safeguarding disclosures phrased in ways the first rules never saw, and the case talk,
hypotheticals and old history that must stay quiet (third held-out round)."""

import pytest

from screening.safeguarding import SafeguardingDetector

detector = SafeguardingDetector()

DISCLOSURES = [
    # a participant at risk of self-harm, in their own words
    ("i swallowed a load of paracetamol on sunday, nobody knows", "urgent"),
    ("honestly I can't carry on like this", "urgent"),
    ("i've been googling ways to do it", "urgent"),
    ("sometimes I think my kids would be better off without me", "urgent"),
    # a participant who is unsafe now
    ("my ex is stood outside my flat again, I'm scared", "urgent"),
    ("there's a man sitting outside the house now and I'm on my own", "urgent"),
    ("a dad from one of my cases messaged saying he'll find me", "urgent"),
    ("the marks on my neck are from my partner", "urgent"),
    ("I'm terrified of what he'll do when I get home", "urgent"),
    # a child at risk now, reported to the worker just now
    ("the 3 month old isn't breathing properly and mum won't call an ambulance", "urgent"),
    ("mum just phoned threatening to kill herself and the baby", "urgent"),
    ("the boy just rang me crying, dad is hitting mum right now", "urgent"),
    ("a YP texted this morning that her uncle comes into her room at night", "urgent"),
    # breaches of professional rules, by the participant or a colleague
    ("my housemate read the chronology I left on the table", "concern"),
    ("our work laptop was stolen from my car and I haven't told IT", "concern"),
    ("the minutes went to the perpetrator and my TM told me not to report it", "concern"),
    ("I recorded the visit as done but the child wasn't there", "concern"),
    ("a colleague has been smoking weed before visits", "concern"),
    ("my team mate posted pictures of a child's bedroom on her facebook", "concern"),
    ("I've put the whole chronology on my personal google drive", "concern"),
    ("a colleague emailed the whole assessment to her personal hotmail", "concern"),
]

NOT_DISCLOSURES = [
    "i took too many notes in the last conference lol",
    "I can't keep going back and forth between Teams and Zoom",
    "we looked up ways to make the invite letter clearer",
    "dad was outside the house when we arrived for the visit",
    "I'm scared of getting it wrong in front of a judge",
    "mum said dad hits her, which is what led to the strategy",
    "the baby was unresponsive when the ambulance arrived, that was 2019",
    "mum threatened to kill herself at the ICPC last year",
    "mum posts pictures of the kids on facebook constantly",
    "my husband read the research report and loved it",
    "my phone was lost for a day, turned out it was in the car",
    "we were told to keep quiet in the observation room",
    "if a dad ever turned up outside my house I'd call the police",
    "what would you do if your laptop got stolen with case notes on it?",
    "we had drinks after work for her leaving do",
    "mum had been drinking before our visits, so we started going in the morning",
    "would it be a breach if I printed the minutes at home?",
    "years ago a parent pushed me on a doorstep and nobody did anything",
    "just saying, dad's outside the house most days anyway according to neighbours",
    "I can't cope with how slow Mosaic is",
]


@pytest.mark.parametrize("text,level", DISCLOSURES)
def test_disclosure_is_flagged(text, level):
    found = detector.detect(text)
    assert found is not None, text
    assert found.level == level
    assert text not in found.reason


@pytest.mark.parametrize("text", NOT_DISCLOSURES)
def test_case_talk_hypotheticals_and_old_history_are_not_flagged(text):
    assert detector.detect(text) is None
