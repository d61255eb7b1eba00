"""Generate the templated half of the development corpus (deterministic, seeded).

Writes generated.txt in the same inline markup as handwritten.txt. Filler pools are written
independently of the engine's word lists (many names and places here are not in them).
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).parent
R = random.Random(20261123)

FIRST = """Tiegan Kaydence Zaynab Oakley Mikey Shaniqua Precious Tobi Dami Ifunanya Chidera
Anesu Ruvimbo Kiera Destiny-Rose Maddison Brooklyn Kacper Wiktor Amelia-Rose Aiyana Rhianna
Lacey Tayler Jorja Macey Kenzie Bobbie Reuben Ezekiel Kofi Yaw Efua Adaeze Temi Folake Fatima
Aisha Zainab Hamza Ibrahim Amira Inaaya Haris Zayn Rehan Arjun Gurleen Simran Harleen Jasleen
Nikola Dominika Ionela Bianca Florin Darius Tadas Egle Mehmet Elif Ayaan Hodan Sagal Abdirahman
Keanu Tyreece Jermaine Shanice Kyra Leon Callum Demi-Leigh Kai-Jon Rosie Freddie Niamh Ciaran
Oisin Cerys Rhys Lowri Eilidh Hamish Morgan Jodie Becky Shaz Gaz Kev Bernie Sandra Paula
Olamide Oluwatobi Ngozi Chinonso Ebere Obinna Babajide Ayomide Adunni Kemi""".split()
SUR = """Okonkwo Adeyemi Mensah Owusu Kowalczyk Nowak Popescu Hussain Begum Khan Patel Sharma
Kaur Gill Murphy O'Neill McCarthy Doherty Bennett Clarke Fletcher Walsh Haworth Ashworth
Entwistle Sutcliffe Ogunbiyi Asante Achebe Mahmood Chowdhury Ali Ahmed Nguyen Tran Petrov
Kazlauskas Yilmaz Fraser Pryce Llewellyn Jenkins Holroyd Barraclough""".split()
AMBIG = ["rose", "grace", "will", "mark", "hope", "faith", "bill", "amber", "summer", "jack",
         "ruby", "holly", "dawn", "joy", "sue", "pat", "frank", "ray", "max", "ivy", "poppy"]
TOWNS = """Oldham Rochdale Wigan Bolton Bury Salford Stockport Tameside Trafford Blackburn
Burnley Preston Blackpool Lancaster Barrow Carlisle Kendal Darlington Hartlepool Middlesbrough
Gateshead Sunderland Hexham Morpeth Ashington Wakefield Barnsley Rotherham Doncaster Grimsby
Scunthorpe Lincoln Boston Mansfield Worksop Chesterfield Derby Burton Stafford Telford
Shrewsbury Hereford Worcester Redditch Nuneaton Rugby Northampton Kettering Corby Wellingborough
Bedford Luton Stevenage Harlow Basildon Southend Colchester Ipswich Lowestoft Norwich Thetford
Kings Lynn Peterborough Huntingdon Swindon Chippenham Trowbridge Salisbury Yeovil Taunton
Bridgwater Exeter Barnstaple Torquay Plymouth Truro Camborne Redruth Penzance Poole Weymouth
Margate Ramsgate Dover Folkestone Ashford Maidstone Gravesend Dartford Crawley Hastings
Eastbourne Worthing Bognor Chichester Havant Gosport Fareham Basingstoke Andover Slough
Wokingham Bracknell Aylesbury Banbury Bicester Witney Cheltenham Gloucester Stroud
Merthyr Tydfil Pontypridd Barry Llanelli Rhyl Hyde Ashton-under-Lyne Stalybridge Leigh
Atherton Farnworth Heywood Middleton Radcliffe Prestwich Eccles Swinton Partington Hollinwood
Skelmersdale Ormskirk Kirkby Bootle Huyton Widnes Runcorn Ellesmere Port Crewe Nantwich
Macclesfield Congleton Buxton Glossop Keighley Batley Dewsbury Huddersfield Halifax Todmorden
Castleford Pontefract Goole Selby Harrogate Scarborough Whitby Redcar Bishop Auckland Consett
Peterlee Seaham Jarrow Wallsend Blyth Cramlington""".split()
MULTI_TOWNS = ["Milton Keynes", "Stoke-on-Trent", "Weston-super-Mare", "Hebden Bridge",
               "Ellesmere Port", "Bishop Auckland", "Kings Lynn", "Newton Aycliffe",
               "Sutton-in-Ashfield", "Market Harborough", "Hemel Hempstead", "Merthyr Tydfil"]
ESTATE_NAMES = """Broadfield Hattersley Langley Partington Wythenshawe Chelmsley Meadowell
Ordsall Bransholme Hartcliffe Lawrence Weston Blackbird Leys Pennywell Bestwood Clifton
Stockwood Gipton Seacroft Canklow Pitsmoor Heathfield Beechwood Fernhill Brookvale Greenacres
Ravenscroft Kingsway Woodside Moorside Hollybank Alder Rise Ashgrove""".split()
SCHOOL_STEMS = """Oakfield Hillcrest Brookside Meadowbank Ashgrove Fernwood Kingsmead Whitefield
Beechwood Ravensworth Thornhill Millbrook Greenhill Holmfirth Westfield Eastbrook Springfield
Larkrise Foxhill Cherrytree Parkside Highfield Birchwood Elmhurst Woodlands Lindley Moorland
Redbrook Stonebridge Castleview Harefield Lowfield""".split()
SAINTS = ["St Mary's", "St Joseph's", "St Anne's", "St Peter's", "St Thomas'", "St John's",
          "St Bede's", "St Aidan's", "St Wilfrid's", "Our Lady of Lourdes", "Holy Trinity"]
SCHOOL_SUFFIX = ["Primary", "Primary School", "Academy", "High School", "Infants", "Juniors",
                 "Nursery", "C of E Primary", "Catholic Primary", "Community School",
                 "Children's Centre", "Family Hub", "Pupil Referral Unit"]
HEALTH_SUFFIX = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice"]
HOSPITALS = ["Royal Bolton Hospital", "Tameside General Hospital", "Alder Hey", "Leighton Hospital",
             "Pinderfields Hospital", "Royal Blackburn Hospital", "Queen's Medical Centre",
             "North Manchester General", "Furness General Hospital", "Scunthorpe General Hospital"]
PRISONS = ["HMP Forest Bank", "HMP Styal", "HMP Risley", "HMP Altcourse", "HMP Durham",
           "HMYOI Wetherby", "HMP Hewell", "HMP Liverpool", "HMP Leeds", "HMP Doncaster"]
TEAM_KIND = ["assessment team", "CIN team", "safeguarding team", "locality team", "MASH",
             "front door team", "early help team", "family support team", "CP team",
             "leaving care team", "edge of care team", "duty team"]
STREETS = ["Elm Road", "Canal Street", "Vicarage Lane", "Moss Lane", "Chapel Street",
           "Byron Close", "Tennyson Avenue", "Mill Lane", "Church Street", "Alder Grove",
           "Princess Road", "Oldham Road", "Coronation Street", "Beech Crescent", "Clough Lane",
           "Wellington Terrace", "Kingfisher Way", "Hollins Drive"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def pick(xs):
    return R.choice(xs)


def L(text, cat):
    return f"[[{text}|{cat}]]"


def fname():
    n = pick(FIRST)
    return n if R.random() < 0.75 else n.lower()


def full():
    return f"{pick(FIRST)} {pick(SUR)}"


def town():
    return pick(MULTI_TOWNS) if R.random() < 0.15 else pick(TOWNS)


def school():
    if R.random() < 0.2:
        return f"{pick(SAINTS)} {pick(['Primary', 'Catholic Primary', 'RC Primary', 'High'])}"
    return f"{pick(SCHOOL_STEMS)} {pick(SCHOOL_SUFFIX)}"


def surgery():
    return f"{pick(SCHOOL_STEMS)} {pick(HEALTH_SUFFIX)}"


def phone():
    kind = R.randrange(5)
    n = "".join(str(R.randrange(10)) for _ in range(6))
    if kind == 0:
        return f"07700 {n}"
    if kind == 1:
        return f"+44 7700 {n[:3]} {n[3:]}"
    if kind == 2:
        return f"07{R.randrange(400, 999)}-{n[:3]}-{n[3:]}"
    if kind == 3:
        return f"0161 496 {n[:4]}"
    return f"07{R.randrange(100000000, 999999999)}"


def nhs():
    while True:
        d = [R.randrange(10) for _ in range(9)]
        c = 11 - sum(x * (10 - i) for i, x in enumerate(d)) % 11
        c = 0 if c == 11 else c
        if c != 10:
            s = "".join(map(str, d)) + str(c)
            return f"{s[:3]} {s[3:6]} {s[6:]}" if R.random() < 0.7 else s


def nino():
    p = pick(["AB", "JT", "NH", "PR", "WK", "SC", "EH", "KL"])
    d = "".join(str(R.randrange(10)) for _ in range(6))
    s = pick("ABCD")
    return f"{p} {d[:2]} {d[2:4]} {d[4:]} {s}" if R.random() < 0.5 else f"{p}{d}{s}"


def postcode():
    out = pick(["M14", "OL9", "BL3", "WN5", "SK1", "LS9", "BD8", "S5", "B12", "NE4", "L8",
                "CH41", "PR1", "BB1", "HU9", "NG7", "LE4", "CV6", "ST6", "M40"])
    return f"{out} {R.randrange(10)}{pick('ABDEFGHJLNPQRSTUWXYZ')}{pick('ABDEFGHJLNPQRSTUWXYZ')}"


def reg():
    a = "".join(pick("ABCDEFGHJKLMNOPRSTVWXY") for _ in range(2))
    b = "".join(pick("ABCDEFGHJKLMNOPRSTUVWXYZ") for _ in range(3))
    return f"{a}{R.randrange(10, 25)} {b}"


def caseref():
    k = R.randrange(4)
    if k == 0:
        return f"CS-{R.randrange(2019, 2025)}-{R.randrange(10000, 99999)}"
    if k == 1:
        return f"{R.randrange(1000000, 9999999)}"
    if k == 2:
        return f"CP/{R.randrange(2019, 2025)}/{R.randrange(100, 999)}"
    return f"EHM{R.randrange(10000, 99999)}"


def courtref():
    return (f"{pick(['MA', 'LV', 'BL', 'LS', 'NE', 'BM', 'ZW'])}{R.randrange(19, 25)}"
            f"C{R.randrange(10000, 99999)}")


def date_full():
    d = R.randrange(1, 29)
    m = R.randrange(1, 13)
    y = R.randrange(2008, 2024)
    k = R.randrange(4)
    if k == 0:
        return f"{d:02d}/{m:02d}/{y}"
    if k == 1:
        suf = "th" if d in range(4, 21) else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
        return f"{d}{suf} {MONTHS[m - 1]} {y}"
    if k == 2:
        return f"{d} {MONTHS[m - 1][:3]} {y}"
    return f"{d}.{m}.{str(y)[2:]}"


POS = [
    lambda: f"I had a family in {L(town(), 'LOCATION')} where dad refused to put his camera on",
    lambda: f"{L(fname(), 'PERSON')} was only {R.randrange(3, 15)} and wanted to say her bit "
            "directly to the Chair",
    lambda: f"the DSL from {L(school(), 'ORGANISATION')} joined on her phone in the car park",
    lambda: f"mum is registered at {L(surgery(), 'ORGANISATION')} but the GP never sends a report",
    lambda: f"{L(full(), 'PERSON')} was the social worker before me and she did it all in person",
    lambda: f"we had a conference for a family off the {L(pick(ESTATE_NAMES) + ' estate', 'LOCATION')}"  # noqa: E501
            " and the whole street knew",
    lambda: f"sorry I put dad's number in by mistake - {L(phone(), 'CONTACT')} - please delete",
    lambda: f"NHS no. {L(nhs(), 'ID_NUMBER')} was on the health report that got shared",
    lambda: f"the referral had her NI number on it ({L(nino(), 'ID_NUMBER')}) which it shouldn't",
    lambda: f"they live just off {L(pick(STREETS), 'LOCATION')}, everyone knows the house",
    lambda: f"the address was {L(str(R.randrange(1, 120)) + ' ' + pick(STREETS), 'LOCATION')}, "
            f"{L(postcode(), 'LOCATION')}",
    lambda: f"police ran the car reg {L(reg(), 'ID_NUMBER')} and it came back to the uncle",
    lambda: f"our case ref was {L(caseref(), 'ID_NUMBER')} - I still know it off by heart",
    lambda: f"the court number {L(courtref(), 'ID_NUMBER')} was printed on the bundle",
    lambda: f"she was born {L(date_full(), 'DATE')} so she's nearly a teenager now",
    lambda: f"DOB {L(date_full(), 'DATE')}, youngest of five",
    lambda: f"The incident was on {L(date_full(), 'DATE')}, police attended and took dad away",
    lambda: f"dad is in {L(pick(PRISONS), 'ORGANISATION')} and joined by video link",
    lambda: f"baby was admitted to {L(pick(HOSPITALS), 'ORGANISATION')} with unexplained bruising",
    lambda: f"the {L(town() + ' ' + pick(TEAM_KIND), 'ORGANISATION')} handle all the strategy "
            "meetings now",
    lambda: f"yes {L(pick(AMBIG), 'PERSON')}, that's exactly what happened in ours",
    lambda: f"agree with {L(pick(AMBIG).capitalize(), 'PERSON')} on the camera thing",
    lambda: f"@{L(fname(), 'PERSON')} did you find the parents preferred it online?",
    lambda: f"{L(fname(), 'PERSON')} can you repeat the question? my wifi dropped",
    lambda: f"thanks {L(fname(), 'PERSON')}, really helpful",
    lambda: f"{L(fname(), 'PERSON')}'s mum joined from her bed on the phone",
    lambda: f"I've worked in {L(town(), 'LOCATION')} and {L(town(), 'LOCATION')} and both do it "
            "differently",
    lambda: f"a {R.randrange(6, 16)} year old from {L(school(), 'ORGANISATION')} attended the "
            "first half only",
    lambda: f"I emailed {L(fname().lower() + '.' + pick(SUR).lower() + '@' + pick(['gmail.com', 'hotmail.co.uk', 'oldham.gov.uk', 'nhs.net']), 'CONTACT')}"  # noqa: E501
            " the minutes by mistake",
    lambda: f"her snapchat is {L(pick(['kayz', 'lil_t', 'bbyg', 'tiggy']) + '_' + str(R.randrange(10, 99)), 'CONTACT')}"  # noqa: E501
            " and she posts everything",
    lambda: f"the {L(pick(ESTATE_NAMES), 'LOCATION')} area is where most of our cases are",
    lambda: f"the dad {L(full(), 'PERSON')} kept unmuting himself to argue",
    lambda: f"{L(pick(SAINTS) + ' ' + pick(['Primary', 'High', 'Academy']), 'ORGANISATION')} "
            "always send someone",
    lambda: f"I'm covering for {L(fname(), 'PERSON')} who is off sick",
    lambda: f"we had one where nan and {L(fname(), 'PERSON')} were both on one laptop",
    lambda: f"they moved from {L(town(), 'LOCATION')} to {L(town(), 'LOCATION')} mid-plan",
    lambda: f"mum's mobile was {L(phone(), 'CONTACT')} - I shouldn't have typed that",
    lambda: f"{L(town(), 'LOCATION')} do theirs all hybrid now apparently",
    lambda: f"the little boy, {L(fname(), 'PERSON')}, hid under the table the whole time",
    lambda: f"Mrs {L(pick(SUR), 'PERSON')} was the head and she joined from her office",
]
NEG = [
    "the Chair always asks the parents to speak first which I think is right",
    "IRO capacity is the real problem, not the tech",
    "I find the DSL's contribution gets lost on a screen",
    "CAMHS never come, hybrid or not",
    "the LA pays for the room but not for parents' data",
    "our ICPCs are usually 10am or 2pm",
    "RCPCs are every 6 months unless something changes",
    "it took 15 working days to get the ICPC booked",
    "section 47 enquiries have to be done in person in my view",
    "Working Together 2023 is pretty vague on remote participation",
    "the Children Act 1989 predates all this obviously",
    "We use Teams, some LAs use Zoom",
    "I put the questions on Miro but nobody used it",
    "a {age} year old shouldn't have to hear all that on a laptop",
    "most of the kids I work with are between 5 and 12",
    "last year we did about 40 conferences hybrid",
    "the core group meets every 4 weeks",
    "PLO meetings are always face to face in our authority",
    "the strategy meeting was on Teams and took 20 minutes",
    "health visitors are brilliant at joining online",
    "the police always dial in from the station",
    "Ofsted mentioned it in our last inspection",
    "I will try and find the guidance and share it",
    "hope that makes sense",
    "I'd mark that down as a learning point",
    "that's a grace period thing I think",
    "there's real hope in how some families engage online",
    "we need to chase the GP reports earlier",
    "the bill for interpreters has gone up massively",
    "may I just add something about fathers",
    "Signs of Safety language doesn't translate well to a screen",
    "the SW presents first then the family",
    "our TM does the agenda",
    "Is the chat being saved?",
    "I think we're nearly out of time",
    "Thanks all, really useful discussion",
    "can someone share the link again please",
    "sorry, dog barking",
    "brb",
    "My camera is off because my internet is rubbish",
    "we have a new EDT protocol for out of hours conferences",
    "a mum told me she preferred online because she didn't have to see dad",
    "dads get sidelined online, I'm convinced",
    "the breakout room bit was the best",
    "LADO referrals are a separate process",
    "our MASH screens everything within 24 hours",
    "the family court is all hybrid now too",
    "the next session is on {date} at 1pm",
    "See you all on {weekday}",
    "The focus group ends at 12.30",
    "we had about 12 people on the call",
    "it was 3 hours long which is too long for anyone",
    "in 2019 none of this existed",
    "COVID changed everything about conferences",
    "the interpreter was on speakerphone",
    "kids' voices are lost in the hybrid format",
    "I think the Chair is the key person",
    "the school nurse gave a written report",
    "a 14 year old girl chose to come in person",
    "Parents often join from work in their lunch break",
    "I'm a senior practitioner, been qualified 9 years",
    "it depends on the family really",
    "we do pre-meetings with parents 30 minutes before",
    "Summer holidays are the worst for getting agencies",
    "autumn term is always busy for referrals",
    "April was mad with the new system going live",
    "the EHCP review got mixed up with the conference",
    "mum said the screen made it feel like a court",
    "the Chair shared the danger statement on screen",
    "DV cases should never be hybrid in my opinion",
    "we use MARAC for the high risk ones",
    "CSE and CCE cases are where it goes wrong",
    "the young person wanted her own chat with the IRO",
    "the minutes take 20 working days to come out",
    "some of us still have old laptops",
    "the GP surgery sends a report but never attends",
    "primary schools are better at attending than secondaries",
    "the estate we cover has no decent wifi",
    "the local academy always sends the DSL",
    "the hospital social worker joined from the ward",
    "prison video links are booked weeks in advance",
    "our assessment team does all the s47s",
    "the duty team takes calls from 9am",
    "the MASH team is based in the civic centre",
    "I worked in a different local authority before",
]
SG_POS = [
    "{{SG}}I've been self-harming again since the last conference, I'm not coping",
    "{{SG}}honestly I don't want to be here anymore, some days I think about ending it",
    "{{SG}}my husband hit me last night and I'm scared to go home after this",
    "{{SG}}a colleague forwarded the case files to her personal gmail to work from home",
    "{{SG}}I took photos of the chronology on my own phone so I could finish it at home",
    "{{SG}}there's a child on my caseload being hurt right now, mum just rang me screaming",
    "{{SG}}dad threatened to kill me at the door yesterday and my manager said to carry on",
    "{{SG}}we have a team WhatsApp group where we share photos of the kids' injuries",
    "{{SG}}I shared the family's address with my partner in case something happened, I know I shouldn't",  # noqa: E501
    "{{SG}}my manager told me to change the dates on the visits so the audit looked better",
    "{{SG}}he's outside my house now, he found out where I live",
    "{{SG}}I keep thinking everyone would be better off without me",
    "{{SG}}the baby has been left alone all day, I can hear her crying through the wall right now",
    "{{SG}}I posted about one of my families on facebook, only vague but still",
    "{{SG}}I saved the case notes to my personal laptop because the work one is so slow",
    "{{SG}}One of my team came to work drunk and did a home visit like that",
]
SG_NEG = [
    "we had a training session on self-harm and suicide risk last week",
    "policy is clear that case files must never go on personal devices",
    "I'd never use WhatsApp for work, it's a data breach waiting to happen",
    "safety planning for workers after threats is a big gap",
    "what do you do if a parent threatens you on a video call?",
    "the risk assessment covered self-harm in the young person",
    "we discussed how to keep children safe at home when the conference is online",
    "our guidance says don't screenshot anything from Teams",
    "domestic abuse cases need careful thought about who is on the call",
    "there's research on suicide rates among social workers which is worrying",
]


def fill(s: str) -> str:
    return s.replace("{age}", str(R.randrange(4, 17))).replace(
        "{date}", f"{R.randrange(1, 28)} {pick(MONTHS)}").replace(
        "{weekday}", pick(["Monday", "Tuesday", "Thursday"]))


def main() -> None:
    lines = []
    for _ in range(150):
        lines.append(pick(POS)())
    negs = NEG[:]
    R.shuffle(negs)
    lines.extend(fill(x) for x in negs)
    lines.extend(fill(pick(NEG)) for _ in range(40))
    lines.extend(x.replace("{{SG}}", "{SG} ") for x in SG_POS)
    lines.extend(SG_NEG)
    R.shuffle(lines)
    (HERE / "generated.txt").write_text(
        "# Generated by generate.py (seeded). Same markup as handwritten.txt.\n"
        + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
