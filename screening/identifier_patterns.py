"""Patterns for UK identifiers, contact details and dates, and the words that confirm them."""

from __future__ import annotations

import re

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
    r"(?<![\w/-])(?=[A-Za-z0-9/ -]*\d{4})(?:[A-Z]{1,6}[-/]){0,2}"
    r"(?:[A-Z]{1,6}|[a-z]{1,4}(?=[-/]?\d))[-/ ]?\d[\d/-]{2,}\d"
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
PLATFORM_NAME = re.compile(
    r"\b(?:insta|instagram|ig|snap|snapchat|tiktok|twitter|discord|telegram)"
    r"(?:\s+(?:name|handle|username|account))?(?:\s*:\s*|\s+(?:is|was)\s+)"
    r"([A-Za-z][A-Za-z0-9_.]{2,29})(?![\w@])", I)
BARE_HANDLE = re.compile(r"(?<![\w@])[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+_?|[A-Za-z]+\d{2,}")

MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
DAY = r"(?:0?[1-9]|[12]\d|3[01])"
# "2017-02-03": ISO dates as systems export them
DATE_ISO = re.compile(
    r"(?<![\w/.:-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w/-])")
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
INTL_PREFIX = re.compile(r"^(?:\+\s?44\s?(?:\(\s?0\s?\)\s?)?|0044\s?|\(?0)")
EXTENSION = re.compile(r"\s?(?:ext|extn|ex|x)\.?\s?\d{1,5}$", I)
WEEKDAYS = (r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|"
            r"urday)?")
ORDINAL = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)"
# "Weds 19th", "friday the 3rd"
DATE_WEEKDAY = re.compile(rf"(?<![\w]){WEEKDAYS}\.?,?\s+(?:the\s+)?{ORDINAL}(?![\w])", I)
# named days of the year with a year, or in an incident's sentence
DATE_HOLIDAY = re.compile(
    r"(?<![\w])(?:boxing day|(?:christmas|xmas|crimbo) (?:day|eve)|new year'?s (?:day|eve)|nye|"
    r"bonfire night|"
    r"halloween|easter (?:sunday|monday|day)|valentine'?s day|mother'?s day|father'?s day|"
    r"eid(?: al[- ]\w+)?)(?:\s+(?:19|20)\d\d)?(?![\w])", I)
# "the 9th": a day of the month standing alone (not "the 3rd session")
DATE_THE_ORD = re.compile(
    rf"(?:(?<![\w])the\s+|(?<=\bon ))(?<![\w]){ORDINAL}"
    rf"(?!\s+(?:time|session|one|child|kid|week|floor|meeting|"
    rf"conference|review|visit|year|attempt|person|of\s+(?:the|my|our)\s+\w+s\b)|[\w])", I)
DOB_CTX = re.compile(r"\b(dob|d\.o\.b\.?|date of birth|born|birthday|b\.|bday|birth date)\W{0,3}"
                     r"(?:\w+\W+){0,3}$", I)
INCIDENT_CTX = re.compile(
    r"\b(incident|assault|assaulted|injur|bruis|hospital|a&e|a and e|arrested|police|disclos|"
    r"missing|removed|removal|died|death|overdose|attack|happened|section 47|s47|placed|"
    r"placement|evict|fire|fractur|burn|attended|admitted|found|ran away|went missing|"
    r"strategy|raid|stabbed|hit|kicked|slapped|abuse|abused|took place|occurred|reported|"
    r"born|dob|court|hearing|epo|emergency protection|police protection|ppo|breach|"
    r"exclu|suspended|expelled|last seen|arrest|charged|convicted|sentenced|absconded|"
    r"strat|since the|hasn'?t been (?:in|seen)|not been (?:in|seen)|the day of the|flood)", I)
SCHEDULE_CTX = re.compile(
    r"\b(session|sessions|focus group|next group|this group|our group|next meeting|our meeting|"
    r"we meet|meet again|see you|see everyone|reminder|calendar|invite|diary|deadline|"
    r"submit|training|webinar|workshop|consent form|survey|questionnaire|follow[- ]up|"
    r"interview|researcher|research team|transcript|the study|book(ed)? in|slot|available|"
    r"availability|holiday|annual leave|leave|off work|bank holiday|term|half term|"
    r"start(s|ing)? on|back on|week commencing|w/c)\b", I)
