"""Safeguarding by structure: a concept lexicon finds what a sentence is about, the parse
decides whether it is a disclosure.

A *concept* (self-harm, drinking to cope, abuse at home, an injured, missing or exploited
child, a perpetrator back in the home, nobody acting, case material on a personal device,
rewritten records, a colleague unfit for work, leaked case details, a threat to a
professional) is only a candidate. The sentence that holds it is then parsed with spaCy and
the candidate is dropped when the parse or the sentence's frame says it is not happening to
someone now:

- negation of the concept's verb ("she hasn't been back", "I'd never put notes on my phone");
- a hypothetical or conditional frame (an ``if``/``unless``/``whether`` clause over the verb,
  a would/could/should/might/must modal that no reporting verb licenses);
- policy, training, generic and question frames ("the training on self-harm", "we always
  check if dad is back", "how do you manage…?");
- history that was dealt with ("years ago", "used to", "when I was a student", "LADO were
  involved", "he was sacked"), unless something places it now.

Each concept needs its participant: a first-person subject (explicit or dropped, as in
"been cutting again") for risks to the participant; a child or service user for risks to
children; a worker, colleague or first person for breaches; ``me``/``us``/a worker as the
target of a threat. Every result carries a category and a plain reason.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from .risk_concepts import CONCEPTS, NEEDS_CHILD, NEEDS_SELF, NEEDS_TARGET, NEEDS_WORKER, Concept
from .risk_extra import EXTRA_CONCEPTS

_ALL_CONCEPTS = CONCEPTS + EXTRA_CONCEPTS

I = re.I  # noqa: E741


# ---- frames
_NOW = re.compile(
    r"\b(now|right now|today|tonight|this (morning|afternoon|evening|week|weekend)|just|"
    r"still|again|at the moment|currently|as we speak|last night|yesterday|since (monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday|the weekend|last|yesterday|this)|"
    r"keeps?|every (night|day|morning)|lately|recently|atm|rn|2day|2nite|tonite|hours ago|"
    r"this am|over the weekend|at the weekend|worried|worrying|scared|concerned|don'?t know "
    r"what to do|dunno what to do|not sure what to do|on my own with)\b", I)
_POLICY = re.compile(
    r"\b(training|trainer|course|module|webinar|policy|policies|procedures?|guidance|"
    r"protocol|research|studies|literature|best practice|workshop|e-?learning|we always|"
    r"always (check|ask|make sure|look|consider)|we (usually|normally|tend to|would)|you "
    r"(always|should|must|need to|have to|can'?t|cannot)|make sure|reminder|remember to|"
    r"risk assess\w*|it'?s (important|vital|key|essential)|rules? (say|is|are)|not allowed|"
    r"against (the )?(rules|policy)|sacking offence|gross misconduct|disciplinary offence|"
    r"should never|must never|never (ok|okay|acceptable)|in general|generally|often|"
    r"typical(ly)?|common(ly)?|signs of|indicators|how to spot|spotting|awareness|"
    r"such as|for example|e\.?g\.?|the (question|issue|challenge|problem) (of|with|is)|"
    r"how (do|would|should|can|are) (you|we|they|people)|would (you|we|anyone|people) (say|"
    r"class|call|count|consider|think|treat|see|report)|what (do|would|should) (you|we)|"
    r"do (you|we) (ever|still|have to)|anyone (else )?(know|have|ever|got|had)|"
    r"is it (ok|okay|allowed|a breach)|thoughts on|views on|there'?s a risk|remind|"
    r"nationally|code of conduct|scenario|guidaa?nce|sometimes|serious case review|"
    r"case reviews?|cspr|lessons learn\w*|came up in|talked about how|we discussed|"
    r"always (worse|better|harder)|tends? to|(get|gets|are|is) (logged|recorded|"
    r"followed up)|follows up|would be a)\b", I)
_HISTORY = re.compile(
    r"\b(years? ago|months ago|used to|back in (the day|(19|20)\d\d|my|those|them)|"
    r"back (when|then)|at the time|in the past|"
    r"previously|historic\w*|previous|once had|had a case|a case where|one case|in (my|a) "
    r"(first|old|last|previous) (job|team|post|authority|la|year)|when i (was|first|started)|"
    r"last year|(was|were|got|been) (dealt with|sorted|resolved|investigated|closed|sacked|"
    r"dismissed|suspended|disciplined|struck off|arrested|charged|removed|placed|"
    r"prosecuted)|lado (was|were|got) involved|went to lado|(went|referred|escalated|"
    r"reported) (it )?to (the )?(lado|police|mash|manager|hr|my manager)|led to|resulted "
    r"in|which is why|that'?s why|is why (we|the)|case study|remember (when|one|a)|i remember|"
    r"in (19|20)\d\d|as a (teenager|kid|child|student)|(few )?(yrs?|years?) (back|ago)|"
    r"dealt with it|got a warning|a long time ago|long ago|early (on )?in my career|"
    r"last (summer|spring|autumn|winter|christmas|easter)|"
    r"back (the )?next day|came back (the )?next|was found (safe|fine|the next)|"
    r"came back (on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|later|"
    r"that night|the same day|home)|"
    r"when (he|she) was (little|younger|a "
    r"baby))\b", I)
_JOKE = re.compile(r"(\blol\b|\blmao\b|\bhaha+\b|😂|🤣|\bjk\b|\bjoking\b|\bkidding\b|"
                   r"\bbanter\b|😅|\bdying (to|for)\b|\bkill for\b|\bkilling me\b)", I)
_HYPO_WORDS = {"if", "unless", "whether", "suppose", "imagine", "hypothetically"}
_MODALS = {"would", "could", "should", "might", "must", "may", "'d"}
# verbs that report what someone said or did: a modal under them is theirs ("he said he'd…")
_REPORTING = {f"{v}{s}" for v in ("say", "tell", "threaten", "text", "message", "shout",
                                    "scream", "write", "warn", "claim", "disclose", "admit",
                                    "post", "swear", "reckon", "think")
              for s in ("", "s", "ed", "ing")} | {"said", "told", "wrote", "swore", "thought"}
_SENT_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True, slots=True)
class RiskHit:
    category: str
    reason: str
    concept: str


# chat spellings read as standard English before concepts are looked for (the parse and
# frames read the same text): dropped g ("cryin", "sayin"), apostrophe-less contractions,
# "me" for "my" before a body part or belonging, and common shorthand
_SHORT = {"n": "and", "w": "with", "u": "you", "ur": "your", "r": "are", "tmrw": "tomorrow",
          "tmrw.": "tomorrow", "tomoz": "tomorrow", "2moro": "tomorrow", "ppl": "people",
          "dont": "don't", "cant": "can't", "wont": "won't", "isnt": "isn't", "arent": "aren't",
          "didnt": "didn't", "doesnt": "doesn't", "hasnt": "hasn't", "havent": "haven't",
          "wasnt": "wasn't", "werent": "weren't", "couldnt": "couldn't", "wouldnt": "wouldn't",
          "shouldnt": "shouldn't", "im": "i'm", "ive": "i've", "youre": "you're", "hes": "he's",
          "shes": "she's", "theyre": "they're", "thats": "that's", "whats": "what's",
          "theres": "there's", "wot": "what", "cos": "because", "coz": "because",
          "owt": "anything", "nowt": "nothing", "summat": "something", "bc": "because"}
_ME_MY = re.compile(
    r"\bme (?=(?:arm|arms|face|neck|leg|legs|head|back(?!\s+(?:to|home|up|again|later|in|"
    r"round|from|off|at|out|down)\b)|wrist|wrists|body|eye|phone|pills|"
    r"tablets|meds|kids|house|car|door|money|card|keys|mum|dad|life|flat|job|bag|gmail|"
    r"email|hotmail|laptop|account|mobile|notes|own|personal|whatsapp|ipad|usb)\b)", I)
_TOKEN = re.compile(r"[A-Za-z0-9']+|[^A-Za-z0-9']+")


def chat_to_standard(text: str, words: frozenset[str] | None = None) -> str:
    """Standard spellings for the risk stage (not used for offsets)."""
    out = []
    for tok in _TOKEN.findall(text):
        low = tok.lower()
        if low in _SHORT:
            out.append(_SHORT[low])
        elif (len(low) > 4 and low.endswith("in") and words is not None
              and low not in words and (low + "g") in words):
            out.append(tok + "g")
        else:
            out.append(tok)
    return _ME_MY.sub("my ", "".join(out))


class RiskParser:
    """Concept candidates, decided by the sentence's parse (see the module docstring)."""

    def __init__(self, nlp: Any, words: frozenset[str] | None = None) -> None:
        self.nlp = nlp
        self.words = words
        self._lock = threading.Lock()

    def detect(self, text: str) -> RiskHit | None:
        if len(text) < 10:
            return None
        text = chat_to_standard(text, self.words)
        hits: list[tuple[Concept, str, int, int]] = []
        for sent in _sentences(text):
            for c in _ALL_CONCEPTS:
                for m in c.rx.finditer(sent):
                    hits.append((c, sent, m.start(), m.end()))
                    break
        if not hits:
            return None
        if _WORK_CONTEXT.search(text):
            # a threat in a work context is a threat to the professional, even where the same
            # words would be harm at home ("followed me home from the office")
            hits.sort(key=lambda h: h[0].category != "threat")
        docs: dict[str, Any] = {}
        for c, sent, s, e in hits:
            if not self._cheap_frame_ok(c, sent, s, e, text):
                continue
            # parse the clause around the concept, not a whole run-on message: negation,
            # modals and if-clauses sit within a few words of it, and the cost stays bounded
            a = _window_start(sent, s)
            b = _window_end(sent, e)
            clause = sent[a:b]
            if clause not in docs:
                with self._lock:
                    docs[clause] = self.nlp(clause)
            if self._parse_ok(c, docs[clause], s - a, e - a):
                return RiskHit(c.category, c.reason, c.name)
        return None

    def is_topic_talk(self, text: str) -> bool:
        """The whole message is a joke, policy or training talk, or history with nothing
        placing it now: used to quieten the older phrasing rules too."""
        text = chat_to_standard(text, self.words)
        if _JOKE.search(text) or _POLICY.search(text):
            return _NOW.search(text) is None
        return _HISTORY.search(text) is not None and _NOW.search(text) is None

    def is_discussion(self, text: str) -> bool:
        """Talk about the topic rather than a disclosure, read broadly: topic talk as above,
        or any policy or joke frame, or a question. Vetoes the learned stage's vote (which
        knows the topic, not the frame); the rules keep their own, narrower reading."""
        if text.rstrip().endswith("?") or self.is_topic_talk(text):
            return True
        std = chat_to_standard(text, self.words)
        return any(rx.search(std) is not None for rx in (_POLICY, _JOKE, _RESOLVED, _SUPPOSED))

    @staticmethod
    def _cheap_frame_ok(c: Concept, sent: str, s: int, e: int, text: str) -> bool:
        if _JOKE.search(sent):
            return False
        now = _NOW.search(sent) is not None
        if _POLICY.search(sent) and not (now and c.category in ("participant", "threat")):
            return False
        if _HISTORY.search(sent) and not now:
            return False
        if c.category == "child" and _RESOLVED.search(sent):
            return False
        if c.needs_now and not (now or _INACTION.search(text) or _REPORTED.search(sent)):
            return False
        around = sent
        if c.needs == "self" and not (NEEDS_SELF.search(around) or _dropped_subject(sent)):
            return False
        if c.needs == "child" and not NEEDS_CHILD.search(around):
            return False
        if c.needs == "worker" and not (NEEDS_WORKER.search(around) or _dropped_subject(sent)):
            return False
        # "got a voicemail saying watch your back": the dropped subject is the target
        if c.needs == "target" and not (NEEDS_TARGET.search(around) or _dropped_subject(sent)):
            return False
        if c.name == "personal_device" and not _CASE_MATERIAL.search(sent):
            return False
        if c.name == "confidentiality" and not _CASE_MATERIAL.search(sent):
            return False
        if c.name == "unfit_for_work" and not _AT_WORK.search(sent):
            return False
        return not (c.name == "nobody_acting" and not _CASE_CONTEXT.search(text))

    @staticmethod
    def _parse_ok(c: Concept, doc: Any, s: int, e: int) -> bool:
        toks = [t for t in doc if t.idx < e and t.idx + len(t.text) > s]
        if not toks:
            return True
        # the clause head: the first verb among the concept's tokens and their ancestors
        head = next((t for t in toks if t.tag_.startswith("VB")), None)
        if head is None:
            head = next((a for a in toks[0].ancestors if a.tag_.startswith("VB")), toks[0])
        chain = [head, *head.ancestors]
        reported = any(a.lower_ in _REPORTING for a in chain)
        for t in chain:
            for ch in t.children:
                low = ch.lower_
                if ch.dep_ == "neg" and not c.neg_inside and t is head:
                    return False
                if (ch.dep_ == "mark" and low in _HYPO_WORDS and not reported
                        and not doc.text[s:e].lower().startswith("if ")):
                    return False
                if (ch.dep_ == "aux" and low in _MODALS and not reported and t is head
                        and c.category != "threat" and not s <= ch.idx < e):
                    # (a modal inside the concept's own wording is part of it: "wouldn't let
                    # me see her")
                    return False
        first = doc[0].lower_ if len(doc) else ""
        if first in ("what", "how") and doc.text.rstrip().endswith("?"):
            return False
        if first in _HYPO_WORDS and not reported and not doc.text[s:e].lower().startswith("if "):
            return False
        return True


