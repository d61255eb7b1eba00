"""Public card builders. Each returns the Adaptive Card content (a dict); the bot wraps it.

Only study texts, names and values passed in explicitly end up on a card; no builder
takes chat message text. Text that comes from people (display names, session titles)
goes into RichTextBlock TextRuns, which hosts render without Markdown, or, where only
Markdown text exists (facts, notices), through `cards.markdown.inert`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from cards.markdown import inert
from cards.template import render
from study import Study
from study.dates import DEFAULT_TIMEZONE, format_local

Card = dict[str, Any]

MAX_REFRESH_USER_IDS = 60
"""Teams refreshes user-specific views automatically for at most 60 listed users."""

CONSENT_VERBS = ("consent.accept", "consent.decline", "consent.change", "consent.refresh")
STATEMENT_INPUT_PREFIX = "statement."


def statement_input_id(statement_id: str) -> str:
    """The Input.Toggle id for a consent statement (``statement.<id>``)."""
    return f"{STATEMENT_INPUT_PREFIX}{statement_id}"


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _plain(text: str, **style: Any) -> dict[str, Any]:
    """Text shown verbatim (no Markdown), for names and other human-entered strings."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def _action_data(study: Study, session_id: str) -> dict[str, str]:
    return {"session_id": session_id, "form_version": study.form_version}


def _refresh_user_ids(user_ids: Iterable[str]) -> list[str]:
    """Drop duplicates and blanks, keep order, cap at Teams' limit of 60."""
    unique = list(dict.fromkeys(u for u in user_ids if u))
    return unique[:MAX_REFRESH_USER_IDS]


def information_sheet_card(study: Study) -> Card:
    """The information sheet, one collapsible section per heading."""
    sections: list[dict[str, Any]] = []
    for number, section in enumerate(study.sections, start=1):
        body_id = f"section.{number}.body"
        show_id = f"section.{number}.show"
        hide_id = f"section.{number}.hide"
        toggle = {
            "type": "Action.ToggleVisibility",
            "title": f"Show or hide: {section.heading}",
            "targetElements": [
                {"elementId": body_id},
                {"elementId": show_id},
                {"elementId": hide_id},
            ],
        }
        header = {
            "type": "ColumnSet",
            "selectAction": toggle,
            "columns": [
                {
                    "type": "Column",
                    "width": "stretch",
                    "items": [_text(section.heading, weight="Bolder")],
                },
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [
                        _text("Show ▾", id=show_id, color="Accent"),
                        _text("Hide ▴", id=hide_id, color="Accent", isVisible=False),
                    ],
                },
            ],
        }
        paragraphs = [_text(study.fill(p)) for p in section.paragraphs]
        sections.append(
            {
                "type": "Container",
                "separator": True,
                "spacing": "Medium",
                "items": [
                    header,
                    {"type": "Container", "id": body_id, "isVisible": False, "items": paragraphs},
                ],
            }
        )
    return render(
        "information_sheet",
        title=study.title,
        sections=sections,
        contact_email=study.contact_email,
    )


def consent_card(
    study: Study,
    session_id: str,
    refresh_user_ids: list[str],
    *,
    answers: Mapping[str, bool] | None = None,
    error: str | None = None,
) -> Card:
    """The consent form: one toggle per statement and the two Universal Action buttons.

    ``answers`` (statement id -> ticked) pre-sets the toggles, e.g. when re-showing the
    form with ``error`` after a required statement was left unticked.
    """
    answers = answers or {}
    toggles: list[dict[str, Any]] = []
    for statement in study.consent_statements:
        title = study.fill(statement.text)
        if statement.required:
            title += " (required)"
        toggles.append(
            {
                "type": "Input.Toggle",
                "id": statement_input_id(statement.id),
                "title": title,
                "value": "true" if answers.get(statement.id) else "false",
                "valueOn": "true",
                "valueOff": "false",
                "wrap": True,
            }
        )
    card = render(
        "consent",
        short_title=study.short_title,
        statements=toggles,
        form_version=study.form_version,
        action_data=_action_data(study, session_id),
        refresh_user_ids=_refresh_user_ids(refresh_user_ids),
    )
    if error:
        body: list[dict[str, Any]] = card["body"]
        position = next(
            i for i, element in enumerate(body) if element.get("id") == "consent.statements"
        )
        body.insert(position, _text(error, color="Attention", weight="Bolder"))
    return card


