"""Pattern recognizers: UK identifiers, contact details, dates, named institutions."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from .lexicon import DOMAIN_ALLOW, Lexicon

Cand = tuple[int, int, str, float, str]
I = re.I  # noqa: E741

# ------------------------------------------------------------------ checksums / validators


def nhs_valid(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


POSTCODE_AREAS = set(
    """AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT
    DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD
    LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK
    SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""".split()  # noqa: E501
)

# ------------------------------------------------------------------ regexes

PC_FULL = re.compile(r"(?<![\w-])([A-Z]{1,2}\d[A-Z\d]?)\s?(\d[ABD-HJLNP-UW-Z]{2})(?![\w-])", I)
PC_OUT = re.compile(r"(?<![\w/-])([A-Z]{1,2}\d{1,2}[A-Z]?)(?![\w/-])")
PC_OUT_CTX = re.compile(
    r"(postcode|post code|area|in|from|near|around|lives|lived|living|to|rehoused|address|"
    r"covering|patch)\W*$", I)
# "Peckham, SE15", "Redditch now, B97": an outward code just after a place name
PC_OUT_AFTER_WORD = re.compile(r"([A-Za-z][A-Za-z'’-]+)(?:\s+[a-z]+)?,?\s*$")
PC_OUT_BLOCK = {"S47", "S17", "S20", "S31", "S37", "S38", "S44", "S46", "S7", "S1", "S2",
                "S11", "S25", "S136", "A1", "M1", "M6", "M62", "M25", "B12", "Y10", "Y11",
                "Y7", "Y8", "Y9", "Y12", "Y13", "L1", "L2", "L3", "L4", "L5", "L6", "L7",
                "E1", "G1", "N1", "W1", "P1", "P2", "P3", "DA1", "CP1", "LA1", "SE1"}
NHS_RE = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
NINO_RE = re.compile(
    r"(?<![\w])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]|QQ)\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([A-D])?"
    r"(?![\w])", I)
VRM_RE = re.compile(r"(?<![\w])([A-Z]{2}\d{2})\s?([A-Z]{3})(?![\w])", I)
VRM_OLD = re.compile(r"(?<![\w])([A-Z]\d{1,3})\s?([A-Z]{3})(?![\w])", I)
COURT_RE = re.compile(r"(?<![\w])[A-Z]{2}\d{2}[A-Z]\d{5}(?![\w])", I)
REF_RE = re.compile(
    r"(?<![\w/-])(?=[A-Za-z0-9/ -]*\d{4})(?:[A-Z]{1,6}|[a-z]{1,4}(?=[-/]?\d))[-/ ]?\d[\d/-]{2,}\d"
    r"(?:[-/][A-Z0-9]+)?(?![\w/-])")
NUM_RE = re.compile(r"(?<![\w/.-])\d{2,}(?:[/-]\d{2,}){0,3}(?![\w/-])")
ID_CTX = re.compile(
    r"\b(ref|refs|reference|case|id|no\.?|number|num|nos?|mosaic|lcs|liquidlogic|eclipse|record|"
    r"file|court|crime|log|incident|police|cad|urn|upn|nhs|ni|claim|pnc|cms|ehm|ehcp|"
    r"passport|licence|license|account|sort code|client|child id|person id|episode|warrant|"
    r"docket|matter|cpn|crn|hospital number|mrn|patient|chi|care first|carefirst|azeus|"
    r"frameworki|system|rio|emis|systmone|protocol|tracking|booking|custody|arrest)\b[^.\n]{0,25}$",
    I)
NHS_CTX = re.compile(r"\bnhs\b|\bhealth number\b|\bpatient\b", I)
NI_CTX = re.compile(r"\b(ni|nino|national insurance|n\.i\.)\b", I)
VRM_CTX = re.compile(r"\b(reg|registration|plate|plates|car|van|vehicle|motorbike|vrm|reg no)\b", I)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])")  # noqa: E501
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()]+|(?<![\w@.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\."
    r"(?:com|co\.uk|org\.uk|org|net|uk|io|me|ly|gl|tv)/[^\s<>\"'()]+", I)
GENERIC_DOMAINS = ("gov.uk", "nhs.uk", "nspcc.org.uk", "basw.co.uk", "socialworkengland.org.uk",
                   "legislation.gov.uk", "ofsted", "teams.microsoft.com", "microsoft.com",
                   "miro.com", "menti.com", "mentimeter.com", "padlet.com", "scie.org.uk",
                   "researchinpractice.org.uk", "ncb.org.uk", "barnardos.org.uk", "youtube.com",
                   "forms.office.com", "bbc.co.uk", "bit.ly/focus", "ukri.org", "ac.uk",
                   "wikipedia.org", "google.com", "zoom.us")
HANDLE_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
SOCIAL_CTX = re.compile(
    r"\b(insta|instagram|ig|snap|snapchat|tiktok|twitter|facebook|fb|discord|x|telegram|"
    r"handle|username|user name|account|profile|page)\b", I)
BARE_HANDLE = re.compile(r"(?<![\w@])[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+_?|[A-Za-z]+\d{2,}")

MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
DATE_NUM = re.compile(rf"(?<![\w/.:-]){DAY}[/.-](?:0?[1-9]|1[0-2])[/.-](?:\d{{4}}|\d{{2}})(?![\w/-]|\.\d)")  # noqa: E501
DATE_DM = re.compile(
    rf"(?<![\w/]){DAY}(?:st|nd|rd|th)?(?:\s+of)?[\s-]+{MONTHS}\.?(?:,?[\s-]+(?:\d{{4}}|'\d{{2}}))?(?![\w])",
    I)
DATE_MD = re.compile(
    rf"(?<![\w]){MONTHS}\.?\s+{DAY}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?![\w:])", I)
DATE_MY = re.compile(rf"(?<![\w]){MONTHS}\.?\s+(?:19|20)\d{{2}}(?![\w])", I)
DATE_SHORT = re.compile(rf"(?<![\w/.:-]){DAY}/(?:0?[1-9]|1[0-2])(?![\w/.-])")
# UK numbers as people type them: "+44 (0)7700 900123", "0114 496 0732 ext 4", "01709 496 0233"
UK_PHONE = re.compile(
    r"(?<![\w+])(?:\+\s?44\s?(?:\(\s?0\s?\)\s?)?|0044\s?|\(?0)\d{2,4}\)?(?:[\s.-]?\d){6,8}"
    r"(?:\s?(?:ext|extn|ex|x)\.?\s?\d{1,5})?(?![\w])", I)
_INTL_PREFIX = re.compile(r"^(?:\+\s?44\s?(?:\(\s?0\s?\)\s?)?|0044\s?|\(?0)")
_EXT = re.compile(r"\s?(?:ext|extn|ex|x)\.?\s?\d{1,5}$", I)
WEEKDAYS = (r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|"
            r"urday)?")
ORDINAL = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)"
# "Weds 19th", "friday the 3rd"
DATE_WEEKDAY = re.compile(rf"(?<![\w]){WEEKDAYS}\.?,?\s+(?:the\s+)?{ORDINAL}(?![\w])", I)
# named days of the year with a year, or in an incident's sentence
DATE_HOLIDAY = re.compile(
    r"(?<![\w])(?:boxing day|christmas (?:day|eve)|new year'?s (?:day|eve)|bonfire night|"
    r"halloween|easter (?:sunday|monday|day)|valentine'?s day|mother'?s day|father'?s day|"
    r"eid(?: al[- ]\w+)?)(?:\s+(?:19|20)\d\d)?(?![\w])", I)
# "the 9th": a day of the month standing alone (not "the 3rd session")
DATE_THE_ORD = re.compile(
    rf"(?<![\w])the\s+{ORDINAL}(?!\s+(?:time|session|one|child|kid|week|floor|meeting|"
    rf"conference|review|visit|year|attempt|person|of\s+(?:the|my|our)\s+\w+s\b)|[\w])", I)
DOB_CTX = re.compile(r"\b(dob|d\.o\.b\.?|date of birth|born|birthday|b\.|bday|birth date)\W{0,3}"
                     r"(?:\w+\W+){0,3}$", I)
INCIDENT_CTX = re.compile(
    r"\b(incident|assault|assaulted|injur|bruis|hospital|a&e|a and e|arrested|police|disclos|"
    r"missing|removed|removal|died|death|overdose|attack|happened|section 47|s47|placed|"
    r"placement|evict|fire|fractur|burn|attended|admitted|found|ran away|went missing|"
    r"strategy|raid|stabbed|hit|kicked|slapped|abuse|abused|took place|occurred|reported|"
    r"born|dob|court|hearing|epo|emergency protection|police protection|ppo|breach)", I)
SCHEDULE_CTX = re.compile(
    r"\b(session|sessions|focus group|next group|this group|our group|next meeting|our meeting|"
    r"we meet|meet again|see you|see everyone|reminder|calendar|invite|diary|deadline|"
    r"submit|training|webinar|workshop|consent form|survey|questionnaire|follow[- ]up|"
    r"interview|researcher|research team|transcript|the study|book(ed)? in|slot|available|"
    r"availability|holiday|annual leave|leave|off work|bank holiday|term|half term|"
    r"start(s|ing)? on|back on|week commencing|w/c)\b", I)

# -------------------------------------------------------------- institutions and streets

_NW = r"(?:St\.?|Saint|Our Lady|[A-Z][A-Za-z'’\-]+)"
_NAMES = rf"{_NW}(?:(?:\s+(?:of|and|&|the|de|upon|on|le|in)\s+|\s+){_NW}){{0,4}}?"
ORG_SUFFIX = (
    r"(?:(?:C of E|CofE|CE|RC|Catholic|Church of England|Methodist|Community|Infant|Infants|"
    r"Junior|Juniors|Primary|Secondary|High|Grammar|Free|Special|Nursery|Girls'?|Boys'?)\s+)*"
    r"(?:Primary School|Primary Academy|Primary|Infant School|Infants School|Infants|"
    r"Junior School|Juniors|Academy|High School|Secondary School|Grammar School|School|High|"
    r"College|Sixth Form|Nursery|Day Nursery|Pre-?School|Preschool|Children'?s Centre|"
    r"Family Centre|Family Hub|Surgery|Medical Centre|Medical Practice|Health Centre|"
    r"Practice|Hospital|Infirmary|Clinic|Pupil Referral Unit|PRU|Hospice|Children'?s Home|"
    r"Foodbank|Food Bank|Refuge|Hostel|Youth Club|Youth Centre|Leisure Centre|Mosque|"
    r"Church|Gurdwara|Temple|Housing Association|Housing|Homes|"
    r"(?:County |City |Borough |District |Metropolitan Borough |Town |Parish )?Council|"
    r"Children'?s Services|Children and Families|Social Services|Social Care|Police|"
    r"Constabulary|NHS Trust|NHS Foundation Trust|Foundation Trust|Trust|CAMHS|MASH|LSCP|"
    r"Safeguarding Partnership|Safeguarding Children Partnership|Magistrates'? Court|"
    r"Crown Court|Family Court|County Court|Court|Ward|Unit|Centre|Center|House|Lodge)"
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
    r"long-term|family safeguarding|contact|complex|ld|send|mash|fast track|support)\s+)+"
    r"(?:team|hub|service|unit|panel)|mash|locality team|locality|front door|team|hub|patch)"
    r"(?![\w])",
    I)
PRISON_RE = re.compile(
    r"(?<![\w])(?:HMP|HMYOI|HMP/YOI|HMP & YOI|HM Prison|YOI|HMPYOI)\s+([A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+)?)"  # noqa: E501
    r"|(?<![\w])(?:hmp|hmyoi|yoi)\s+([a-z][a-z'’\-]+)(?![\w])")
SAINT_RE = re.compile(r"(?<![\w])(?:St\.?|Saint)\s+[A-Z][a-z]+(?:'s|’s|s)(?![\w'’])")
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
    r"(?<![\w])((?:[A-Z][a-z'’\-]+\s+){1,2}[A-Z][a-z'’\-]+)\s+(nursery|pre-?school|primary|"
    r"academy|surgery|medical centre|health centre|children'?s centre|family hub|infants|"
    r"juniors)(?![\w])")
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
WEAK_ORG_SUFFIX = {"Ward", "Unit", "Centre", "Center", "House", "Lodge", "Court", "Trust",
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


def _strip_lead(s: int, phrase: str, lex: Lexicon, keep_place: bool = True) -> tuple[int, str]:
    words = phrase.split(" ")
    off = s
    while words and (words[0].lower() in LEAD_STRIP or words[0].lower() in DOMAIN_ALLOW):
        if keep_place and " ".join(words).lower() in lex.places:
            break
        off += len(words[0]) + 1
        words = words[1:]
    return off, " ".join(words)


def _distinctive(word: str, lex: Lexicon) -> bool:
    w = word.lower().strip("'’")
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    if w in DOMAIN_ALLOW or w in TEAM_GENERIC:
        return False
    if w in lex.places or w in lex.first or w in lex.sur:
        return True
    return not lex.is_word(w) and not lex.is_allowed(w) and len(w) > 2


def _institution_re(lex: Lexicon) -> re.Pattern[str]:
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
    return re.compile(r"(?<![\w'’])(?:" + "|".join(alts) + r")(?![\w'’])")


class PatternFinder:
    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.institution_re = _institution_re(lex)
        # Warm the phonenumbers metadata so the first scan is not slow.
        list(PhoneNumberMatcher("07700 900123", "GB", leniency=Leniency.POSSIBLE))

    # ---- contact -------------------------------------------------------------------------
    def contact(self, text: str) -> list[Cand]:
        out: list[Cand] = []
        has_digit = any(c.isdigit() for c in text)
        if has_digit:
            for m in PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE):
                raw = m.raw_string
                digits = re.sub(r"\D", "", raw)
                if raw.startswith("+") and not raw.startswith("+44"):
                    ok = phonenumbers.is_valid_number(m.number)
                    out.append((m.start, m.end, "CONTACT", 0.85 if ok else 0.6, "phone"))
                    continue
                if digits.startswith("44"):
                    digits = "0" + digits[2:]
                if not digits.startswith("0") or len(digits) < 10 or len(digits) > 11:
                    continue
                if DATE_NUM.fullmatch(raw.strip()):
                    continue
                valid = phonenumbers.is_valid_number(m.number)
                out.append((m.start, m.end, "CONTACT", 0.95 if valid else 0.8, "phone_gb"))
            for m in UK_PHONE.finditer(text):
                raw = m.group(0)
                national = re.sub(r"\D", "", _EXT.sub("", _INTL_PREFIX.sub("", raw)))
                # 9-10 digits, or one more: a mistyped number still identifies
                if len(national) in (9, 10, 11) and not DATE_NUM.fullmatch(raw.strip()):
                    out.append((m.start(), m.end(), "CONTACT", 0.85, "phone_typed"))
        if "@" in text:
            for m in EMAIL_RE.finditer(text):
                out.append((m.start(), m.end(), "CONTACT", 0.95, "email"))
        low = text.lower()
        if "http" in low or "www" in low or "/" in low:
            for m in URL_RE.finditer(text):
                s, e = m.span()
                while e > s and text[e - 1] in ".,;:!?)]}'\"":
                    e -= 1
                url = text[s:e].lower()
                generic = any(g in url for g in GENERIC_DOMAINS)
                out.append((s, e, "CONTACT", 0.3 if generic else 0.8, "url"))
        if "@" in text:
            for m in HANDLE_RE.finditer(text):
                h = m.group(1)
                if m.start() > 0 and text[m.start() - 1].isalnum():
                    continue
                hl = h.lower()
                if h.isalpha() and not SOCIAL_CTX.search(text):
                    if hl not in DOMAIN_ALLOW:
                        out.append((m.start() + 1, m.end(), "PERSON", 0.8, "at_mention"))
                    continue  # a mention of a person
                if hl in DOMAIN_ALLOW:
                    continue
                score = 0.85 if (not h.isalpha() or SOCIAL_CTX.search(text)) else 0.6
                out.append((m.start(), m.end(), "CONTACT", score, "social_handle"))
        if SOCIAL_CTX.search(text):
            for m in BARE_HANDLE.finditer(text):
                s, e = m.span()
                before = text[max(0, s - 40):s]
                if not SOCIAL_CTX.search(before):
                    continue
                if s > 0 and text[s - 1] in "@.":
                    continue
                w = m.group(0)
                if re.fullmatch(r"[A-Za-z]+\d{2,}", w) and re.fullmatch(r"[A-Za-z]{1,3}\d+", w):
                    continue
                out.append((s, e, "CONTACT", 0.75, "social_handle_ctx"))
        return out

    # ---- id numbers ----------------------------------------------------------------------
    def ids(self, text: str) -> list[Cand]:
        out: list[Cand] = []
        if not any(c.isdigit() for c in text):
            return out
        low_text = text.lower()
        for m in NHS_RE.finditer(text):
            d = "".join(m.groups())
            ctx = NHS_CTX.search(text[max(0, m.start() - 40):m.start()])
            if d.startswith("0") and not ctx:
                continue  # a phone number
            if nhs_valid(d):
                out.append((m.start(), m.end(), "ID_NUMBER", 0.95 if ctx else 0.75, "nhs_number"))
            elif ctx:
                out.append((m.start(), m.end(), "ID_NUMBER", 0.7, "nhs_number_ctx"))
        for m in NINO_RE.finditer(text):
            raw = m.group(0)
            pre = m.group(1).upper()
            if pre in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
                continue
            ctx = NI_CTX.search(text[max(0, m.start() - 40):m.start()])
            upper = raw.upper() == raw
            if not m.group(5) and not ctx:
                continue
            if not upper and not ctx:
                continue
            out.append((m.start(), m.end(), "ID_NUMBER", 0.95 if ctx else 0.85, "ni_number"))
        for rx, base in ((VRM_RE, 0.8), (VRM_OLD, 0.5)):
            for m in rx.finditer(text):
                raw = m.group(0)
                ctx = VRM_CTX.search(text[max(0, m.start() - 50):m.start()])
                upper = raw.upper() == raw
                if not upper and not ctx:
                    continue
                sc = 0.9 if ctx else base
                if sc >= 0.5:
                    out.append((m.start(), m.end(), "ID_NUMBER", sc, "vehicle_reg"))
        for m in COURT_RE.finditer(text):
            out.append((m.start(), m.end(), "ID_NUMBER", 0.9, "court_ref"))
        for m in REF_RE.finditer(text):
            raw = m.group(0)
            if DATE_NUM.fullmatch(raw) or re.fullmatch(r"[A-Za-z]+ \d{4}", raw):
                if not ID_CTX.search(text[max(0, m.start() - 40):m.start()]):
                    continue
            word = re.match(r"[A-Za-z]+", raw)
            wl = word.group(0).lower() if word else ""
            if wl in {"section", "s", "year", "years", "act", "covid", "since", "in", "from",
                      "by", "until", "of", "to", "at", "on", "and", "or", "the", "together",
                      "wt", "y", "aged", "age", "born", "dob", "nhs", "ni"} and " " in raw:
                continue
            ctx = ID_CTX.search(text[max(0, m.start() - 40):m.start()] + " ")
            digits = sum(c.isdigit() for c in raw)
            if digits < 4:
                continue
            sc = 0.9 if ctx else (0.7 if digits >= 5 else 0.45)
            out.append((m.start(), m.end(), "ID_NUMBER", sc, "case_ref"))
        for m in NUM_RE.finditer(text):
            raw = m.group(0)
            digits = sum(c.isdigit() for c in raw)
            if digits < 5:
                continue
            before = low_text[max(0, m.start() - 40):m.start()]
            if ID_CTX.search(before):
                out.append((m.start(), m.end(), "ID_NUMBER", 0.85, "case_number_ctx"))
            elif digits >= 7 and not raw.startswith("0"):
                out.append((m.start(), m.end(), "ID_NUMBER", 0.55, "long_number"))
        return out

    # ---- postcodes -----------------------------------------------------------------------
    def postcodes(self, text: str) -> list[Cand]:
        out: list[Cand] = []
        if not any(c.isdigit() for c in text):
            return out
        for m in PC_FULL.finditer(text):
            out_code = m.group(1).upper()
            area = re.match(r"[A-Z]+", out_code).group(0)
            if area not in POSTCODE_AREAS:
                continue
            upper = m.group(0).upper() == m.group(0)
            out.append((m.start(), m.end(), "LOCATION", 0.95 if upper else 0.75, "postcode"))
        for m in PC_OUT.finditer(text):
            code = m.group(1)
            area = re.match(r"[A-Z]+", code).group(0)
            if area not in POSTCODE_AREAS:
                continue
            before = text[max(0, m.start() - 30):m.start()]
            after = text[m.end():m.end() + 12].lower()
            ctx = PC_OUT_CTX.search(before) or after.lstrip().startswith(("area", "postcode"))
            if not ctx:
                w = PC_OUT_AFTER_WORD.search(before)
                ctx = bool(w) and w.group(1).lower() in self.lex.places
            if code in PC_OUT_BLOCK and not re.search(r"post ?code", before + after, I):
                continue
            if re.search(r"(section|s\.|year|yr|level|grade|band|room|page|vitamin)\s*$",
                         before, I):
                continue
            if not ctx:
                continue
            out.append((m.start(), m.end(), "LOCATION", 0.75, "postcode_outward"))
        return out

    # ---- dates ---------------------------------------------------------------------------
    def dates(self, text: str) -> list[Cand]:
        spans: list[tuple[int, int, float]] = []
        for m in DATE_HOLIDAY.finditer(text):
            spans.append((*m.span(), 0.6 if m.group(0)[-1].isdigit() else 0.45))
        if not any(c.isdigit() for c in text):
            return self._score_dates(text, spans)
        for rx, base in ((DATE_WEEKDAY, 0.6), (DATE_THE_ORD, 0.45)):
            for m in rx.finditer(text):
                if not any(m.start() < e2 and s2 < m.end() for s2, e2, _ in spans):
                    spans.append((*m.span(), base))
        for rx, base in ((DATE_NUM, 0.65), (DATE_DM, 0.6), (DATE_MD, 0.6), (DATE_MY, 0.35),
                         (DATE_SHORT, 0.4)):
            for m in rx.finditer(text):
                s, e = m.span()
                raw = m.group(0)
                if rx in (DATE_DM, DATE_MD):
                    mon = re.search(MONTHS, raw, I)
                    mw = mon.group(0) if mon else ""
                    if mw.lower() in {"may", "mar", "march", "jan", "jun", "dec", "sep",
                                      "oct", "nov", "aug", "apr", "feb"} and mw.islower():
                        continue
                    if rx is DATE_MD and re.search(r"\d{1,2}(:|am|pm|\.\d)", text[s:e + 3], I):
                        continue
                    if re.search(r"\d\s*(am|pm|:\d)", text[e:e + 4], I):
                        pass
                    if re.fullmatch(r"\d+\s*-?\s*\w+", raw) and not any(
                            c.isalpha() for c in raw[-3:]):
                        continue
                if any(s < e2 and s2 < e for s2, e2, _ in spans):
                    continue
                spans.append((s, e, base))
        return self._score_dates(text, spans)

    @staticmethod
    def _score_dates(text: str, spans: list[tuple[int, int, float]]) -> list[Cand]:
        """A date flags with a birth or incident beside it, not beside the study's diary."""
        out: list[Cand] = []
        for s, e, base in spans:
            before = text[max(0, s - 40):s]
            sentence = text[max(0, s - 120):min(len(text), e + 80)]
            if DOB_CTX.search(before):
                sc = 0.95
            elif INCIDENT_CTX.search(sentence):
                sc = max(base, 0.8) if base >= 0.5 else 0.6
            elif SCHEDULE_CTX.search(sentence):
                sc = 0.2
            else:
                sc = base
            out.append((s, e, "DATE", sc, "date"))
        return out

    # ---- organisations and streets -----------------------------------------------------
    def orgs(self, text: str) -> list[Cand]:
        lex = self.lex
        out: list[Cand] = []
        for m in ORG_RE.finditer(text):
            s, name = _strip_lead(m.start(1), m.group(1), lex, keep_place=True)
            if not name:
                continue
            words = name.split()
            suffix = m.group(2)
            # "Holy Family Catholic High", "Sacred Heart RC Primary": a church school is named
            # even when its name is made of ordinary words
            church = DENOMINATION.match(suffix) and all(w[:1].isupper() for w in words)
            if church:
                pass
            elif not any(_distinctive(w, lex) for w in words
                         if w not in {"of", "and", "&", "the"}):
                # "Oakfield" style names made of ordinary words: "Riverside Surgery",
                # "Hillside Primary" still count when the suffix is an institution
                if suffix in WEAK_ORG_SUFFIX or len(words) > 2:
                    continue
                if words[0] in {"St", "St.", "Saint", "Our"}:
                    pass
                elif not all(w[:1].isupper() for w in words):
                    continue
                elif any(w.lower() in TEAM_GENERIC for w in words):
                    continue
            cat = "ORGANISATION"
            if suffix in {"House", "Lodge", "Court", "Centre", "Center"} and not any(
                    _distinctive(w, lex) for w in words):
                continue
            out.append((s, m.end(), cat, 0.9, "institution"))
        for m in ORG_LOWER.finditer(text):
            name = m.group(1)
            words = name.split()
            if words[0] in LEAD_STRIP or words[0] in DOMAIN_ALLOW:
                words = words[1:]
            if not words or not all(_distinctive(w, lex) for w in words):
                continue
            s = m.end(1) - len(" ".join(words))
            out.append((s, m.end(), "ORGANISATION", 0.75, "institution_lower"))
        for m in TEAM_RE.finditer(text):
            name = m.group(1)
            words = name.split()
            while words and (words[0].lower() in TEAM_GENERIC):
                words = words[1:]
            while words and (words[-1].lower() in TEAM_GENERIC or words[-1].upper() in
                             {"CP", "CIN", "LAC", "CLA", "MASH", "YOT", "SEND", "LD"}):
                words = words[:-1]
            if not words or not all(_distinctive(w, lex) for w in words):
                continue
            s = m.start(1) + m.group(1).find(words[0])
            capped = all(w[:1].isupper() for w in words)
            if m.group(2).lower() == "front door" and (
                    not capped or any(w.endswith(("'s", "’s")) for w in words)):
                continue  # "Kayla's front door" is a door; "the Bolton front door" a team
            out.append((s, m.end(), "ORGANISATION", 0.85 if capped else 0.7, "named_team"))
        for m in self.institution_re.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.85, "institution_name"))
        for m in PRISON_RE.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.9, "prison"))
        for m in SAINT_RE.finditer(text):
            raw = m.group(0).lower().replace(".", "")
            if raw in lex.places and not raw.endswith(("'s", "’s")):
                continue
            out.append((m.start(), m.end(), "ORGANISATION", 0.8, "saint_name"))
        for m in SECURE_AFTER_RE.finditer(text):
            s, name = _strip_lead(m.start(1), m.group(1), lex, keep_place=True)
            if name:
                out.append((s, m.end(), "ORGANISATION", 0.85, "secure_estate"))
        for m in OUR_LADY_RE.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.8, "our_lady"))
        for m in ORG_CAP_LOWER.finditer(text):
            s, name = _strip_lead(m.start(1), m.group(1), lex, keep_place=True)
            words = name.split()
            if not words or any(w.lower() in TEAM_GENERIC or w.lower() in DOMAIN_ALLOW
                                or w.lower() in lex.proper_nonid for w in words):
                continue
            if len(words) < 2 and not _distinctive(words[0], lex):
                continue
            out.append((s, m.end(), "ORGANISATION", 0.75, "institution_cap_lower"))
        return out

    def unique_roles(self, text: str) -> list[Cand]:
        if not UNIQUE_ROLE_RE.search(text):
            return []
        # a colleague singled out by role stays PERSON, as the earlier sets label it
        return [(m.start(), m.end(), "PERSON", 0.6, "unique_role")
                for m in UNIQUE_ROLE_RE.finditer(text)]

    def streets(self, text: str) -> list[Cand]:
        lex = self.lex
        out: list[Cand] = []
        if any(c.isdigit() for c in text):
            for m in ADDR_RE.finditer(text):
                words = m.group(1).split()
                if any(w.lower() in {"the", "a", "an", "of", "and", "in", "at", "on",
                                     "year", "years", "minutes", "mins", "days", "weeks",
                                     "months", "hours", "children", "kids", "people"}
                       for w in words):
                    continue
                out.append((m.start(), m.end(), "LOCATION", 0.9, "address"))
        for m in STREET_RE.finditer(text):
            s, name = _strip_lead(m.start(1), m.group(1).strip(), lex, keep_place=False)
            if not name:
                continue
            words = name.split()
            suffix = m.group(0)[len(m.group(1)):]
            if suffix in {"St", "Dr", "Park", "Green", "Hill", "View", "Way", "Chase", "Row",
                          "Court", "Place", "Walk", "House", "Fields", "Field", "Meadow",
                          "Meadows", "Estate", "Tower", "Towers", "Heights", "Flats"}:
                if not any(_distinctive(w, lex) for w in words):
                    continue
            if any(w.lower() in LEAD_STRIP and w.lower() not in {"north", "south", "east",
                                                                 "west"} for w in words):
                continue
            if all(w.lower() in DOMAIN_ALLOW for w in words):
                continue
            out.append((s, m.end(), "LOCATION", 0.8, "street"))
        for m in ESTATE_RE.finditer(text):
            words = m.group(1).split()
            while words and words[0].lower() in ESTATE_GENERIC:
                words = words[1:]
            if not words or words[-1].lower() in ESTATE_GENERIC:
                continue
            if any(w.lower() in ESTATE_GENERIC for w in words):
                continue
            capped = all(w[:1].isupper() for w in words)
            if not capped and not all(_distinctive(w, lex) for w in words):
                continue
            s = m.end(1) - len(" ".join(words)) - 1
            s = text.rfind(words[0], m.start(1), m.end(1))
            out.append((s, m.end(), "LOCATION", 0.85 if capped else 0.7, "estate"))
        return out
