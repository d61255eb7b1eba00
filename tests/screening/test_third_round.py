"""Classes of miss and false flag found by the third held-out set (scenarios, not its lines)."""

import pytest

from .conftest import spans

NAMES_FROM_MORE_COMMUNITIES = [
    # Albanian, Kurdish, Afghan, Czech/Slovak, Vietnamese, Zimbabwean names, chat nicknames
    ("arben was the one translating for his mum", "arben"),
    ("rebwar's dad wanted the meeting in Sorani", "rebwar"),
    ("mirwais arrived on his own at 15", "mirwais"),
    ("the eldest, radek, is 12", "radek"),
    ("khoa kept his camera off the whole time", "khoa"),
    ("nan said tatenda was doing better at school", "tatenda"),
    ("jonno from the police rang me after", "jonno"),
]


@pytest.mark.parametrize("text,name", NAMES_FROM_MORE_COMMUNITIES)
def test_given_names_from_more_communities(screener, text, name):
    assert (name, "PERSON") in spans(screener.scan(text), text)


def test_chat_words_missing_from_the_dictionary_are_not_names(screener):
    text = "mum's new fella never came, nada, not once"
    assert not screener.scan(text).flagged


NAME_CONTEXTS = [
    # a word-name followed by an age, by "and his/her <relative>", or by "just kept…"
    ("Faith was 9 and she asked to leave the room", "Faith"),
    ("will and his sister both joined from school", "will"),
    ("Ruby always cried when the social worker left", "Ruby"),
]


@pytest.mark.parametrize("text,name", NAME_CONTEXTS)
def test_word_names_in_person_contexts(screener, text, name):
    assert (name, "PERSON") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", [
    "Will just check with IT whether the link works",
    "Hope is 2 weeks away from the deadline",
    "Hope kept me going through lockdown",
])
def test_word_names_used_as_words_stay_quiet(screener, text):
    assert not screener.scan(text).flagged, spans(screener.scan(text), text)


INSTITUTIONS_AND_PLACES = [
    ("the boy was moved to Medway STC after sentencing", "Medway STC", "ORGANISATION"),
    ("she's in year 4 at Our Lady of Fatima", "Our Lady of Fatima", "ORGANISATION"),
    ("Busy Bees nursery flagged the weight loss", "Busy Bees nursery", "ORGANISATION"),
    ("mum's flat is on Victoria Street above the launderette", "Victoria Street", "LOCATION"),
    ("they live in Kings Lynn now, near the docks", "Kings Lynn", "LOCATION"),
]


@pytest.mark.parametrize("text,span,category", INSTITUTIONS_AND_PLACES)
def test_institutions_and_places(screener, text, span, category):
    assert (span, category) in spans(screener.scan(text), text)


@pytest.mark.parametrize("text,span", [
    ("our only Urdu-speaking IRO does all those conferences", "our only Urdu-speaking IRO"),
    ("there's one black male chair in our authority", "there's one black male chair"),
    ("the longest serving DSL in the county retired", "the longest serving DSL in the county"),
])
def test_a_description_that_singles_out_one_colleague(screener, text, span):
    assert (span, "PERSON") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", [
    "the only IRO who turned up was the chair",
    "we need more male chairs across the service",
    "the review into Arthur and Star said the same about lockdown",
    "Eileen Munro said this years ago",
    "dad came over on the Hong Kong visa route",
    "the family spoke Bahdini, not Sorani",
    "breakout rooms work better on Zoom",
])
def test_public_figures_languages_and_general_roles_stay_quiet(screener, text):
    assert not screener.scan(text).flagged, spans(screener.scan(text), text)