def consent_answer_card(
    study: Study,
    session_id: str,
    decision: Literal["accepted", "declined"],
    recorded_at: datetime,
    answers: Mapping[str, bool],
    refresh_user_ids: list[str],
    *,
    zone: str = DEFAULT_TIMEZONE,
) -> Card:
    """A participant's own recorded answer, with a button to change it (the time in the
    study's time zone)."""
    when = format_local(recorded_at, zone)
    if decision == "accepted":
        outcome = [_text(f"You consented on {when}.", weight="Bolder", color="Good")]
    elif decision == "declined":
        outcome = [
            _text(f"You chose not to take part (recorded on {when}).", weight="Bolder"),
            _text(study.format_text("decline_message")),
        ]
    else:
        raise ValueError(f"decision must be 'accepted' or 'declined', got {decision!r}")
    rows: list[dict[str, Any]] = []
    for statement in study.consent_statements:
        ticked = bool(answers.get(statement.id))
        rows.append(
            {
                "type": "ColumnSet",
                "columns": [
                    {
                        "type": "Column",
                        "width": "auto",
                        "items": [
                            _text("✔" if ticked else "✘", color="Good" if ticked else "Attention")
                        ],
                    },
                    {
                        "type": "Column",
                        "width": "stretch",
                        "items": [_text(study.fill(statement.text))],
                    },
                ],
            }
        )
    return render(
        "consent_answer",
        short_title=study.short_title,
        outcome=outcome,
        statements=rows,
        form_version=study.form_version,
        action_data=_action_data(study, session_id),
        refresh_user_ids=_refresh_user_ids(refresh_user_ids),
    )


def chatham_house_card(study: Study) -> Card:
    return render(
        "chatham_house",
        short_title=study.short_title,
        text=study.format_text("chatham_house_reminder"),
    )


def confidentiality_reminder_card(study: Study) -> Card:
    """Generic reminder; it never quotes or names whoever prompted it."""
    return render(
        "confidentiality_reminder",
        short_title=study.short_title,
        text=study.format_text("confidentiality_reminder"),
    )


def welcome_card(study: Study) -> Card:
    return render("welcome", title=study.title, text=study.format_text("welcome"))


def late_joiner_card(study: Study, bot_name: str) -> Card:
    return render(
        "late_joiner",
        short_title=study.short_title,
        text=study.format_text("late_joiner_welcome"),
        bot_name=bot_name,
    )


def closing_card(study: Study, withdrawal_deadline: datetime, *,
                 zone: str = DEFAULT_TIMEZONE) -> Card:
    """The closing message at meeting end; the deadline reads in the study's time zone."""
    return render(
        "closing",
        short_title=study.short_title,
        text=study.format_text("closing_message", withdrawal_deadline=withdrawal_deadline,
                               zone=zone),
    )


def status_card(
    session_title: str,
    consented: list[str],
    declined: list[str],
    pending: list[str],
    as_of: datetime,
    *,
    zone: str = DEFAULT_TIMEZONE,
) -> Card:
    """Facilitator-only consent summary: counts, then names per group."""
    groups_spec = (
        ("Consented", consented),
        ("Chose not to take part", declined),
        ("Not answered yet", pending),
    )
    counts = [{"title": label, "value": str(len(names))} for label, names in groups_spec]
    groups: list[dict[str, Any]] = []
    for label, names in groups_spec:
        groups.append(_text(f"{label} ({len(names)})", weight="Bolder", spacing="Medium"))
        if names:
            groups.append(_plain(", ".join(names)))
        else:
            groups.append(_text("Nobody", isSubtle=True))
    return render(
        "status",
        session_title=session_title,
        as_of=format_local(as_of, zone),
        counts=counts,
        groups=groups,
    )


def help_card(
    commands: Sequence[tuple[str, str]],
    *,
    is_facilitator: bool,
    bot_name: str,
    personal: bool = False,
) -> Card:
    """Commands (e.g. ``("consent", "Show the consent card again")``) with descriptions.

    In a 1:1 chat (``personal``) commands are typed as they are; in a group chat they follow
    an @mention of the bot.
    """
    if not commands:
        raise ValueError("help_card needs at least one command")
    bot_name = inert(bot_name)
    prefix = "" if personal else f"@{bot_name} "
    facts = [
        {"title": f"{prefix}{command}", "value": description}
        for command, description in commands
    ]
    heading = "Facilitator commands" if is_facilitator else "What I can do"
    how = (
        "Type a command, for example: help."
        if personal
        else f"Mention me followed by a command, for example @{bot_name} help."
    )
    return render("help", heading=heading, how=how, facts=facts)


def notice_card(title: str, text: str, *, urgent: bool = False) -> Card:
    """A private notice to a facilitator, e.g. that a participant chose not to consent.
    Title and text are plain text, made inert: callers join display names into them."""
    return render(
        "notice",
        title=f"⚠ {inert(title)}" if urgent else inert(title),
        text=inert(text),
        style="attention" if urgent else "emphasis",
        color="Attention" if urgent else "Default",
    )


def consent_receipt_card(
    heading: str,
    facts: Sequence[tuple[str, str]],
    ticked: Sequence[str],
    withdraw: str,
    contact: str,
) -> Card:
    """A participant's receipt for their consent answer (see `services.consent_receipt`)."""
    items = [_text(f"✔ {text}") for text in ticked] or [_text("(none)", isSubtle=True)]
    return render(
        "consent_receipt",
        heading=inert(heading),
        facts=[{"title": inert(title), "value": inert(value)} for title, value in facts],
        ticked=items,
        withdraw=inert(withdraw),
        contact=inert(contact),
    )
