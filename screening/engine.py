"""The screening engine: Presidio AnalyzerEngine + spaCy NER + UK recognizers."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence

import spacy
from presidio_analyzer import (
    AnalyzerEngine,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

from .config import ScreeningConfig
from .learned import LearnedSafeguarding
from .lexicon import DOMAIN_ALLOW, DOMAIN_PHRASES, Lexicon, get_lexicon
from .nameless import REASONS
from .names import NameFinder
from .normalise import Normalised, disguised_words, normalise
from .place_context import reads_as_place
from .recognizers import (
    PLACE_NOUN,
    PUBLIC_RE,
    SPACY_MAP,
    STREET_WORD,
    ChatNerRecognizer,
    LexiconRecognizer,
    RosterRecognizer,
    UkPatternRecognizer,
    make_result,
)
from .safeguarding import SafeguardingDetector
from .textprep import clean
from .tokens import tokenize
from .types import CATEGORIES, Finding, ScanResult

logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)


class ChatNlpEngine(SpacyNlpEngine):
    """spaCy with only tok2vec + ner (no parser, tagger, lemmatizer), never downloads."""

    def __init__(self, model: str, use_ner: bool = True, max_chars: int = 20000) -> None:
        conf = NerModelConfiguration(
            model_to_presidio_entity_mapping=SPACY_MAP,
            labels_to_ignore=["CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "TIME",
                              "LANGUAGE", "LAW", "EVENT", "WORK_OF_ART", "PRODUCT"],
            default_score=0.6,
        )
        super().__init__(models=[{"lang_code": "en", "model_name": model}],
                         ner_model_configuration=conf)
        self.model = model
        self.use_ner = use_ner
        self.max_chars = max_chars
        self._lock = threading.Lock()

    def load(self) -> None:
        # One pipeline serves both stages: recognition runs only `ner` (in the small English
        # pipelines it embeds its own tok2vec; the shared one only feeds the tagger and
        # parser), and the safeguarding stage parses the few sentences that hold a risk
        # concept with everything but `ner`.
        full = spacy.load(self.model)
        self.parse_nlp = _Parser(full)
        if self.use_ner:
            self._disable = [n for n in full.pipe_names if n != "ner"]
            nlp = full
        else:
            self._disable = []
            nlp = spacy.blank("en")
        self.nlp = {"en": nlp}

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        return self.process_many([text], language)[0]

    def process_many(self, texts: Sequence[str], language: str) -> list[NlpArtifacts]:
        """Artifacts for several texts; spaCy runs them as one batch (about 2.5x cheaper per
        text than one call each, with the same entities)."""
        nlp = self.nlp[language]
        docs = nlp.pipe([text[: self.max_chars] for text in texts], batch_size=64,
                        disable=self._disable)
        out = []
        for text, doc in zip(texts, docs, strict=True):
            art = self._doc_to_nlp_artifact(doc, language)
            art.chat_tokens = tokenize(text)
            out.append(art)
        return out

    def _doc_to_nlp_artifact(self, doc, language):  # lemmas are not needed
        entities, scores = self._get_updated_entities(
            list(doc.ents), [self.ner_model_configuration.default_score] * len(doc.ents))
        return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=[t.idx for t in doc],
                            lemmas=[], nlp_engine=self, language=language, scores=scores)


class _Parser:
    """Tags and dependencies for the risk stage: tok2vec, tagger and parser only (the
    attribute ruler, lemmatizer and NER would double the cost and are not read)."""

    def __init__(self, nlp: spacy.language.Language) -> None:
        self.nlp = nlp
        self.disable = [n for n in nlp.pipe_names if n not in ("tok2vec", "tagger", "parser")]

    def __call__(self, text: str) -> spacy.tokens.Doc:
        return self.nlp(text, disable=self.disable)


# person findings that came from spaCy or from an unknown capitalised word, not from a name
# list or a title: a place when their context or shape says so (place_context.py)
_GUESSED_PERSON = {"spacy_person", "spacy_organisation", "spacy_org", "unknown_proper_noun",
                   "spacy_gpe", "spacy_fac"}


# what follows a word that starts a quick reaction: the end, punctuation, an emoji, a kiss
_REACTION_AFTER = re.compile(r"\s*(?:$|[,!?.:;)\-–—]|x+\b|[^\w\s])", re.I)
_STRONG_NAME_RULES = {"roster", "teams_mention", "at_mention", "title_surname", "disguised_word",
                      "surname_context"}


def _resolve(results: list[RecognizerResult], threshold: float) -> list[RecognizerResult]:
    """Keep non-overlapping spans: above-threshold first, then longer, then higher score."""
    ordered = sorted(results, key=lambda r: (r.score >= threshold, r.end - r.start, r.score),
                     reverse=True)
    kept: list[RecognizerResult] = []
    for r in ordered:
        if r.end <= r.start:
            continue
        if any(r.start < k.end and k.start < r.end for k in kept):
            continue
        kept.append(r)
    kept.sort(key=lambda r: r.start)
    return kept


class Screener:
    """Load once (``Screener.load(config)``), then call :meth:`scan` per message."""

    def __init__(self, config: ScreeningConfig, analyzer: AnalyzerEngine, lex: Lexicon,
                 names: NameFinder, learned: LearnedSafeguarding | None = None) -> None:
        self.config = config
        self.analyzer = analyzer
        self.lex = lex
        self.names = names
        self._nlp = analyzer.nlp_engine
        self.safeguarding = SafeguardingDetector(self._nlp.parse_nlp, lex.words, learned)

    @classmethod
    def load(cls, config: ScreeningConfig | None = None) -> Screener:
        config = config or ScreeningConfig()
        lex = get_lexicon()
        nlp_engine = ChatNlpEngine(config.model, use_ner=config.use_ner,
                                   max_chars=config.max_ner_chars)
        nlp_engine.load()
        recognizers = [LexiconRecognizer(lex), UkPatternRecognizer(lex)]
        if config.use_ner:
            recognizers.append(ChatNerRecognizer(lex))
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine,
                                  supported_languages=["en"])
        learned = (LearnedSafeguarding.load(threshold=config.learned_threshold)
                   if config.learned_safeguarding else None)
        self = cls(config, analyzer, lex, NameFinder(lex), learned)
        self.scan("Warm up: Oakfield Primary, 07700 900123, rose said hi on 1/2/2020.")
        return self

    def scan(self, text: str, roster: Sequence[str] = ()) -> ScanResult:
        return self.scan_many([(text, roster)])[0]

    def scan_many(self, items: Sequence[tuple[str, Sequence[str]]]) -> list[ScanResult]:
        """Scan several (text, roster) pairs; same results as `scan` on each, less CPU."""
        prepared: list[tuple[Normalised, list[tuple[int, int]],
                             list[tuple[int, int, str, str]]] | None] = []
        for text, _ in items:
            if not isinstance(text, str):
                raise TypeError("text must be str")
            if not text.strip():
                prepared.append(None)
                continue
            cleaned, mentions = clean(text, keep_format=True)
            norm = normalise(cleaned)
            prepared.append((norm, [norm.to_normalised(s, e) for s, e in mentions],
                             disguised_words(cleaned, norm)))
        to_nlp = [p[0].text for p in prepared if p is not None and p[0].text.strip()]
        artifacts = iter(self._nlp.process_many(to_nlp, "en") if to_nlp else [])
        out = []
        for (_text, roster), prep in zip(items, prepared, strict=True):
            if prep is None:
                out.append(ScanResult())
                continue
            norm, mentions, disguised = prep
            art = next(artifacts) if norm.text.strip() else None
            out.append(self._finish(norm, mentions, disguised, art, roster))
        return out

    def _reaction_word(self, text: str, r: RecognizerResult) -> bool:
        """"Blimey, …", "Defo 😂", "Innit - same": an informal word no name list holds,
        capitalised only because it starts a quick reaction."""
        if r.entity_type not in ("PERSON", "LOCATION", "ORGANISATION"):
            return False
        if r.recognition_metadata.get("rule") in _STRONG_NAME_RULES:
            return False
        word = text[r.start:r.end]
        if (r.start != len(text) - len(text.lstrip()) or not word.isalpha()
                or not word[:1].isupper() or word.lower() not in self.lex.reaction_words):
            return False
        return _REACTION_AFTER.match(text, r.end) is not None

    def _finish(self, norm: Normalised, mentions: list[tuple[int, int]],
                disguised: list[tuple[int, int, str, str]], artifacts: NlpArtifacts | None,
                roster: Sequence[str]) -> ScanResult:
        """Recognise in the normalised text; findings are mapped back to the original."""
        thr = self.config.threshold
        cleaned = text = norm.text
        results: list[RecognizerResult] = []
        if artifacts is not None:
            adhoc = [RosterRecognizer(self.lex, self.names, roster)] if roster else None
            results = self.analyzer.analyze(
                text=cleaned, language="en", nlp_artifacts=artifacts, score_threshold=0.0,
                ad_hoc_recognizers=adhoc,
            )
        for s, e in mentions:
            seg = cleaned[s:e]
            ls, le = len(seg) - len(seg.lstrip()), len(seg.rstrip())
            if (le > ls and seg.strip().lower() not in DOMAIN_ALLOW
                    and any(c.isalpha() for c in seg)):
                results.append(make_result(s + ls, s + le, "PERSON", 0.95, "teams_mention"))
        for s, e, how, orig in disguised:
            # a disguised word is a name or place someone tried to slip past screening
            low = cleaned[s:e].lower()
            if how in ("accented", "spaced") and (
                    (self.lex.is_word(low) and not (how == "accented" and low in self.lex.first
                                                    and orig[:1].isupper()))
                    or self.lex.is_word(orig.lower()) or low in DOMAIN_ALLOW):
                continue  # "café", "s o r r y"; but "Gràce", "Dàwn" are names in disguise
            if how == "spaced" and not cleaned[s:e].istitle() and not (
                    low in self.lex.first or low in self.lex.sur or low in self.lex.places):
                continue  # "A B C D E", "a b c d": grades, options, initials
            cat = "LOCATION" if low in self.lex.places else "PERSON"
            results.append(make_result(s, e, cat, 0.7, "disguised_word"))
        kept = _resolve(results, thr)
        for r in kept:
            # "the Hattersley lot", "the Ashton office": a place, whatever the name lists say
            if r.entity_type == "PERSON" and r.recognition_metadata.get("rule") not in (
                    "roster", "teams_mention", "at_mention", "title_surname"):
                m = PLACE_NOUN.match(cleaned, r.end)
                if m and cleaned[max(0, r.start - 4):r.start].lower().endswith(
                        ("the ", "in ", "at ", "on ")):
                    r.entity_type = "LOCATION"
                elif STREET_WORD.search(cleaned[r.start:r.end]):
                    r.entity_type = "LOCATION"
                elif (r.recognition_metadata.get("rule") in _GUESSED_PERSON
                      and reads_as_place(cleaned, r.start, r.end, self.lex)):
                    r.entity_type = "LOCATION"  # "moved out to Thurnscoe", "Pennywell lot"
        kept = [r for r in kept if not self._reaction_word(cleaned, r)]
        public = [m.span() for m in PUBLIC_RE.finditer(cleaned)] if len(cleaned) > 6 else []
        findings: list[Finding] = []
        for r in kept:
            if public and any(a <= r.start and r.end <= b for a, b in public):
                continue
            if r.score < thr or r.entity_type not in CATEGORIES:
                continue
            s, e = r.start, r.end
            while s < e and (cleaned[s].isspace() or text[s].isspace()):
                s += 1
            while e > s and (cleaned[e - 1].isspace() or text[e - 1].isspace()):
                e -= 1
            if not any(c.isalnum() for c in cleaned[s:e]):
                continue
            seg = text[s:e]
            if not seg.strip() or seg.strip().lower() in DOMAIN_ALLOW:
                continue
            if seg.lower() in DOMAIN_PHRASES:
                continue
            meta = r.recognition_metadata or {}
            s, e = norm.to_original(s, e)
            rule = str(meta.get("rule", meta.get("recognizer_name", "")))
            findings.append(Finding(start=s, end=e, category=r.entity_type,
                                    score=round(float(min(1.0, r.score)), 3),
                                    rule=rule, reason=REASONS.get(rule, "")))
        sg = self.safeguarding.detect(cleaned)
        return ScanResult(findings=findings, safeguarding=sg)
