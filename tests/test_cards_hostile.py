"""Untrusted text is inert on every card: display names, meeting titles and message text
with Markdown links, emphasis, list markers, HTML, template placeholders, bidi overrides,
newlines or great length render as the text they are, never as a link or formatting.

Text the host renders as Markdown (TextBlock.text, Fact.title, Fact.value) must not contain
the data's link or emphasis unescaped; TextRuns are never Markdown and keep the data verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cards import (
    card_problems,
    chatham_house_card,
    check_card,
    closing_card,
    confidentiality_reminder_card,
    consent_answer_card,
    consent_card,
    digest_card,
    flag_card,
    help_card,
    information_sheet_card,
    late_joiner_card,
    notice_card,
    status_card,
    welcome_card,
)
from cards.markdown import WORD_JOINER, inert
from services.flag_content import FlagCardContent, HistoryEntry, Reason, Segment
from study import DEFAULT_STUDY_FILE, load_study
from tests.test_cards import _walk as walk

AT = datetime(2026, 11, 23, 10, 4, tzinfo=UTC)
LINK = "[Re-verify your consent here](https://evil.example/consent)"
HOSTILE = {
    "link": LINK,
    "emphasis": "**URGENT** _act now_ *today*",
    "html": "<b>bold</b> <a href='https://evil.example'>x</a> &amp; <https://evil.example>",
    "placeholder": "${session_title} ${text} {{name}}",
    "long": "Ann " + "very-long-name " * 150,
    "rtl": "Ann \u202egnp.exe\u202c Lee",
    "newlines": "Ann\n- listed item\n1. numbered\n# heading\n> quote",
    "bare_url": "see https://evil.example/x now",
}
LINK_RE = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(")
AUTOLINK_RE = re.compile(r"(?<!\\)<https?:|https?://")
EMPHASIS = ("**URGENT**", "_act now_", "*today*")
LIST_RE = re.compile(r"(?m)^\s*(- listed|1\. numbered|# heading|> quote)")


def builders(name: str) -> dict[str, Callable[[], dict[str, Any]]]:
    study = load_study(DEFAULT_STUDY_FILE)
    content = FlagCardContent(
        flag_id=7, kind="safeguarding", sent_at=AT, author_name=name, author_pseudonym="P01",
        segments=[Segment(f"{name} said: "), Segment(name, "PERSON"), Segment(" end")],
        reasons=[Reason("PERSON", "name_rule", 0.9)], safeguarding_level="urgent",
        safeguarding_reason=name, status="redact",
        history=[HistoryEntry("redact", name, AT, outcome=name)], notice=None,
        session_title=name, deleted=True, hidden=True, edited=True,
    )
    return {
        "information_sheet": lambda: information_sheet_card(study),
        "consent": lambda: consent_card(study, name, [name], error=None),
        "consent_answer": lambda: consent_answer_card(study, name, "declined", AT, {}, [name]),
        "chatham_house": lambda: chatham_house_card(study),
        "confidentiality_reminder": lambda: confidentiality_reminder_card(study),
        "welcome": lambda: welcome_card(study),
        "late_joiner": lambda: late_joiner_card(study, name),
        "closing": lambda: closing_card(study, AT + timedelta(days=14)),
        "status": lambda: status_card(name, [name, "Bo"], [name], [name], AT),
        "help": lambda: help_card([("consent", "Show it")], is_facilitator=True, bot_name=name),
        "help_personal": lambda: help_card([("status", "See it")], is_facilitator=True,
                                           bot_name=name, personal=True),
        "notice_declined": lambda: notice_card(
            "A participant chose not to consent",
            f"{name} (P01) answered 'I do not consent'. Their chat messages will not be used."),
        "notice_urgent": lambda: notice_card(name, name, urgent=True),
        "flag": lambda: flag_card(content),
        "flag_digest": lambda: digest_card(
            [replace(content, flag_id=n, kind="identifying", author_pseudonym=name)
             for n in range(20)], name),
        "check": lambda: check_card(content.segments, content.reasons, "concern", name),
    }


def markdown_texts(card: dict[str, Any]) -> Iterator[str]:
    """Every string the host renders as Markdown."""
    for node in walk(card):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
                yield node["text"]
            if "title" in node and "value" in node and "type" not in node:  # a Fact
                yield str(node["title"])
                yield str(node["value"])


def text_runs(card: dict[str, Any]) -> list[str]:
    return [n["text"] for n in walk(card) if isinstance(n, dict) and n.get("type") == "TextRun"]


CASES = [(kind, card) for kind in HOSTILE for card in builders("x")]


@pytest.mark.parametrize(("kind", "card_name"), CASES)
def test_hostile_text_renders_inert_on_every_card(kind: str, card_name: str) -> None:
    name = HOSTILE[kind]
    card = builders(name)[card_name]()

    # (a `${…}` in the data looks like an unfilled placeholder to the check; it is shown as is)
    assert [p for p in card_problems(card) if "unfilled" not in p] == []
    for text in markdown_texts(card):
        assert not LINK_RE.search(text), text
        assert not AUTOLINK_RE.search(text), text
        assert not any(marker in text for marker in EMPHASIS), text
        assert not LIST_RE.search(text), text
        assert "\u202e" not in text
    shown = list(markdown_texts(card)) + text_runs(card)
    if any(name in run for run in text_runs(card)):
        return  # shown verbatim where Markdown never applies
    if card_name in ("information_sheet", "consent", "consent_answer", "chatham_house",
                     "confidentiality_reminder", "welcome", "closing", "help_personal"):
        return  # the data is in action data only (or, in a 1:1, the bot's name is not needed)
    assert any(inert(name) in text for text in shown), "the data must still be shown"


def test_names_in_text_runs_stay_verbatim() -> None:
    for name in HOSTILE.values():
        assert name in text_runs(builders(name)["flag"]())
        assert name in text_runs(builders(name)["status"]())


def test_inert_keeps_ordinary_names_and_breaks_links_without_relying_on_escapes() -> None:
    assert inert("Mary-Jane O'Neil (P01), 3. place") == "Mary-Jane O'Neil (P01), 3. place"
    assert inert("Zoë Łukasz محمد 李") == "Zoë Łukasz محمد 李"
    linked = inert(LINK)
    assert "]" + WORD_JOINER + "(" in linked and "https:" + WORD_JOINER + "//" in linked
    assert inert("- a\n  2. b") == "\\- a\n  2\\. b"
