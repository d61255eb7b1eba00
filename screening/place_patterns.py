"""Patterns for named places: institutions, teams, prisons, unique roles, streets and estates."""

from __future__ import annotations

import re

from .lexicon import DOMAIN_ALLOW, Lexicon

I = re.I  # noqa: E741

# -------------------------------------------------------------- institutions and streets

_NW = r"(?:St\.?|Saint|Our Lady|[A-Z][A-Za-z'’\-]+)"
_NAMES = rf"{_NW}(?:(?:\s+(?:of|and|&|the|de|upon|on|le|in)\s+|\s+){_NW}){{0,4}}?"
ORG_SUFFIX = (
    r"(?:(?:C of E|CofE|CE|RC|Catholic|Church of England|Methodist|Community|Infant|Infants|"
    r"Junior|Juniors|Primary|Secondary|High|Grammar|Free|Special|Nursery|Girls'?|Boys'?)\s+)*"
    r"(?:Primary School|Primary Academy|Primary|Infant School|Infants School|Infants|"
    r"Junior School|Juniors|Academy|High School|Secondary School|Grammar School|School|High|"
    r"College|Sixth Form|Nursery|Day Nursery|Pre-?[Ss]chool|Preschool|Children'?s Centre|"
    r"Family Centre|Family Hub|Surgery|Medical Centre|Medical Practice|Health Centre|"
    r"Practice|Hospital|Infirmary|Clinic|Pupil Referral Unit|PRU|Hospice|Children'?s Home|"
    r"Foodbank|Food Bank|Refuge|Hostel|Youth Club|Youth Centre|Leisure Centre|Mosque|"
    r"Church|Gurdwara|Temple|Housing Association|Housing|Homes|"
    r"(?:County |City |Borough |District |Metropolitan Borough |Town |Parish )?Council|"
    r"Children'?s Services|Children and Families|Social Services|Social Care|Police|"
    r"Constabulary|NHS Trust|NHS Foundation Trust|Foundation Trust|Trust|CAMHS|MASH|LSCP|"
    r"Safeguarding Partnership|Safeguarding Children Partnership|Magistrates'? Court|"
    r"Crown Court|Family Court|County Court|Court|Ward|Unit|Centre|Center|House|Lodge|"
    r"Wing|Girls'?|Boys'?|Children'?s|Madrasa|Madrassa|Madrasah|Mosque|Chapel|"
    r"Group Practice|Football Club|Rugby Club|Care Home|Club|FC|AFC|RFC|Scouts|Group|Home|"
    r"council|County Council|CC(?!['’])|MBC|(?:Metropolitan )?Borough Council)"
)
DENOMINATION = re.compile(r"(C of E|CofE|CE|RC|Catholic|Church of England|Methodist)\s")
ORG_RE = re.compile(rf"(?<![\w])({_NAMES})\s+({ORG_SUFFIX})(?![\w])")
ORG_LOWER = re.compile(
    r"(?<![\w])((?:[a-z][a-z'’\-]+\s+){0,1}[a-z][a-z'’\-]+)\s+"
    r"(primary school|primary academy|primary|academy|surgery|medical centre|health centre|"
    r"nursery|high school|juniors|infants|junior school|infant school|children'?s centre|"
    r"family hub|hospital|pru|college)(?![\w])")
TEAM_RE = re.compile(
    r"(?<![\w])(?:the\s+)?((?:[A-Za-z][A-Za-z'’\-]+\s+){0,1}[A-Za-z][A-Za-z'’\-]+)\s+"
    r"((?:(?:assessment|safeguarding|child protection|cp|children in need|cin|looked after|"
    r"lac|cla|front door|duty|family support|early help|edge of care|disabled children'?s|"
    r"leaving care|adolescent|adolescents|exploitation|fostering|adoption|intake|locality|"
    r"court|referral|permanence|youth justice|yot|social work|children'?s|long term|"
    r"long-term|family safeguarding|contact|complex|ld|send|mash|fast track|support|review|"
    r"reviewing|conference|iro|quality assurance|qa)\s+)+"
    r"(?:team|hub|service|unit|panel)|mash|locality team|locality|front door|team|hub|patch|"
    r"yot|yos|yjs)"
    r"(?![\w])",
    I)
