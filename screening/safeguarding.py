"""Safeguarding detector: disclosures of serious risk and breaches of professional rules.

Separate from identifier screening. Rules look for first-person or here-and-now disclosures;
talk *about* the topic (training, policy, risk assessment in general) is not a disclosure.
"""

from __future__ import annotations

import re

from .types import Safeguarding

I = re.I  # noqa: E741

_SELF = r"(?:\bi\b|\bi'?m\b|\bim\b|\bi am\b|\bi'?ve\b|\bi have\b|\bme\b|\bmyself\b|\bmy\b)"
_NEG = re.compile(
    r"\b(never|don'?t|do not|doesn'?t|wouldn'?t|would never|shouldn'?t|should not|must not|"
    r"mustn'?t|not allowed|aren'?t allowed|isn'?t allowed|no one should|policy|policies|"
    r"prohibited|banned|we'?re told|training|guidance|reminder|remember|make sure|"
    r"please don'?t|against the rules|breach of|gdpr|procedure|protocol|in case|what if|"
    r"if someone|if a worker|if you|hypothetical|would you|example|scenario|case study|"
    r"risk assessment|assess(ing|ed)? (the )?risk|safety plan|research|literature|article|"
    r"statistics|data on|rates of|how do you|how would|what do you do|talk about|discuss)\b",
    I)

