"""Name-less identification: descriptions that single out a person or family.

No name, yet everyone in the room knows who it is: uniqueness ("the only Somali family on
the estate", "our one male health visitor"), notoriety ("the family that was in the papers",
"everyone round here knows the case") and rare combinations of age, event, place or role
("the 13 year old who had twins"). Found by structure: a cue, and a person or family noun
phrase it applies to. Each finding's rule names the cue; :data:`REASONS` words it for people.
"""

from __future__ import annotations

import re

Cand = tuple[int, int, str, float, str]

REASONS = {
    "nameless_role": "a service user described by their job or public role",
    "nameless_unique": "a description that fits only one person or family (\"the only …\")",
    "nameless_notoriety": "a person or family known from the news or locally",
    "nameless_combination": "a rare combination of age, event, place or role",
}

# people and households
_WHO = (r"(?:famil(?:y|ies)|household|kids?|child(?:ren)?|boys?|girls?|lads?|mums?|mothers?|"
        r"dads?|fathers?|parents?|man|woman|men|women|teen(?:ager)?s?|pupils?|students?|"
        r"couple|twins|triplets|siblings|brothers?|sisters?|grandparents?|nan|grandad|"
        r"person|people|bloke|fella|lady|baby|toddler|young (?:person|people|carer)|yp|"
        r"carers?|foster carers?|workers?|sw|social workers?|iro|chairs?|teachers?|head|"
        r"headteacher|nurse|health visitors?|hv|midwife|gp|doctor|officer|pc|manager|tm|"
        r"interpreter|vicar|imam|rabbi|priest|councillor|traveller|one|"
        r"(?:wheelchair )?users?|sons?|daughters?|grandsons?|granddaughters?|"
        r"step(?:son|daughter)s?|nephews?|nieces?|cousins?|uncles?|aunt(?:ie)?s?|"
        r"kinship carers?|"
        r"\d{1,2}\s?(?:yo|y/o|yr|year|month)s?(?:[- ]old)?)")
# a place or group that makes "only" small enough to point at someone
_SCOPE = (r"(?:(?:on|in|at|round|around|from|across|near|of) (?:the|our|this|that|their|my|his|"
          r"her|a) (?:whole |entire |little |tiny )?(?:estate|village|street|road|close|"
          r"school|class|year group|nursery|surgery|practice|team|office|service|patch|area|"
          r"town|ward|unit|block|flats|site|park|mosque|church|temple|gurdwara|community|"
          r"county|la|authority|borough|caseload|list|books|island|hamlet|parish|valley|"
          r"coast|cul-de-sac|building|tower|year|year group|course|unit|wing|ward|road)"
          r"|in (?:year|yr) ?\d{1,2}|we(?: have|'ve got|'ve ever had| work with| ever had)"
          r"|(?:on|in) (?:the )?(?:county|city|region|country)'?s? books)")
_FUNC = (r"(?:the|a|an|and|or|to|of|in|on|at|for|with|who|that|which|is|was|are|were|be|"
         r"been|way|thing|things|time|option|reason|one|ones|problem|issue|question|point|"
         r"difference|answer|person|people|bit|part|day|place|chance|as|from|by|about|into|"
         r"over|conference|meeting|session|visit|review|case|time)")
_QUALIFIER = rf"(?:(?!{_FUNC}\b)[a-z][a-z'-]+\s+){{1,3}}"
_UNIQUE = re.compile(
    rf"(?<![\w])(?:(?:the|our|my|their|your) (?:only|sole|one and only|one|single|first)|"
    rf"(?:there'?s|there is|we'?ve got|we have|we got) (?:only )?(?:one|a single))\s+"
    rf"(?:(?:set|pair|couple|group|bunch|lot) of\s+)?"
    rf"(?:{_QUALIFIER}{_WHO}(?:\s+{_SCOPE})?|{_WHO}\s+{_SCOPE})(?![\w])"
    # a superlative singles out within a small scope: "the youngest mum on our patch"
    rf"|(?<![\w])(?:the|our|their) (?:(?!(?:best|latest|honest|modest|earnest)\b)[a-z]{{2,}}est|"
    rf"most \w+|first|last)\s+(?:{_QUALIFIER})?{_WHO}\s+{_SCOPE}(?![\w])"
    # "our only SW who's also a foster carer", "the only dad in the group who's a paramedic"
    rf"|(?<![\w])(?:the|our|their) (?:only|one)\s+(?:{_QUALIFIER})?"
    rf"(?!(?:one|person|people|thing)\b){_WHO}\s+with (?:a|an|the|their|his|her) "
    rf"(?:[\w'-]+\s+){{0,3}}[\w'-]+(?![\w])"
    rf"|(?<![\w])(?:the|our|their) (?:only|sole|one)\s+(?:{_QUALIFIER})?{_WHO}"
    rf"(?:\s+(?:in|on|at) (?:the|our|this) \w+)?\s+(?:who|that)(?:'s| is| was)\s+(?:also\s+)?"
    rf"(?:a|an)\s+(?:\w+\s+)?\w+(?![\w])", re.I)
