"""Private flag cards for facilitators (and the `check` practice card).

The message is shown with each identifying span highlighted, as TextRuns (never Markdown, so
nothing in a message can format or link the card). A builder takes plain values; it knows
nothing of the store or the screening engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cards.markdown import inert
from cards.template import render
from services.flag_content import (
    CATEGORY_WORDS,
    FlagCardContent,
    Reason,
    Segment,
)
from study.dates import DEFAULT_TIMEZONE, format_local

Card = dict[str, Any]

FLAG_VERBS = ("flag.remind", "flag.hide", "flag.redact", "flag.dismiss", "flag.escalate",
              "flag.show")
DIGEST_SHOWN = 12  # entries listed on a digest card; the rest are counted (the card stays small)

ACTION_WORDS = {
    "remind": "reminded the group about confidentiality",
    "hide": "asked Teams to hide the message",
    "redact": "kept it marked for redaction in the export",
    "dismiss": "marked it not identifying",
    "escalate": "escalated it as a safeguarding concern",
    "report": "reported this message to the facilitators",
}

STATUS_WORDS = {
    "open": "Open: identifying spans will be redacted in the export (the default).",
    "redact": "Will be redacted in the export.",
    "dismissed": "Marked not identifying: nothing will be redacted for this message.",
    "escalated": "Escalated as a safeguarding concern.",
}
# A reported message has no identifying spans to redact: "Leave out of export" drops it whole.
REPORTED_STATUS_WORDS = {
    **STATUS_WORDS,
    "open": "Open: the message stays in the export unless you leave it out.",
    "redact": "Will be left out of the export.",
    "dismissed": "Marked not identifying: the message stays in the export.",
}


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _runs(*runs: dict[str, Any], **block: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(runs), **block}


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def _message_block(segments: Sequence[Segment]) -> dict[str, Any]:
    runs = []
    for segment in segments:
        if not segment.text:
            continue
        if segment.category:
            runs.append(_run(segment.text, highlight=True, weight="Bolder", color="Attention"))
        else:
            runs.append(_run(segment.text))
    if not runs:
        runs = [_run("(no text)", italic=True)]
    return _runs(*runs)


def _reasons(content: FlagCardContent) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if content.safeguarding_level:
        level = "Urgent" if content.safeguarding_level == "urgent" else "Concern"
        reason = inert(content.safeguarding_reason or "")
        items.append(_text(f"Safeguarding ({level}): {reason}".strip(),
                           weight="Bolder", color="Attention"))
    categories = list(dict.fromkeys(r.category for r in content.reasons))
    if categories:
        items.append(_text("Why it was flagged:", weight="Bolder", spacing="Small"))
        for category in categories:
            rules = sorted({r.rule.replace("_", " ") for r in content.reasons
                            if r.category == category and r.rule})
            top = max(r.score for r in content.reasons if r.category == category)
            why = f" (found by: {', '.join(rules)}; confidence {top:.2f})" if rules else ""
            items.append(_text(f"• {CATEGORY_WORDS.get(category, category.lower())}{why}",
                               spacing="None"))
    if content.kind == "unscreened":
        items.append(_text(
            "The screening engine failed on this message several times, so nothing in it "
            "was checked. Please read it in the meeting chat and decide. If it still cannot "
            "be screened at export time, it is left out of the export.", color="Warning"))
    if content.kind == "reported":
        items.append(_text(
            "Someone in the session reported this message from its menu in Teams. Screening "
            "had not flagged it. The card does not say who reported it.", color="Warning"))
    if not items:
        items.append(_text("Nothing identifying was found.", isSubtle=True))
    return items


def _history(content: FlagCardContent, zone: str) -> list[dict[str, Any]]:
    words = REPORTED_STATUS_WORDS if content.kind == "reported" else STATUS_WORDS
    items = [_text(words.get(content.status, content.status), weight="Bolder")]
    if content.hidden:
        items.append(_text("Hidden from the chat for readers.", spacing="None"))
    if content.deleted:
        items.append(_text("The author has deleted this message.", spacing="None"))
    for entry in content.history:
        did = ACTION_WORDS.get(entry.action, entry.action)
        line = f"{inert(entry.actor)} {did} — {format_local(entry.at, zone)}"
        if entry.outcome:
            line += f". {inert(entry.outcome)}"
        items.append(_text(line, isSubtle=True, spacing="None"))
    if content.notice:
        items.append(_text(content.notice, color="Attention"))
    return items


def _actions(content: FlagCardContent) -> list[dict[str, Any]]:
    data = {"flag_id": content.flag_id}

    def execute(verb: str, title: str, **extra: Any) -> dict[str, Any]:
        return {"type": "Action.Execute", "title": title, "verb": verb, "data": dict(data),
                **extra}

    actions = []
    if content.kind == "safeguarding":
        actions.append(execute("flag.escalate", "Escalate safeguarding", style="destructive"))
    if content.kind == "unscreened":
        actions.append(execute("flag.remind", "Remind group"))
        if content.hide_available and not content.hidden:
            actions.append(execute("flag.hide", "Hide from chat"))
        actions.append(execute("flag.dismiss", "Read: not identifying"))
    elif content.kind == "reported":
        actions.append(execute("flag.remind", "Remind group"))
        if content.hide_available and not content.hidden:
            actions.append(execute("flag.hide", "Hide from chat"))
        actions.append(execute("flag.redact", "Leave out of export", style="positive"))
        actions.append(execute("flag.dismiss", "Not identifying"))
    elif content.reasons:
        actions.append(execute("flag.remind", "Remind group"))
        if content.hide_available and not content.hidden:
            actions.append(execute("flag.hide", "Hide from chat"))
        actions.append(execute("flag.redact", "Redact in export", style="positive"))
        actions.append(execute("flag.dismiss", "Not identifying"))
    if content.kind != "safeguarding":
        actions.append(execute("flag.escalate", "Escalate safeguarding"))
    return actions


def flag_card(content: FlagCardContent, *, zone: str = DEFAULT_TIMEZONE) -> Card:
    """The private card a facilitator gets for a flagged message, with its actions; times
    read in the study's time zone (`zone`)."""
    urgent = content.kind == "safeguarding"
    if urgent:
        level = "URGENT" if content.safeguarding_level == "urgent" else "Concern"
        heading = f"⚠ Safeguarding ({level}) — a message needs your attention"
    elif content.kind == "unscreened":
        heading = "A message could not be screened: please read it"
    elif content.kind == "reported":
        heading = "A message was reported to you"
    else:
        heading = "A message may identify someone"
    subheading = "Only facilitators see this card. Nothing has been said to the group."
    if content.edited:
        subheading = "The message was edited. " + subheading
    who = [_runs(
        _run("From: "),
        _run(content.author_name or "(name unknown)", weight="Bolder"),
        _run(f" ({content.author_pseudonym})" if content.author_pseudonym else ""),
    )]
    facts = [{"title": "Sent", "value": format_local(content.sent_at, zone)}]
    if content.session_title:
        facts.append({"title": "Session", "value": inert(content.session_title)})
    categories = list(dict.fromkeys(r.category for r in content.reasons))
    if categories:
        facts.append({"title": "Found",
                      "value": ", ".join(CATEGORY_WORDS.get(c, c.lower()) for c in categories)})
    return render(
        "flag",
        style="attention" if urgent else "warning",
        heading=heading,
        subheading=subheading,
        who=who,
        facts=facts,
        message=[_message_block(content.segments)],
        reasons=_reasons(content),
        history=_history(content, zone),
        actions=_actions(content),
    )


