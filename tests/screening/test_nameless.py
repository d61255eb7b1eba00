"""Name-less identification: descriptions that single someone out, flagged with the cue."""

import pytest

from screening import Screener

PI = "POTENTIALLY_IDENTIFYING"

SINGLES_OUT = [
    ("we've got one Deaf dad at the school and he asked for BSL", "nameless_unique"),
    ("the only Roma family in the village have moved again", "nameless_unique"),
    ("our sole male foster carer said the same", "nameless_unique"),
    ("you know the lad who was stabbed outside the chippy last month", "nameless_combination"),
    ("that mum from the flood on the local news came to the RCPC", "nameless_notoriety"),
    ("the whole estate knows that family now", "nameless_notoriety"),
    ("the nan who runs the post office came to core group", "nameless_role"),
    ("the magistrate's son is open to us now", "nameless_role"),
    ("the family with 9 children on Elm Row", "nameless_combination"),
]
ORDINARY = [
    "the only way we made it work was a second laptop",
    "our only worry is the wifi in the room",
    "the mum who joined online could hear fine",
    "one dad said the hybrid format felt fairer",
    "the only thing I'd add is interpreters",
    "the mum who works shifts couldn't make the morning slot",
    "a family with 2 kids and a dog joined from the car",
]


@pytest.mark.parametrize("text,rule", SINGLES_OUT)
def test_description_that_singles_out_is_flagged(screener: Screener, text: str, rule: str) -> None:
    found = [f for f in screener.scan(text).findings if f.category == PI]
    assert found and found[0].rule == rule
    assert found[0].reason and text not in found[0].reason


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_uses_are_not(screener: Screener, text: str) -> None:
    assert not [f for f in screener.scan(text).findings if f.category == PI]


# singling-out by structure (superlatives, a relative's job or office, a rare attribute tied
# to a place): phrasings written for these tests, separately from every benchmark set
STRUCTURAL = [
    ("the oldest dad at the nursery turned up drunk to pick up", "nameless_unique"),
    ("the tallest lad in the year group is the one I mean", "nameless_unique"),
    ("the plumber's eldest daughter is on a plan now", "nameless_role"),
    ("the magistrate's grandson was arrested at the weekend", "nameless_role"),
    ("the boy whose mum is on the council has been excluded", "nameless_role"),
    ("the family with the ice cream van on the seafront", "nameless_combination"),
    ("the girl with the guide dog at the academy", "nameless_combination"),
    ("our only chair who's also an adopter gets asked a lot", "nameless_unique"),
    ("that family off the front page of the Star last week", "nameless_notoriety"),
    ("the only Kurdish family in the hamlet would be obvious", "nameless_unique"),
    ("the lad who torched the bus shelter is ours now", "nameless_combination"),
    ("the woman from the Panorama documentary is on my caseload", "nameless_notoriety"),
]
STRUCTURAL_ORDINARY = [
    "the best bit of hybrid is not travelling",
    "my first review as chair was online",
    "the mum's partner joined late",
    "the baby's dad was on the call",
    "the dad from last week messaged me on facebook about times",
    "the family with a dog in the room kept unmuting",
    "the girl from the annual report photos was a model, not a client",
]


@pytest.mark.parametrize(("text", "rule"), STRUCTURAL)
def test_singling_out_by_structure(screener: Screener, text: str, rule: str) -> None:
    found = [f for f in screener.scan(text).findings if f.category == PI]
    assert found and found[0].rule == rule, (text, found)
    assert found[0].reason


@pytest.mark.parametrize("text", STRUCTURAL_ORDINARY)
def test_structural_ordinary_talk_not_flagged(screener: Screener, text: str) -> None:
    assert not [f for f in screener.scan(text).findings if f.category == PI], text


@pytest.mark.parametrize("description", [
    "the one family with a horse in the garden",
    "the only wheelchair user on the estate",
    "the family everyone round here knows",
    "the dad who made the local paper",
    "the case everyone in the office talks about",
    "the family from the documentary",
    "the 90 year old kinship carer",
    "the girl who won the national swimming championships",
    "the local councillor's grandson",
    "the boy who was hit by the bus outside school",
    "the girl who ran away to Turkey",
    "the policeman's stepdaughter",
    "the oldest foster carer we have",
    "the tallest lad in year 11",
])
def test_more_shapes_of_a_description_that_singles_someone_out(
        screener: Screener, description: str) -> None:
    text = f"honestly {description} was a nightmare to chair online"
    s = text.index(description)
    found = screener.scan(text).findings
    assert any(f.category == "POTENTIALLY_IDENTIFYING" and f.start <= s + 4 and f.end > s
               for f in found), found


@pytest.mark.parametrize("text", [
    "I'm the only one with a laptop that works",
    "we were the only team in the region doing it hybrid",
    "the only people who turned up were the police",
    "the parents we have are mostly fine with teams",
    "she's the first person I ring",
])
def test_ordinary_uses_of_only_and_superlatives_stay_quiet(screener: Screener, text: str) -> None:
    assert not [f for f in screener.scan(text).findings
                if f.category == "POTENTIALLY_IDENTIFYING"], text


@pytest.mark.parametrize("description", [
    "the family on the houseboat at the marina",
    "the twins on the caravan site behind the garage",
    "the Syrian family resettled in the village",
    "the headteacher who's married to the local PC",
    "the dad who's a local councillor",
    "the grandmother who sits as a magistrate",
    "the girl who gave birth in the school toilets",
    "the 13 year old who had the baby over Easter",
])
def test_rare_homes_roles_and_events_single_someone_out(screener: Screener,
                                                        description: str) -> None:
    text = f"we had {description} in last week"
    s = text.index(description)
    assert any(f.category == "POTENTIALLY_IDENTIFYING" and f.start <= s + 4 and f.end > s
               for f in screener.scan(text).findings)


@pytest.mark.parametrize("text", ["the families in the care home are well supported",
                                  "the kids on the farm visit loved it",
                                  "our head is a teacher too"])
def test_ordinary_homes_and_roles_stay_quiet(screener: Screener, text: str) -> None:
    assert not [f for f in screener.scan(text).findings
                if f.category == "POTENTIALLY_IDENTIFYING"], text
