"""Property tests: any text is scanned without error; spans are valid."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screening import CATEGORIES

TEAMS_BITS = ["<at>", "</at>", "<p>", "</p>", "&nbsp;", "&amp;", "<br/>", "@", "'s", "-",
              "Priya", "rose", "07700 900123", "M14 5TQ", "Oakfield Primary", "😀", "\u200b",
              "\n", "St Mary's", "the estate", "NHS 943 476 5919", "12/03/2015"]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(TEAMS_BITS) | st.text(max_size=8), max_size=40).map(" ".join),
    st.lists(st.sampled_from(TEAMS_BITS), max_size=60).map("".join),
)


def check(result, text):
    for f in result.findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.category in CATEGORIES
        assert 0.0 <= f.score <= 1.0
        seg = text[f.start:f.end]
        assert seg.strip() == seg and seg
        if f.category in ("CONTACT", "ID_NUMBER"):
            assert any(c.isalnum() for c in seg)
        if f.category == "DATE":
            assert any(c.isdigit() for c in seg)
        if f.category == "PERSON":
            assert any(c.isalpha() for c in seg)
    assert result.flagged == bool(result.findings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@pytest.mark.slow
@given(text=texts)
@example(text="<AT>0</AT>")  # found by hypothesis: a mention with no letters is not a name
def test_any_text(screener, text):
    check(screener.scan(text), text)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=texts, roster=st.lists(st.text(max_size=20), max_size=4))
def test_any_text_with_roster(screener, text, roster):
    check(screener.scan(text, roster=roster), text)


@pytest.mark.slow
def test_huge_text(screener):
    text = ("<p>Hi <at>Rose</at>&nbsp;😀 call 07700 900123 at Oakfield Primary.</p> " * 3000)
    check(screener.scan(text), text)


def test_empty(screener):
    res = screener.scan("")
    assert res.findings == [] and not res.flagged and res.safeguarding is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(batch=st.lists(st.tuples(texts, st.lists(st.sampled_from(["Priya Sharma", "Rose"]),
                                                max_size=2)), max_size=12))
def test_a_batch_scans_like_one_message_at_a_time(screener, batch):
    assert screener.scan_many(batch) == [screener.scan(text, roster=r) for text, r in batch]


@pytest.mark.slow
def test_the_dev_corpus_scans_the_same_batched(screener):
    """The background scanner batches messages (spaCy is much cheaper per text in a batch);
    a message's findings must not depend on what it was batched with."""
    import json
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "dev.jsonl"
    texts = [json.loads(line)["text"] for line in corpus.read_text().splitlines() if line]
    assert len(texts) > 400
    one_by_one = [screener.scan(text) for text in texts]
    for size in (7, 64):
        batched = []
        for i in range(0, len(texts), size):
            batched.extend(screener.scan_many([(text, ()) for text in texts[i:i + size]]))
        assert batched == one_by_one