def _digest_entry(content: FlagCardContent, zone: str) -> dict[str, Any]:
    who = content.author_pseudonym or "(unknown author)"
    found = ", ".join(dict.fromkeys(CATEGORY_WORDS.get(r.category, r.category.lower())
                                    for r in content.reasons)) or "needs reading"
    return {
        "type": "ColumnSet", "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "stretch", "verticalContentAlignment": "Center",
             "items": [_text(f"{format_local(content.sent_at, zone)} · {inert(who)} · {found}")]},
            {"type": "Column", "width": "auto", "items": [{
                "type": "ActionSet", "actions": [{
                    "type": "Action.Execute", "title": "Open", "verb": "flag.show",
                    "data": {"flag_id": content.flag_id}}]}]},
        ],
    }


def digest_card(entries: Sequence[FlagCardContent], session_title: str | None, *,
                total: int | None = None, zone: str = DEFAULT_TIMEZONE) -> Card:
    """One card for a storm of flags in a session: a line per flag (newest first) with a
    button that sends that flag's own card, with its actions, to whoever clicks it.
    `total`: how many flags the digest holds, when `entries` are only the newest of them."""
    newest = sorted(entries, key=lambda e: e.flag_id, reverse=True)[:DIGEST_SHOWN]
    count = max(total or 0, len(entries))
    lines = [_digest_entry(entry, zone) for entry in newest]
    if count > len(newest):
        lines.append(_text(f"…and {count - len(newest)} earlier flags in this minute",
                           isSubtle=True))
    where = f" in {inert(session_title)}" if session_title else ""
    return render(
        "flag_digest",
        heading=f"{count} messages flagged in a minute{where}",
        subheading="Many flags at once: they are listed here instead of one card each. "
                   "Open one to see the message and act on it. Only facilitators see this.",
        entries=lines,
    )


def check_card(segments: Sequence[Segment], reasons: Sequence[Reason],
               safeguarding_level: str | None, safeguarding_reason: str | None) -> Card:
    """The `check` practice result: what would be flagged. Nothing is stored."""
    flagged = bool(reasons) or bool(safeguarding_level)
    return render(
        "flag",
        style="emphasis",
        heading="Practice check: this would be flagged" if flagged
        else "Practice check: nothing would be flagged",
        subheading="Nothing you type after 'check' is stored or shown to anyone else.",
        who=[_text("This is how the text would look on a flag card:", isSubtle=True)],
        facts=[{"title": "Found", "value": ", ".join(
            dict.fromkeys(CATEGORY_WORDS.get(r.category, r.category.lower()) for r in reasons)
        ) or "nothing identifying"}],
        message=[_message_block(segments)],
        reasons=_reasons(FlagCardContent(
            flag_id=0, kind="safeguarding" if safeguarding_level else "identifying",
            sent_at=datetime.now().astimezone(), author_name=None, author_pseudonym=None,
            segments=segments, reasons=reasons, safeguarding_level=safeguarding_level,
            safeguarding_reason=safeguarding_reason,
        )),
        history=[_text("Practice only: no flag was created.", isSubtle=True)],
        actions=[],
    )
