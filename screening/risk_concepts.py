"""The concept lexicon for structural safeguarding: what a sentence may be about, its category,
its plain reason and whose involvement it needs (risk.py decides whether it is happening now)."""

from __future__ import annotations

import re
from dataclasses import dataclass

I = re.I  # noqa: E741

@dataclass(frozen=True, slots=True)
class Concept:
    name: str
    category: str  # participant | child | breach | threat
    rx: re.Pattern[str]
    reason: str
    needs: str  # self | child | worker | target | any
    # the concept's own wording carries a negation ("nobody has visited"): not a negation frame
    neg_inside: bool = False
    # a child concept that is ordinary case talk unless placed now or unattended
    needs_now: bool = False


def _rx(*alts: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w])", I)


_CHILD_WORDS = (r"(?:baby|babies|child|children|kid|kids|kiddo|toddler|infant|newborn|son|"
                r"daughter|little one|boy|girl|lad|young person|yp|cyp|teen|teenager|sibling|"
                r"siblings|twins|student|pupil|youngest|eldest|oldest|middle one|little ones|"
                r"under-?\s?\d+s|\d+\s?(?:yo|y/o|yr|year|month|week)s?(?:[- ]old)?)")
NEEDS_CHILD = re.compile(r"(?<![\w])" + _CHILD_WORDS + r"(?![\w])|\b(he|she|they|him|her|them|"
                    r"his|their)\b", I)
NEEDS_SELF = re.compile(r"\b(i|i'm|im|i've|ive|i'd|id|i'll|me|my|myself|mine)\b", I)
NEEDS_WORKER = re.compile(
    r"\b(i|i'm|im|i've|ive|i'd|we|we've|we're|our|my|me|colleague|colleagues|worker|sw|"
    r"social worker|manager|tm|team manager|iro|chair|student|agency worker|locum|he|she|"
    r"they|someone|somebody|one of (?:the|our|my) \w+|nqsw|asye|senior|practitioner|"
    r"supervisor|deputy|admin|minute[- ]taker|staff|team|everyone|people|all of us|we all)\b",
    I)
NEEDS_TARGET = re.compile(
    r"\b(i|i'll|me|us|my|our|myself|worker|sw|social worker|colleague|colleagues|chair|iro|staff|"
    r"the team|the office|manager|student|nqsw)\b", I)

