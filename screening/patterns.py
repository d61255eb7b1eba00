"""Pattern recognizers: UK identifiers, contact details, dates, named institutions."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from . import identifier_patterns as ids
from . import place_patterns as places
from .lexicon import DOMAIN_ALLOW, Lexicon

Cand = tuple[int, int, str, float, str]
I = re.I  # noqa: E741


class PatternFinder:
    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self.institution_re = places.institution_re(lex)
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
                if ids.DATE_NUM.fullmatch(raw.strip()):
                    continue
                valid = phonenumbers.is_valid_number(m.number)
                out.append((m.start, m.end, "CONTACT", 0.95 if valid else 0.8, "phone_gb"))
            for m in ids.UK_PHONE.finditer(text):
                raw = m.group(0)
                national = re.sub(r"\D", "", ids.EXTENSION.sub("", ids.INTL_PREFIX.sub("", raw)))
                # 9-10 digits, or one more: a mistyped number still identifies
                if len(national) in (9, 10, 11) and not ids.DATE_NUM.fullmatch(raw.strip()):
                    out.append((m.start(), m.end(), "CONTACT", 0.85, "phone_typed"))
        if "@" in text:
            for m in ids.EMAIL_RE.finditer(text):
                out.append((m.start(), m.end(), "CONTACT", 0.95, "email"))
        low = text.lower()
        if "http" in low or "www" in low or "/" in low:
            for m in ids.URL_RE.finditer(text):
                s, e = m.span()
                while e > s and text[e - 1] in ".,;:!?)]}'\"":
                    e -= 1
                url = text[s:e].lower()
                generic = any(g in url for g in ids.GENERIC_DOMAINS)
                out.append((s, e, "CONTACT", 0.3 if generic else 0.8, "url"))
        if "@" in text:
            for m in ids.HANDLE_RE.finditer(text):
                h = m.group(1)
                if m.start() > 0 and text[m.start() - 1].isalnum():
                    continue
                hl = h.lower()
                if h.isalpha() and not ids.SOCIAL_CTX.search(text):
                    if hl not in DOMAIN_ALLOW:
                        out.append((m.start() + 1, m.end(), "PERSON", 0.8, "at_mention"))
                    continue  # a mention of a person
                if hl in DOMAIN_ALLOW:
                    continue
                score = 0.85 if (not h.isalpha() or ids.SOCIAL_CTX.search(text)) else 0.6
                out.append((m.start(), m.end(), "CONTACT", score, "social_handle"))
        if ids.SOCIAL_CTX.search(text):
            for m in ids.BARE_HANDLE.finditer(text):
                s, e = m.span()
                before = text[max(0, s - 40):s]
                if not ids.SOCIAL_CTX.search(before):
                    continue
                if s > 0 and text[s - 1] in "@.":
                    continue
                w = m.group(0)
                if re.fullmatch(r"[A-Za-z]+\d{2,}", w) and re.fullmatch(r"[A-Za-z]{1,3}\d+", w):
                    continue
                out.append((s, e, "CONTACT", 0.75, "social_handle_ctx"))
            # "her tiktok is jobloggsxx", "snap: kayz": a name that no word list knows, right
            # after the platform
            for m in ids.PLATFORM_NAME.finditer(text):
                w = m.group(1)
                if self.lex.is_word(w.lower()) or w.lower() in DOMAIN_ALLOW:
                    continue
                out.append((m.start(1), m.end(1), "CONTACT", 0.75, "social_handle_ctx"))
        return out

    # ---- id numbers ----------------------------------------------------------------------
    def ids(self, text: str) -> list[Cand]:
        out: list[Cand] = []
        if not any(c.isdigit() for c in text):
            return out
        low_text = text.lower()
        for m in ids.NHS_RE.finditer(text):
            d = "".join(m.groups())
            ctx = ids.NHS_CTX.search(text[max(0, m.start() - 40):m.start()])
            if d.startswith("0") and not ctx:
                continue  # a phone number
            if ids.nhs_valid(d):
                out.append((m.start(), m.end(), "ID_NUMBER", 0.95 if ctx else 0.75, "nhs_number"))
            elif ctx:
                out.append((m.start(), m.end(), "ID_NUMBER", 0.7, "nhs_number_ctx"))
        for m in ids.NINO_RE.finditer(text):
            raw = m.group(0)
            pre = m.group(1).upper()
            if pre in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
                continue
            ctx = ids.NI_CTX.search(text[max(0, m.start() - 40):m.start()])
            upper = raw.upper() == raw
            if not m.group(5) and not ctx:
                continue
            if not upper and not ctx:
                continue
            out.append((m.start(), m.end(), "ID_NUMBER", 0.95 if ctx else 0.85, "ni_number"))
        for rx, base in ((ids.VRM_RE, 0.8), (ids.VRM_OLD, 0.5)):
            for m in rx.finditer(text):
                raw = m.group(0)
                ctx = ids.VRM_CTX.search(text[max(0, m.start() - 50):m.start()])
                upper = raw.upper() == raw
                if not upper and not ctx:
                    continue
                sc = 0.9 if ctx else base
                if sc >= 0.5:
                    out.append((m.start(), m.end(), "ID_NUMBER", sc, "vehicle_reg"))
        for m in ids.COURT_RE.finditer(text):
            out.append((m.start(), m.end(), "ID_NUMBER", 0.9, "court_ref"))
        for m in ids.REF_RE.finditer(text):
            raw = m.group(0)
            if ids.DATE_ISO.fullmatch(raw):
                continue
            if ids.DATE_NUM.fullmatch(raw) or re.fullmatch(r"[A-Za-z]+ \d{4}", raw):
                if not ids.ID_CTX.search(text[max(0, m.start() - 40):m.start()]):
                    continue
            word = re.match(r"[A-Za-z]+", raw)
            wl = word.group(0).lower() if word else ""
            if wl in {"section", "s", "year", "years", "act", "covid", "since", "in", "from",
                      "by", "until", "of", "to", "at", "on", "and", "or", "the", "together",
                      "wt", "y", "aged", "age", "born", "dob", "nhs", "ni"} and " " in raw:
                continue
            ctx = ids.ID_CTX.search(text[max(0, m.start() - 40):m.start()] + " ")
            digits = sum(c.isdigit() for c in raw)
            if digits < 4:
                continue
            sc = 0.9 if ctx else (0.7 if digits >= 5 else 0.45)
            out.append((m.start(), m.end(), "ID_NUMBER", sc, "case_ref"))
        for m in ids.NUM_RE.finditer(text):
            raw = m.group(0)
            if ids.DATE_ISO.fullmatch(raw):
                continue  # a date as systems export it
            digits = sum(c.isdigit() for c in raw)
            if digits < 5:
                continue
            before = low_text[max(0, m.start() - 40):m.start()]
            if ids.ID_CTX.search(before):
                out.append((m.start(), m.end(), "ID_NUMBER", 0.85, "case_number_ctx"))
            elif digits >= 7 and not raw.startswith("0"):
                out.append((m.start(), m.end(), "ID_NUMBER", 0.55, "long_number"))
        return out

    # ---- postcodes -----------------------------------------------------------------------
    def postcodes(self, text: str) -> list[Cand]:
        out: list[Cand] = []
        if not any(c.isdigit() for c in text):
            return out
        for m in ids.PC_FULL.finditer(text):
            out_code = m.group(1).upper()
            area = re.match(r"[A-Z]+", out_code).group(0)
            if area not in ids.POSTCODE_AREAS:
                continue
            upper = m.group(0).upper() == m.group(0)
            out.append((m.start(), m.end(), "LOCATION", 0.95 if upper else 0.75, "postcode"))
        for m in ids.PC_OUT.finditer(text):
            code = m.group(1)
            area = re.match(r"[A-Z]+", code).group(0)
            if area not in ids.POSTCODE_AREAS:
                continue
            before = text[max(0, m.start() - 30):m.start()]
            after = text[m.end():m.end() + 12].lower()
            ctx = ids.PC_OUT_CTX.search(before) or after.lstrip().startswith(("area", "postcode"))
            if not ctx:
                w = ids.PC_OUT_AFTER_WORD.search(before)
                ctx = bool(w) and w.group(1).lower() in self.lex.places
            if code in ids.PC_OUT_BLOCK and not re.search(r"post ?code", before + after, I):
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
        for m in ids.DATE_HOLIDAY.finditer(text):
            spans.append((*m.span(), 0.6 if m.group(0)[-1].isdigit() else 0.45))
        if not any(c.isdigit() for c in text):
            return self._score_dates(text, spans)
        for rx, base in ((ids.DATE_ISO, 0.65), (ids.DATE_NUM, 0.65), (ids.DATE_DM, 0.6),
                         (ids.DATE_MD, 0.6), (ids.DATE_MY, 0.35), (ids.DATE_SHORT, 0.4)):
            for m in rx.finditer(text):
                s, e = m.span()
                raw = m.group(0)
                if rx in (ids.DATE_DM, ids.DATE_MD):
                    mon = re.search(ids.MONTHS, raw, I)
                    mw = mon.group(0) if mon else ""
                    if mw.lower() in {"may", "mar", "march", "jan", "jun", "dec", "sep",
                                      "oct", "nov", "aug", "apr", "feb"} and mw.islower() and (
                            not re.search(r"\d(?:st|nd|rd|th)\b|^0\d", raw, I)):
                        continue  # "3rd feb" is a date; "3 may" may be "3 may come"
                    if rx is ids.DATE_MD and re.search(r"\d{1,2}(:|am|pm|\.\d)", text[s:e + 3], I):
                        continue
                    if re.search(r"\d\s*(am|pm|:\d)", text[e:e + 4], I):
                        pass
                    if re.fullmatch(r"\d+\s*-?\s*\w+", raw) and not any(
                            c.isalpha() for c in raw[-3:]):
                        continue
                if any(s < e2 and s2 < e for s2, e2, _ in spans):
                    continue
                spans.append((s, e, base))
        # "the 14th" and "weds 6th" where no fuller date ("the 14th Feb") was found
        for rx, base in ((ids.DATE_WEEKDAY, 0.6), (ids.DATE_THE_ORD, 0.45)):
            for m in rx.finditer(text):
                if not any(m.start() < e2 and s2 < m.end() for s2, e2, _ in spans):
                    spans.append((*m.span(), base))
        return self._score_dates(text, spans)

    @staticmethod
    def _score_dates(text: str, spans: list[tuple[int, int, float]]) -> list[Cand]:
        """A date flags with a birth or incident beside it, not beside the study's diary."""
        out: list[Cand] = []
        for s, e, base in spans:
            before = text[max(0, s - 40):s]
            sentence = text[max(0, s - 120):min(len(text), e + 80)]
            if ids.DOB_CTX.search(before):
                sc = 0.95
            elif ids.INCIDENT_CTX.search(sentence):
                sc = max(base, 0.8) if base >= 0.5 else 0.6
            elif ids.SCHEDULE_CTX.search(sentence):
                sc = 0.2
            else:
                sc = base
            out.append((s, e, "DATE", sc, "date"))
        return out

    # ---- organisations and streets -----------------------------------------------------
    def orgs(self, text: str) -> list[Cand]:
        lex = self.lex
        out: list[Cand] = []
        for m in places.ORG_RE.finditer(text):
            s, name = places.strip_lead(m.start(1), m.group(1), lex, keep_place=True)
            if not name:
                continue
            words = name.split()
            suffix = m.group(2)
            # "Holy Family Catholic High", "Sacred Heart RC Primary": a church school is named
            # even when its name is made of ordinary words
            church = places.DENOMINATION.match(suffix) and all(w[:1].isupper() for w in words)
            if church:
                pass
            elif not any(places.distinctive(w, lex) for w in words
                         if w not in {"of", "and", "&", "the"}):
                # "Oakfield" style names made of ordinary words: "Riverside Surgery",
                # "Hillside Primary" still count when the suffix is an institution
                if suffix in places.WEAK_ORG_SUFFIX and places.place_like_stem(words):
                    out.append((s, m.end(), "ORGANISATION", 0.85, "institution_place_stem"))
                    continue
                if suffix in places.WEAK_ORG_SUFFIX or len(words) > 2:
                    continue
                if words[0] in {"St", "St.", "Saint", "Our"}:
                    pass
                elif not all(w[:1].isupper() for w in words):
                    continue
                elif any(w.lower() in places.TEAM_GENERIC for w in words):
                    continue
            cat = "ORGANISATION"
            if suffix in {"House", "Lodge", "Court", "Centre", "Center"} and not any(
                    places.distinctive(w, lex) for w in words):
                continue
            out.append((s, m.end(), cat, 0.9, "institution"))
        for m in places.ORG_LOWER.finditer(text):
            name = m.group(1)
            words = name.split()
            if words[0] in places.LEAD_STRIP or words[0] in DOMAIN_ALLOW:
                words = words[1:]
            if not words or not all(places.distinctive(w, lex) for w in words):
                continue
            s = m.end(1) - len(" ".join(words))
            out.append((s, m.end(), "ORGANISATION", 0.75, "institution_lower"))
        for m in places.TEAM_RE.finditer(text):
            name = m.group(1)
            words = name.split()
            while words and (words[0].lower() in places.TEAM_GENERIC):
                words = words[1:]
            while words and (words[-1].lower() in places.TEAM_GENERIC or words[-1].upper() in
                             {"CP", "CIN", "LAC", "CLA", "MASH", "YOT", "SEND", "LD"}):
                words = words[:-1]
            if not words or not all(places.distinctive(w, lex) for w in words):
                continue
            s = m.start(1) + m.group(1).find(words[0])
            capped = all(w[:1].isupper() for w in words)
            if m.group(2).lower() == "front door" and (
                    not capped or any(w.endswith(("'s", "’s")) for w in words)):
                continue  # "Kayla's front door" is a door; "the Bolton front door" a team
            out.append((s, m.end(), "ORGANISATION", 0.85 if capped else 0.7, "named_team"))
        for m in self.institution_re.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.85, "institution_name"))
        for m in places.WARD_RE.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.6, "hospital_ward"))
        for m in places.PRISON_RE.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.9, "prison"))
        for m in places.SAINT_RE.finditer(text):
            raw = m.group(0).lower().replace(".", "")
            if raw in lex.places and not raw.endswith(("'s", "’s")):
                continue
            out.append((m.start(), m.end(), "ORGANISATION", 0.8, "saint_name"))
        for m in places.SAINT_LOWER.finditer(text):
            name, second = m.group(1), m.group(3)
            if name not in places.SAINTS and (name not in lex.first or lex.is_word(name)):
                continue
            end = m.end(2)  # the name with its 's or s
            if text[m.start():end].lower().replace(".", "") in lex.places:
                continue  # "st helens", "st ives": the gazetteer's
            if second and (second in lex.sur or second in lex.first) and not lex.is_word(second):
                end = m.end()  # "st john fisher"
            out.append((m.start(), end, "ORGANISATION", 0.75, "saint_name"))
        for m in places.YSGOL_RE.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.85, "welsh_school"))
        for m in places.SECURE_AFTER_RE.finditer(text):
            s, name = places.strip_lead(m.start(1), m.group(1), lex, keep_place=True)
            if name:
                out.append((s, m.end(), "ORGANISATION", 0.85, "secure_estate"))
        for m in places.OUR_LADY_RE.finditer(text):
            out.append((m.start(), m.end(), "ORGANISATION", 0.8, "our_lady"))
        for m in places.ORG_CAP_LOWER.finditer(text):
            s, name = places.strip_lead(m.start(1), m.group(1), lex, keep_place=True)
            words = name.split()
            if not words or any(w.lower() in places.TEAM_GENERIC or w.lower() in DOMAIN_ALLOW
                                or w.lower() in lex.proper_nonid for w in words):
                continue
            if len(words) < 2 and not places.distinctive(words[0], lex):
                continue
            out.append((s, m.end(), "ORGANISATION", 0.75, "institution_cap_lower"))
        return out

    def unique_roles(self, text: str) -> list[Cand]:
        if not places.UNIQUE_ROLE_RE.search(text):
            return []
        # a colleague singled out by role stays PERSON, as the earlier sets label it
        return [(m.start(), m.end(), "PERSON", 0.6, "unique_role")
                for m in places.UNIQUE_ROLE_RE.finditer(text)]

    def streets(self, text: str) -> list[Cand]:
        lex = self.lex
        out: list[Cand] = []
        if any(c.isdigit() for c in text):
            for m in places.ADDR_RE.finditer(text):
                words = m.group(1).split()
                if any(w.lower() in {"the", "a", "an", "of", "and", "in", "at", "on",
                                     "year", "years", "minutes", "mins", "days", "weeks",
                                     "months", "hours", "children", "kids", "people"}
                       for w in words):
                    continue
                out.append((m.start(), m.end(), "LOCATION", 0.9, "address"))
        for m in places.STREET_RE.finditer(text):
            s, name = places.strip_lead(m.start(1), m.group(1).strip(), lex, keep_place=False)
            if not name:
                continue
            words = name.split()
            suffix = m.group(0)[len(m.group(1)):]
            if suffix in {"St", "Dr", "Park", "Green", "Hill", "View", "Way", "Chase", "Row",
                          "Court", "Place", "Walk", "House", "Fields", "Field", "Meadow",
                          "Meadows", "Estate", "Tower", "Towers", "Heights", "Flats"}:
                if not any(places.distinctive(w, lex) for w in words):
                    continue
            if any(w.lower() in places.LEAD_STRIP and w.lower() not in {"north", "south", "east",
                                                                 "west"} for w in words):
                continue
            if all(w.lower() in DOMAIN_ALLOW for w in words):
                continue
            out.append((s, m.end(), "LOCATION", 0.8, "street"))
        for m in places.LOCATIVE_PLACE_RE.finditer(text):
            g = 1 if m.group(1) else 2
            words = m.group(g).split()
            if words[0].lower() in places.PLACE_PAIR_GENERIC or any(
                    w.lower() in DOMAIN_ALLOW or w.lower() in lex.proper_nonid
                    for w in words[:-1]):
                continue
            if len(words) == 2 and words[0].lower() in lex.first and not any(
                    c.isdigit() for c in text[max(0, m.start() - 4):m.start()]):
                # "to Grace Hill", "from Amy Park": a given name and a surname-word
                if words[1].lower() in lex.sur:
                    continue
            out.append((m.start(g), m.end(g), "LOCATION", 0.75, "locative_place"))
        for m in places.ESTATE_RE.finditer(text):
            words = m.group(1).split()
            while words and words[0].lower() in places.ESTATE_GENERIC:
                words = words[1:]
            if not words or words[-1].lower() in places.ESTATE_GENERIC:
                continue
            if any(w.lower() in places.ESTATE_GENERIC for w in words):
                continue
            capped = all(w[:1].isupper() for w in words)
            if not capped and not all(places.distinctive(w, lex) for w in words):
                continue
            s = m.end(1) - len(" ".join(words)) - 1
            s = text.rfind(words[0], m.start(1), m.end(1))
            out.append((s, m.end(), "LOCATION", 0.85 if capped else 0.7, "estate"))
        return out
