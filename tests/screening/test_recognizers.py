"""Table-driven tests per recognizer: positives and hard negatives."""

import pytest

from screening import Finding, Safeguarding, ScanResult, Screener
from screening.identifier_patterns import nhs_valid
from screening.textprep import clean

from .conftest import spans

POSITIVES = [
    # (message, expected span text, category)
    ("yes rose, that's what happened in ours", "rose", "PERSON"),
    ("@priya did parents prefer it?", "priya", "PERSON"),
    ("nkechi can you see the board?", "nkechi", "PERSON"),
    ("I worked with Lily-Mae for two years", "Lily-Mae", "PERSON"),
    ("agree with Grace about cameras", "Grace", "PERSON"),
    ("Mark said the same thing earlier", "Mark", "PERSON"),
    ("the head was Mrs Okafor", "Okafor", "PERSON"),
    ("Priya Sharma chaired it", "Priya Sharma", "PERSON"),
    ("thanks will, really useful", "will", "PERSON"),
    ("the family lived in Rochdale", "Rochdale", "LOCATION"),
    ("they moved to Milton Keynes last year", "Milton Keynes", "LOCATION"),
    ("a family from the Broadwater estate", "Broadwater estate", "LOCATION"),
    ("the address was 14 Elm Road", "14 Elm Road", "LOCATION"),
    ("postcode M14 5TQ was on screen", "M14 5TQ", "LOCATION"),
    ("postcode m145tq was on screen", "m145tq", "LOCATION"),
    ("they moved to the LS9 area", "LS9", "LOCATION"),
    ("the DSL from Oakfield Primary joined", "Oakfield Primary", "ORGANISATION"),
    ("the conference was at St Mary's", "St Mary's", "ORGANISATION"),
    ("health visitor from Riverside Surgery", "Riverside Surgery", "ORGANISATION"),
    ("mum is with Hillside Medical Centre", "Hillside Medical Centre", "ORGANISATION"),
    ("dad is in HMP Wandsworth now", "HMP Wandsworth", "ORGANISATION"),
    ("the Northfield assessment team do it", "Northfield assessment team", "ORGANISATION"),
    ("call dad on 07700 900123 please", "07700 900123", "CONTACT"),
    ("call dad on +44 7700 900 123", "+44 7700 900 123", "CONTACT"),
    ("landline 0161-496-0000 apparently", "0161-496-0000", "CONTACT"),
    ("email j.bennett@northfield.gov.uk for it", "j.bennett@northfield.gov.uk", "CONTACT"),
    ("see www.facebook.com/jamie.smith.1234 for his posts",
     "www.facebook.com/jamie.smith.1234", "CONTACT"),
    ("her insta is @kayz_mum_x", "@kayz_mum_x", "CONTACT"),
    ("NHS number 943 476 5919 was on it", "943 476 5919", "ID_NUMBER"),
    ("NHS number 9434765919 was on it", "9434765919", "ID_NUMBER"),
    ("her NI number QQ 12 34 56 C was shared", "QQ 12 34 56 C", "ID_NUMBER"),
    ("the reg was KP19 XZT", "KP19 XZT", "ID_NUMBER"),
    ("Mosaic ref CS-2023-04417 still", "CS-2023-04417", "ID_NUMBER"),
    ("case number 4471203 was on the letter", "4471203", "ID_NUMBER"),
    ("court ref LV23C50123 on the bundle", "LV23C50123", "ID_NUMBER"),
    ("DOB 14/02/2016, youngest of three", "14/02/2016", "DATE"),
    ("she was born 3rd March 2011", "3rd March 2011", "DATE"),
    ("the incident happened on 12 June 2022", "12 June 2022", "DATE"),
    ("the Whittakers were known to every agency", "Whittakers", "PERSON"),
    ("the Okonkwo-Reid children all came", "Okonkwo-Reid", "PERSON"),
    ("the Oduya-Campbell boys were on plans", "Oduya-Campbell", "PERSON"),
    ("Gwen from the duty team rang", "Gwen", "PERSON"),
    ("dad lives in Redditch now, B97 I think", "B97", "LOCATION"),
    ("Faith and I co-worked that family", "Faith", "PERSON"),
    ("she's moved to Bury now", "Bury", "LOCATION"),
    ("she was staying with her aunt in Hartcliffe", "Hartcliffe", "LOCATION"),
    ("they were rehoused to NE34 somewhere", "NE34", "LOCATION"),
    ("a family in Peckham, SE15, no signal at all", "SE15", "LOCATION"),
    ("the girls went to Holy Family Catholic High", "Holy Family Catholic High",
     "ORGANISATION"),
    ("I used to work in the Bolton front door", "Bolton front door", "ORGANISATION"),
    ("the skeletal survey was done at Alder Hey", "Alder Hey", "ORGANISATION"),
    ("baby was born at pinderfields", "pinderfields", "ORGANISATION"),
]