URGENT_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(
        r"\b(i|i'?m|im|i am|i'?ve|i have|i feel|i keep|i just|i really|honestly i|i'?d|i do)\b"
        r"[^.?!\n]{0,40}\b(kill(ing)? myself|end(ing)? it all|end(ing)? it\b|end(ing)? my life|"
        r"take my (own )?life|suicidal|self[- ]?harm(ing|ed)?|hurt(ing)? myself|"
        r"cut(ting)? myself|overdos(e|ed|ing)|(don'?t|do not) want to (be here|live|wake up)|"
        r"can'?t go on|can'?t do this any ?more|no point (in )?(living|going on|being here)|"
        r"want(ed)? to die|better off dead|better off without me|not be here any ?more|"
        r"disappear for good)", I),
     "possible risk of self-harm or suicide to a participant"),
    (re.compile(
        r"\b((thinking|think|thought) (about|of) (ending it|suicide|killing myself|ending my life)|"
        r"suicidal thoughts|(been|was|started) (self[- ]?harming|cutting) again|"
        r"don'?t see the point (in )?(anything|living|going on) any ?more|"
        r"bought (some )?(pills|tablets) to|"
        r"(thinking|thought|planning|planned|worked out|looking up|looked up|researching) "
        r"(about |of )?(how|ways) (i'?d|i would|i could|i can|to) (do it|end it|kill myself|"
        r"end my life|not wake up))", I),
     "possible risk of self-harm or suicide to a participant"),
    (re.compile(
        r"\b(my|our) (partner|husband|wife|boyfriend|girlfriend|ex|ex-partner|ex-husband|"
        r"ex-wife|son|daughter|dad|father|mum|mother|neighbour|flatmate|landlord)\b[^.?!\n]{0,50}"
        r"\b(hit|hits|hitting|hurt|hurts|hurting|threaten(s|ed|ing)?|strangl(ed|es|ing)|"
        r"chok(ed|es|ing)|push(ed|es)|kick(ed|s)|punch(ed|es)|attack(ed|s)|assault(ed|s)|"
        r"beat(s|en)? me|scares me|control(s|ling)? me|locked me|won'?t let me|raped|"
        r"forced me)", I),
     "a participant may be unsafe at home"),
    (re.compile(
        r"\b((i'?m|im|i am|i (really |just |honestly )?(feel|don'?t feel|do not feel)) "
        r"(not |really not |so |very )?"
        r"(un)?safe (at home|to go home|going home|to go back home|in my (own )?(house|home|flat))|"
        r"(scared|afraid|frightened|terrified) (to go|of going|about going) (back )?home|"
        r"(he'?s|she'?s|they'?re|someone'?s|someone is|he is|she is|they are|there'?s someone|"
        r"(is|are) (sat|sitting|stood|standing|parked|waiting)) "
        r"((sat|sitting|stood|standing|parked|waiting|hanging around) )?(outside|at) my "
        r"(house|door|flat|window|home|work)|locked myself in|"
        r"(knows?|found out|find out|worked out) where i live|followed me home|"
        r"turned up (at|outside) my (house|door|flat|home|work)|"
        r"(please )?(call|ring) (the )?police (for me|now)|need help (right )?now)", I),
     "a participant may be unsafe"),
    (re.compile(
        r"\b(threaten(ed|ing|s)? to (kill|stab|hurt|harm|burn|shoot|find) (me|my|us|her|him|"
        r"the (worker|sw|social worker|child|baby|kids?))|"
        r"(said|says) (he|she|they)(?:'?d| would| will| is going to| was going to) "
        r"(kill|stab|hurt|find|get) (me|us|my)|"
        r"i'?m going to (hurt|kill|stab|get) (him|her|them|you|someone)|"
        r"(death|bomb) threats?|threats? to kill|has a (knife|gun|weapon) (and|right now|now))",
        I),
     "a threat of serious harm has been disclosed"),
    (re.compile(
        r"\b(child|children|kid|kids|baby|toddler|boy|girl|son|daughter|little one|"
        r"\d+[- ]?(year|yr|month|week)s?[- ]?olds?|newborn|infant|twins|siblings|he|she|they|"
        r"young person|yp)\b[^.?!\n]{0,40}\b(is|are|'s|being) (being )?"
        r"(hurt|hit|beaten|abused|attacked|harmed|assaulted|locked in|left alone|unsupervised|home alone|alone|"  # noqa: E501
        r"in danger|at risk)\b[^.?!\n]{0,30}\b(right now|now|currently|as we speak|at the moment|"
        r"tonight|today|this (morning|afternoon|evening))", I),
     "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b(child|children|kid|kids|baby|toddler|boy|girl|son|daughter|little one|"
        r"\d+[- ]?(year|yr|month|week)s?[- ]?olds?|newborn|infant|twins|siblings|young person|"
        r"yp)\b[^.?!\n]{0,30}\b(home alone|left alone|"
        r"on (his|her|their) own|unsupervised|locked in)\b[^.?!\n]{0,30}\b(right now|"
        r"as we speak|at the moment|tonight|currently)", I),
     "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b(right now|as we speak|at the moment|currently|tonight)\b[^.?!\n]{0,50}\b(child|"
        r"children|kid|kids|baby|toddler|boy|girl|little one|young person)\b[^.?!\n]{0,30}"
        r"\b(hurt|hit|beaten|abused|attacked|harmed|alone|unsupervised|in danger|screaming|"
        r"bleeding|unconscious|with him|with her)", I),
     "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b(can hear|hearing|i can see|watching) (him|her|them|someone|the (dad|mum|father|"
        r"mother|partner|neighbou?r))\b[^.?!\n]{0,30}\b(hitting|hurting|beating|shouting at|"
        r"attacking|smacking|screaming at)", I),
     "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b(still (living |staying )?(in the house |at home )?with (him|her|the perpetrator|"
        r"the abuser)|(was|has been|were) (left )?(alone|unsupervised) (all|for) "
        r"(day|night|weekend|days|hours)|nobody has seen (her|him|the child|the baby) (for|since)|"
        r"hasn'?t been seen (by anyone )?(for|since)|no one has seen (her|him|the child|the baby)"
        r"(for|since))", I),
     "a child may be at risk of serious harm"),
]