# the child is safe again: "she's settled now", "turned up three days later"
# a supposition: "if a colleague turned up drunk I'd…", "what if dad…", "hypothetically…"
_SUPPOSED = re.compile(
    r"^\W*((and|but|so|ok|well),? )?(if|what if|hypothetically|imagine|suppose|say)\b|"
    r"\bif\b[^.?!]{0,80}\b(i'd|i would|we'd|we would|you'd|you would)\b", I)
_RESOLVED = re.compile(
    r"\b((she|he|they)('s| is|'re| are| was| were) (now )?(settled|safe|fine|doing (well|"
    r"better|great)|back (home|at school|in school)|home safe|stable|ok|okay)|"
    r"turned up (\w+ ){0,3}later|came back (\w+ ){0,3}later|was found (safe|fine|and)|"
    r"(were|was) found safe)\b", I)
# the professional's work, or a service user's family named as such
_WORK_CONTEXT = re.compile(
    r"\b(office|conference|icpc|rcpc|review|core group|visit|visits|case|caseload|court|"
    r"reception|car park|the family|family's|families|(?<!my )(?:dad|mum|stepdad|grandad|uncle|"
    r"parent|father|mother)(?:'s)?|sw|social worker|snatcher)\b", I)
# just reported or seen: "school rang", "I saw it myself"
_REPORTED = re.compile(
    r"\b(rang|rung|phoned|called me|told (me|us|school|the teacher|her teacher)|disclosed|"
    r"saw|seen|noticed|found|turned up|came in|showed me|sent me)\b", I)