PRISON_RE = re.compile(
    r"(?<![\w])(?:HMP|HMYOI|HMP/YOI|HMP & YOI|HM Prison|YOI|HMPYOI)\s+([A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?)"  # noqa: E501
    r"|(?<![\w])(?:hmp|hmyoi|yoi)\s+([a-z][a-z'’\-]+)(?![\w])")
SAINT_RE = re.compile(r"(?<![\w])(?:St\.?|Saint)\s+[A-Z][a-z]+(?:'s|’s|s)(?![\w'’])")
# the same typed in lower case: "st bedes", "st. john fisher" (the name is checked by the caller)
SAINT_LOWER = re.compile(
    r"(?<![\w])(?:st\.?|saint)\s+([a-z]+?)((?:'s|’s|s)?)(?:\s+([a-z]+))?(?![\w'’])")
# saints' names that are also English words ("st mark's", "st chad's")
SAINTS = {"mark", "peter", "chad", "luke", "paul", "hilda", "bede", "francis", "patrick",
          "joseph", "anne", "agnes", "mary", "margaret", "clare", "martin", "michael", "thomas",
          "andrew", "james", "matthew", "stephen", "augustine", "gregory", "benedict", "wilfrid",
          "cuthbert", "aidan", "oswald", "edmund", "edward", "anselm", "dunstan", "alban",
          "david", "helen", "bernadette", "joan", "dominic", "ambrose", "leonard", "lawrence",
          "nicholas", "vincent", "philip", "barnabas", "giles", "john", "jude", "bridget"}
# Welsh-medium schools: "Ysgol y Graig", "ysgol gymraeg Caerffili"
YSGOL_RE = re.compile(r"(?<![\w])[Yy]sgol\s+(?:(?:y|yr|gymraeg|gynradd|uwchradd)\s+)?"
                      r"[A-Za-z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?(?![\w])")
# the secure estate named before its kind: "Wetherby YOI", "Oakhill STC", "Aycliffe SCH"
SECURE_AFTER_RE = re.compile(
    r"(?<![\w])([A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?)\s+(?:YOI|STC|SCH|SSU|"
    r"secure (?:unit|children'?s home|training centre))(?![\w])")
# Catholic schools and parishes: "Our Lady of Lourdes", "Our Lady & St Joseph"
OUR_LADY_RE = re.compile(
    r"(?<![\w])Our Lady\s+(?:of|and|&)\s+(?:the\s+)?(?:St\.?\s+)?[A-Z][A-Za-z'’\-]+"
    r"(?:\s+[A-Z][A-Za-z'’\-]+)?(?![\w])")
# a capitalised name before a lower-case kind: "Little Acorns nursery", "Brook Lane surgery"
ORG_CAP_LOWER = re.compile(
    r"(?<![\w])((?:[A-Z][a-z'’]*(?:-[A-Z]?[a-z'’]+)*\s+){0,2}[A-Z][a-z'’]*(?:-[A-Z]?[a-z'’]+)*)"
    r"\s+(nursery|pre-?school|primary|"
    r"academy|surgery|medical centre|health centre|children'?s centre|family hub|infants|"
    r"juniors|madrasa|madrassa|madrasah|mosque|gurdwara|church|chapel|temple)(?![\w])")
# a numbered hospital ward: "Ward 11", "on ward 4B"
WARD_RE = re.compile(r"(?<![\w])(?:Ward|(?<=on )ward|(?<=to )ward) \d{1,2}[A-Za-z]?(?![\w])")
# a description that singles out one colleague: "our only Polish-speaking IRO", "one male
# chair in the whole service", "the newest IRO in our team"
_ROLE = (r"(?:iros?|chairs?|cp chairs?|conference chairs?|sws?|social workers?|dsls?|tms?|"
         r"team managers?|managers?|psws?|principal social workers?|lados?|senior practitioners?"
         r"|advanced practitioners?|practice educators?|interpreters?|minute ?takers?)")
_QUAL = (r"(?:male|female|black|asian|white|welsh|scottish|irish|muslim|sikh|hindu|jewish|deaf"
         r"|blind|disabled|gay|trans|part-time|agency|locum|newly qualified|nq|bilingual|"
         r"[a-z]+-speaking|[a-z]+ speaking|man|woman|men|women|under \d+)")
_SCOPE = (r"(?:in|at|across|for) (?:our|the|my|this) (?:whole |entire )?(?:team|service|la|"
          r"local authority|authority|county|borough|council|office|department|region|area|"
          r"patch|unit|mash|hub|city|town)")
