"""Which messages are left out of an export, and why: the message's own state (withdrawn,
not consented, deleted, hidden) and, for a withdrawn participant, other people's messages that
refer to their contribution (a mention, a reply or quote, or a borderline "she said…").

Pure (no I/O): used by the export itself (`export.build`), by purge (which keeps the reasons),
and by withdrawal (which stores the references for a facilitator to review).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from export.redact import mention_texts, name_spans, name_variants
from store.data_life import SessionSource, SourceMessage, SourcePerson

EXCLUSION_REASONS = {
    "withdrawn": "the participant withdrew from the study",
    "not_consented": "the participant did not consent (text never kept)",
    "deleted": "deleted by its author in Teams",
    "hidden": "hidden by a facilitator",
    "unscreenable": "the screening engine failed on it, so it could not be checked",
    "mentions_withdrawn": "mentions a withdrawn participant's contribution",
    "borderline_excluded": "may refer to a withdrawn participant's contribution; a "
                           "facilitator chose to exclude it",
    "borderline_pending": "may refer to a withdrawn participant's contribution; not reviewed "
                          "yet, so excluded",
    "removed_by_author": "its author asked for it to be left out of the research",
    "reported_left_out": "reported by someone in the session; a facilitator chose to leave "
                         "it out",
}

# A reply or reaction right after a withdrawn participant's message that may be about it
# without naming them: "she said…", "agree with that", "+1", "as X said". Only the next few
# messages, shortly after, are considered, and a facilitator decides (see `references`).
_BORDERLINE = re.compile(
    r"\b(she|he|they)\s+(said|says|mentioned|made|raised|just|was|is)\b|\b(her|his|their)\s+"
    r"(point|idea|comment|example|experience|suggestion)\b|\bagree\b|\bagreed\b|^\s*\+\s*1\b"
    r"|\bas\s+\w+\s+said\b|\b(same|exactly|good point|well said|that'?s right)\b"
    r"|\b(that|this)\s+(point|idea|example|comment)\b",
    re.IGNORECASE,
)
BORDERLINE_WINDOW = timedelta(minutes=5)
BORDERLINE_FOLLOWERS = 2  # how many messages after theirs may be borderline
_QUOTE = re.compile(
    r"<blockquote[^>]*itemtype=\"http://schema\.skype\.com/Reply\"[^>]*>", re.IGNORECASE)
_ITEMID = re.compile(r"itemid=\"([^\"]+)\"", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.])@([^\W_][\w.\-]*)", re.UNICODE)


def exclusion_reason(message: SourceMessage, person: SourcePerson | None) -> str | None:
    """Why a message is left out of exports, or None if it is exported."""
    if person is None or person.withdrawn:
        return "withdrawn"
    if message.anonymised is None and (not message.kept or message.text is None):
        return "not_consented"
    if person.role != "facilitator" and person.consent != "accepted":
        return "not_consented"
    if message.deleted_at is not None:
        return "deleted"
    if message.hidden_at is not None:
        return "hidden"
    return None


def why_excluded(
    message: SourceMessage, person: SourcePerson | None, excluded: dict[int, str]
) -> str | None:
    """`exclusion_reason`, or why the message refers to a withdrawn participant (from
    `message_exclusions`). A purged message whose copy was never kept because it referred to
    them reads as "not consented" to `exclusion_reason`; its stored reason wins, so an export
    after the purge says what one before it said."""
    reason = exclusion_reason(message, person)
    if (reason is None or (reason == "not_consented" and message.kept)) and (
        message.id in excluded
    ):
        return excluded[message.id]
    return reason


def _handles(text: str) -> set[str]:
    """"@priya", "@priyanka.ramaswamy": typed handles (not Teams @mention entities)."""
    return {m.group(1).rstrip(".-").casefold() for m in _HANDLE.finditer(text)}


def _quoted(text: str) -> set[str]:
    """Message ids and user MRIs a Teams quote-reply (`<blockquote itemtype=…/Reply>`) names."""
    found: set[str] = set()
    for match in _QUOTE.finditer(text):
        found |= {i.lower() for i in _ITEMID.findall(match.group(0))}
        tail = text[match.end():match.end() + 600]
        found |= {i.lower() for i in _ITEMID.findall(tail.split("</blockquote>")[0])}
    return found


def _user_ids(person: SourcePerson) -> set[str]:
    ids = {i.lower() for i in (person.teams_user_id, person.aad_object_id) if i}
    if person.aad_object_id:
        ids.add(f"8:orgid:{person.aad_object_id}".lower())
    return ids


def references(source: SessionSource, participant_id: str) -> dict[int, str]:
    """Other people's messages that refer to this participant's contribution, by message id:
    "mention" (full name, first name, short form or handle from the roster, an @mention),
    "reply" (a Teams reply to, or quote of, one of their messages) or "borderline" (a message
    among the next few right after theirs that may be about it: "she said…", "+1")."""
    person = source.people.get(participant_id)
    if person is None:
        return {}
    names = name_variants(person.display_name)
    ids = _user_ids(person)
    for message in source.messages:  # how others @mentioned them is a name for them too
        for user_id, text in mention_texts(message.mentions):
            if user_id.lower() in ids and text and text.strip():
                names.add(text.strip())
    handles = {n.casefold() for n in names} | {
        n.replace(" ", "").casefold() for n in names} | {
        n.replace(" ", ".").casefold() for n in names}
    their_activities = {m.activity_id.lower() for m in source.messages
                        if m.participant_id == participant_id and m.activity_id}
    found: dict[int, str] = {}
    last_theirs: datetime | None = None
    followers = 0
    for message in source.messages:
        if message.participant_id == participant_id:
            last_theirs, followers = message.received_at, 0
            continue
        if not message.kept:
            continue  # never exported, so nothing to exclude (and the reason must not change)
        text = message.text or ""
        mentioned = {u.lower() for u, _ in mention_texts(message.mentions)}
        if mentioned & ids or name_spans(text, names) or _handles(text) & handles:
            found[message.id] = "mention"
        elif (message.reply_to_id and message.reply_to_id.lower() in their_activities) or (
            _quoted(text) & (their_activities | ids)
        ):
            found[message.id] = "reply"
        elif (last_theirs is not None and followers < BORDERLINE_FOLLOWERS
              and message.received_at - last_theirs <= BORDERLINE_WINDOW
              and _BORDERLINE.search(text)):
            found[message.id] = "borderline"
        if last_theirs is not None and found.get(message.id) in (None, "borderline"):
            followers += 1  # (a reply to them does not push a "she said" out of reach)
    return found


def message_exclusions(source: SessionSource) -> dict[int, str]:
    """Why each message that refers to a withdrawn participant, or that was removed at
    someone's request (`SessionSource.removed`), is left out of exports (the information
    sheet: such responses are deleted). Stored reviews (made at the withdrawal,
    so they outlive the purge of names) and what the roster finds now are both applied; a
    borderline case is excluded until a facilitator keeps it."""
    kinds: dict[int, set[str]] = {}
    decisions: dict[int, set[str]] = {}
    for person in source.people.values():
        if person.withdrawn:
            for message_id, kind in references(source, person.participant_id).items():
                kinds.setdefault(message_id, set()).add(kind)
    for message_id, reviews in source.reviews.items():
        for review in reviews:
            kinds.setdefault(message_id, set()).add(review.kind)
            if review.kind == "borderline":
                decisions.setdefault(message_id, set()).add(review.decision)
    reasons: dict[int, str] = dict(source.removed)  # left out at someone's request
    for message_id, found in kinds.items():
        if message_id in reasons:
            continue
        if found - {"borderline"}:
            reasons[message_id] = "mentions_withdrawn"
            continue
        decided = decisions.get(message_id, {"pending"})
        if "exclude" in decided:
            reasons[message_id] = "borderline_excluded"
        elif "pending" in decided:
            reasons[message_id] = "borderline_pending"
    return reasons
