"""Places, organisations and dates the word lists do not hold, found by structure
(place_context.py, place_patterns.py). Phrasings written for these tests, not taken from
any benchmark set."""

import pytest

from screening import Screener

from .conftest import spans

FOUND = [
    ("we moved him out to Skelmanthorpe in the end", "Skelmanthorpe", "LOCATION"),
    ("her gran lives over Wibsey and has him weekends", "Wibsey", "LOCATION"),
    ("they got rehoused from Netherthong last spring", "Netherthong", "LOCATION"),
    ("the Farnworthy lot never answer the door", "Farnworthy", "LOCATION"),
    ("flat's on Willow Walk next to the shop", "Willow Walk", "LOCATION"),
    ("they moved from Tinsley Park to Sandal", "Tinsley Park", "LOCATION"),
    ("the Cherry Tree families got the letter late", "Cherry Tree", None),
    ("mum lives up Pear Tree Row on her own", "Pear Tree Row", "LOCATION"),
    ("the DSL from Whinmoor Girls rang me", "Whinmoor Girls", "ORGANISATION"),
    ("she's on the Brotherton Wing at the Infirmary", "Brotherton Wing", "ORGANISATION"),
    ("Kirklees council changed the venue again", "Kirklees council", "ORGANISATION"),
    ("Barnsley MBC have their own protocol", "Barnsley MBC", "ORGANISATION"),
    ("the boys go to the Al-Falah madrasa on weekdays", "Al-Falah madrasa", "ORGANISATION"),
    ("the Rotherham CP review unit chaired it", "Rotherham CP review unit", "ORGANISATION"),
    ("baby was moved to Ward 32 overnight", "Ward 32", "ORGANISATION"),
    ("the Dudley YOT officer dialled in", "Dudley YOT", "ORGANISATION"),
    ("he was excluded on the 9th march after the fight", "9th march", "DATE"),
    ("she was born 21st aug and is tiny", "21st aug", "DATE"),
    ("Storm is 5 and her brother is 7", "Storm", "PERSON"),
    ("Netherthorpe lot never get the letters", "Netherthorpe", "LOCATION"),
    ("she went back to thurnthorpe after the review", "thurnthorpe", "LOCATION"),
    ("he was stabbed on 14th outside the shop", "14th", "DATE"),
    ("the disclosure was on xmas eve at nan's", "xmas eve", "DATE"),
    ("dob on the system is 2016-07-21", "2016-07-21", "DATE"),
    ("the assault was 09 oct, police attended", "09 oct", "DATE"),
]


@pytest.mark.parametrize(("text", "span", "cat"), FOUND)
def test_found_by_structure(screener: Screener, text: str, span: str, cat: str | None) -> None:
    got = spans(screener.scan(text), text)
    if cat is None:
        assert any(s == span or span in s for s, _ in got), got
    else:
        assert (span, cat) in got, got


KEPT_AS_PERSON = [
    ("I handed it over to Okonkwo before I left", "Okonkwo"),
    ("we had a call from Bogdan about the interpreter", "Bogdan"),
]


@pytest.mark.parametrize(("text", "name"), KEPT_AS_PERSON)
def test_people_after_prepositions_stay_people(screener: Screener, text: str,
                                                name: str) -> None:
    assert (name, "PERSON") in spans(screener.scan(text), text)


QUIET = [
    "I saved the slides on Google Drive",
    "we met in Town Hall for the training",
    "the sky was grey all week so I stayed in",
    "3 may attend in person, the rest online",
    "the council were late sending the invites again",
    "Jo CC'd me in on it",
    "see you all on 21st for the last session",
    "Brilliantly chaired, honestly",
]


@pytest.mark.parametrize("text", QUIET)
def test_ordinary_phrases_stay_quiet(screener: Screener, text: str) -> None:
    got = spans(screener.scan(text), text)
    assert not [g for g in got if g[1] in ("LOCATION", "ORGANISATION", "DATE")], got


UNKNOWN_NAMES = [
    ("jaxxon is 9 and goes to the juniors", "jaxxon"),
    ("the baby's called oaklyn", "oaklyn"),
    ("tayshaun (12) came to the review", "tayshaun"),
    ("mum brought kenzo along", "kenzo"),
    ("her twin is called maddix-rae", "maddix-rae"),
    ("we saw arlo-jay and his sister at school", "arlo-jay"),
]


@pytest.mark.parametrize(("text", "name"), UNKNOWN_NAMES)
def test_names_no_list_holds_in_person_contexts(screener: Screener, text: str,
                                                name: str) -> None:
    assert (name, "PERSON") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["dob is 12 Mar 18 for the youngest",
                                  "we need a re-do of the plan",
                                  "the well-meant advice was ignored",
                                  "the call is 10 minutes long"])
def test_not_names(screener: Screener, text: str) -> None:
    assert not [g for g in spans(screener.scan(text), text) if g[1] == "PERSON"]


@pytest.mark.parametrize(("text", "span"), [
    ("referral came in from Riverside Church on monday", "Riverside Church"),
    ("the boy goes to Riverside Hospital and the DSL there rang me", "Riverside Hospital"),
    ("mum works at Riverside Group Practice so she knows everyone", "Riverside Group Practice"),
    ("he plays for Westfield Football Club on sundays", "Westfield Football Club"),
    ("she's in Hillside Care Home now", "Hillside Care Home"),
    ("nan took him to Westfield Pre-school", "Westfield Pre-school"),
])
def test_an_institution_named_after_a_place_shaped_word_is_an_organisation(
        screener: Screener, text: str, span: str) -> None:
    found = spans(screener.scan(text), text)
    assert any(category == "ORGANISATION" and span.endswith(s.split()[-1]) and s in span
               for s, category in found), found


@pytest.mark.parametrize("text", [
    "we ran a Focus Group on it", "the Support Group meets weds", "our Breakfast Club is full",
    "the Care Home staff were great", "she joined a Facebook Group for mums",
    "the Catholic Church runs a foodbank", "General Practice is stretched", "Book Club tonight",
])
def test_ordinary_words_before_an_institution_word_are_not_a_name(
        screener: Screener, text: str) -> None:
    assert screener.scan(text).findings == []


@pytest.mark.parametrize(("text", "span"), [
    ("he goes to st bedes", "st bedes"),
    ("the nurse from st chads rang", "st chads"),
    ("she was at st. john fisher yesterday", "st. john"),
    ("he goes to the rvi", "rvi"),
    ("she's in the lgi again", "lgi"),
    ("he goes to ysgol y graig", "ysgol y graig"),
])
def test_schools_and_hospitals_typed_in_lower_case(screener: Screener, text: str,
                                                   span: str) -> None:
    assert (span, "ORGANISATION") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["on high st now", "st helens is miles away"])
def test_a_street_abbreviation_or_a_saints_town_is_no_school(screener: Screener,
                                                             text: str) -> None:
    assert not [f for f in screener.scan(text).findings if f.category == "ORGANISATION"]