_NEWS = (r"(?:(?:in|on|all over|from|off) (?:the )?(?:front (?:page )?of (?:the )?\w+ ?\w*|papers?|"
         r"news|telly|tv|local news|front page|look north|evening \w+|"
         r"radio|bbc|echo|chronicle|gazette|post|mail|sun|mirror|express|"
         r"star|herald|advertiser)|all over (?:facebook|socials|tiktok|twitter|insta\w*)|"
         r"(?:the )?front page(?: of (?:the )?\w+(?: \w+)?)?|(?:the )?headlines|"
         r"(?:the )?(?-i:[A-Z][\w']+ ){1,3}(?:report|documentary|programme|article|appeal|"
         r"story|piece)|"
         r"(?:went|gone|that went) viral|made (?:the )?(?:local |national )?(?:news|papers?|"
         r"headlines)|on look ?north|on calendar|on crimewatch|"
         r"(?:the|that) (?:bbc |itv |channel \w+ |netflix |panorama )?(?:documentary|programme|"
         r"news story|news report))")
_NOTORIETY = re.compile(
    rf"(?<![\w])(?:the|that|those|this) (?:\w+\s+){{0,3}}{_WHO}(?:\s+\w+){{0,4}}\s+"
    rf"(?:who|that|which|whose|from|in|off|on)\b[^.?!;\n]{{0,50}}?{_NEWS}"
    rf"|(?<![\w])(?:the|that|this) (?:\w+\s+){{0,3}}(?:case|fire|crash|stabbing|murder|death|"
    rf"shooting|trial|court case|incident|story)\b[^.?!,;\n]{{0,40}}?{_NEWS}"
    rf"|(?<![\w])(?:every(?:one|body)|the whole (?:estate|village|town|street|school|"
    rf"area|community)|all the (?:parents|neighbours|mums)) (?:round here |around here |"
    rf"there |on the estate |in the village )?(?:knows?|knew|has heard|heard about|"
    rf"talks? about|is talking about)(?: about)? (?:the|that|this|who|them|her|him|it)"
    rf"(?: \w+){{0,4}}"
    rf"|(?<![\w])(?:the|that) (?:\w+\s+){{0,2}}(?:family|case|man|woman|mum|dad|boy|girl)"
    rf"(?: \w+){{0,3}} (?:every(?:one|body)|the whole \w+) (?:round here |around here |"
    rf"in the \w+ |on the \w+ |in \w+ )?(?:knows|knew|has heard of|talks about|"
    rf"is talking about|still talks about)",
    re.I)
# an age or role with a rare event
_EVENT = (r"(?:had|has|having|gave birth to|expecting) (?:twins|triplets|a baby|the baby|quads)|"
          r"gave birth (?:in|on|at) (?:the|a) \w+|"
          r"(?:crashed|rammed|torched|robbed|burgled|vandalised|abducted|kidnapped|ran over|"
          r"knocked down|stole|nicked|smashed up|burnt|burned|flooded|blew up) (?:a|an|the|"
          r"his|her|their|that)\b|"
          r"(?:both|all) (?:twins|kids|children|\w+) died|set (?:the|a|his|her|their) \w+ on fire|"
          r"(?:got )?evicted|went missing (?:off|from) (?:the )?\w+|"
          r"(?:(?:with|has|had|got) )?(?:the )?(?:triplets|quads|[6-9]|1[0-9]|six|seven|eight|"
          r"nine|ten|eleven|twelve|thirteen) (?:kids|children|sons|daughters)|"
          r"(?:got|is|was|became) pregnant|(?:lost|died|was killed|was murdered|was stabbed|"
          r"was shot|drowned)|(?:was|got) (?:stabbed|shot|deported|trafficked|jailed|"
          r"sentenced|convicted|paralysed)|(?:lost (?:a|his|her) (?:leg|arm|eye))|"
          r"(?:set fire to|burnt down|burned down)|(?:won the lottery)|"
          r"won (?:the|a) (?:national|county|regional|world|european|olympic|british)\b|"
          r"(?:was )?born (?:on|in|at) (?:the|a) (?:motorway|bus|train|plane|car park|street|"
          r"pavement|taxi|lift|services)|(?:was |got )?(?:hit|knocked down|run over) by "
          r"(?:a|the) (?:bus|car|train|van|lorry|tram)|(?:ran away|ran off|fled|was taken|"
          r"was sent|went missing) (?:abroad|overseas|to (?-i:[A-Z])\w+)|"
          r"(?:the|a) (?:fire|crash|stabbing|murder|shooting|overdose|flood)")
