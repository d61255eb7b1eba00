"""Adaptive Cards: structure, Universal Action data, and safe binding of data."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cards import (
    TemplateError,
    card_problems,
    chatham_house_card,
    closing_card,
    confidentiality_reminder_card,
    consent_answer_card,
    consent_card,
    consent_receipt_card,
    flag_card,
    help_card,
    information_sheet_card,
    late_joiner_card,
    mention_review_card,
    notice_card,
    remove_dialog_card,
    render,
    report_dialog_card,
    status_card,
    welcome_card,
)
from cards.markdown import inert
from services.flag_content import FlagCardContent, HistoryEntry, Segment
from study import DEFAULT_STUDY_FILE, Study, load_study

AS_OF = datetime(2026, 11, 23, 10, 4, tzinfo=UTC)
NASTY = 'He said "hi" } { ${session_title} ${x} \\ </script> **bold**'


@pytest.fixture(scope="module")
def study() -> Study:
    return load_study(DEFAULT_STUDY_FILE)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _of_type(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in _walk(card) if isinstance(n, dict) and n.get("type") == kind]


def _strings(card: dict[str, Any]) -> list[str]:
    return [n for n in _walk(card) if isinstance(n, str)]


def _all_builders(study: Study) -> dict[str, Callable[[], dict[str, Any]]]:
    users = [f"29:user-{i}" for i in range(75)]
    return {
        "information_sheet": lambda: information_sheet_card(study),
        "consent": lambda: consent_card(study, "session-1", users),
        "consent_with_error": lambda: consent_card(
            study, "session-1", users, answers={"chatham_house_rule": True}, error="Tick all"
        ),
        "consent_answer_accepted": lambda: consent_answer_card(
            study, "session-1", "accepted", AS_OF, {"chatham_house_rule": True}, users
        ),
        "consent_answer_declined": lambda: consent_answer_card(
            study, "session-1", "declined", AS_OF, {}, users
        ),
        "chatham_house": lambda: chatham_house_card(study),
        "confidentiality_reminder": lambda: confidentiality_reminder_card(study),
        "welcome": lambda: welcome_card(study),
        "late_joiner": lambda: late_joiner_card(study, "FocusBot"),
        "closing": lambda: closing_card(study, AS_OF + timedelta(days=14)),
        "status": lambda: status_card("Session A", ["Ann"], ["Bob"], ["Cy", "Di"], AS_OF),
        "help": lambda: help_card(
            [("consent", "Show the consent card")], is_facilitator=False, bot_name="FocusBot"
        ),
        "notice": lambda: notice_card("A participant chose not to consent", "Details"),
        "consent_receipt": lambda: consent_receipt_card(
            "Your consent receipt", [("Recorded", "Friday 3 July 2026, 14:05")],
            ["I agree"], "Type 'withdraw'", "Contact us",
        ),
        "notice_urgent": lambda: notice_card("Attention", "Now", urgent=True),
        "report_dialog": report_dialog_card,
        "remove_dialog": remove_dialog_card,
    }


@pytest.mark.parametrize(
    "name",
    list(_all_builders(load_study(DEFAULT_STUDY_FILE))),
)
def test_every_card_is_structurally_valid(study: Study, name: str) -> None:
    card = _all_builders(study)[name]()

    assert card_problems(card) == []
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert card["msteams"] == {"width": "Full"}
    # Teams rejects bot messages over about 28 KB; leave room for the activity envelope.
    assert len(json.dumps(card, ensure_ascii=False).encode("utf-8")) < 24_000


def test_builders_return_fresh_copies(study: Study) -> None:
    first = chatham_house_card(study)
    first["body"][0]["text"] = "mutated"

    assert chatham_house_card(study)["body"][0]["text"] != "mutated"


def test_structural_check_catches_broken_cards() -> None:
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "Input.Toggle", "id": "a", "title": "x"},
            {"type": "Input.Toggle", "id": "a", "title": "${left}"},
        ],
        "actions": [{"type": "Action.Execute", "title": "Go"}],
        "refresh": {"action": {"type": "Action.Execute", "verb": "v"}, "userIds": ["u"] * 61},
    }

    problems = " | ".join(card_problems(broken))

    for expected in ("version", "$schema", "no verb", "max 60", "duplicate id 'a'", "unfilled"):
        assert expected in problems


def test_consent_card_carries_session_and_form_version_in_every_action(study: Study) -> None:
    card = consent_card(study, "session-42", ["29:a", "29:b"])
    executes = _of_type(card, "Action.Execute")

    verbs = sorted(a["verb"] for a in executes)
    assert verbs == ["consent.accept", "consent.decline", "consent.refresh"]
    for action in executes:
        assert action["data"] == {"session_id": "session-42", "form_version": study.form_version}
    titles = {a["verb"]: a.get("title") for a in card["actions"]}
    assert titles == {"consent.accept": "I consent", "consent.decline": "I do not consent"}
    assert card["refresh"]["userIds"] == ["29:a", "29:b"]
    assert card["refresh"]["action"]["verb"] == "consent.refresh"


def test_consent_card_has_one_toggle_per_statement_marked_when_required(study: Study) -> None:
    card = consent_card(study, "s", [], answers={"chatham_house_rule": True})
    toggles = _of_type(card, "Input.Toggle")

    assert [t["id"] for t in toggles] == [f"statement.{s.id}" for s in study.consent_statements]
    values = {t["id"]: t["value"] for t in toggles}
    assert values["statement.chatham_house_rule"] == "true"
    assert values["statement.read_information_sheet"] == "false"
    for toggle, statement in zip(toggles, study.consent_statements, strict=True):
        assert toggle["title"].endswith("(required)") == statement.required
        assert "{" not in toggle["title"]


def test_consent_card_truncates_refresh_user_ids_to_sixty(study: Study) -> None:
    users = [f"29:user-{i}" for i in range(100)]

    card = consent_card(study, "s", users)

    assert card["refresh"]["userIds"] == users[:60]


def test_consent_card_shows_error_in_attention_colour(study: Study) -> None:
    card = consent_card(study, "s", [], error="Please tick every required statement.")

    errors = [b for b in _of_type(card, "TextBlock") if b.get("color") == "Attention"]
    assert [b["text"] for b in errors] == ["Please tick every required statement."]


def test_consent_answer_card_shows_own_answer_time_and_change_button(study: Study) -> None:
    answers = {s.id: True for s in study.consent_statements}
    card = consent_answer_card(study, "s-1", "accepted", AS_OF, answers, ["29:a"])
    text = " ".join(_strings(card))

    assert "You consented on Monday 23 November 2026, 10:04." in text  # GMT in November
    assert study.form_version in text
    assert text.count("✔") == len(study.consent_statements)
    actions = card["actions"]
    assert [(a["type"], a["verb"], a["title"]) for a in actions] == [
        ("Action.Execute", "consent.change", "Change my answer")
    ]
    assert actions[0]["data"] == {"session_id": "s-1", "form_version": study.form_version}
    assert card["refresh"]["action"]["data"] == actions[0]["data"]
    assert card["refresh"]["userIds"] == ["29:a"]


def test_declined_answer_card_includes_decline_message_in_london_time(study: Study) -> None:
    recorded = datetime(2026, 11, 23, 11, 4, tzinfo=timezone(timedelta(hours=1)))
    card = consent_answer_card(study, "s", "declined", recorded, {}, [])
    text = " ".join(_strings(card))

    assert "You chose not to take part" in text
    assert "(recorded on Monday 23 November 2026, 10:04)" in text  # 11:04+01:00 is 10:04 GMT
    assert "UTC" not in text
    assert study.decline_message in text
    assert "✔" not in text


def test_consent_answer_card_rejects_unknown_decision(study: Study) -> None:
    with pytest.raises(ValueError, match="decision"):
        consent_answer_card(study, "s", "maybe", AS_OF, {}, [])  # type: ignore[arg-type]


def test_information_sheet_sections_are_collapsible(study: Study) -> None:
    card = information_sheet_card(study)
    toggles = _of_type(card, "Action.ToggleVisibility")
    ids = {n["id"]: n for n in _walk(card) if isinstance(n, dict) and "id" in n}

    assert len(toggles) == len(study.sections)
    for number, toggle in enumerate(toggles, start=1):
        targets = [t["elementId"] for t in toggle["targetElements"]]
        body_id = f"section.{number}.body"
        assert body_id in targets
        assert ids[body_id]["isVisible"] is False
        assert all(t in ids for t in targets)
    text = " ".join(_strings(card))
    assert study.title in text
    assert study.contact_email in text
    for section in study.sections:
        assert section.heading in text


def test_closing_card_states_deadline_and_contact(study: Study) -> None:
    card = closing_card(study, datetime(2026, 12, 7, 10, 4, tzinfo=UTC))
    text = " ".join(_strings(card))

    assert "Monday 7 December 2026, 10:04" in text and "UTC" not in text
    assert study.withdrawal_contact_email in text
    # In summer London is an hour ahead of UTC: the deadline reads as the study's clock shows.
    summer = " ".join(_strings(closing_card(study, datetime(2026, 7, 17, 13, 5, tzinfo=UTC))))
    assert "Friday 17 July 2026, 14:05" in summer and "13:05" not in summer
    elsewhere = closing_card(study, datetime(2026, 7, 17, 13, 5, tzinfo=UTC),
                             zone="America/New_York")
    assert "Friday 17 July 2026, 09:05" in " ".join(_strings(elsewhere))


def test_late_joiner_card_tells_how_to_see_consent_again(study: Study) -> None:
    text = " ".join(_strings(late_joiner_card(study, "FocusBot")))
    assert "@FocusBot consent" in text


def test_reminder_cards_use_the_study_texts(study: Study) -> None:
    assert study.chatham_house_reminder in _strings(chatham_house_card(study))
    assert study.confidentiality_reminder in _strings(confidentiality_reminder_card(study))
    assert study.welcome in _strings(welcome_card(study))


def test_status_card_counts_and_names_each_group() -> None:
    card = status_card("Session A", ["Ann", "Bo"], [], ["Cy"], AS_OF)
    text = " | ".join(_strings(card))

    facts = {f["title"]: f["value"] for f in _of_type(card, "FactSet")[0]["facts"]}
    assert facts == {"Consented": "2", "Chose not to take part": "0", "Not answered yet": "1"}
    assert "Ann, Bo" in text
    assert "As of Monday 23 November 2026, 10:04" in text
    summer = status_card("Session A", [], [], [], datetime(2026, 7, 3, 13, 5, tzinfo=UTC))
    assert "As of Friday 3 July 2026, 14:05" in " | ".join(_strings(summer))


def test_help_card_lists_commands_for_facilitators() -> None:
    card = help_card(
        [("status", "Show consent status"), ("end", "End the session")],
        is_facilitator=True,
        bot_name="FocusBot",
    )
    facts = _of_type(card, "FactSet")[0]["facts"]

    assert facts == [
        {"title": "@FocusBot status", "value": "Show consent status"},
        {"title": "@FocusBot end", "value": "End the session"},
    ]
    assert "Facilitator commands" in _strings(card)


def test_urgent_notice_is_styled_as_attention() -> None:
    card = notice_card("A participant chose not to consent", "See status", urgent=True)
    container = card["body"][0]

    assert container["style"] == "attention"
    assert container["items"][0]["color"] == "Attention"


def test_quotes_braces_and_placeholders_in_data_are_kept_verbatim(study: Study) -> None:
    card = status_card(NASTY, [NASTY], [], [], AS_OF)
    notice = notice_card(NASTY, NASTY)
    late = late_joiner_card(study, NASTY)
    answer = consent_answer_card(study, NASTY, "accepted", AS_OF, {}, [NASTY])

    assert NASTY in _strings(card)
    assert inert(NASTY) in _strings(notice)  # a notice's text is Markdown: made inert
    assert f"@{NASTY} consent" in " ".join(_strings(late))
    assert answer["actions"][0]["data"]["session_id"] == NASTY
    assert answer["refresh"]["userIds"] == [NASTY]
    for built in (card, notice, late, answer):
        assert json.loads(json.dumps(built)) == built
        assert [p for p in card_problems(built) if "unfilled" not in p] == []


def test_render_rejects_missing_and_unknown_placeholders() -> None:
    with pytest.raises(TemplateError, match="missing"):
        render("notice", title="t", text="x", style="default")
    with pytest.raises(TemplateError, match="unknown"):
        render("notice", title="t", text="x", style="default", color="Default", extra="y")
    with pytest.raises(TemplateError, match="no card template"):
        render("does_not_exist")
    with pytest.raises(TemplateError, match="invalid template name"):
        render("../study/default")


def test_render_refuses_structures_inside_running_text() -> None:
    with pytest.raises(TemplateError, match="must be a string"):
        render("late_joiner", short_title="t", text="x", bot_name=["not", "text"])


def test_render_does_not_re_expand_placeholders_in_values() -> None:
    card = render("notice", title="${text}", text="${title}", style="default", color="Default")
    texts = [b["text"] for b in _of_type(card, "TextBlock")]

    assert texts == ["${text}", "${title}"]


def test_the_withdrawal_review_card_shows_text_verbatim_with_exclude_and_keep() -> None:
    card = mention_review_card(NASTY, [(7, "P02", NASTY, "pending"), (9, "F1", "+1", "keep")])
    assert [p for p in card_problems(card) if "unfilled" not in p] == []  # NASTY has ${x}
    assert NASTY in _strings(card)
    runs = [i for b in card["body"] if b["type"] == "Container" for e in b["items"]
            if e["type"] == "RichTextBlock" for i in e["inlines"]]
    assert {"type": "TextRun", "text": NASTY} in runs  # a TextRun: no Markdown, no links
    actions = [a for b in card["body"] if b["type"] == "Container" for e in b["items"]
               if e["type"] == "ActionSet" for a in e["actions"]]
    assert [(a["title"], a["verb"], a["data"]["review_id"]) for a in actions] == [
        ("Exclude", "withdrawal.review.exclude", 7), ("Keep", "withdrawal.review.keep", 7),
        ("Exclude", "withdrawal.review.exclude", 9), ("Keep", "withdrawal.review.keep", 9)]
    assert json.loads(json.dumps(card)) == card


def test_the_report_dialog_offers_concerns_and_says_the_reporter_stays_unnamed() -> None:
    card = report_dialog_card()
    [choices] = _of_type(card, "Input.ChoiceSet")
    assert [c["value"] for c in choices["choices"]] == ["identifying", "safeguarding", "other"]
    assert not _of_type(card, "Input.Text")  # no free text: nothing more is stored
    [submit] = _of_type(card, "Action.Submit")
    assert submit["data"] == {"action": "report"}
    assert any("not be told who reported it" in s for s in _strings(card))
    assert _of_type(remove_dialog_card(), "Action.Submit")[0]["data"] == {"action": "remove"}


def test_a_reported_flag_card_offers_leaving_the_message_out_and_names_no_reporter() -> None:
    content = FlagCardContent(
        flag_id=7, kind="reported", sent_at=AS_OF, author_name="Ann", author_pseudonym="P01",
        segments=[Segment("It happened at the **usual** place")], reasons=[],
        history=[HistoryEntry("report", "A participant", AS_OF, "It may identify someone")])
    card = flag_card(content)
    assert card_problems(card) == []
    text = " ".join(_strings(card))
    assert "A message was reported to you" in text and "does not say who reported" in text
    assert "A participant reported this message to the facilitators" in text
    titles = {a["verb"]: a["title"] for a in _of_type(card, "Action.Execute")}
    assert titles["flag.redact"] == "Leave out of export" and "flag.dismiss" in titles
    redacted = flag_card(replace(content, status="redact"))
    assert "Will be left out of the export." in _strings(redacted)
