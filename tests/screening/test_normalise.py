"""Normalisation: evasions are folded, and every finding maps back to the original text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening import Screener
from screening.normalise import normalise

from .conftest import spans


def _back(text: str, fragment: str) -> str:
    n = normalise(text)
    i = n.text.index(fragment)
    s, e = n.to_original(i, i + len(fragment))
    return text[s:e]


def test_plain_ascii_is_untouched() -> None:
    n = normalise("Nothing to fold here, see you at 10")
    assert n.starts is None and n.text == "Nothing to fold here, see you at 10"


def test_zero_width_and_soft_hyphen_removed() -> None:
    assert _back("call Ha\u200bnnah\u00ad now", "Hannah") == "Ha\u200bnnah"
    assert normalise("Mar\u00adcus").text == "Marcus"


def test_full_width_digits_and_diacritics() -> None:
    assert normalise("０１１３ ４９６").text == "0113 496"
    assert normalise("Zöë and Jóhn").text == "Zoe and John"


def test_cyrillic_homoglyphs_fold_to_latin() -> None:
    text = "at Hаzelwооd Primary"  # Cyrillic а and о
    assert normalise(text).text == "at Hazelwood Primary"
    assert _back(text, "Hazelwood") == "Hаzelwооd"


def test_rtl_override_reads_as_displayed() -> None:
    text = "ask \u202eyrrah\u202c about it"
    assert "harry" in normalise(text).text
    assert "yrrah" in _back(text, "harry")


def test_spaced_digits_and_registration_joined() -> None:
    assert "07700900123" in normalise("0 7 7 0 0 9 0 0 1 2 3").text
    assert "AB12CDE" in normalise("plate A B 1 2 C D E seen").text
    assert normalise("kids aged 3 4 and 7").starts is None


def test_characters_strung_together_by_a_mark_or_spaced_with_punctuation_are_joined() -> None:
    assert "tunde" in normalise("the boy t.u.n.d.e is back").text
    assert "07700900123" in normalise("ring 0-7-7-0-0-9-0-0-1-2-3").text
    assert "21.09.2014" in normalise("dob 2 1 . 0 9 . 2 0 1 4 ok").text
    assert "PR17JD" in normalise("lives at P R 1 7 J D now").text
    assert _back("the boy t.u.n.d.e is back", "tunde") == "t.u.n.d.e"
    for ordinary in ("e.g. this", "version 1.2.3 out", "10.0.0.1", "a-b test", "kids aged 3 4"):
        assert normalise(ordinary).starts is None, ordinary


@pytest.mark.parametrize(("text", "span"), [
    ("J a n e t said she would come", "J a n e t"),
    ("k a y l e i g h was there", "k a y l e i g h"),
    ("the boy t.u.n.d.e is back", "t.u.n.d.e"),
])
def test_a_name_spelt_out_letter_by_letter_is_found(screener: Screener, text: str,
                                                    span: str) -> None:
    assert (span, "PERSON") in spans(screener.scan(text), text)


@pytest.mark.parametrize("text", ["s o r r y all, mic issues", "grades A B C D E fine",
                                  "options a b c d e", "h e l p"])
def test_words_spaced_for_emphasis_or_lists_of_letters_are_not_names(
        screener: Screener, text: str) -> None:
    assert screener.scan(text).findings == []


def test_spelt_out_email() -> None:
    text = "mail sam dot jones at outlook dot com please"
    assert "sam.jones@outlook.com" in normalise(text).text
    assert _back(text, "sam.jones@outlook.com") == "sam dot jones at outlook dot com"
    assert normalise("we met at home at 5").starts is None


@given(st.text(alphabet=st.sampled_from(list("ab 0ар\u200b\u00ad\u202e\u202cé１.@ dot at")),
               max_size=40))
def test_offsets_always_inside_the_original(text: str) -> None:
    n = normalise(text)
    for i in range(len(n.text)):
        s, e = n.to_original(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_engine_findings_point_at_the_evaded_text(screener: Screener) -> None:
    text = "ring 0 7 7 0 0 9 0 0 1 2 3 or Dаnielle at Оakfield Primary"
    found = spans(screener.scan(text), text)
    assert ("0 7 7 0 0 9 0 0 1 2 3", "CONTACT") in found
    assert ("Оakfield Primary", "ORGANISATION") in found


def test_disguised_words_are_names(screener: Screener) -> None:
    text = "Ke\u200bvin's nan and Ｏｌｉｖｉａ (no) and Brі\u00addget were there"
    found = spans(screener.scan(text), text)
    assert ("Ke\u200bvin", "PERSON") in found
    assert any(t.startswith("Brі") and c == "PERSON" for t, c in found)


def test_accented_ordinary_words_are_not(screener: Screener) -> None:
    assert not screener.scan("the café by the office does a naïve flat white").findings
