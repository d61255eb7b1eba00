"""The phrasing rules for the clearest safeguarding disclosures: urgent and concern patterns,
and patterns that count only in a first-person or here-and-now frame (safeguarding.py
applies them)."""

from __future__ import annotations

import re

I = re.I  # noqa: E741

_SELF = r"(?:\bi\b|\bi'?m\b|\bim\b|\bi am\b|\bi'?ve\b|\bi have\b|\bme\b|\bmyself\b|\bmy\b)"
NEGATION = re.compile(
    r"\b(never|don'?t|do not|doesn'?t|wouldn'?t|would never|shouldn'?t|should not|must not|"
    r"mustn'?t|not allowed|aren'?t allowed|isn'?t allowed|no one should|policy|policies|"
    r"prohibited|banned|we'?re told|training|guidance|reminder|remember|make sure|"
    r"please don'?t|against the rules|breach of|gdpr|procedure|protocol|in case|what if|"
    r"if someone|if a worker|if you|hypothetical|would you|example|scenario|case study|"
    r"risk assessment|assess(ing|ed)? (the )?risk|safety plan|research|literature|article|"
    r"statistics|data on|rates of|how do you|how would|what do you do|talk about|discuss|"
    # hypotheticals and questions: "if a colleague ever…", "would it be a breach if…"
    r"if (a|an|any|anyone|someone|somebody|one|you|they)|if (i|we|you|they|someone|anyone) "
    r"ever|if ever|"
    r"would it be|is it (ok|okay|a breach|allowed)|what would|what should|"
    # a distant past, not a here-and-now risk: "years ago a dad followed me…"
    r"years ago|years back|(i|we|he|she|they) used to|in my first (year|job|post|team)|"
    r"when i was (a student|newly qualified|an nqsw|on placement|in my asye|"
    r"a student social worker))\b",
    I)
