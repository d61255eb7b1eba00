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
        r"off|forget|blot (?:it |things |everything )?out|drown|take the edge off|knock "
        r"(?:me|myself) out|block (?:it |things |everything )?out|get to sleep)|most of "
        r"another|and (?:then )?another|every (?:night|evening|day)|on my "
        r"own|before (?:work|visits?|conference))"),
        "a participant describes drinking or using drugs to cope", "self"),
    # coping told in passing, without a full clause: somebody else's or extra tablets,
    # tablets put by, no point seen, crying through the day
    Concept("coping_light", "participant", _rx(
        r"(?:necking|popping|taking|took|using|started (?:on|taking)|been taking|living on) "
        r"(?:my \w+'?s |someone else'?s |(?:his|her|their) |extra |more |a few |loads of |"
        r"double |a handful of |handfuls of )(?:sleeping (?:pills|tablets)|pills|tablets|meds|"
        r"painkillers|" + _DRUG + r")",
        r"(?:necking|popping) (?:\w+ )?(?:pills|tablets|meds|painkillers|" + _DRUG + r")",
        r"(?:stockpil\w*|saved|saving|hoard\w*|squirrel\w*|stash\w*|put by|putting by|"
        r"collecting|kept|keeping) (?:up )?(?:\w+ ){0,4}?(?:pills|tablets|meds|paracetamol|"
        r"painkillers|co-?codamol|codeine|tramadol|diazepam|zopiclone|sleeping (?:pills|"
        r"tablets))",
        r"(?:don'?t|can'?t|cannot|do not|struggling to|struggle to) see (?:the|any|much) "
        r"point(?! (?:in|of) (?:the|this|that|these|those|a|an|our|their|his|her) )",
        r"^(?:and |so |honestly |tbh |genuinely |like )*what'?s the point(?: any ?more| of "
        r"(?:it all|anything|me|trying|any of it))?\W*$",
        r"(?:keep|been|started|start|can'?t stop) crying(?! (?:at|over|during|through) (?:the "
        r"end of )?(?:a|the|that|this) (?:film|movie|show|programme|series|book|wedding|advert|"
        r"episode|match|final))",
        r"(?:wake|woke|waking) up (?:wishing|hoping) (?:i )?(?:hadn'?t|didn'?t|wasn'?t|"
        r"wouldn'?t)",
        r"(?:took|swallowed|taken|necked|downed) (?:a load|loads|a handful|handfuls|all|too "
        r"many|a bunch|the lot|a whole (?:box|packet|strip)|a few (?:boxes|packets|strips))"
        r" (?:of )?(?:my |the |her |his )?(?:tablets|pills|meds|paracetamol|painkillers|"
        r"co-?codamol)",
        r"crying (?:in|at) (?:the|my) (?:car|toilets?|loo|desk)",
        r"crying (?:every|each|most) (?:day|night|morning)|crying myself to sleep",
        r"(?:the |my )?(?:kids|children|family|everyone|everybody) (?:are|'re|would be|'d be|"
        r"will be|might be) better off (?:with(?:out)? (?:me|their (?:dad|mum|father|mother))|"
        r"if i)"),
        "a participant describes struggling to cope, or drinking or using drugs to cope",
        "self"),
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
        r"have|drive|work)",
        # coercive control and escalation, told of a partner
        _PARTNER + r"(?:'s| is| has| keeps?| always| just)*(?: been)? (?:controls?|controlling|"
        r"takes?|took|taking|checks?|checking|reads?|reading|monitors?|monitoring|tracks?|"
        r"tracking|goes through|going through|went through) (?:all (?:of )?|everything on |"
        r"through )?my (?:money|bank\w*|cards?|phone|emails?|work emails?|messages?|texts?|"
        r"wages|location|car|keys|laptop)",
        _PARTNER + r"(?:'s| is| has| keeps?)*(?: been)? (?:getting|got|gets|become|becoming) "
        r"(?:more |really |so |a lot more |much more )?(?:violent|aggressive|rough|physical|"
        r"handy|nasty|scary)",
        r"(?:he|she)(?:'ll| will|'d| would) (?:go mad|go mental|go spare|go ballistic|lose it|"
        r"kill me|hurt me)(?= if| when|\W*$)",
        r"if (?:he|she) (?:finds out|found out|sees|saw|knew|hears)\b[^.?!\n]{0,40}\b(?:i'?m "
        r"dead|he'?ll|she'?ll|kill me|hurt me)",
        # a partner ruling over the participant's work
        r"(?:not|isn'?t|am not|'m not) (?:allowed|permitted) (?:on|to (?:do|join|be on|take|go "
        r"on)) (?:\w+ )?(?:work )?(?:calls?|teams|meetings?|zooms?|these)\b[^.?!\n]{0,30}\b"
        r"(?:when|if|while|unless) (?:he|she|my \w+)",
        _PARTNER + r" (?:doesn'?t|does not|won'?t|will not) (?:like|let|want) me (?:doing|to do|"
        r"being on|on|to be on|to join|joining|working|going)"),
        "a participant describes being harmed or controlled at home", "self"),
    # ---- a child or service user at risk now
    Concept("child_harmed_more", "child", _rx(
        _STRIKE + r" (?:the |his |her |their )?" + _CHILD_WORDS,
        r"(?:being|getting|got|been|gets) " + _STRIKE,
        r"(?:" + _INJURY + r"|marks?|scratches|cuts?|burns?|bruis\w*)s? (?:on|to|across|"
        r"around|round|behind|under|down|along|up|over|all over) (?:his|her|their|both|the "
        r"(?:baby|child|boy|girl)'?s?) \w+"),
        "a child or service user is described as being harmed now", "child", needs_now=True),
    # someone who harms them is there again: needs a child named in the sentence or its
    # short neighbours ("he's back. saw him at the window. kids are in there")
    Concept("presence", "child", _rx(
        r"(?:he|dad|step ?dad|grandad|uncle|(?:her|mum'?s|the) (?:ex|partner|boyfriend|fella|"
        r"bloke)|the perpetrator)(?:'s| is| has been| was|s| been| keeps? (?:coming|being))"
        r"(?: seen| spotted)? (?:back(?! (?:at|to|from|on|in) (?:school|work|college|nursery|the "
        r"office|leave|holiday|duty))|(?:around|round|about|at) (?:the|her|their|mum'?s) "
        r"(?:house|home|flat|place|window|door))(?: again)?"),
        "a child may be living with or seeing someone who harms them", "child"),
    # abuse told in a child's own veiled words: "he does things", "secret games"
    Concept("veiled_disclosure", "child", _rx(
        r"(?:said|says|told|tells|telling|disclosed|whispered|mentioned)\b[^.?!\n]{0,40}"
        r"\b(?:does|did|doing|do|makes? (?:her|him|them|me) do|plays?|played) [\"'“‘]?(?:things|"
        r"stuff|bad things|naughty things|rude things|secret (?:things|games)|games|special "
        r"(?:cuddles|games|time))\b(?! (?:for|with) (?:school|work|the house))",
        r"(?:secret (?:games|cuddles)|special (?:cuddles|games))"),
        "a child may be at risk of serious harm now", "child"),
    Concept("carer_incapable", "child", _rx(
        r"(?:mum|dad|mother|father|carer|parent|nan|nana|grandma|gran|grandad|stepdad|"
        r"step-?mum|partner)(?:'s)? (?:was|is|were|'s|had been|has been) (?:out of it|passed "
        r"out|comatose|unconscious|unrousable|paralytic|off (?:her|his) (?:face|head)|too "
        r"(?:drunk|high|out of it) to \w+|asleep and (?:wouldn'?t|couldn'?t) (?:wake|be woken))",
        r"(?:wouldn'?t|couldn'?t|won'?t|can'?t) (?:wake|be woken|be roused)(?: up)? "
        r"(?:properly|at all|for ages)"),
        "a child may be at risk of serious harm now", "any"),
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
        r"(?:men|man|lads|guys|adults|people|blokes) in their (?:twenties|thirties|forties|"
        r"fifties|20s|30s|40s|50s)",
        r"(?:give|gives|gave|giving|buy|buys|bought|buying|supply|supplies|supplying) (?:her|"
        r"him|them) (?:\w+ )?(?:" + _DRINK + r"|" + _DRUG + r"|drink|drinks|alcohol|drugs)",
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
    Concept("colleague_device", "breach", _rx(
        r"(?:student|colleague|sw|social worker|worker|chair|iro|manager|tm|senior|locum|"
        r"agency \w+|someone in (?:our|the|my) team|one of (?:the|our|my) \w+)\b[^.?!\n]{0,60}"
        r"\b(?:photos?|pictures?|pics|screenshots?|videos?|copies|notes)\b[^.?!\n]{0,40}\b"
        r"(?:on|to|into|onto|with) (?:her|his|their) (?:own )?(?:phone|mobile|iphone|laptop|"
        r"ipad|tablet|camera)",
        r"log(?:s|ged|ging)? (?:in|on)(?:to)? (?:\w+ ){0,3}as (?:the|her|his|my|another|a|"
        r"someone) \w+",
        r"(?:using|used|uses|borrow\w*) (?:her|his|the \w+'?s|someone else'?s|my \w+'?s|"
        r"another \w+'?s) (?:login|log-?in|password|account|smart ?card|access card)",
        r"(?:shar\w*|gave|give|giving|lent|lend) (?:out )?(?:my|her|his|their|our) "
        r"(?:password|passwords|login|log-?ins?|smart ?card)"),
        "records are described as falsified or rewritten, or case systems misused", "worker"),
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
        r"(?:my|our)(?: \w+)? (?:car|tyres|windows?|windscreen|door|front door|house|fence) "
        r"(?:\w+ )?(?:were|was|got|have been|has been|had been|'ve been) (?:slashed|keyed|"
        r"smashed|scratched|damaged|vandalised|egged|spray[- ]?painted|kicked in|let down|"
        r"put through|done|bricked)",
        r"(?:note|letter|card|message)s? (?:on|under|through|in) (?:my|the) (?:windscreen|"
        r"wipers?|car|door|letterbox)\b[^.?!\n]{0,30}\bmy (?:name|reg|address)",
        r"(?![^.?!\n]{0,80}\bfor (?:his|her|their|an?|the) (?:\w+ )?(?:appointment|meeting|"
        r"contact|session|review|conference|slot|interview))"
        r"(?:waiting|waited|hanging (?:around|about|round)|sat|sitting|parked|stood|standing|"
        r"turned up|turning up|lurking) (?:outside|at|by|near) (?:the|our) (?:office|building|"
        r"reception|car park|family centre|contact centre)\b[^.?!\n]{0,40}\b(?:(?:\d+|two|"
        r"three|four|five|several) (?:days|nights|times|mornings|evenings) (?:running|in a "
        r"row)|every (?:day|night|morning|evening)|again|at home time|when i (?:leave|finish))",
        # the worker's private life reached by a case party or an unknown sender: their
        # home, street, children, car or private accounts
        r"(?:(?:dad|mum|uncle|grandad|brother|partner|boyfriend|ex|cousin|mate|family|"
        r"father|mother|stepdad|someone|somebody|they|he|she)(?:'s \w+)?|unknown number|"
        r"withheld number|fake (?:account|profile)|a dm|dms?|anonymous \w+|a post|posts?)"
        r"\b[^.?!\n]{0,30}\b(?:driv\w*|drove|walk\w*|parked|parking|sat|sitting|waiting|"
        r"hanging|loitering|lurking|turn\w* up|came|coming|post\w*|shar\w*|sent|sending|"
        r"dm'?d|messag\w*|photo\w*|film\w*|pics?|pictures?|videos?|going round)\b"
        r"[^.?!\n]{0,30}\b(?:past|outside|round|near|of|to|at|with|on) (?:me and )?my "
        r"(?:house|home|street|road|flat|front door|son|"
        r"daughter|kids|children|husband|wife|partner|family|car reg|reg|number plate|home "
        r"address)\b",
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