CONCEPTS: tuple[Concept, ...] = (
    # ---- a participant at risk
    Concept("self_harm", "participant", _rx(
        r"self[- ]?harm\w*", r"cut(?:ting)? (?:myself|my (?:arms?|legs?|wrists?|skin))",
        r"(?:been|started|start|back to|keep|kept) (?:cutting|scratching|burning)(?: again)?",
        r"hurt(?:ing)? myself", r"harm(?:ing)? myself", r"overdos\w*", r"od'?d",
        r"suicid\w*", r"kill(?:ing)? myself", r"end(?:ing)? (?:it all|my life|it)",
        r"take my (?:own )?life",
        r"(?:don'?t|dont|do not) (?:want|wanna) (?:to )?(?:be here|live|be alive|wake up|"
        r"exist|go on|be around)",
        r"want(?:ed)? to die", r"wish(?:ed)? i (?:was|were|wasnt|wasn't) (?:dead|here|born)",
        r"better off (?:dead|without me)",
        r"no point (?:in )?(?:living|going on|anything|carrying on|being here|any of it)",
        r"can'?t (?:go on|cope|carry on|keep going|do this|take (?:it|this|much more))"
        r"(?: any ?more| like this)?",
        r"(?:saved|saving|stockpil\w+|hoard\w*) (?:up )?(?:my )?(?:pills|tablets|meds)",
        r"not (?:be|being) here (?:any ?more|much longer)", r"disappear for good",
        r"(?:thinking|think|thought|thoughts) (?:about|of) (?:ending|dying|not being here|"
        r"not existing|jumping|stepping|driving into|crashing|walking into)",
        # means: thinking of or standing at them is a disclosure whatever the verb
        r"(?:jump\w*|step\w*|walk\w*) (?:off|in front of|under) (?:the|a) (?:bridge|platform|"
        r"train|roof|building|car park|cliff|bus|lorry|car|traffic|tube)",
        r"(?:driv\w*|crash\w*) (?:into|off) (?:a|the) (?:wall|"
        r"tree|bridge|lorry|motorway)", r"not (?:existing|waking up)",
        r"(?:tablets|pills|paracetamol|meds) (?:counted out|lined up|laid out|saved up)",
        r"wish(?:ing|ed)? i (?:hadn'?t|had not) (?:woken|woke)",
        r"if i (?:didn'?t|did not|don'?t|never) (?:wake up|come back|make it)",
        r"what'?s the point (?:of|in) (?:any of it|me|living|going on|anything|it all|carrying on)",
        r"(?:looked|look|looking|googled|searched) up how (?:many|much)",
        r"more (?:of )?(?:the |my )?(?:tablets|pills|meds) than (?:i'?m|i am) (?:meant|supposed)"
        r" to"),
        "a participant describes thoughts of suicide or harming themselves now", "self"),
    Concept("drink_to_cope", "participant", _rx(
        r"(?:drink\w*|wine|vodka|gin|booze|bottle|cans|pills|tablets|diazepam|valium|"
        r"codeine|weed|spliff|coke|sleeping tablets|a drink|glass(?:es)?|pints?|beers?|"
        r"bevvies)"
        r"\b[^.?!\n]{0,50}\b(?:to cope|coping|to get through|get thru|to numb|numb it|"
        r"to switch off|block (?:it )?out|to sleep|help me sleep|every night|each night|"
        r"most nights|before (?:every |each |a |the |my )?(?:work|visits?|shifts?|conferences?|"
        r"reviews?|meetings?|court|panel|icpcs?|rcpcs?)|just to (?:face|get through|manage|do) "
        r"(?:it|them|the day|work)|in the mornings?|"
        r"first thing|can'?t stop|cant stop|more than i should|on my own every)",
        r"(?:can'?t|cant|cannot) (?:stop|get through the day without) (?:drinking|using|"
        r"the drink|a drink|the pills)",
        r"(?:drinking|using) (?:again|every day|every night|too much|heavily|from)",
        r"(?:a few|a couple of|couple of|two|three|four) (?:vodkas|glasses|drinks|cans|pints|"
        r"gins|wines|shots)\b[^.?!\n]{0,40}\b(?:before|beforehand|to get through|or i)",
        r"(?:need|needs|needed|have|having) (?:a|my) drink (?:before|to get|or)",
        r"hiding (?:the )?(?:bottles|cans|drink|wine|vodka|how much)",
        r"living on (?:wine|gin|vodka|booze|pills|diazepam|valium|codeine|cans|tablets)",
        r"(?:my )?(?:third|fourth|fifth|sixth) (?:glass|drink|can|bottle)",
        r"wine o'?clock (?:is )?(?:starting|starts) at"),
        "a participant describes drinking or using drugs to cope", "self"),
    Concept("abuse_at_home", "participant", _rx(
        r"(?:hit|hits|hitting|punch\w*|kick\w*|push\w*|shov\w*|slap\w*|strangl\w*|chok\w*|"
        r"grabb?\w*|hurt|hurts|hurting|beat|beats|beating|bit|spat at|lock\w*|threw \w+ at|"
        r"controls?|controlling|shouts? at|screams? at|smash\w* (?:my|the) \w+ (?:at|near)) "
        r"me\b",
        r"(?:scared|afraid|frightened|terrified|petrified) (?:of (?:him|her|my \w+|what (?:he|"
        r"she))|to go (?:back )?home|of going (?:back )?home)",
        r"(?:don'?t|dont|do not|never) feel safe (?:at home|with him|with her|going home|in "
        r"my (?:own )?(?:house|home|flat))",
        r"(?:not|never) safe (?:at home|going home|in my (?:own )?(?:house|home|flat))",
        r"walking on eggshells",
        r"(?:takes?|took|keeps?) my (?:money|bank ?card|card|phone|keys|wages)",
        r"won'?t let me (?:see|go|leave|have|out)", r"checks my phone",
        r"(?:marks|bruises?|black eye) (?:he|she) (?:left|gave me)",
        r"(?:bruises?|marks?|black eye|cuts?) on my (?:face|arms?|neck|legs?|body|back|wrists?)",
        r"(?:doesn'?t|does not|won'?t|will not) let me (?:leave|go out|see|have|out)",
        r"tracks? my (?:location|phone|car|movements)", r"threw (?:a|the|my) \w+ at me",
        r"(?:things|it'?s|it is) (?:at home )?(?:aren'?t|are not|isn'?t|is not|not) safe "
        r"(?:at home)?", r"don'?t have to go home to (?:him|her)",
        r"(?:he|she)(?:'ll| will|'d| would) (?:kill|hurt) me"),
        "a participant describes being harmed or controlled at home", "self"),
    # ---- a child or service user at risk now
    Concept("child_injury", "child", _rx(
        r"bruis\w*", r"black eye", r"burns?", r"burnt", r"scald\w*", r"fractur\w*",
        r"broken (?:arm|leg|wrist|ribs?|bones?|nose)", r"bite marks?", r"marks on (?:his|her|"
        r"their)", r"injur\w*", r"stab wound", r"slap marks?", r"welts?", r"bleeding",
        r"(?:not breathing|unresponsive|unconscious|floppy)"),
        "a child or service user is described as injured now", "child", needs_now=True),
    Concept("child_missing", "child", _rx(
        r"(?:gone|went|is|been|reported|going|goes|keeps going|keep going) missing",
        r"missing (?:since|again|from|overnight|"
        r"for)", r"run away", r"ran (?:away|off)", r"absconded",
        r"(?:not|hasn'?t|hasnt|didn'?t|didnt|never) (?:come|came|been|gone|got) (?:back )?home",
        r"(?:not|hasn'?t|hasnt) been (?:seen|heard from)",
        r"(?:no one|nobody|noone) (?:knows|has seen|'s seen|has heard)",
        r"whereabouts (?:are )?(?:unknown|not known)"),
        "a child or service user is described as missing now", "child", neg_inside=True),
    Concept("exploitation", "child", _rx(
        r"exploit\w*", r"groom\w*", r"county lines", r"cuckoo\w*", r"traffick\w*",
        r"older (?:man|men|lad|lads|boyfriend|guys?|males?) (?:who |that )?(?:picking|pick|"
        r"picks|picked|giving|gives|gave|buying|bought|hanging|messaging|driving|taking|"
        r"collecting)", r"nudes", r"sexting",
        r"(?:given|getting|gets|has) (?:money|cash|phones?|a new phone|trainers|drugs|vapes) "
        r"(?:from|by|off)", r"running (?:drugs|for)", r"carrying (?:drugs|for|a knife|a blade)",
        r"plugging", r"debt bond\w*", r"in cars with", r"picked up (?:by|in) (?:a car|cars|"
        r"older|men)", r"sent (?:pics|pictures|photos|images) (?:to|of herself|of himself)",
        r"(?:being|been) (?:made|forced|pressured|told) to (?:carry|hold|sell|deal|have sex|"
        r"send|move|run|store)", r"holding (?:drugs|a knife|weapons?) for",
        r"(?:meet|meeting) (?:up with )?(?:a man|an older|a stranger|someone (?:she|he) met "
        r"online)"),
        "a child or service user is described as being exploited now", "child"),
    Concept("perpetrator_back", "child", _rx(
        r"(?:back|moved back|moving back|staying|stays|living|sleeping|been) (?:living )?"
        r"(?:in|at|into|there|round) (?:the|her|his|their|mum'?s)? ?(?:family )?(?:house|home|"
        r"hme|property|flat|place)",
        r"(?:sex offender|schedule (?:1|one)|the perpetrator|rso)\b[^.?!\n]{0,30}(?:is |was |"
        r"has been |'s )?(?:babysitting|looking after|living with|staying with|minding)",
        r"(?:living|staying|left|alone|babysitting|looking after)[^.?!\n]{0,40}(?:sex "
        r"offender|schedule (?:1|one)|violent (?:ex|partner|dad|father)|the perpetrator|dv "
        r"history|rso)",
        r"(?:threaten\w*|going|gonna|said (?:he|she)'?ll|will|'ll) (?:to )?(?:take|snatch) "
        r"(?:the |her |his )?(?:kids|children|child|baby)",
        r"(?:moving|move|taking|take) (?:the |her |his )?(?:kids?|children|child|baby) "
        r"(?:abroad|out of the (?:area|country))",
        r"(?:is|was|'s|been|being) (?:seen |spotted )?(?:at|round|around) (?:the|her|mum'?s|"
        r"their) (?:house|home|property|flat)",
        r"moved (?:\w+ )?(?:back )?in",
        r"back (?:home|living there|on the scene|around|in the picture)",
        r"staying (?:over|the night|there)",
        r"(?:contact|seeing|sees|seen) (?:with )?(?:him|dad|the perpetrator|the abuser) "
        r"(?:again|despite|behind)",
        r"breach\w* (?:of )?(?:the |his |her )?(?:bail|order|non[- ]?mol\w*|injunction|written "
        r"agreement|safety plan|agreement)"),
        "a child may be living with or seeing someone who harms them", "child"),
    Concept("child_harmed", "child", _rx(
        r"(?:hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|beaten|punch\w*|kick\w*|"
        r"smack\w*|slap\w*|strangl\w*|chok\w*|shak\w*|lock\w*|starv\w*|abus\w*|touch\w*|"
        r"rap\w*|assault\w*|attack\w*|threaten\w*) (?:the |his |her |their )?" + _CHILD_WORDS,
        r"(?:hit|hits|hitting|hurting|beats|beating|beaten|smacking|touching|abusing|locks|"
        r"locking|threatening) (?:her|him|them)\b",
        r"(?:home alone|left alone|on (?:his|her|their) own overnight|no food in|not (?:been )?"
        r"fed|no heating|no electric|sleeping (?:in|on) (?:the|a) (?:car|floor|street|sofa)|"
        r"kicked (?:him|her|them) out|sofa surfing|nowhere to (?:sleep|stay|go)|street "
        r"homeless)",
        r"(?:being|getting) (?:hit|hurt|beaten|abused|bullied|touched|battered)",
        r"(?:sexually )?abusing (?:the|her|his|their) \w+",
        r"(?:came|comes|coming|got|gets) into (?:her|his|their) (?:room|bed)",
        r"(?:hands?|rope|belt) (?:round|around) (?:her|his|their) (?:neck|throat)",
        r"(?:locked|shut) in (?:the|a|her|his|their) (?:cupboard|room|bedroom|shed|cellar)",
        r"(?:has|had|with|carrying) a (?:knife|blade|machete|gun|weapon)",
        r"unexplained (?:injur\w*|bruis\w*|marks|fractures?)",
        r"(?:with|w) an? \d\d ?(?:yr|year|y/o|yo)s?(?: old)? (?:man|male|bloke|lad|boyfriend|guy)",
        r"(?:said|says|told (?:me|us|school|the teacher)|disclosed) (?:that )?(?:dad|mum|he|"
        r"she|his|her|step\w*|uncle|mum'?s|the)\b[^.?!\n]{0,30}\b(?:hit|hits|hurt|hurts|"
        r"touched|touches|punched|kicked|beats|locks|burnt|burned)"),
        "a child or service user is described as being harmed now", "child", needs_now=True),
    Concept("nobody_acting", "child", _rx(
        r"(?:no one|nobody|no-one|noone)(?: has| have|'s|s)? (?:been|done|seen|visited|"
        r"picked (?:it )?up|followed (?:it )?up|actioned|responded|rung back|called back|"
        r"allocated|taken it|acted|doing anything|did anything|checked|answering|answered|"
        r"got back)",
        r"(?:not|hasn'?t|hasnt|haven'?t|has not) (?:been )?(?:allocated|picked up|actioned|"
        r"followed up|visited|seen (?:her|him|them|the child|the baby|the kids))",
        r"still (?:no|not|waiting for a?) ?(?:visit|strategy|allocation|response|action|"
        r"social worker|sw|call back)",
        r"sat on (?:it|the referral)", r"sitting on (?:it|the referral)",
        r"duty (?:won'?t|wont|didn'?t|did not|refused|aren'?t|isn'?t)",
        r"(?:manager|tm|they) (?:said|told me|wants me) (?:to )?(?:leave it|close it|not to)",
        r"closed (?:it|the case) (?:anyway|despite)",
        r"(?:told|asked) (?:me|us) to (?:leave it|wait|sit on it|close it|not)",
        r"(?:said|says) (?:to )?(?:wait|nfa|leave it|they'?ll (?:'|‘)?monitor)", r"duty said nfa",
        r"(?:police|school|duty|nobody|no one) (?:haven'?t|hasn'?t|have not|has not|havent|"
        r"hasnt) been (?:informed|told|called|contacted)",
        r"(?:no one|nobody)(?:'s| has| is) (?:told|acted|doing|done|informed|called|"
        r"escalat\w*|referr\w*|chas\w*|follow\w*|visit\w*|check\w*|pick\w*)",
        r"(?:told|asked) (?:me |us |her |him )?not to (?:escalate|refer|push it|chase|make a "
        r"referral|ring (?:the )?police)",
        r"(?:without|no) (?:a )?(?:lado|strategy|s47|police) (?:referral|meeting|discussion|"
        r"check)", r"nothing (?:they|we|anyone) can do", r"(?:keeps?|kept) (?:getting )?"
        r"bounced", r"(?:isn'?t|not) until next (?:week|month)", r"(?:just|only) logged it",
        r"(?:i'?m|im) the only one who knows", r"let (?:him|her|them) (?:leave|take|go) with",
        r"still (?:not|hasn'?t|has not|haven'?t) (?:been )?(?:seen|for|had|done|checked)",
        r"not (?:meant|supposed|allowed) to be (?:anywhere )?(?:near|there|at|in)",
        r"(?:nobody|no one|noone) (?:stopped|intervened|said anything|challenged|picked)",
        r"can'?t get (?:hold of|through to) "
        r"(?:anyone|anybody|duty|the edt|edt|police)"),
        "risk to a child is described with nobody acting on it", "any", neg_inside=True),
    # ---- professional breaches
    Concept("personal_device", "breach", _rx(
        # the worker's own device: "my", "own", "personal"; "his/her" only with "own" or
        # "personal" ("her phone" is as often a parent's)
        r"(?:(?:my|our)(?: own| personal| private)?|(?:his|her|their) (?:own|personal|"
        r"private)|personal|private|home) (?:phone|mobile|iphone|email|e-mail|gmail|hotmail|"
        r"yahoo|laptop|computer|pc|ipad|tablet|whatsapp|cloud|dropbox|icloud|google drive|"
        r"usb|memory stick|snapchat|instagram|facebook|account|number|mobile number)",
        r"(?:to|on|in|from) (?:his|her|their|my) (?:gmail|hotmail|yahoo|icloud|personal \w+)",
        r"whatsapp (?:group|chat)", r"pen ?drive", r"usb(?: stick)?",
        r"memory stick", r"notes app", r"(?:home|personal|private) (?:account|address|email)",
        r"(?:on|to) (?:our|their|my|her|his) (?:phones|gmail accounts?|hotmail accounts?)",
        r"(?:files?|notes|paperwork|laptop|bundles?) in (?:her|his|my|their|the) (?:car|boot) "
        r"overnight", r"added (?:a|the) (?:teenager|young person|yp|child|mum|dad|parent|"
        r"service user|client)[^.?!\n]{0,40}(?:facebook|instagram|snapchat|tiktok)"),
        "case material is described on a personal device or account", "worker"),
    Concept("records_falsified", "breach", _rx(
        r"rewrit\w*", r"re-writ\w*", r"backdat\w*", r"back-dat\w*", r"falsif\w*",
        r"fabricat\w*", r"doctor(?:ed|ing) (?:the )?\w+",
        r"(?:chang\w*|alter\w*|delet\w*|amend\w*|edit\w*|tweak\w*|remov\w*|took out|take out|"
        r"tak\w* out|leav\w* out|left out) (?:the |my |his |her |some |a )?(?:bits? (?:of|in) "
        r"(?:the )?)?(?:records?|notes?|case ?notes|minutes|chronology|visit|visits|"
        r"assessment|report|dates?|plan|entries|log|recording|outcome|the \w+ section)",
        r"(?:recorded|logged|wrote up|written up|put down|put on the system|said|signed off)"
        r"[^.?!\n]{0,50}(?:never happened|didn'?t happen|did not happen|wasn'?t there|never "
        r"went|didn'?t go|didn'?t see|never saw|hadn'?t seen|never seen)",
        r"(?:made|making|make) (?:it|them|the \w+) up",
        r"reword\w*", r"(?:records?|notes?|minutes|chronology|report|assessment|plan|"
        r"decision|entries|visits?) (?:were|was|have been|has been|got|get|being) (?:changed|"
        r"altered|amended|edited|rewritten|deleted|reworded|updated|backdated) (?:after|"
        r"later|so|to)", r"(?:to )?make it look (?:like|as if)",
        r"so it (?:didn'?t|doesn'?t|wouldn'?t) look", r"sign (?:a|the) \w+ i didn'?t write",
        r"without (?:going in|seeing (?:the|her|him)|visiting)",
        r"put (?:'|‘)?child seen",
        r"(?:told|asked|made|pressured|expected) (?:me |us |her |him )?to (?:write|record|put|"
        r"say|log|sign) (?:that|down|it)\b[^.?!\n]{0,40}\b(?:didn'?t|never|wasn'?t|hadn'?t)",
        r"(?:visits?|meetings?|sessions?|contacts?) (?:that|which) (?:never|didn'?t|did not) "
        r"happen\w*",
        r"(?:visits?|meetings?|sessions?) (?:i|we|she|he|they) (?:never|didn'?t|did not|had "
        r"not|hadn'?t) (?:do|did|done|make|made|go to|attend\w*)"),
        "records are described as falsified or rewritten", "any"),
    Concept("unfit_for_work", "breach", _rx(
        r"drunk", r"pissed", r"hammered", r"tipsy", r"stoned", r"slurring",
        r"(?:smelt|smelled|smells|smelling|stinking|stank|reeked|reeks|reeking) (?:of )?"
        r"(?:drink|alcohol|booze|"
        r"weed|cannabis|wine|beer|vodka)", r"under the influence", r"hungover", r"coked up",
        r"off (?:his|her|their) (?:face|head|tits|nut)", r"over the limit",
        r"(?:high|wasted|out of it) (?:at|on|during|in|before)", r"half[- ]cut",
        r"(?:a few|a couple of|couple of|two|three|four|five|several) (?:pints|drinks|"
        r"glasses|vodkas|cans)", r"hip flask", r"drinks? (?:at lunch|before|during)",
        r"fell asleep (?:on camera|in the|during)"),
        "a colleague is described as unfit for work (drink or drugs)", "worker"),
    Concept("confidentiality", "breach", _rx(
        r"(?:told|tells|telling|shared|sharing|showed|showing|discuss\w*|talk\w* about|"
        r"screenshot\w*|send|sends|sending|"
        r"gossip\w*|posted|posting|sent|forwarded|emailed|cc'?d|copied|gave|given|read out|"
        r"left)\b[^.?!\n]{0,50}\b(?:to |with |on |in )?(?:his|her|my|their|the)? ?"
        r"(?:partner|husband|wife|friends?|mates?|pub|facebook|instagram|tiktok|social media|"
        r"group chat|wrong (?:family|person|address|parent|mum|dad|email)|other parent|"
        r"perpetrator|the dad|the ex|open plan|printer|train|bus|car)",
        r"(?:gave|given|told|sent|shared|passed)[^.?!\n]{0,30}(?:new |refuge |safe )?address "
        r"to (?:him|dad|the dad|the ex|her ex|the perpetrator)",
        r"(?:posted|posting|put|puts|tweeted)[^.?!\n]{0,50}(?:named family|names of|"
        r"photos? of|pictures? of)"),
        "confidential case information is described as shared with someone who should not "
        "have it", "worker"),
    # ---- threats to professionals
    Concept("threat", "threat", _rx(
        r"threat\w*", r"(?:said|says|saying|told me|texted|messaged|shouted|screamed)"
        r"(?: that)? (?:he|she|they|he'?s|she'?s|they'?re)(?:'?d|'ll| would| will| is going "
        r"to| was going to| are going to|'s going to|s gonna| gonna| going to)? (?:kill|stab|"
        r"hurt|get|find|burn|smash|batter|do|sort|deal with|come for|come after|torch|"
        r"glass|bottle|slash|shoot|knock|have)",
        r"(?:going to|gonna|will|'ll) (?:kill|stab|hurt|get|find|burn|smash|batter|come for|"
        r"come after|torch|slash) (?:me|us|you|my|the worker|her|him)",
        r"(?:knows?|found out|worked out|has|got|found) (?:where i live|my (?:home )?address|"
        r"where my (?:kids|children|son|daughter) (?:go to school|are)|my car|my reg|my "
        r"(?:personal )?number|where i park)",
        r"(?:followed|following|follows|waiting for|waited for|parked outside|turned up at|"
        r"outside) (?:me|my (?:house|car|home|flat))(?! on (?:tiktok|insta\w*|twitter|"
        r"facebook|fb|snap\w*|social|x)\b)",
        r"watch (?:your|my|ur) back", r"death threats?", r"brick through", r"slashed (?:my )?"
        r"tyres", r"keyed my car", r"spat (?:at|on) me", r"punched me", r"assaulted me",
        r"attacked me", r"squared up", r"swung (?:for|at) me", r"lunged", r"came at me",
        r"(?:abus\w+|intimidat\w+|harass\w+|stalk\w+) (?:me|us|my|her|him|the worker|staff)",
        r"(?:put|putting) (?:me|us|you|her|him) in the ground", r"(?:get|gets|got) what'?s "
        r"coming", r"(?:you'?re|she'?s|he'?s|i'?m|we'?re) next",
        r"(?:stab|kill|hurt|batter|do in|knife) the next (?:sw|social worker|worker|one)",
        r"(?:photo|pic|picture)s? of my (?:front door|house|car|kids|children|street)",
        r"(?:turn\w* up|waiting|hanging around|outside) at my (?:kids'?|children'?s|son'?s|"
        r"daughter'?s)? ?(?:school|house|door|work)",
        r"found out (?:which|where) (?:school|i live|my)",
        r"tyres (?:slashed|let down|done|cut)",
        r"messages? (?:off|from) an? (?:unknown|withheld|private|different) number"),
        "a professional describes being threatened now", "target"),
)