NEGATIVES = [
    "the Chair always goes first",
    "the IRO and the DSL both joined on Teams",
    "SW presents, then CAMHS, then the GP",
    "Ofsted will look at this eventually, our LA is nervous",
    "Working Together 2023 says very little about this",
    "the Children Act 1989 predates all of this",
    "I put it on Miro but nobody used it",
    "ICPC at 10am, RCPC in 15 working days",
    "section 47 enquiries and strategy meetings on Teams",
    "core group every 4 weeks, PLO is separate",
    "a 10 year old attending her own conference",
    "last year we did forty of them",
    "I hope that makes sense",
    "will the recording be deleted after?",
    "mark my words, it'll be back in person soon",
    "I'll chase the minutes",
    "there's real hope in how some families engage",
    "may I add something about fathers?",
    "Reading the reports beforehand is harder online",
    "the next session is on 14 March at 10am",
    "the GP surgery never attends",
    "the local academy always sends the DSL",
    "mum only speaks Sylheti, the interpreter spoke Bengali",
    "we need Tigrinya and Pashto interpreters more and more",
    "a dad in Poland joined by video",
    "she wanted her teddy on camera",
    "the council gave families iPads to join",
    "the MacAlister review said a lot about family networks",
    "dad kicked in the front door",
    "the conference was moved to March",
    "our assessment team does all the s47s",
    "",
    "   ",
    "ok",
]


@pytest.mark.parametrize("text,span,category", POSITIVES)
def test_positive(screener, text, span, category):
    res = screener.scan(text)
    assert res.flagged
    assert (span, category) in spans(res, text), spans(res, text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_hard_negative(screener, text):
    res = screener.scan(text)
    assert not res.flagged, spans(res, text)


def test_age_alone_is_not_identifying_but_age_and_school_is(screener):
    assert not screener.scan("a 10 year old joined the call").flagged
    res = screener.scan("a 10 year old at Hillcrest Academy joined the call")
    assert res.flagged


def test_roster_names_are_found(screener):
    text = "agree with zebedee on that"
    assert not screener.scan(text).flagged
    res = screener.scan(text, roster=["Zebedee Quartermaine (she/her)"])
    assert ("zebedee", "PERSON") in spans(res, text)


def test_teams_html_mention(screener):
    text = "<p><at>Priya Sharma</at>&nbsp;did parents prefer it?</p>"
    res = screener.scan(text)
    assert any(text[f.start:f.end] == "Priya Sharma" and f.category == "PERSON"
               for f in res.findings)


def test_findings_are_frozen_and_thresholded(screener):
    res = screener.scan("call 07700 900123, Kayden's nan said")
    assert isinstance(res, ScanResult)
    for f in res.findings:
        assert isinstance(f, Finding)
        assert f.score >= 0.5
        assert f.rule
        with pytest.raises(AttributeError):
            f.start = 0  # type: ignore[misc]


@pytest.mark.parametrize("digits,ok", [("9434765919", True), ("9434765918", False),
                                       ("4857773456", False), ("123", False)])
def test_nhs_checksum(digits, ok):
    assert nhs_valid(digits) is ok


def test_clean_preserves_length():
    raw = "<p>Hi <at>Rose</at>&nbsp;&amp; all</p>"
    cleaned, mentions = clean(raw)
    assert len(cleaned) == len(raw)
    assert [raw[s:e] for s, e in mentions] == ["Rose"]


SAFEGUARDING = [
    ("I sent the case notes to my personal WhatsApp to read on the train", "concern"),
    ("I'm not safe at home at the moment, my partner has been threatening me", "urgent"),
    ("sorry but I've been feeling like I can't go on lately", "urgent"),
    ("the child I'm worried about is home alone right now", "urgent"),
    ("my manager told me to backdate the visit records before the audit", "concern"),
    ("i really don't feel safe going home tonight", "urgent"),
    ("there's a 4 year old home alone right now, police are on the way", "urgent"),
    ("someone from a family I work with is sat outside my house right now", "urgent"),
    ("I've been thinking about how I'd do it, sorry", "urgent"),
    ("I forwarded the case notes to a friend on WhatsApp for advice", "concern"),
    ("I left some CP plans on the bus yesterday", "concern"),
]
SAFEGUARDING_NEG = [
    "our training covered self-harm risk assessments well",
    "the policy says never to share case files on personal devices",
    "we talked about threats to workers in supervision",
    "safety planning is a big part of the ICPC",
    "never send case notes on WhatsApp, it's in the policy",
    "we had training on children left home alone",
    "kids at risk now get a plan much quicker",
]


@pytest.mark.parametrize("text,level", SAFEGUARDING)
def test_safeguarding(screener, text, level):
    sg = screener.scan(text).safeguarding
    assert isinstance(sg, Safeguarding)
    assert sg.level == level
    assert sg.reason and text not in sg.reason
    assert not any(w in sg.reason for w in ("WhatsApp", "partner", "manager"))


@pytest.mark.parametrize("text", SAFEGUARDING_NEG)
def test_safeguarding_negatives(screener, text):
    assert screener.scan(text).safeguarding is None


@pytest.mark.parametrize(("text", "span"), [
    ("mr moffatt rang the office", "moffatt"),
    ("spoke to Mr Gunther today", "Gunther"),
    ("the musleh family came in", "musleh"),
    ("we had the wozny kids in", "wozny"),
])
def test_a_title_or_a_family_noun_makes_an_unknown_word_a_surname(
        screener: Screener, text: str, span: str) -> None:
    assert (span, "PERSON") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["did i miss owt", "the foster family were great",
                                  "the birth family want contact", "a polish family moved in",
                                  "dr google says", "the lac kids"])
