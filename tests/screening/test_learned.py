"""The learned safeguarding stage: one vote beside the rules, vetoed by their frames.

The disclosures below were written for this test, after the head was trained, in phrasings the
rules hold no concept or shape for; they pass or fail on what the embedding knows.
"""

from pathlib import Path

import numpy as np
import pytest

from screening import Screener, ScreeningConfig
from screening.data import build_static_vectors
from screening.learned import REASONS, LearnedSafeguarding, LearnedStageMissing, StaticEmbedder
from screening.wordpiece import WordPiece

UNKNOWN_TO_THE_RULES = [
    ("not sleeping, cant face the office, some days I honestly wonder what the point of me "
     "being here is anymore", "participant"),
    ("dads new partner has been told to stay away but the neighbours say hes there most nights",
     "child"),
    ("my ex has started turning up outside the office again, I have not told my manager",
     "threat"),
]


@pytest.fixture(scope="module")
def rules_only() -> Screener:
    return Screener.load(ScreeningConfig(learned_safeguarding=False))


@pytest.mark.parametrize(("text", "category"), UNKNOWN_TO_THE_RULES)
def test_a_disclosure_the_rules_miss_is_caught_by_the_learned_vote(
        screener: Screener, rules_only: Screener, text: str, category: str) -> None:
    assert rules_only.scan(text).safeguarding is None
    alert = screener.scan(text).safeguarding
    assert alert is not None
    assert alert.category == category
    assert alert.reason == REASONS[category]
    assert alert.level == "urgent"


@pytest.mark.parametrize("text", [
    "is it ok to screenshot the chat on my own phone for my notes?",
    "our policy says case notes must never be kept on personal phones",
    "we had really good training on self-harm and suicidal thoughts last week",
    "lol if one more dad threatens me on teams I'm moving to the seaside",
])
def test_talk_about_the_topic_is_not_a_disclosure(screener: Screener, text: str) -> None:
    assert screener.scan(text).safeguarding is None


def test_the_reason_names_a_category_and_never_quotes_the_message(screener: Screener) -> None:
    text, _ = UNKNOWN_TO_THE_RULES[1]
    alert = screener.scan(text).safeguarding
    assert alert is not None
    assert not set(alert.reason.split()) & {"dads", "partner", "neighbours", "nights"}


def test_the_stage_can_be_switched_off(rules_only: Screener) -> None:
    assert rules_only.safeguarding.learned is None


def test_scores_are_probabilities_and_repeatable() -> None:
    stage = LearnedSafeguarding.load()
    a = stage.score("the baby was left with the 12 year old overnight again")
    b = stage.score("the baby was left with the 12 year old overnight again")
    assert a == b
    assert 0.0 <= a.probability <= 1.0
    assert stage.score("").probability < stage.threshold  # nothing to read: no vote
    assert stage.score("thanks all, see you next week").probability < 0.2


def test_missing_vectors_stop_the_engine_with_the_command_that_builds_them(
        tmp_path: Path) -> None:
    with pytest.raises(LearnedStageMissing, match="make setup"):
        StaticEmbedder.load(tmp_path)


def test_the_build_refuses_weights_that_are_not_the_pinned_ones(tmp_path: Path) -> None:
    fake = tmp_path / "model.safetensors"
    fake.write_bytes(b"not the model")
    with pytest.raises(SystemExit, match="refusing to build"):
        build_static_vectors.verified(fake, build_static_vectors.WEIGHTS_SHA256)


def test_wordpiece_splits_as_bert_uncased_does() -> None:
    tok = WordPiece(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "hello",
                     ",", "world", "!", "jose"])
    ids = tok.encode("Hello, WORLD! unaffable José xyz")
    words = [list(tok.vocab)[i] for i in ids]
    assert words == ["hello", ",", "world", "!", "un", "##aff", "##able", "jose", "[UNK]"]


def test_the_static_vectors_are_the_models_own(tmp_path: Path) -> None:
    """A token's stored vector is what the pinned model gives that token on its own."""
    weights = build_static_vectors.load_safetensors(
        build_static_vectors.model_dir() / "model.safetensors")
    embedder = StaticEmbedder.load()
    token = embedder.tokenizer.vocab["safeguarding"] if "safeguarding" in embedder.tokenizer.vocab \
        else embedder.tokenizer.vocab["safe"]
    cls, sep = embedder.tokenizer.special("[CLS]"), embedder.tokenizer.special("[SEP]")
    direct = build_static_vectors.forward(weights, np.array([[cls, token, sep]])).mean(axis=1)[0]
    stored = np.asarray(embedder.vectors[token], np.float32)
    assert np.allclose(stored, direct, atol=2e-3)


def test_a_deployment_can_raise_the_learned_threshold() -> None:
    default = LearnedSafeguarding.load()
    strict = LearnedSafeguarding.load(threshold=0.95)
    assert strict.threshold == 0.95 != default.threshold
    text = UNKNOWN_TO_THE_RULES[0][0]
    assert default.score(text) == strict.score(text)
