"""Contact and date forms people actually type."""

import pytest

from screening import Screener

from .conftest import spans

CONTACTS = [
    ("you can get me on +44 (0)7700 900461 after 4", "+44 (0)7700 900461"),
    ("duty desk is 0113 496 0219 ext 312", "0113 496 0219 ext 312"),
    ("her landline 020 7946 0321 x7 apparently", "020 7946 0321 x7"),
]
DATES = [
    ("police were called out on Sat 21st, dad was arrested", "Sat 21st"),
    ("the fire at the flat was Bonfire Night 2021", "Bonfire Night 2021"),
    ("she went missing on the 14th and police found her in Leeds", "the 14th"),
]
NOT_DATES = [
    "next session is Thurs 9th, same link",
    "the 2nd conference went better",
    "happy christmas eve everyone",
]


@pytest.mark.parametrize("text,want", CONTACTS)
def test_typed_phone_numbers(screener: Screener, text: str, want: str) -> None:
    assert (want, "CONTACT") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text,want", DATES)
def test_incident_dates(screener: Screener, text: str, want: str) -> None:
    assert (want, "DATE") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", NOT_DATES)
def test_schedule_and_greetings_are_not_dates(screener: Screener, text: str) -> None:
    assert not [f for f in screener.scan(text).findings if f.category == "DATE"]


@pytest.mark.parametrize("text,want,category", [
    ("Oskars mum rang the duty line", "Oskar", "PERSON"),
    ("Beths nan brought her in", "Beth", "PERSON"),
    ("Walsall n Darlaston families said the same", "Darlaston", "LOCATION"),
])
def test_chat_possessives_and_coordinated_names(
    screener: Screener, text: str, want: str, category: str
) -> None:
    found = screener.scan(text).findings
    names = {(text[f.start:f.end], f.category) for f in found}
    start = text.index(want)
    assert any(f.category == category and f.start <= start < f.end for f in found), names


def test_plural_words_before_family_nouns_are_not_names(screener: Screener) -> None:
    assert not screener.scan("Parents dads and carers all joined, the kids mum too").findings


@pytest.mark.parametrize(("text", "span"), [
    ("her tiktok is jobloggsxx", "jobloggsxx"),
    ("snap: kayz_x", "kayz_x"),
    ("his insta name is tyreece.w", "tyreece.w"),
])
def test_a_handle_right_after_its_platform_is_a_contact(screener: Screener, text: str,
                                                         span: str) -> None:
    assert (span, "CONTACT") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["her tiktok is hilarious", "his insta is private",
                                  "my snapchat is down", "insta: private"])
def test_a_word_after_a_platform_is_not_a_handle(screener: Screener, text: str) -> None:
    assert screener.scan(text).findings == []
