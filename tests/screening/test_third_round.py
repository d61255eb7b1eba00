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