CONCERN_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(
        r"\b(shared|told|gave|passed|sent|showed)\b[^.?!\n]{0,40}\b(address|addresses|details|"
        r"names?|case|file|files|photos?|report|notes|chronology|minutes)\b[^.?!\n]{0,30}"
        r"\b(with|to) "
        r"(my|a|some) (partner|"
        r"husband|wife|boyfriend|girlfriend|friends?|mates?|mum|family|sister|brother)", I),
     "possible breach of confidentiality"),
    (re.compile(
        r"\b(sent|send|sending|shared|sharing|share|forward(ed|ing)?|upload(ed|ing)?|"
        r"screenshot(ted|s)?|saved|save|took (photos|pictures|a photo|a picture|screenshots)|"
        r"photograph(ed)?|email(ed|ing)?|kept|keep|keeping|stor(e|ed|ing)|put|posted|"
        r"download(ed|ing)?|copied|copy)\b[^.?!\n]{0,80}\b(my (own |personal |private )?"
        r"(whatsapp|phone|mobile|email|gmail|hotmail|icloud|laptop|instagram|facebook|"
        r"dropbox|google drive|usb|memory stick|pen drive|home computer|ipad)|personal "
        r"(whatsapp|phone|mobile|email|device|laptop|account|gmail)|(a|our|the|team) "
        r"whatsapp( group)?|whatsapp group)", I),
     "possible breach of data protection or professional rules"),
    (re.compile(
        r"\b(my (own |personal |private )?(whatsapp|phone|mobile|email|gmail|hotmail|icloud|"
        r"laptop)|personal (whatsapp|phone|mobile|email|device|laptop)|whatsapp group)\b"
        r"[^.?!\n]{0,60}\b(case (files?|notes?|records?|recordings?)|files?|reports?|records?|"
        r"notes|photos?|pictures|screenshots?|chronolog(y|ies)|minutes|assessments?|referrals?|"
        r"details|addresses|names)\b", I),
     "possible breach of data protection or professional rules"),
    (re.compile(
        r"\b(case (files?|notes?|records?|recordings?)|chronolog(y|ies)|minutes|reports?|"
        r"assessments?|referrals?|cp plans?|(photos?|pictures) of (the|a|my) (kids?|children|"
        r"child|baby))\b[^.?!\n]{0,60}\b(on|via|over|through|into) (personal |my )?"
        r"(whatsapp|snapchat|messenger|facebook|instagram|gmail|hotmail|icloud|dropbox)", I),
     "possible breach of data protection or professional rules"),
    (re.compile(
        r"\b((told|asked|made|pressured|instructed) (me|us|them|her|him) to "
        r"(change|alter|backdate|delete|falsify|amend|fudge|remove)|backdat(e|ed|ing) "
        r"(the |a |my )?(visit|visits|record|records|notes|case notes|assessment)|"
        r"falsif(y|ied|ying)|recorded (a |the )?visits? (that|which) (never|didn'?t) "
        r"happen|(didn'?t|did not|never) (actually )?(visit|see the child)[^.?!\n]{0,30}"
        r"(recorded|wrote|put|logged|said)|"
        r"(left|lost) (the |a |my |some )?[^.?!\n]{0,25}\b(files?|laptop|"
        r"notes|bag|memory stick|usb|paperwork|documents?|plans?|reports?|bundles?|minutes|"
        r"records|work phone)\b[^.?!\n]{0,20}\b(on the|in the|in a|at the|on a) "
        r"(train|bus|tube|pub|car park|taxi|cafe|shop|street|bench)|"
        r"(drunk|drinking|hungover|high) (on duty|at "
        r"work|during (a|the) visit)|came (in|to work) drunk|relationship with (a|the|one of "
        r"the) (parent|service user|client|mum|dad|young person|care leaver|family)|accept(ed)? "
        r"(money|cash|gifts?) from (a|the) (family|parent|service user))", I),
     "possible breach of professional regulations"),
    (re.compile(
        r"\b(posted|posting|post|talked|talking|told|moan(ed|ing)?|ranted) (about )?(a|the|one "
        r"of my|this) (family|families|case|child|kid|mum|dad|parent)[^.?!\n]{0,40}\b(on|to) "
        r"(facebook|instagram|tiktok|twitter|social media|my (friends|mates|husband|partner|wife|"
        r"boyfriend|girlfriend|family)|the pub)", I),
     "possible breach of confidentiality"),
]


class SafeguardingDetector:
    def detect(self, text: str) -> Safeguarding | None:
        if len(text) < 12:
            return None
        found: Safeguarding | None = None
        for rx, reason in URGENT_RULES:
            for m in rx.finditer(text):
                if self._negated(text, m.start(), m.end()):
                    continue
                return Safeguarding(level="urgent", reason=reason)
        for rx, reason in CONCERN_RULES:
            for m in rx.finditer(text):
                if self._negated(text, m.start(), m.end()):
                    continue
                found = Safeguarding(level="concern", reason=reason)
                return found
        return found

    @staticmethod
    def _negated(text: str, s: int, e: int) -> bool:
        # the sentence that holds the match
        a = max(text.rfind(".", 0, s), text.rfind("?", 0, s), text.rfind("!", 0, s),
                text.rfind("\n", 0, s)) + 1
        return bool(_NEG.search(text[a:s]))
