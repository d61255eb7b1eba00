"""The screening engine: Presidio AnalyzerEngine + spaCy NER + UK recognizers."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence

import spacy
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.tokens import Token

from .config import ScreeningConfig
from .lexicon import DOMAIN_ALLOW, DOMAIN_PHRASES, PUBLIC_PHRASES, TITLES, Lexicon, get_lexicon
from .nameless import REASONS, find_nameless
from .names import DETERMINERS, GREET, LOC_PREV, PERSON_PREV, NameFinder
from .normalise import Normalised, disguised_words, normalise
from .patterns import PatternFinder
from .safeguarding import SafeguardingDetector
from .textprep import clean
from .tokens import Tok, tokenize
from .types import CATEGORIES, Finding, ScanResult

logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

CONTRACTION = re.compile(r"^[a-z]+['’](m|ve|ll|d|re|s|t)$")
PUBLIC_RE = re.compile(r"(?<![\w])(?:" + "|".join(
    re.escape(p) for p in sorted(PUBLIC_PHRASES, key=len, reverse=True)) + r")(?![\w])", re.I)
# "Albert Street", "Grace Road": a person-looking name that is the start of an address
STREET_WORD = re.compile(r"\s(Road|Rd|Street|St|Avenue|Ave|Lane|Close|Crescent|Drive|Grove|"
                         r"Terrace|Gardens|Mews|Way)$")
PLACE_NOUN = re.compile(r"\s+(area|estate|lot|office|end|side|patch|village|way|ward|"
                        r"estates|flats|towers|site|locality|district)\b", re.I)
# after a message's first word: it was a name ("rahima can u share…", "Nkem, did you…")
VOCATIVE_NEXT = (" can you", " could you", " did you", " do you", " can u", " could u",
                 " did u", " do u", " r u ", " are you", " are u ", " have you", " would you",
                 " will you", " pls ", " please ", ",", " - ", ":", " said")
SPACY_MAP = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
             "ORG": "ORGANISATION", "NORP": "NORP", "DATE": "DATE"}


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


def _res(s: int, e: int, cat: str, score: float, rule: str) -> RecognizerResult:
    return RecognizerResult(entity_type=cat, start=s, end=e, score=score,
                            recognition_metadata={"recognizer_name": rule, "rule": rule})


class _Base(EntityRecognizer):
    ENTITIES: list[str] = list(CATEGORIES)

    def __init__(self, lex: Lexicon, name: str) -> None:
        self.lex = lex
        super().__init__(supported_entities=self.ENTITIES, name=name, supported_language="en")

    def load(self) -> None:  # nothing to load lazily
        pass


class LexiconRecognizer(_Base):
    """First names, surnames and UK places from embedded lists, decided by chat context."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex, "UkLexiconRecognizer")
        self.finder = NameFinder(lex)

    def analyze(self, text, entities, nlp_artifacts=None):
        toks = getattr(nlp_artifacts, "chat_tokens", None) or tokenize(text)
        out = [_res(*c) for c in self.finder.find(text, toks)]
        if "s " in text:
            out.extend(self._bare_possessives(text))
        return out

    def _bare_possessives(self, text: str) -> list[RecognizerResult]:
        """"Kians mum", "Faiths school": chat drops the apostrophe of a possessive. The
        name is the word without its s, when a relative or a belonging follows."""
        lex = self.lex
        out = []
        for m in BARE_POSSESSIVE.finditer(text):
            base = m.group(1)
            low = base.lower()
            if low in DOMAIN_ALLOW or low in lex.proper_nonid or low in lex.places:
                continue
            known = low in lex.first or low in lex.sur
            if base[0].isupper():
                # a word-name needs to be a given name ("Faiths mum"), not a surname that
                # is also a word ("Parents dads")
                ok = low in lex.first or not lex.is_word(low)
            else:
                ok = known and not lex.is_word(low) and not lex.is_word(low + "s")
            if ok and len(base) > 2:
                out.append(_res(m.start(1), m.end(1), "PERSON", 0.75, "bare_possessive"))
        return out