# whoever should act is not acting: makes an injury or harm case talk a present risk
_INACTION = re.compile(
    r"\b(no one|nobody|noone|nothing)\b|\b(told|asked) (me|us) to (leave|wait)|\bnfa\b|"
    r"\bhaven'?t been (informed|told)|\bwithout (a |telling)|\bjust logged|\bmonitor\b|"
    r"\bbounced|\bnot until|\bisn'?t until|\bwait (for|and)|\bonly one who knows", I)
_CASE_MATERIAL = re.compile(
    r"\b(photos?|pics?|pictures?|screenshots?|notes?|minutes|records?|files?|reports?|"
    r"chronolog(y|ies)|case|cases|family|families|kids|children|child|baby|details|address|"
    r"addresses|names?|videos?|recording|recorded|record(ing)?|assessments?|plans?|"
    r"documents?|paperwork|referrals?|bundles?|conference|icpc|rcpc|meeting|core group|"
    r"service users?|client|clients|parent|parents|mum|dad|info|information|caseload|"
    r"\d+ ?(?:year|yr)s? old|teenager|young person|yp|young people|families'?)\b", I)
_AT_WORK = re.compile(
    r"\b(work|duty|shift|visit|visits|conferences?|reviews?|icpcs?|rcpcs?|office|court|"
    r"chairing|chairs|chaired|"
    r"today|this morning|on the call|in the meeting|on teams|car|driving|drove|home visit|"
    r"core group|meeting|in the room|at the table|with the family|supervision)\b", I)
