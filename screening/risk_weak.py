"""A weak-evidence tier for the risk stage: when no concept fires, a message that holds
two risk words of different classes (or one, placed now), an anchor (the writer, a child,
the worker as target) and no silencing frame is still raised. It spends some of the
concept stage's spare precision on disclosures in shapes no concept names."""

from __future__ import annotations

import re

I = re.I  # noqa: E741

# risk word classes (stems): harm, fear, substances, absence, crime, neglect, misuse
_CLASSES: dict[str, re.Pattern[str]] = {
    "harm": re.compile(
        r"\b(hit|hits|hitting|punch\w*|kick\w*|slap\w*|hurt\w*|harm\w*|injur\w*|bruis\w*|"
        r"marks|cuts|burns?|burnt|blood\w*|bleed\w*|fist|strangl\w*|chok\w*|violen\w*|"
        r"abus\w+|assault\w*|attack\w*|temper|weapon|knife|knives|kill\w*|die|dying|"
        r"dead|suicid\w*|overdos\w*|self[- ]?harm\w*)\b", I),
    "fear": re.compile(
        r"\b(scared|terrified|frightened|afraid|petrified|unsafe|not safe|threat\w*|"
        r"intimidat\w*|follow(ed|ing)|stalk\w*|watching (me|us|the house)|struggling|not ok|"
        r"not okay|not coping|falling apart|breaking point|a mess|a state|dark place)\b", I),
    "substance": re.compile(
        r"\b(drunk|drinking|drink|vodka|wine|gin|cans|booze|high|stoned|cannabis|weed|"
        r"cocaine|coke|pills|tablets|codeine|diazepam|meds|stinking of|smell\w* of)\b", I),
    "neglect": re.compile(
        r"\b(missing|not eaten|not eating|hungry|starv\w*|stealing food|weight|filthy|"
        r"no food|no heating|alone|on (his|her|their) own|out till|out all night|register|"
        r"conviction|offender|schedule 1|sleeps in her bed|in (her|his) bed)\b", I),
    "misuse": re.compile(
        r"\b(own phone|personal (phone|mobile|email|laptop)|home in a|took (them|it|files) "
        r"home|wrong (solicitor|address|family|person|parent)|refuge address|not to (flag|"
        r"report|say|tell)|cover(ed|ing)? (it )?up|copy (the|it|and)|change the dates?|"
        r"records? every|plays? (bits )?back)\b", I),
}
_SELF = re.compile(r"\b(i|i'm|im|i've|ive|me|my|myself)\b", I)
_CHILD = re.compile(
    r"\b(baby|child|children|kid|kids|toddler|son|daughter|boy|girl|lad|yp|teen\w*|"
    r"little (one|girl|boy)|eldest|youngest|sibling\w*|\d+\s?(yo|y/o|yrs?|year|month)s?( old)?|"
    r"he'?s \d+|she'?s \d+)\b", I)
_COLLEAGUE = re.compile(
    r"\b(colleague|someone|iro|chair|manager|tm|sw|social worker|senior|student|agency|"
    r"team|we've been told|told to|our)\b", I)
_CASE_PARTY = re.compile(
    r"\b(dad|mum|father|mother|parent|uncle|brother|grandad|nan|partner|family|fella|"
    r"boyfriend)\b", I)
_HYPO = re.compile(r"(^|\b)(if|would|could|should|might|whether|suppose|imagine)\b|\?", I)


def weak_category(text: str, now: bool, quiet: bool) -> str | None:
    """The category of a weakly evidenced risk, or None. ``now``: the message is placed
    now; ``quiet``: a policy, history, joke, resolved or acting frame holds."""
    if quiet or _HYPO.search(text):
        return None
    classes = {k for k, rx in _CLASSES.items() if rx.search(text)}
    if not classes or (len(classes) < 2 and not now):
        return None
    child = _CHILD.search(text) is not None
    self_ = _SELF.search(text) is not None
    if "misuse" in classes and _COLLEAGUE.search(text):
        return "breach"
    if child and classes & {"harm", "neglect", "substance"}:
        return "child"
    if self_ and _CASE_PARTY.search(text) and "fear" in classes:
        return "threat"
    if self_ and classes & {"harm", "fear", "substance"}:
        return "participant"
    return None