def test_ordinary_words_before_a_family_noun_or_after_miss_are_not_surnames(
        screener: Screener, text: str) -> None:
    assert screener.scan(text).findings == []


@pytest.mark.parametrize("text", ["Blimey, that is exactly it", "Defo 😂", "Innit - same here",
                                  "Summat, like that yeah", "Soz!! mic was off", "Erm, not sure x"])
def test_an_informal_word_starting_a_quick_reaction_is_not_a_name(screener: Screener,
                                                                   text: str) -> None:
    assert screener.scan(text).findings == [], text


@pytest.mark.parametrize(("text", "span"), [("Tunde, can you hear me?", "Tunde"),
                                            ("Kayleigh 😂", "Kayleigh"),
                                            ("Priya - agree", "Priya")])
def test_a_name_starting_a_quick_reaction_still_is_one(screener: Screener, text: str,
                                                       span: str) -> None:
    assert (span, "PERSON") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["we keep to the Chatham House Rule here",
                                  "honestly Chatham House works better in person",
                                  "i think the Headteacher is the key thing here"])
def test_the_studys_own_rule_and_school_roles_are_not_names(screener: Screener,
                                                            text: str) -> None:
    assert screener.scan(text).findings == [], text


@pytest.mark.parametrize(("text", "span", "category"), [
    ("Bill the grandad refused to come in", "Bill", "PERSON"),
    ("Dawn I think you're on mute", "Dawn", "PERSON"),
    ("Demelza here, chair in the west", "Demelza", "PERSON"),
    ("*Tamsyn sorry, with a y", "Tamsyn", "PERSON"),
    ("Amber dob 12.11.19 — no sorry", "Amber", "PERSON"),
    ("Mr Heard at the farm wouldn't", "Heard", "PERSON"),
    ("Gràce the youngest was sat on mum's knee", "Gràce", "PERSON"),
    ("sorry pasted the wrong thing — LL-CP-2023-4471", "LL-CP-2023-4471", "ID_NUMBER"),
    ("he hasn't been in school since the 9th", "the 9th", "DATE"),
    ("West Mercia police attend online now", "West Mercia", "ORGANISATION"),
])
def test_what_is_said_of_a_word_makes_it_identifying(screener: Screener, text: str, span: str,
                                                      category: str) -> None:
    assert (span, category) in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["And the mum said no", "Monday the chair was off",
                                  "Still the same here", "Hope that helps",
                                  "a glass of rosé after work", "Same here, agree"])
def test_ordinary_words_in_those_shapes_stay_quiet(screener: Screener, text: str) -> None:
    assert screener.scan(text).findings == [], text