_CASE_CONTEXT = re.compile(
    r"\b(child|children|kid|kids|baby|family|referral|case|mum|dad|yp|young person|school|"
    r"strategy|s47|visit|police|safeguarding|risk|he|she|her|him|them)\b", I)


_WINDOW_BEFORE = 70
_WINDOW_AFTER = 45


def _window_start(sent: str, s: int) -> int:
    if s <= _WINDOW_BEFORE:
        return 0
    a = sent.find(" ", s - _WINDOW_BEFORE)
    return a + 1 if 0 <= a < s else s


def _window_end(sent: str, e: int) -> int:
    if len(sent) - e <= _WINDOW_AFTER:
        return len(sent)
    b = sent.rfind(" ", e, e + _WINDOW_AFTER)
    return b if b > e else len(sent)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENT_END.split(text) if s and s.strip()]


_DROPPED = re.compile(
    r"^\s*(?:tbh |honestly |ngl |sorry |and |but |just |really |so )*"
    r"(been|started|starting|keep|kept|can'?t|cant|cannot|don'?t|dont|do not|feel|feeling|"
    r"having|had|got|getting|thinking|thought|drinking|not|going|gonna|wish|want|wanted|"
    r"need|needed|hate|took|taken|cutting|scared|frightened|terrified|never|barely|hardly|"
    r"drank|using|sent|put|left|took|gave|screenshot\w*|emailed|forwarded|posted|shared|"
    r"told|showed|got|getting|living|pretty much|crying|taking)\b", I)


def _dropped_subject(sent: str) -> bool:
    """'been cutting again', 'cant stop drinking to get thru': chat drops the "I"."""
    return _DROPPED.match(sent) is not None