# a case's history, told as what led to the work ("…which is what led to the ICPC")
HISTORY = re.compile(
    r"\b(led to|leading to|which is why|that'?s why|at the time|back then|in the end|"
    r"that was (the|what) (trigger|referral)|prompted the|resulted in)\b", I)

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
        r"the (worker|sw|social worker|child|baby|kids?))\b|"
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
        r"dropbox|google drive|onedrive|one drive|cloud|usb|memory stick|pen drive|"
        r"home (computer|pc|laptop)|ipad|tablet)|personal "
        r"(whatsapp|phone|mobile|email|device|laptop|account|gmail|hotmail|yahoo|outlook|"
        r"onedrive|one drive|drive|cloud|dropbox|icloud|computer|pc|tablet|ipad)|(a|our|the|team) "
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
        r"child|baby)(?=[^.?!\n]{0,60}\b(on|via|over|through|into) (personal |my )))\b"
        r"[^.?!\n]{0,60}\b(on|via|over|through|into) (personal |my )?"
        r"(whatsapp|snapchat|messenger|facebook|instagram|gmail|hotmail|icloud|dropbox)", I),
     "possible breach of data protection or professional rules"),
    (re.compile(
        r"\b((told|asked|made|pressured|instructed) (me|us|them|her|him) to "
        r"(change|alter|backdate|delete|falsify|amend|fudge|remove)|backdat(e|ed|ing) "
        r"(the |a |my )?(visit|visits|record|records|notes|case notes|assessment)|"
        r"falsif(y|ied|ying)|recorded (a |the )?visits? (that|which) (never|didn'?t) "
        r"happen|(didn'?t|did not|never) (actually )?(visit|see the child)[^.?!\n]{0,30}"
        r"(recorded|wrote|put|logged|said)|"
        r"(left|lost) (the |a |my |some |it )?[^.?!\n]{0,25}\b(files?|laptop|notebook|diary|"
        r"handbag|it|them|"
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


# ---------------------------------------------------------------------------------------------
# Rules built from a risk *concept* plus, where the concept alone is also ordinary case talk,
# a *frame* that makes it a here-and-now disclosure (something happening now, just reported,
# with nobody reachable) or a first-person one. Each entry: (concept, frame or None, needs
# a first-person or colleague subject before the concept in its sentence, level, reason).

SELF_SUBJECT = re.compile(r"\b(i|i'?m|im|i am|i'?ve|ive|i have|i'?d|i had)\b", I)
WORKER_SUBJECT = re.compile(
    r"\b(i|i'?m|im|i'?ve|ive|i have|i'?d|colleague|colleagues|worker|sw|social worker|manager|"
    r"tm|iro|chair|student|team ?mate|someone (in|from) (my|our) team|one of (my|our) team)\b",
    I)
# something happening now or just reported, or a worker left holding it alone
_NOW = re.compile(
    r"\b(just (rang|rung|called|phoned|messaged|texted|told|said|turned up|arrived|happened|"
    r"heard|found|left|walked)|right now|now|at the moment|as we speak|tonight|today|"
    r"this (morning|afternoon|evening)|won'?t (ring|call|phone)|"
    r"refus(es|ing|ed) to (ring|call|phone)|"
    r"(isn'?t|is not|not|no one'?s|nobody'?s|no one is|nobody is) answering|"
    r"can'?t (get hold of|get through to|reach) (anyone|anybody|the|my|her|him|them|duty)|"
    r"on my own with (this|it)|don'?t know what to do)\b", I)
_NOW_OR_FEAR = re.compile(
    _NOW.pattern[:-3] + r"|again|i'?ve got the (kids|children|baby)|i'?m (hiding|scared|"
    r"frightened|terrified|on my own|alone))\b", I)
_CASE_THING = re.compile(
    r"\b(minutes|case ?notes|notes|records?|files?|reports?|chronolog(y|ies)|assessments?|"
    r"referrals?|plans?|bundles?|address(es)?|details|data|photos?|child|children|family|"
    r"families|breach|incident)\b", I)
_CHILD = (r"(baby|babies|child|children|kid|kids|toddler|infant|newborn|son|daughter|"
          r"little one|boy|girl|young person|yp|\d+[- ]?(year|yr|month|week)s?[- ]?olds?)")
_PARTNERS = (r"(partner|husband|wife|boyfriend|girlfriend|ex|ex-partner|ex-husband|ex-wife|"
             r"fiance|fiancee)")

FRAMED_RULES: list[tuple[re.Pattern[str], re.Pattern[str] | None, bool, str, str]] = [
    # --- a participant at risk of self-harm or suicide
    (re.compile(
        r"\b(took|taken|take|taking|swallowed|had|necked)\b (too many|a (load|lot|bunch|"
        r"handful|whole (box|packet|strip)) of|loads of|all (of )?(my|the)|extra) (tablets|"
        r"pills|paracetamol|painkillers|meds|medication|sleeping (pills|tablets))", I),
     None, True, "urgent", "possible risk of self-harm or suicide to a participant"),
    (re.compile(
        r"\b(can'?t|cannot|can not|don'?t think i can|dont think i can|not sure i can|"
        r"won'?t be able to) (keep going|carry on|go on|keep doing this|do this any ?more|"
        r"cope any ?more|take (it|this|much more|any ?more)|keep living|face (tomorrow|"
        r"another day))(?=\s*($|[.,!?…;:)]|tbh|honestly|any ?more|like this|lately|sorry|been|"
        r"i\b|and i\b))", I),
     None, True, "urgent", "possible risk of self-harm or suicide to a participant"),
    (re.compile(
        r"\b(looking|looked|look|searching|searched|googl(e|ed|ing)|research(ed|ing)?|"
        r"reading) (up )?(ways|methods|how)(?=\s*($|[.,!?…;:]|to (die|end it|end my life|"
        r"kill myself|do it|not wake up|overdose)|of (dying|ending it)))", I),
     None, True, "urgent", "possible risk of self-harm or suicide to a participant"),
    (re.compile(
        r"\b(wish(ed)? i (was|were) dead|wish i (wasn'?t|was not|weren'?t) (here|alive|around)|"
        r"want(ed)? to (disappear|not wake up|not exist|stop existing)|(don'?t|do not) want to "
        r"(exist|wake up|be alive)|no way out|(everyone|they|my (kids|family|children)) "
        r"(would|'?d) be better off without me)", I),
     None, False, "urgent", "possible risk of self-harm or suicide to a participant"),
    # --- a participant who may be unsafe
    (re.compile(
        r"\b(he|she|they|someone|somebody|a man|a woman|(the |a |my |her |his |(son|daughter|"
        r"kids|baby|children)'?s? )?(dad|mum|father|mother|partner|ex|boyfriend|girlfriend|"
        r"husband|wife|uncle|brother|parent|stepdad))(('s| is| are|'re| keeps?| kept| has been|"
        r"'s been) (sat |sitting |stood |standing |"
        r"parked |waiting |banging |shouting |hanging around |walking up and down )?"
        r"|\s(sat|sitting|stood|standing|parked|waiting|hanging around) )"
        r"(outside|at|on) (the|my|our) (house|flat|door|front door|window|work|office|"
        r"doorstep|gate|street|road|car)\b", I),
     _NOW_OR_FEAR, False, "urgent", "a participant may be unsafe"),
    (re.compile(
        r"\b(said|says|saying|told me|telling me|texted|messaged|messaging|threatening|"
        r"shouting|shouted)( that)? (he|she|they)('?ll|'?d| will| would| is going to| was "
        r"going to| are going to|'s going to|'s gonna| gonna) (find|get|hurt|kill|stab|"
        r"come for|come after|burn|smash|batter|do) (me|us|my)\b", I),
     None, False, "urgent", "a threat of serious harm has been disclosed"),
    (re.compile(
        r"\b(bruis\w*|marks|black eye|cuts|injur\w*|scratches|burns)\b[^.?!\n]{0,25}\b(on|to) "
        r"(my|me)\b[^.?!\n]{0,40}\b(from|off|because of|by|are|were|was) (him|her|my "
        + _PARTNERS + r")\b", I),
     None, False, "urgent", "a participant may be unsafe at home"),
    (re.compile(
        r"\b(he|she|my " + _PARTNERS + r") (has |had |keeps |just )?(hit|hits|punched|kicked|"
        r"pushed|shoved|strangled|choked|slapped|grabbed|beat|beats|bit|spat at|threw \w+ at)"
        r" me\b", I),
     None, False, "urgent", "a participant may be unsafe at home"),
    (re.compile(
        r"\b(i'?m|im|i am|i feel|i get) (really |so |actually |genuinely |quite |a bit )?"
        r"(scared|frightened|terrified|afraid) (of|for) (him|her|them|my (life|safety)|my "
        + _PARTNERS + r"|what (he|she|they)('ll|'d| will| would| might) do)\b", I),
     None, False, "urgent", "a participant may be unsafe"),
    # --- a child at immediate risk
    (re.compile(
        r"\b(" + _CHILD[1:-1] + r"|he|she)('s| is| isn'?t| was)?[^.?!\n]{0,20}\b(not breathing|"
        r"isn'?t breathing|stopped breathing|struggling to breathe|unresponsive|unconscious|"
        r"floppy|turning blue|fitting|having a fit|won'?t wake( up)?|bleeding)", I),
     _NOW, False, "urgent", "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b(dad|mum|father|mother|stepdad|stepmum|he|she|partner|boyfriend|uncle)('s| is| are)"
        r" (hitting|beating|attacking|hurting|strangling|choking|kicking|punching|battering) "
        r"(mum|dad|her|him|them|the (kids|children|baby|boy|girl)|(his|her) (partner|wife|"
        r"girlfriend|kids|children|son|daughter))\b", I),
     _NOW, False, "urgent", "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b(going to|gonna|will|'ll|wants to|want to|threaten(s|ed|ing)? to|about to) (hurt|"
        r"kill|harm|do something to) (herself|himself|themselves|the (kids|children|baby)|"
        r"(her|his|their) (kids|children|baby|son|daughter))", I),
     _NOW, False, "urgent", "a child may be at immediate risk of harm"),
    (re.compile(
        r"\b((comes?|coming|came|goes|gets|getting) (into|in) (her|his|their) (room|bed)|"
        r"touch(es|ing) (her|him|them)\b|sexually abus\w+|rap(es|ing)|abus(es|ing) (her|him|"
        r"them)|hurt(s|ing) (her|him|them)\b|hits (her|him|them)\b|beats (her|him|them)\b|"
        r"locks (her|him|them) (in|out))", I),
     re.compile(r"\b(this (morning|afternoon|evening)|just (told|texted|messaged|rang|said|"
                r"disclosed|rung)|tonight|right now|can'?t (get hold of|reach) (anyone|anybody)|"
                r"(no one|nobody)( is|'s) answering|on my own with this|don'?t know what to do)"
                r"\b", I),
     False, "urgent", "a child may be at immediate risk of harm"),
    # --- breaches of professional rules
    (re.compile(
        r"\b(case ?(notes|files?|records?)|chronolog(y|ies)|minutes|(?<!research )"
        r"(?<!annual )(?<!audit )reports?|assessments?|"
        r"referrals?|cp plans?|plans?|bundles?|files?|notes|paperwork|laptop|screen)\b"
        r"[^.?!\n]{0,60}\b(my|her|his) (" + _PARTNERS[1:-1] + r"|flatmate|housemate|kids?|son|"
        r"daughter|mum|dad|family|friend|mate|neighbour) (read|saw|has seen|had seen|'s seen|"
        r"has read|looked at|went through|picked up|found|got hold of)\b|"
        r"\b(my|her|his) (" + _PARTNERS[1:-1] + r"|flatmate|housemate|kids?|son|daughter|mum|"
        r"dad|family|friend|mate|neighbour) (read|saw|has seen|had seen|'s seen|has read|looked "
        r"at|went through|picked up|found|got hold of)( \w+){0,6} (case ?(notes|files?|"
        r"records?)|chronolog(y|ies)|minutes|(?<!research )(?<!annual )(?<!audit )reports?|"
        r"assessments?|referrals?|cp plans?|bundles?|paperwork)\b", I),
     None, False, "concern", "possible breach of confidentiality"),
    (re.compile(
        r"\b(my|our|my colleague'?s|a colleague'?s) (work |team )?(laptop|work phone|"
        r"work mobile|bag|files?|notebook|diary|usb|memory stick|paperwork|documents?|bundles?|"
        r"case ?notes)\b[^.?!\n]{0,15}\b(got|was|were|has been|have been|'s been|is)( \w+)? "
        r"(nicked|stolen|lost|taken|robbed|pinched|went missing)\b", I),
     None, False, "concern", "possible breach of data protection or professional rules"),
    (re.compile(
        r"\b((been |was |were |got )?(told|said|asked)( \w+)? (to|me to|us to|her to|him to|"
        r"we should|i should|we'?d|i'?d) (keep (it |this )?"
        r"(quiet|to ourselves|between us|under wraps)|say nothing|not (tell|report|say|"
        r"mention|log))|(told|asked) (me|us|her|him|them) not to (tell|report|say|mention|log)|"
        r"(swept|brushed) under the (carpet|rug)|cover(ed|ing)? (it|this|them) up"
        r"|(haven'?t|have not|not|never) (been )?(told|reported) (it|this|anyone|anybody))\b", I),
     _CASE_THING, False, "concern", "possible breach of professional regulations"),
    (re.compile(
        r"\b(write|wrote|written|record|recorded|put|say|said|log|logged|note|noted|type|typed|"
        r"enter|entered|mark|marked)\b[^.?!\n]{0,50}\b(seen|visited|happened|attended|present|"
        r"done|completed|spoken to|there)\b[^.?!\n]{0,15}\b(when|but|though|even though) (she|"
        r"he|they|it|we|i|the \w+) (wasn'?t|weren'?t|hadn'?t|didn'?t|never|had not|was not|"
        r"were not)\b", I),
     None, False, "concern", "possible breach of professional regulations"),
    (re.compile(
        r"\b(drinks?|drinking|a (drink|few|couple)|cans|wine|vodka|spliff|weed|cannabis|coke)"
        r"\b[^.?!\n]{0,15}\b(before|during) (visits?|home visits?|a (home )?visit|work|my shift|"
        r"(a |the )?shift|duty|conferences?|court|chairing|the conference|the visit)\b|"
        r"\b(drunk|hungover|high|stoned|intoxicated|over the limit) (at|on|for|during|to) "
        r"(work|a visit|visits|the visit|duty|the conference|court|the office)\b", I),
     None, True, "concern", "possible breach of professional regulations"),
    (re.compile(
        r"\b(putting|posting|posted|put|puts|posts|sharing|shared|shares|upload\w*)\b"
        r"[^.?!\n]{0,40}\b(photos?|pictures?|pics|videos?|screenshots?|details|stuff|names?|"
        r"address(es)?)\b[^.?!\n]{0,10}\bof (a|the|one of (our|my|her|his)|my|our|her|his) "
        r"(famil(y|ies)|family'?s|child|children|kids?|client|service users?|case|house|home|"
        r"baby)\b[^.?!\n]{0,60}\b(instagram|insta|facebook|fb|tiktok|snapchat|snap|twitter|"
        r"story|stories|social media|whatsapp status)\b", I),
     None, True, "concern", "possible breach of confidentiality"),
]