BARE_POSSESSIVE = re.compile(
    r"(?<![\w'’])([A-Za-z][a-z]+(?:-[A-Z]?[a-z]+)?)s (?=(?:mum|mums|mam|mom|dad|dads|nan|"
    r"nana|nanna|grandad|grandma|gran|brother|sister|bro|sis|foster carer|carer|school|"
    r"teacher|social worker|sw|stepdad|stepmum|step dad|step mum|uncle|aunt|auntie|partner|"
    r"bf|gf|boyfriend|girlfriend|ex|baby|kids|son|daughter|family|fam|house|review|plan|"
    r"conf|icpc|rcpc|nursery|class|key ?worker|iro|dsl|case|placement|bedroom|phone)\b)")


class UkPatternRecognizer(_Base):
    """UK identifiers, contact details, dates, named institutions, streets and estates."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex, "UkPatternRecognizer")
        self.finder = PatternFinder(lex)

    def analyze(self, text, entities, nlp_artifacts=None):
        f = self.finder
        out = []
        for fn in (f.contact, f.ids, f.postcodes, f.dates, f.orgs, f.streets):
            out.extend(_res(*c) for c in fn(text))
        roles = f.unique_roles(text)
        out.extend(_res(*c) for c in roles)
        out.extend(_res(*c) for c in find_nameless(text)
                   if not any(c[0] < e and s < c[1] for s, e, *_ in roles))
        return out


class ChatNerRecognizer(_Base):
    """spaCy NER entities, filtered by the lexicon and the allow-list; plus unknown proper
    nouns (capitalised, not an English word, not a known non-identifying proper noun)."""

    def __init__(self, lex: Lexicon) -> None:
        super().__init__(lex, "ChatNerRecognizer")

    def analyze(self, text, entities, nlp_artifacts=None):
        lex = self.lex
        out = []
        if nlp_artifacts is None:
            return out
        for ent, toks, siblings in self._parts(nlp_artifacts.entities):
            cat = ent.label_
            if cat not in ("PERSON", "LOCATION", "ORGANISATION"):
                continue
            if any(" ".join(t.lower_ for t in sib) in lex.places for sib in siblings):
                cat = "LOCATION"  # "Mexborough n Edlington": coordinated with a place
            while toks and (toks[0].lower_ in DETERMINERS or toks[0].lower_ in TITLES):
                toks = toks[1:]
            if not toks:
                continue
            s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
            phrase = text[s:e].lower()
            if phrase in DOMAIN_PHRASES or phrase in DOMAIN_ALLOW:
                continue
            words = [t.text for t in toks]
            if any(any(c.isdigit() for c in w) for w in words):
                continue
            lows = [w.lower() for w in words]
            if all(w in DOMAIN_ALLOW or w in lex.proper_nonid or lex.is_word(w) for w in lows):
                continue
            if any(w.isupper() and len(w) <= 5 for w in words) and cat != "PERSON":
                continue
            if not any(w[:1].isupper() for w in words):
                continue
            known = any(w in lex.first or w in lex.sur for w in lows)
            place = phrase in lex.places
            nxt = text[e:e + 6].lower()
            if nxt.startswith((" area", " estate", " ward", " side")):
                cat = "LOCATION"
            elif cat == "ORGANISATION" and len(toks) == 2 and toks[0].lower_ in lex.first and (
                    toks[1].lower_ in lex.sur) and not lex.is_word(toks[1].lower_):
                cat = "PERSON"  # "Leo Hartley": a given name and a surname, not a company
            elif cat == "ORGANISATION" and len(toks) == 1 and not toks[0].is_upper:
                prev_tok = toks[0].nbor(-1).lower_ if toks[0].i > 0 else ""
                cat = "LOCATION" if prev_tok in LOC_PREV else "PERSON"
            if cat == "PERSON":
                sc = 0.7 if known else 0.6
                if place and not known:
                    cat, sc = "LOCATION", 0.7
                elif (not known and len(toks) == 1 and toks[0].i > 0
                      and toks[0].nbor(-1).lower_ in {"in", "near", "around", "nr"}
                      and nxt[:2] not in ("'s", "’s")):
                    cat = "LOCATION"  # "her aunt's in Hartcliffe": not a person
            elif cat == "LOCATION":
                sc = 0.75 if place else 0.55
            else:
                sc = 0.55
            out.append(_res(s, e, cat, sc, "spacy_" + ent.label_.lower()))
        # unknown capitalised words in mid-sentence
        toks: list[Tok] = getattr(nlp_artifacts, "chat_tokens", None) or []
        for i, t in enumerate(toks):
            if t.upper or len(t.low) < 3 or CONTRACTION.match(t.low):
                continue
            if t.text[0].islower() and any(c.isupper() for c in t.text[1:]):
                continue  # iPads, eBay: brand spellings, not names
            lw = t.low
            if not t.cap or t.initial:
                # lower-case or sentence-initial unknown word: only with strong person context
                if (lw in DOMAIN_ALLOW or lex.is_word(lw) or lw in lex.first or lw in lex.sur
                        or lw in lex.places or "-" in lw):
                    continue
                if lw in lex.proper_nonid and not (t.cap and t.poss):
                    continue
                prev = toks[i - 1].low if i else ""
                nxt = text[t.full_end:t.full_end + 12].lower()
                punct_after = nxt[:1] in {",", "!", "?", ":"}
                strong = (t.poss and t.cap) or prev in {"thanks", "thank", "hi", "hey", "hiya",
                                                        "cheers", "for", "with", "@"} or (
                    punct_after and prev in GREET) or (
                    i == 0 and nxt.startswith(VOCATIVE_NEXT)) or (
                    t.cap and nxt.startswith((" and i ", " and me ")))
                if strong and lw.isalpha():
                    out.append(_res(t.start, t.end, "PERSON", 0.55, "unknown_name_context"))
                continue
            if (lw in DOMAIN_ALLOW or lex.is_word(lw) or lw in lex.proper_nonid
                    or lw in lex.first or lw in lex.sur or lw in lex.places):
                continue
            if "-" in lw and all(lex.is_word(p) for p in lw.split("-")):
                continue
            prev = toks[i - 1].low if i else ""
            if prev in LOC_PREV and prev not in {"and", "to", "of"}:
                cat = "LOCATION"
            elif prev in PERSON_PREV or t.poss:
                cat = "PERSON"
            else:
                cat = "PERSON"
            out.append(_res(t.start, t.end, cat, 0.55, "unknown_proper_noun"))
        return out


    @staticmethod
    def _parts(entities):
        """Each entity, split where chat coordinates two names ("Batley n Dewsbury",
        "Rose n Ellie-Mai"): spaCy often reads the pair as one organisation."""
        for ent in entities:
            toks = [t for t in ent if not t.is_punct and t.text not in ("'s", "’s")]
            parts: list[list[Token]] = [[]]
            for t in toks:
                if t.lower_ in ("n", "and", "&", "+"):
                    if parts[-1]:
                        parts.append([])
                else:
                    parts[-1].append(t)
            parts = [p for p in parts if p]
            for i, part in enumerate(parts):
                yield ent, part, parts[:i] + parts[i + 1:]


class RosterRecognizer(_Base):
    """Ad-hoc recognizer for the meeting roster (created per call; cheap)."""

    def __init__(self, lex: Lexicon, finder: NameFinder, roster: Sequence[str]) -> None:
        super().__init__(lex, "RosterRecognizer")
        self.finder = finder
        self.names = tuple(roster)

    def analyze(self, text, entities, nlp_artifacts=None):
        toks = getattr(nlp_artifacts, "chat_tokens", None) or tokenize(text)
        return [_res(*c) for c in self.finder.roster(text, toks, self.names)]


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
                 names: NameFinder) -> None:
        self.config = config
        self.analyzer = analyzer
        self.lex = lex
        self.names = names
        self._nlp = analyzer.nlp_engine
        self.safeguarding = SafeguardingDetector(self._nlp.parse_nlp, lex.words)

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
        self = cls(config, analyzer, lex, NameFinder(lex))
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
                results.append(_res(s + ls, s + le, "PERSON", 0.95, "teams_mention"))
        for s, e, how, orig in disguised:
            # a disguised word is a name or place someone tried to slip past screening
            low = cleaned[s:e].lower()
            if how == "accented" and (self.lex.is_word(low) or self.lex.is_word(orig.lower())
                                      or low in DOMAIN_ALLOW):
                continue
            cat = "LOCATION" if low in self.lex.places else "PERSON"
            results.append(_res(s, e, cat, 0.7, "disguised_word"))
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