UNIQUE_ROLE_RE = re.compile(
    rf"(?<![\w])(?:(?:our|my|the|their) (?:only|sole|one and only)|(?:we'?ve got|we have got|"
    rf"we have|we'?ve|we got|there'?s|there is) (?:only )?(?:one|a single))\s+"
    rf"(?:{_QUAL}\s+){{1,2}}{_ROLE}(?![\w])"
    rf"|(?<![\w])(?:(?:the|our) (?:only|sole|newest|youngest|oldest|longest[- ]serving|most "
    rf"senior)|(?:only|just) one)\s+(?:{_QUAL}\s+){{0,2}}{_ROLE}\s+{_SCOPE}(?![\w])", re.I)
STREET_SUFFIX = (r"(?:Road|Rd|Street|St|Avenue|Ave|Close|Lane|Ln|Drive|Dr|Way|Crescent|Cres|"
                 r"Grove|Court|Ct|Gardens|Gdns|Place|Pl|Terrace|Walk|Rise|View|Square|Sq|Mews|"
                 r"Park|Hill|Green|Row|Parade|Vale|Wharf|Meadows?|Fields?|Croft|Chase|Heights|"
                 r"Tower|Towers|House|Flats|Estate|Way|Approach|Boulevard)")
ADDR_RE = re.compile(
    rf"(?<![\w/])(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+"
    rf"((?:[A-Za-z][A-Za-z'’\-]+\s+){{1,3}}){STREET_SUFFIX}\.?(?![\w])", I)
STREET_RE = re.compile(rf"(?<![\w])((?:[A-Z][A-Za-z'’\-]+\s+){{1,3}}){STREET_SUFFIX}(?![\w])")
ESTATE_RE = re.compile(
    r"(?<![\w])((?:[A-Za-z][A-Za-z'’\-]+\s+){1,3})(estate|Estate|ESTATE)(?![\w])")
ESTATE_GENERIC = {"the", "a", "an", "housing", "council", "industrial", "real", "new", "big",
                  "local", "rough", "same", "this", "that", "his", "her", "their", "our", "my",
                  "private", "social", "trading", "business", "retail", "whole", "own", "on",
                  "in", "at", "from", "of", "to", "near", "around", "off", "entire", "massive",
                  "huge", "large", "small", "nearby", "estate", "country", "family", "one", "another", "every", "old", "other", "different", "notorious", "known"}  # noqa: E501
LEAD_STRIP = {"the", "a", "an", "our", "their", "his", "her", "my", "your", "this", "that",
              "local", "same", "new", "old", "previous", "current", "both", "every", "each",
              "any", "some", "which", "what", "at", "in", "from", "to", "its", "another",
              "nearest", "main", "big", "small", "catholic", "secondary", "primary", "private",
              "state", "mainstream", "special", "village", "town", "city", "county", "nearby",
              "one", "other", "former", "and", "or", "but", "yes", "no", "if", "so", "then",
              "when", "where", "is", "was", "has", "had", "gp", "him", "hospital",
              "school", "infant", "junior", "dental", "walk-in", "maternity", "children's",
              "childrens", "general", "district", "royal", "community", "family", "group",
              "all", "on", "by", "for", "with", "as", "of", "i", "we", "they", "you", "he",
              "she", "it", "just", "also", "not", "re", "about", "ok", "hi", "thanks", "do",
              "did", "does", "are", "were", "be", "been", "go", "goes", "went", "attends",
              "attend", "attended", "like", "visit", "visited", "called", "rang", "emailed",
              "contacted", "contact", "between", "into", "onto", "over", "out", "up",
              "regional", "national", "specialist", "emergency", "psychiatric", "mental",
              "health", "a&e", "accident", "paediatric", "children", "adult", "adults", "ward",
              "unit", "centre", "center", "house", "lodge", "court", "trust", "police",
              "council", "services", "service", "social", "care", "team", "secure",
              "residential", "assessment", "foster", "mother", "baby", "day",
              "pupil", "referral", "youth", "leisure", "food", "church", "sixth", "form",
              "high", "grammar", "free", "infants", "juniors", "nursery", "academy", "college",
              "practice", "surgery", "medical", "clinic", "hospice", "mosque", "temple",
              "parish", "magistrates", "crown", "borough", "metropolitan",
              "neighbouring", "rival", "partner", "outer", "inner", "north", "south", "east",
              "west", "central", "upper", "lower", "greater", "uk", "english", "british",
              "area", "areas", "multi", "agency", "multi-agency", "safeguarding",
              "families", "parent", "parents", "kids", "kid", "child", "virtual",
              "cp", "cin", "lac", "cla", "mash", "camhs", "nhs", "send", "sen", "senco",
              "dsl", "iro", "sw", "la", "las", "ofsted", "icpc", "rcpc", "plo", "ehcp",
              "teams", "zoom", "miro", "whatsapp", "covid", "hybrid", "online", "in-person",
              "remote", "f2f", "face", "work", "working", "together"}