_COMBINATION = re.compile(
    rf"(?<![\w])(?:the|that|this) (?:\w+\s+){{0,2}}{_WHO}(?:\s+\w+){{0,3}}\s+"
    rf"(?:who|that|whose|where|with)\s+(?:\w+\s+){{0,3}}?(?:{_EVENT})(?:\s+(?:{_SCOPE}|"
    rf"(?:in|last|this) (?:the )?(?:spring|summer|autumn|winter|year|month|week|christmas|"
    rf"easter)))?(?![\w])", re.I)


# jobs and public roles that, held by a parent or family member, point at one household
_ROLE_JOB = (r"(?:serving )?(?:councillor|police officer|officer|pc|copper|teacher|headteacher|"
             r"head teacher|head|vicar|imam|rabbi|priest|footballer|paramedic|nurse|doctor|gp|"
             r"mp|magistrate|judge|journalist|reporter|dentist|firefighter|fireman|bus driver|"
             r"driver|receptionist|landlord|publican|solicitor|barrister|social worker|sw|"
             r"foster carer|midwife|health visitor|pharmacist|vet|mayor|celebrity|influencer|"
             r"youtuber|boxer|singer|lollipop (?:man|lady)|caretaker|dinner lady|"
             r"(?:shop|cafe|chippy|pub|takeaway) owner)")
_KIN = (r"(?:family|mum|mother|dad|father|parent|nan|grandad|grandma|grandmother|"
        r"grandfather|headteacher|uncle|aunt|auntie|"
        r"stepdad|stepmum|carer|brother|sister|kid|kids|son|daughter|wife|husband|partner|"
        r"couple|parents|lads?|pair|household)")
# relatives named by someone's job: "the vicar's daughter", "the PCSO's stepson"
_KIN_OF = (r"(?:(?:own|new|eldest|youngest|oldest|little|teenage|step|grand)[- ]?)?(?:family|"
           r"kids?|children|sons?|daughters?|wife|husband|partner|lad|girl|boy|grandson|"
           r"granddaughter|grandkids|grandchildren|stepson|stepdaughter|nephew|niece|"
           r"brother|sister|twins|baby)")
_JOB_KIN = re.compile(
    rf"(?<![\w])(?:the|a|our|that|their) ((?:[a-z]+[ -])?[a-z]+)['’]s\s+{_KIN_OF}(?![\w])",
    re.I)
# a relative's position: "the girl whose dad was on the council"
_WHOSE = re.compile(
    rf"(?<![\w])(?:the|that|this) (?:\w+\s+){{0,2}}{_WHO} whose (?:\w+ )?{_KIN} "
    rf"(?:is|was|'s|are|were) (?:(?:also |still )?(?:on|in) the (?:council|police|force|news|"
    rf"papers|telly|board|bench|governors)|(?:a|an|the) (?:\w+ )?\w+)(?![\w])", re.I)
# a rare possession or attribute tied to a place: "the family with the pub in the village",
# "the lad with the prosthetic leg at the high school"
_PLACE_NOUN = (r"(?:estate|village|street|road|close|school|high school|primary|secondary|"
               r"academy|front|corner|parade|high street|market|site|town|farm|flats|square|"
               r"green|precinct|seafront|harbour|pub|club|mosque|church|temple|surgery)")
_WITH_AT = re.compile(
    rf"(?<![\w])(?:the|that|this) (?:\w+\s+){{0,2}}{_WHO} with (?:the|a|an|that) "
    rf"(?:[\w'-]+\s+){{0,2}}[\w'-]+ (?:in|on|at|near|round|by|off) (?:the|our|this|that) "
    rf"(?:\w+ )?{_PLACE_NOUN}(?![\w])", re.I)
# a household tied to a rare home or spot: "the family on the houseboat at the marina",
# "the twins on the caravan site behind the garage", "the Syrian family in the village"
_RARE_SPOT = (r"(?:houseboat|narrowboat|marina|lighthouse|windmill|vicarage|rectory|seafront|pier|"
              r"caravan site|caravan park|campsite|holiday park|care home|children'?s home|farm|"
              r"boatyard|scrapyard|traveller site|travellers'? site)")
_RARE_HOME = re.compile(
    rf"(?<![\w])(?:the|that|this) (?:\w+\s+){{0,2}}{_WHO} (?:at|on|from|in|off) the "
    rf"(?:only )?(?:\w+ )?{_RARE_SPOT}(?: (?:at|by|behind|near|on|in|off|next to) the "
    rf"\w+(?: \w+)?)?(?![\w])"
    rf"|(?<![\w])the (?-i:[A-Z][a-z]+) famil(?:y|ies) (?:\w+ ){{0,3}}(?:in|on|at|to) the "
    rf"(?:village|estate|street|close|hamlet|cul-de-sac|block|flats|dale|valley|island)"
    rf"(?![\w])", re.I)
