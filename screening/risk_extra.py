"""More risk concepts, built from word classes rather than phrasings.

The verbs of striking and of menacing, the nouns of injury and of drink come from WordNet
(``data/wordnet_concepts.tsv``, every inflection; see ``data/build_wordnet.py``), so "she
thumped me", "he's been stalking me" or "a gash on her head" need no phrase of their own.
The other concepts are the shapes a disclosure takes: an intimidating presence by the
worker's car or home, something left on it, knowledge of where the worker's family is; an
adult's age beside a child's; goods a child cannot explain; a child on their own with no
adult; records made to *look* right; a third party reading case papers. risk.py decides, as
for every concept, whether the sentence places it now and whose it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import DATA
from .risk_concepts import _CHILD_WORDS, Concept, _rx


@lru_cache(maxsize=1)
def _slots() -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = {}
    path = DATA / "wordnet_concepts.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        slot, form, _lemma = line.split("\t")
        out.setdefault(slot, set()).add(form)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


def slot_words(slot: str) -> frozenset[str]:
    return frozenset(_slots().get(slot, ()))


def _alt(slot: str) -> str:
    return "(?:" + "|".join(re.escape(w) for w in _slots()[slot]) + ")"


_STRIKE = _alt("strike")
_MENACE = _alt("menace")
_INJURY = _alt("injury")
_DRINK = (_alt("alcohol") + r"|(?:a )?bottles? of (?:red|white|rose|rosé|fizz|prosecco|wine)"
          r"|cider|prosecco|cans")
# drugs (WordNet's, with the names chat uses for prescribed ones added by hand)
_DRUG = (_alt("drug") + r"|co-?codamol|tramadol|pregabalin|zopiclone|sertraline|ket|coke|"
         r"sleeping (?:pills|tablets)|spliffs?|joints?|edibles")
_MINE = (r"(?:my|our)(?: \w+)? (?:car|house|home|flat|door|front door|windscreen|window|"
         r"letterbox|doorstep|drive|work|office|desk|kids'?|children'?s|son'?s|daughter'?s)")
_PARTNER = (r"(?:he|she|they|my (?:partner|husband|wife|boyfriend|girlfriend|ex|other half|"
            r"fiance|fiancee|dad|mum|son|daughter|brother|sister))")

EXTRA_CONCEPTS: tuple[Concept, ...] = (
    # ---- a participant at risk
    Concept("self_harm_more", "participant", _rx(
        r"(?:dark|bad|horrible|scary|awful|intrusive|suicidal|morbid) (?:thoughts|place|"
        r"places|ideas)",
        r"(?:not|wasn'?t|weren'?t|won'?t be) (?:here|around) (?:any ?more|after (?:this|that|"
        r"today|tonight)|much longer|next week|by (?:the weekend|monday|then))",
        r"(?:keep|kept|just|carry on|carried on) (?:driving|walking|going)\b[^.?!\n]{0,30}\b"
        r"(?:not|never) (?:stop|stopping|com\w* back|turn\w* back|com\w* home)",
        r"(?:pick\w*|scratch\w*|pull\w*|burn\w*|hurt\w*|punch\w*|bang\w*|hit\w*|cut\w*)"
        r"(?: at)? my (?:arms?|legs?|skin|wrists?|thighs?|head|hands?|face|stomach)\b"
        r"[^.?!\n]{0,30}\b(?:till|until|so) (?:it|they|i) (?:bleeds?|bled|bruise|bruised|hurt|"
        r"hurts|scarred)",
        r"(?:more|extra|double|twice)\b[^.?!\n]{0,30}(?:tablets|pills|meds|painkillers|"
        r"paracetamol|co-?codamol|sertraline|diazepam)\b[^.?!\n]{0,20}\bthan (?:the (?:box|"
        r"packet|label|doctor|gp|prescription|leaflet)|i (?:should|was|am|'m)|prescribed|"
        r"recommended|allowed|i'?m (?:meant|supposed))",
        r"(?:counting|counted|stockpiling|saving) (?:up )?(?:the |my )?(?:tablets|pills|meds)"),
        "a participant describes thoughts of suicide or harming themselves now", "self"),
    Concept("drink_to_cope_more", "participant", _rx(
        r"(?:get|getting|got|gets)(?: me)? (?:through|thru) (?:the |my |most )?"
        r"(?:day|days|evening|evenings|"
        r"night|nights|week|shift|visits?|weekends?)\b[^.?!\n]{0,40}\b(?:" + _DRINK + r"|"
        r"drink|drinking|pills|tablets)",
        r"(?:" + _DRINK + r"|" + _DRUG + r")\b[^.?!\n]{0,40}\b(?:to (?:cope|get through|sleep|"
        r"numb|switch "
        r"off|forget)|most of another|and (?:then )?another|every (?:night|evening|day)|on my "
        r"own|before (?:work|visits?|conference))"),
        "a participant describes drinking or using drugs to cope", "self"),
    Concept("abuse_at_home_more", "participant", _rx(
        _PARTNER + r"(?: has| had| keeps?| just|'s| is| was| been)*(?: been)? " + _STRIKE
        + r" me\b",
        r"(?:scared|afraid|frightened|terrified|petrified|dread\w*) (?:to go|of going|going)"
        r" back\b",
        r"(?:went|goes|going|gone|been going) through my (?:phone|messages|texts|bag|bank|"
        r"emails|purse)",
        r"(?:smash\w*|broke|broken|snapped|threw) my (?:phone|laptop|glasses|things|stuff|"
        r"door|car keys)",
        r"(?:won'?t|doesn'?t|does not|will not) (?:let|allow) me (?:to )?(?:leave|go|see|out|"
        r"have|drive|work)"),
        "a participant describes being harmed or controlled at home", "self"),
    # ---- a child or service user at risk now
    Concept("child_harmed_more", "child", _rx(
        _STRIKE + r" (?:the |his |her |their )?" + _CHILD_WORDS,
        r"(?:being|getting|got|been|gets) " + _STRIKE,
        r"(?:" + _INJURY + r"|marks?|scratches|cuts?|burns?|bruis\w*)s? (?:on|to|across|"
        r"around|round|behind|under) (?:his|her|their|both|the (?:baby|child|boy|girl)'?s?) \w+"),
        "a child or service user is described as being harmed now", "child", needs_now=True),
    Concept("child_alone", "child", _rx(
        r"(?:on (?:their|his|her) own|by (?:themselves|himself|herself)|alone) (?:in|at) "
        r"(?:the|their|a|his|her) (?:house|flat|home|car|park|street)",
        r"no (?:adult|adults|grown[- ]?ups?|parent|carer) (?:anywhere|there|in|at home|present|"
        r"around|home|with (?:them|him|her))"),
        "a child is described as left without an adult now", "child"),
    Concept("exploitation_more", "child", _rx(
        r"(?:collected|picked up|fetched|driven (?:off|away)|taken)\b[^.?!\n]{0,25}\bby "
        r"(?:\w+ )?(?:men|man|older \w+|unknown \w+|adults?|lads|guys|males?|someone|people)",
        r"(?:men|man|lads|older \w+|adults?) in (?:a|an|the) (?:\w+ ){0,2}(?:car|audi|bmw|"
        r"merc\w*|van|taxi|range rover)",
        r"(?:wads|rolls|bundles|loads|lots) of (?:cash|money|notes)",
        r"\b(?:1[0-5]|[5-9]|thirteen|fourteen|fifteen|twelve)\b[^.?!\n]{0,60}\b(?:staying|"
        r"sleeping|seeing|going out|boyfriend|girlfriend|friend'?s?'?|meeting|meets|with)\b"
        r"[^.?!\n]{0,40}\b(?:1[89]|[2-5]\d)\b(?!\s*(?:mins?|minutes|hours|%|days|weeks))",
        # a child's age and an adult's beside it, both as ages
        r"\b(?:1[0-5]|[5-9])[- ]?(?:year[- ]old|yr[- ]old|yo|y/o)\b[^.?!\n]{0,60}\b(?:1[89]|"
        r"[2-5]\d)[- ]?(?:year[- ]old|yr[- ]old|yo|y/o)(?: (?:man|male|bloke|guy|lad|adult))?"),
        "a child or service user is described as being exploited now", "child"),
    # the wording itself holds a negation or a conditional: "nobody would notice if I
    # wasn't here", "new trainers and he won't say where from"
    Concept("self_absent", "participant", _rx(
        r"(?:(?<=notice )|(?<=care )|(?<=matter )|(?<=me )|(?<=off )|(?<=easier )|"
        r"(?<=anyone )|(?<=anybody ))if i (?:wasn'?t|was not|weren'?t|were not|just "
        r"(?:wasn'?t|disappeared|went|didn'?t|stepped|walked|jumped|drove|ended it|took)|"
        r"didn'?t|disappeared|was gone|were gone)"),
        "a participant describes thoughts of suicide or harming themselves now", "self",
        neg_inside=True),
    Concept("no_access", "child", _rx(
        r"(?:refus\w*|won'?t|wouldn'?t|didn'?t|not) (?:to )?(?:let|allow) (?:us|me|anyone|the "
        r"sw|school|the hv|the health visitor|police) (?:to )?(?:see|into|in|near|speak to)"),
        "a child may be at risk of serious harm now", "child", neg_inside=True),
    Concept("unexplained_goods", "child", _rx(
        r"(?:new|expensive|designer|brand new)\b[^.?!\n]{0,20}\b(?:phone|iphone|trainers|"
        r"clothes|jacket|bike|watch|cash|money)\b[^.?!\n]{0,40}\b(?:won'?t|can'?t|doesn'?t|"
        r"refuses? to|not|never|wouldn'?t) (?:say|explain|tell)"),
        "a child or service user is described as being exploited now", "child",
        neg_inside=True),
    Concept("child_risk_shapes", "child", _rx(
        _STRIKE + r"\b[^.?!\n]{0,30}\bin front of (?:the|her|his|their) " + _CHILD_WORDS,
        r"despite (?:the|a|his|her|their) (?:written agreement|safety plan|agreement|plan|"
        r"(?:non[- ]?mol\w*|court|protection|restraining|bail|prohibited steps)(?: order| "
        r"conditions)?|conditions|order)",
        r"(?:say|says|said|claim\w*|reckon\w*) (?:he|she|they|the baby|the child|it) (?:just )?"
        r"(?:fell|rolled|walked into|banged|slipped|tripped|bumped)",
        r"(?:going to|gonna|will|'ll|wants? to|threaten\w* to|said (?:he|she)'?(?:ll|d)) "
        r"(?:hurt|kill|harm|smother|shake|drown|batter|starve) (?:the |her |his |their )?"
        + _CHILD_WORDS,
        r"take (?:the (?:kids|children|baby)|them) with (?:him|her)",
        r"(?:taken|sent|going|go|took|flown|take|taking|send|sending|fly|flying) (?:\w+ ){0,5}to "
        r"(?:be|get) (?:married|cut|wed)",
        r"(?:have|get|getting|having) (?:her|them|the girls?|their daughters?) cut\b",
        r"forced (?:into )?marr\w*",
        r"nude (?:pics|pictures|photos|images|selfies)",
        r"(?:sending|sent|sends) (?:\w+ )?(?:pics|pictures|photos|images|videos) to (?:a|an|"
        r"older|some) (?:\w+ )?(?:man|men|adult|stranger|guy|bloke|lad)",
        r"taken to (?:different |various |other |strange )?(?:houses|flats|parties|hotels|"
        r"addresses)", r"made to do (?:things|stuff|favours|jobs)",
        r"found out (?:the |her |their )?(?:refuge |new |safe |secret )?address",
        r"(?:living|staying|sleeping|stopping) (?:there|at home|at the house|with (?:mum|them|"
        r"her|the (?:kids|children|family))) (?:again|now|most nights|every night)"),
        "a child may be at risk of serious harm now", "any"),
    # ---- professional breaches
    Concept("records_look_right", "breach", _rx(
        r"so (?:that )?(?:it|they|the \w+|we|our \w+)(?: all)? (?:look|looks|looked|appear|"
        r"appears) (?:right|good|better|fine|ok|okay|compliant|like|as if|on time|in "
        r"timescales?|within)",
        r"(?:cop(?:y|ied|ying)|past(?:e|ed|ing)|carr(?:y|ied|ying) (?:it |them )?forward|"
        r"roll(?:ed|ing)? (?:it |them )?forward)\b[^.?!\n]{0,30}\b(?:notes?|visits?|records?|"
        r"assessments?|entries|minutes|plans?)\b[^.?!\n]{0,20}\b(?:forward|across|over|again)",
        r"chang\w* the (?:date|dates|time|times|outcome) (?:on|of|in) (?:the|my|our|his|her) "
        r"\w+"),
        "records are described as falsified or rewritten", "any"),
    Concept("third_party_read", "breach", _rx(
        r"(?:partner|husband|wife|flatmate|housemate|boyfriend|girlfriend|kids?|son|daughter|"
        r"friend|mate|neighbour)\b[^.?!\n]{0,10}\b(?:had|has had|having) a (?:good |quick |"
        r"proper |little )?(?:read|look|nose|flick|peek) (?:at|of|through)",
        r"(?:forward\w*|sent|emailed|cc'?d|shared|gave|given|showed|passed)\b[^.?!\n]{0,40}\b"
        r"to (?:the |her |his |their |(?:dad|mum|mum|the dad|the mum)'?s )?(?:new )?"
        r"(?:girlfriend|boyfriend|ex|ex-partner|neighbour|new partner|family friend|landlord)",
        r"(?:been |was |were |got )?(?:told|asked|instructed) not to (?:tell|report|say|"
        r"mention|log|record|put|write)",
        r"(?:on|to|in) (?:their|his|her|our|my) (?:own|personal|private) (?:phones|mobiles|"
        r"laptops|ipads|tablets|accounts|devices)"),
        "confidential case information is described as shared with someone who should not "
        "have it", "worker"),
    # ---- threats to professionals
    Concept("threat_more", "threat", _rx(
        _MENACE + r" (?:me|us|my \w+|our \w+|the worker|staff|colleagues?|her|him)\b",
        r"(?:followed|following|follows|tailed|tailing|trailed)(?: me| us| her| him)? (?:home|"
        r"back|to " + _MINE + r"|to (?:the |my )?(?:office|work|car|car park|school)|from (?:the|"
        r"work|the office|conference|court))",
        r"(?:waiting|waited|hanging (?:around|about|round)|sat|sitting|parked|stood|standing|"
        r"lurking|loitering|turned up|turning up|was|were) (?:by|at|outside|near|next to|beside|"
        r"round|behind) " + _MINE,
        r"(?:leaving|left|leaves|put|posted|pushed|stuck|shoved) (?:\w+ ){0,2}(?:notes?|"
        r"messages?|letters?|cards?|things|stuff|flowers|photos?|mess) (?:on|through|under|at|"
        r"in) " + _MINE,
        r"regret (?:it|this|that)", r"sort (?:me|you|her|him|us) out",
        r"see (?:you|me) outside", r"coming for (?:you|me|her|him|us)",
        r"(?:won'?t|not) get away with (?:this|it)",
        r"(?:know|knows|knew|found out|worked out|has found|got) (?:where|which|what) (?:school|"
        r"nursery|car|street|road|house|time|gym|village) (?:i|my|we|our|you|your)\b",
        r"(?:know|knows|found out) where (?:i|you|we|my \w+) (?:live|lives|work|works|park|are|"
        r"am|is|stay|sleep)",
        r"(?:scratch\w*|key(?:ed|ing)|smash\w*|damag\w*|vandalis\w*|slash\w*|egg(?:ed|ing)|"
        r"spray[- ]?paint\w*|paint\w*|kick\w* in) (?:up )?(?:my|our) (?:car|house|windows?|"
        r"tyres|door|front door|fence|windscreen)",
        r"be careful (?:on|going) (?:your|the) way home",
        r"(?:he|she|they|dad|mum|someone|somebody|(?:the|his|her|their) \w+|"
        r"(?:dad|mum|he|she)'s)(?: has| had| have|'ve|'s| keeps?| is| are)? (?:posted|posting|"
        r"put|puts|shared|sharing|spread\w*) (?:\w+ ){0,2}my (?:photo|picture|pic|face|name|"
        r"address|details|number|car|reg)\b"),
        "a professional describes being threatened now", "target"),
)