WEAK_ORG_SUFFIX = {"Ward", "Unit", "Wing", "Girls", "Boys", "Girls'", "Boys'", "Chapel",
                   "Club", "FC", "AFC", "RFC", "Scouts", "Group", "Home", "Group Practice",
                   "Football Club", "Rugby Club", "Care Home",
                   "council", "CC", "MBC", "Centre", "Center", "House", "Lodge", "Court", "Trust",
                   "Practice", "Church", "School", "College", "Housing", "Homes", "Hospital",
                   "Clinic", "Police", "Council"}
TEAM_GENERIC = LEAD_STRIP | {"assessment", "safeguarding", "duty", "intake", "locality",
                            "adoption", "fostering", "court", "referral", "support",
                            "children", "adolescent", "leaving", "edge", "disabled",
                            "long", "term", "front", "door", "early", "help", "looked",
                            "after", "in", "need", "protection", "youth", "justice", "yot",
                            "permanence", "exploitation", "complex", "contact", "fast",
                            "track", "whole", "entire", "new", "old", "wider", "management",
                            "leadership", "senior", "research", "project", "study", "admin",
                            "business", "it", "hr", "legal", "same", "other", "another",
                            "previous", "last", "next", "first", "second", "this", "that",
                            "partnership", "quality", "qa", "audit", "review", "reviewing",
                            "iro", "chairs", "chair", "conference", "conferences", "cp",
                            "our", "your", "their", "my", "his", "her", "the", "a", "an"}


def strip_lead(s: int, phrase: str, lex: Lexicon, keep_place: bool = True) -> tuple[int, str]:
    words = phrase.split(" ")
    off = s
    while words and (words[0].lower() in LEAD_STRIP or words[0].lower() in DOMAIN_ALLOW):
        if keep_place and " ".join(words).lower() in lex.places:
            break
        off += len(words[0]) + 1
        words = words[1:]
    return off, " ".join(words)


def distinctive(word: str, lex: Lexicon) -> bool:
    w = word.lower().strip("'’")
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if w in DOMAIN_ALLOW or w in TEAM_GENERIC:
        return False
    if w in lex.places or w in lex.first or w in lex.sur:
        return True
    return not lex.is_word(w) and not lex.is_allowed(w) and len(w) > 2


def institution_re(lex: Lexicon) -> re.Pattern[str]:
    """Known institutions named bare ("Alder Hey", "the RVI"): as written, or all in lower
    case when that cannot be an ordinary word or a first name ("pinderfields", "alder hey")."""
    alts = []
    for name in sorted(lex.institutions, key=len, reverse=True):
        # "Addenbrooke's" also as "Addenbrookes" and with a curly apostrophe
        rx = "['’]".join(re.escape(part) for part in name.split("'")).replace("['’]s", "['’]?s")
        alts.append(rx)
        words = name.lower().replace("'", "").split()
        if not name.isupper() and not all(
                lex.is_word(w) or w in lex.first or w in lex.places for w in words):
            alts.append(rx.lower())
        elif not lex.is_word(name.lower()) or len(words) > 1:
            # "the rvi", "the lgi", "the royal free": lower case after "the" only
            alts.append("(?<=the )" + rx.lower())
    return re.compile(r"(?<![\w'’])(?:" + "|".join(alts) + r")(?![\w'’])")

