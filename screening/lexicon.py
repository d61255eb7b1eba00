"""Word lists shipped with the package (see data/README.md) and the domain allow-list."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"

# Words of the domain that look like names, places or organisations but identify nobody.
# Compared in lower case against single tokens and whole candidate spans.
DOMAIN_ALLOW = set(
    """
    chair chairs chairing iro iros dsl dsls sw sws swer ssw nqsw asye tm pm cpc cp cpp cin cla
    lac plo icpc rcpc icpcs rcpcs ic rc lado mash camhs ofsted la las lsc lscp lscb scr cspr
    csprp dfe dhsc nhs nspcc basw swe hcpc cafcass gp gps hv hvs senco sendco send sen ehcp
    ehcps ehm ehh eha caf tac tas dv dva da idva idvas marac mappa mash cse cce fgm sv cme pru
    yot yjs yos cwd cdt fss cafcass cps pnc ppn cad mosaic liquidlogic lcs eclipse azeus
    carefirst servelec wcc iaptus rio emis systmone framework i frameworki teams zoom miro
    mentimeter menti slido padlet jamboard kahoot whatsapp outlook sharepoint onedrive
    onenote excel word powerpoint google gmail hotmail yahoo icloud facebook instagram insta
    tiktok snapchat snap twitter youtube linkedin discord microsoft apple android iphone ipad
    windows wifi covid covid-19 coronavirus lockdown signs safety sos sofs wt wt23 wtg
    working together children act care act ofsted ssw aswe pswe adcs lga pcf kss msw bsw
    uk gb england english wales welsh scotland scottish ireland irish britain british europe
    european eu london-based nhs-england ict it hr ceo ok okay yeah yep yup nope hmm hmmm
    haha lol lmao omg idk tbh btw fyi imo imho asap eta ta thx thanks pls plz ur u im ive
    dont cant wont didnt isnt wasnt doesnt thats theres whats youre theyre couldnt wouldnt
    shouldnt xx xxx x hun hon mate babe pal gonna wanna kinda sorta dunno tho cos coz
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
    headteacher headteachers headmaster headmistress deputy
    fri sat sun january february march april june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec christmas xmas easter eid
    ramadan diwali hanukkah halloween muslim muslims islam islamic christian christians
    hindu sikh jewish catholic pentecostal polish romanian lithuanian somali nigerian
    ghanaian pakistani bangladeshi indian urdu punjabi bengali arabic eritrean afghan
    syrian ukrainian albanian kurdish turkish portuguese spanish french african caribbean
    poland spain romania kosovo somaliland sri lanka leone sylheti bangla mirpuri pahari
    pothwari potwari sinhala sinhalese pashto dari sorani kurmanji tigrinya amharic oromo
    lingala twi akan igbo yoruba ndebele krio patois romani romany cameroonian gambian kosovan
    malawian bajan trinidadian
    badini bahdini behdini feyli gorani hawrami zaza hazaragi farsi persian tamil gujarati
    nepali swahili wolof fula hausa shona amharic tigre kinyarwanda kirundi luganda somalian
    mandarin cantonese hakka vietnamese tagalog cebuano hungarian czech slovak latvian
    estonian bulgarian russian ukrainian croatian serbian bosnian slovene macedonian greek
    italian german dutch brazilian angolan congolese sudanese iraqi iranian yemeni libyan
    moroccan algerian tunisian egyptian kurdi sylheti-speaking
    breakout webcam livestream screenshare screensharing unmute unmuted hotspot dongle
    asian black white mixed gypsy roma traveller travellers grt esol bsl makaton pdf ppt
    doc docx am pm gmt bst covid-era post-covid pre-covid q qs qa cpd rq rqs dbs dols lpa
    mca mha ld asd adhd odd ptsd aces ace acer pip uc dwp hmrc esa jsa ssp ecm ic2
    mr mrs ms miss dr mx prof sir madam
    mum mums dad dads nan nana nanna gran granny grandma grandad grandpa auntie aunty uncle
    sis bro bruv hubby fiance
    staffordshire-bull pitbull xl
    ai chatgpt copilot bot wi-fi wifi webex skype slack trello jabber meet netflix tesco
    greggs costa
    asda aldi lidl sainsbury's sainsburys primark mcdonalds nandos amazon ebay vinted
    barnardo barnardo's barnardos kooth childline samaritans nyas coram relate gingerbread
    home-start homestart mind shelter refuge nacro catch22 cafcass ofqual hcpc swe basw
    munro laming climbie climbié labinjo-hughes macalister mcalister hobson byron
    ofsted's microsoft's
    mentimeter's contrOCC controcc liquidlogic's mosaic's frameworki's protocol
    mash's camhs' camhs's iro's dsl's sw's tm's la's
    """.split()
)

# Multi-word domain phrases (lower case) which never identify anyone.
DOMAIN_PHRASES = {
    "the chair", "cp chair", "independent reviewing officer", "core group", "strategy meeting",
    "strategy discussion", "section 47", "section 17", "section 20", "section 31",
    "chatham house", "chatham house rule", "chatham house rules", "the chatham house rule",
    "working together", "working together 2023", "working together 2018", "children act",
    "children act 1989", "children act 2004", "care act", "care act 2014",
    "signs of safety", "family court", "local authority", "social work england",
    "microsoft teams", "ms teams", "child protection", "child protection plan",
    "children's services", "childrens services", "children's social care", "social care",
    "early help", "front door", "health visitor", "school nurse", "team manager",
    "practice manager", "service manager", "head of service", "virtual school",
    "youth offending team", "public law outline", "the la", "our la",
}

# Names of public figures and public case reviews of the field, and places outside the UK,
# which chat mentions in general ("the review into Arthur and Star", "Eileen Munro would be
# horrified", "the Hong Kong visa scheme"): findings inside them are dropped.
PUBLIC_PHRASES = (
    "eileen munro", "victoria climbié", "victoria climbie", "peter connelly", "baby p",
    "daniel pelka", "arthur labinjo-hughes", "star hobson", "arthur and star",
    "josh macalister", "isabelle trowler", "lord laming", "khyra ishaq", "hamzah khan",
    "keanu williams", "logan mwangi", "finley boden", "jasmine beckford", "maria colwell",
    "kimberley carlile", "tyra henry", "ainlee labonte", "kennedy mcfarlane",
    "hong kong", "sierra leone", "el salvador", "south africa", "new zealand",
    "saudi arabia", "united states", "costa rica", "puerto rico", "ivory coast",
    "south sudan", "north macedonia", "czech republic", "dominican republic",
    "trinidad and tobago", "burkina faso", "sri lanka", "cape verde", "papua new guinea",
    "united arab emirates", "bosnia and herzegovina", "new york", "los angeles",
)

TITLES = {"mr", "mrs", "ms", "miss", "dr", "mx", "prof", "sir", "dame", "lady", "lord", "rev"}


def _read(name: str) -> frozenset[str]:
    path = DATA / name
    return frozenset(
        line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("# ")
    )


def _read_tsv(name: str) -> frozenset[str]:
    """First column of a built ``.tsv`` (see data/build_knowledge.py), or nothing."""
    path = DATA / name
    if not path.exists():
        return frozenset()
    return frozenset(line.split("\t", 1)[0] for line in
                     path.read_text(encoding="utf-8").splitlines()
                     if line and not line.startswith("#"))


class Lexicon:
    """All word knowledge, loaded once."""

    def __init__(self) -> None:
        junk = _read("not_names.txt")
        # the British dictionary list, and common informal tokens from wordfreq ("tbh")
        self.words = _read("english_words.txt") | _read("chat_words.txt")
        # informal words for the start of a quick reaction only ("Blimey, …")
        self.reaction_words = _read("reaction_words.txt")
        self.proper_nonid = _read("proper_nonid.txt")
        places_raw = [p for p in _read("places.txt") if p not in DOMAIN_ALLOW]
        # names-dataset's names that are not English words (nor chat spellings of them,
        # "havin"), UK places ("Denton", "Radcliffe") or known non-identifying proper nouns:
        # a name that is also one of those keeps its hand-checked, context-decided path
        common = (self.words | self.proper_nonid | DOMAIN_ALLOW | junk
                  | frozenset(places_raw))

        def extra(name: str) -> frozenset[str]:
            return frozenset(n for n in _read_tsv(name) if len(n) > 3 and n not in common
                             and n + "g" not in self.words)

        self.first = ((_read("first_names.txt") | _read("ambiguous_names.txt")) - junk
                      - DOMAIN_ALLOW) | extra("given_names.tsv")
        self.sur = (_read("surnames.txt") - junk - DOMAIN_ALLOW) | extra("surnames.tsv")
        places_raw += [p.replace("-", " ") for p in places_raw if "-" in p]
        places_raw += [p.replace(" ", "-") for p in places_raw if " " in p]
        # "Kings Lynn", "St Helens": chat drops apostrophes and full stops
        places_raw += [p.replace("'", "").replace("’", "").replace(".", "") for p in places_raw
                       if any(c in p for c in "'’.")]
        self.places = frozenset(places_raw)
        self.place_max_tokens = max((len(p.split()) for p in places_raw), default=1)
        self.place_first_tokens = frozenset(p.split()[0] for p in places_raw)
        self.common_names = _read("ambiguous_names.txt")
        # A name token is ambiguous when it is also an ordinary English word.
        self.ambiguous_first = frozenset(
            n for n in self.first if n in self.words or n in self.common_names
        )
        # institutions chat names without a suffix, as written (case kept)
        self.institutions = tuple(
            line.strip() for line in (DATA / "institutions.txt").read_text(encoding="utf-8")
            .splitlines() if line.strip())

    def is_word(self, w: str) -> bool:
        return w in self.words

    def is_allowed(self, w: str) -> bool:
        return w in DOMAIN_ALLOW or w in self.proper_nonid


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    return Lexicon()