_RARE_ONLY = re.compile(r"\b(?:only|houseboat|narrowboat|marina|lighthouse|windmill|vicarage|"
                        r"rectory|seafront|pier)\b|"
                        r"(?:at|by|behind|near|next to) the \w+(?: \w+)?$",
                        re.I)
_ROLE = re.compile(
    rf"(?<![\w])(?:the|a|our|their) (?:\w+\s+)?{_KIN}\s+(?:who'?s|who is|that'?s|whose \w+ "
    rf"(?:is|are)|is|was|who sits as|who'?s married to|who is married to)\s+(?:also\s+)?"
    rf"(?:a|an|the|on)?\s*(?:(?:local|serving|retired|former|village|parish)\s+)?{_ROLE_JOB}"
    rf"(?:\s+(?:in|at|for|on)\s+(?:our|the|their)\s+(?:own\s+)?\w+)?(?![\w])"
    rf"|(?<![\w])(?:the|a|our) (?:\w+\s+)?{_KIN}\s+(?:who|that)\s+(?:\w+ and )?"
    rf"(?:(?:works|worked|work)\s+(?:on|at|in|for)\s+(?:the\s+)?|(?:drives|runs|owns|manages|"
    rf"teaches|coaches|cleans|serves|drive|run|own|manage|keep|keeps|kept|ran|owned)\s+"
    rf"(?:the|a)\s+)\w+(?:\s+(?:at|in|on)\s+the\s+\w+)?"
    rf"|(?<![\w])(?:the|a|our) {_ROLE_JOB}'?s (?:family|kids|children|son|daughter|wife|"
    rf"husband|partner|lad|girl)(?:\s+(?:in|on|at) (?:the|our) \w+)?(?![\w])"
    rf"|(?<![\w])(?:the|a|our) {_ROLE_JOB} whose (?:own )?(?:kids|children|son|daughter|"
    rf"family)[^.?!,;\n]{{3,40}}"
    rf"|(?<![\w]){_KIN} (?:is|'s) a (?:serving )?{_ROLE_JOB} (?:in|at|for) (?:our|the) "
    rf"(?:own )?\w+", re.I)


_ROLE_JOB_RE = re.compile(_ROLE_JOB + r"|pcso|sergeant|inspector|governor|head of \w+|"
                          r"deputy head|chair of governors|postman|postie|mp|dsl|senco|"
                          r"policeman|policewoman", re.I)
# a very old carer or a very young parent: "the 90 year old kinship carer", "the 14 yo mum"
_AGE_ROLE = re.compile(
    r"(?<![\w])(?:the|that|this|our) (?:[7-9]\d[- ]?(?:yo|y/o|yrs?|years?)(?:[- ]old)? "
    r"(?:\w+ )?(?:mum|mother|dad|father|parent|carer|foster carer|kinship carer|grandparent|"
    r"nan|grandad)|1[0-5][- ]?(?:yo|y/o|yrs?|years?)(?:[- ]old)? (?:mum|mother|dad|father|"
    r"parent))s?(?![\w])", re.I)


def find_nameless(text: str, jobs: frozenset[str] = frozenset()) -> list[Cand]:
    """POTENTIALLY_IDENTIFYING spans; the rule names the cue (see REASONS). ``jobs``: nouns
    of occupations (WordNet's, see data/build_wordnet.py) for "the vicar's daughter"."""
    out: list[Cand] = []
    if "'s" in text or "’s" in text:
        for m in _JOB_KIN.finditer(text):
            job = m.group(1).lower()
            last = job.split()[-1]
            if (job in jobs or last in jobs or _ROLE_JOB_RE.fullmatch(job)
                    or _ROLE_JOB_RE.fullmatch(last)):
                out.append((m.start(), m.end(), "POTENTIALLY_IDENTIFYING", 0.6, "nameless_role"))
    for m in _RARE_HOME.finditer(text):
        # a rare spot, or a common one pinned down further ("…behind the garage"), or a
        # family marked by its nationality in a small place
        if _RARE_ONLY.search(m.group(0)) or m.group(0)[4:5].isupper():
            out.append((*m.span(), "POTENTIALLY_IDENTIFYING", 0.6, "nameless_combination"))
    for rx, rule in ((_UNIQUE, "nameless_unique"), (_NOTORIETY, "nameless_notoriety"),
                     (_COMBINATION, "nameless_combination"), (_ROLE, "nameless_role"),
                     (_WHOSE, "nameless_role"), (_WITH_AT, "nameless_combination"),
                     (_AGE_ROLE, "nameless_combination")):
        for m in rx.finditer(text):
            s, e = m.span()
            while e > s and not text[e - 1].isalnum():
                e -= 1
            out.append((s, e, "POTENTIALLY_IDENTIFYING", 0.6, rule))
    return out