# a district, estate or street named by two ordinary words ("Meadow Well", "Chapel Row",
# "Parson Cross"): a capitalised word or two and a landform or street head, after a
# preposition of place or before a place noun ("the Castle Hill office", "Clay Cross fam")
_PLACE_HEAD = (r"(?:Walk|Row|Way|Bank|Bridge|Hall|Cross|Well|Wells|Hill|Green|Park|Wood|Woods|"
               r"Moor|Heath|End|Gate|Top|Common|Vale|Side|Brow|Fold|Lea|Leys|Fields?|Meadows?|"
               r"Grange|Farm|Manor|Hollow|Mount|Rise|Dale|Bottom|Nook|Croft|Chase|Close|"
               r"Crescent|Lane|Road|Street|Avenue|Drive|Grove|Gardens|Terrace|Place|Square|"
               r"Parade|Mews|Heights|Edge|Brook|Tree|Marsh|Holme|Cliffe|Hey|Knoll|Carr|Garth|Flatts|"
               r"Ings|Shaw|Slack|Clough|Dene|Combe|Cottages|Quay|Wharf|Circus|Broadway)")
_PLACE_PREP = (r"(?i:on|in|at|off|up|down|from|round|around|near|nr|to|along|behind|past|over|"
               r"onto|into|by|via|outside|(?:top|bottom|end|far end|other side|back) of|"
               r"out (?:at|to|in))")
_CAPW = r"[A-Z][a-z'’]+(?:-[A-Z]?[a-z]+)?"
LOCATIVE_PLACE_RE = re.compile(
    rf"(?<![\w]){_PLACE_PREP}\s+((?:{_CAPW}\s+){{1,2}}{_PLACE_HEAD})(?![\w'’])"
    rf"|(?<![\w])((?:{_CAPW}\s+){{1,2}}{_PLACE_HEAD})(?=\s+(?i:fam|families|family|lot|"
    rf"office|area|end|side|way|estate|mob|lads|folk|residents)\b)")
# first words that make such a pair a building, an event or a service, not a district
PLACE_PAIR_GENERIC = {"town", "village", "church", "community", "sports", "school", "main",
                      "head", "central", "city", "family", "magistrates", "county", "crown",
                      "google", "one", "open", "parents", "fun", "bank", "the", "a", "our",
                      "their", "my", "this", "that", "every", "each", "sunday", "monday",
                      "tuesday", "wednesday", "thursday", "friday", "saturday", "christmas",
                      "easter", "summer", "spring", "winter", "autumn", "high", "civic",
                      "concert", "dining", "assembly", "exam", "sixth", "leisure", "car",
                      "trading", "retail", "business", "industrial", "science", "theme",
                      "safari", "water", "skate", "play", "national", "royal", "holiday"}


# compound words that end like a place but are not one
_NOT_PLACE_STEM = {"inside", "outside", "alongside", "beside", "aside", "upside", "downside",
                   "offside", "nationwide", "worldwide", "countrywide", "review", "interview",
                   "overview", "preview", "worldview", "everyone", "anyway", "halfway",
                   "hallway", "gateway", "pathway", "doorway", "walkway", "railway",
                   "motorway", "stairwell", "farewell", "weekend", "household", "neighbourhood"}
_STEM_END = re.compile(r"(?:side|view|field|fields|wood|woods|brook|mead|meadow|lands|croft|"
                       r"grove|bank|park|hill|hills|dale|vale|lea|gate|bridge|moor|ford|well|"
                       r"worth|ley|leigh|ton|bury|borough|thorpe|hurst|combe|stead)$")
_STEM_HEAD = re.compile(_PLACE_HEAD + "$")
# the first word of a two-word institution noun ("Group Practice", "Care Home")
_STEM_TAIL = {"group", "medical", "health", "football", "rugby", "cricket", "boxing", "scout",
              "care", "nursing", "residential", "community", "family", "day", "youth",
              "children's", "childrens"}


def place_like_stem(words: list[str]) -> bool:
    """A capitalised name shaped like a place, before a weak institution word: "Riverside
    Church", "Hillside Group Practice", "Castle View Hospital". Ordinary words on their own
    ("Catholic Church", "General Practice") are not."""
    if len(words) > 1 and words[-1].lower() in _STEM_TAIL:
        words = words[:-1]  # "Riverside Group| Practice", "Westfield Care| Home"
    if not words or not all(w[:1].isupper() and w[1:].islower() for w in words):
        return False
    if len(words) == 1:
        w = words[0].lower()
        return len(w) >= 7 and w not in _NOT_PLACE_STEM and _STEM_END.search(w) is not None
    return (len(words) == 2 and words[0].lower() not in PLACE_PAIR_GENERIC
            and words[0].lower() not in TEAM_GENERIC and _STEM_HEAD.match(words[1]) is not None)

