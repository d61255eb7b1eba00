"""The study file: default content, content hash as form version, one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from study import DEFAULT_STUDY_FILE, Study, StudyError, load_study


def _default_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_STUDY_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: Any, name: str = "study.yaml") -> Path:
    file = tmp_path / name
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return file


def _error_for(file: Path) -> str:
    with pytest.raises(StudyError) as caught:
        load_study(file)
    message = str(caught.value)
    assert "\n" not in message, message
    assert message.startswith(f"study file {file}: "), message
    return message


def test_default_study_loads_with_the_sheet_and_consent_statements() -> None:
    study = load_study(DEFAULT_STUDY_FILE)

    assert isinstance(study, Study)
    assert study.contact_email == "HybridCP@researchinpractice.org.uk"
    assert study.withdrawal_contact_email == "events@researchinpractice.org.uk"
    assert study.withdrawal_window_days == 14
    assert study.auto_response == "none"
    assert study.auto_response_min_interval_minutes == 5
    headings = [s.heading for s in study.sections]
    assert "Confidentiality" in headings
    assert "How will data be stored?" in headings
    ids = [s.id for s in study.consent_statements]
    assert len(ids) == len(set(ids)) >= 8
    assert "chatham_house_rule" in ids
    assert all(s.required for s in study.consent_statements)
    assert len(study.form_version) == 12
    assert study.content_hash.startswith(study.form_version)


def test_default_study_sections_stay_faithful_to_the_source_sheet() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    text = " ".join(p for s in study.sections for p in s.paragraphs)

    for fact in (
        "Dr Laura L. Cook",
        "Dr Mary Baginsky",
        "up to two weeks after the focus group",
        "events@researchinpractice.org.uk",
        "HybridCP@researchinpractice.org.uk",
        "Chatham House Rule",
        "serious risk to the participant or service users",
        "NR4 7TJ",
    ):
        assert fact in text, fact


def test_loading_default_study_from_a_string_path_works() -> None:
    assert load_study(str(DEFAULT_STUDY_FILE)) == load_study(DEFAULT_STUDY_FILE)


def test_hash_is_stable_when_yaml_is_reformatted(tmp_path: Path) -> None:
    original = load_study(DEFAULT_STUDY_FILE)
    data = _default_data()
    reordered = dict(reversed(list(data.items())))
    flow_style = tmp_path / "flow.yaml"
    flow_style.write_text(
        "# a comment that must not matter\n" + yaml.safe_dump(reordered, default_flow_style=True),
        encoding="utf-8",
    )

    assert load_study(_write(tmp_path, data)).content_hash == original.content_hash
    assert load_study(flow_style).content_hash == original.content_hash


def test_hash_changes_when_a_statement_changes(tmp_path: Path) -> None:
    original = load_study(DEFAULT_STUDY_FILE)
    data = _default_data()
    data["consent_statements"][0]["text"] += " Changed."

    changed = load_study(_write(tmp_path, data))

    assert changed.content_hash != original.content_hash
    assert changed.form_version != original.form_version


def test_hash_changes_when_a_statement_becomes_optional(tmp_path: Path) -> None:
    original = load_study(DEFAULT_STUDY_FILE)
    data = _default_data()
    data["consent_statements"][0]["required"] = False

    assert load_study(_write(tmp_path, data)).form_version != original.form_version


def test_study_is_immutable() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    with pytest.raises(ValueError):
        study.title = "Another"


def test_format_text_fills_deadline_and_emails_in_closing_message() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    deadline = datetime(2026, 12, 7, 10, 4, tzinfo=UTC)

    text = study.format_text("closing_message", withdrawal_deadline=deadline)

    assert "Monday 7 December 2026, 10:04" in text and "UTC" not in text
    assert "events@researchinpractice.org.uk" in text
    assert "{" not in text


def test_format_text_shows_the_deadline_on_the_study_clock() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    local = datetime(2026, 12, 7, 12, 4, tzinfo=timezone(timedelta(hours=2)))

    assert "Monday 7 December 2026, 10:04" in study.format_text(
        "closing_message", withdrawal_deadline=local
    )
    summer = datetime(2026, 7, 17, 13, 5, tzinfo=UTC)  # 14:05 BST: UTC would read an hour early
    assert "Friday 17 July 2026, 14:05" in study.format_text(
        "closing_message", withdrawal_deadline=summer)
    assert "Friday 17 July 2026, 09:05" in study.format_text(
        "withdrawal_closed_message", withdrawal_deadline=summer, zone="America/New_York")


def test_format_text_without_a_needed_deadline_is_an_error() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    with pytest.raises(ValueError, match="withdrawal_deadline"):
        study.format_text("closing_message")


def test_format_text_rejects_fields_that_are_not_texts() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    with pytest.raises(ValueError, match="not a study text field"):
        study.format_text("contact_email")


def test_withdrawal_deadline_is_window_days_after_session_end() -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    ended = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert study.withdrawal_deadline_for(ended) == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_missing_file_gives_one_line_error(tmp_path: Path) -> None:
    message = _error_for(tmp_path / "nope.yaml")
    assert "file not found" in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text("title: ok\nsections: [unclosed\nwelcome: hi\n", encoding="utf-8")

    message = _error_for(file)

    assert "YAML syntax error at line" in message


def test_duplicate_yaml_key_is_reported_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text("title: one\ntitle: two\n", encoding="utf-8")

    message = _error_for(file)

    assert "line 2" in message
    assert "duplicate key 'title'" in message


def test_empty_file_and_non_mapping_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")

    assert "file is empty" in _error_for(empty)
    assert "expected a mapping" in _error_for(listing)


def test_missing_field_names_its_path(tmp_path: Path) -> None:
    data = _default_data()
    del data["consent_statements"][2]["id"]
    file = _write(tmp_path, data, "x.yaml")

    message = _error_for(file)

    assert message == f"study file {file}: consent_statements.2.id: field required"


def test_missing_top_level_field_is_named(tmp_path: Path) -> None:
    data = _default_data()
    del data["closing_message"]

    assert "closing_message: field required" in _error_for(_write(tmp_path, data))


def test_duplicate_statement_id_is_rejected(tmp_path: Path) -> None:
    data = _default_data()
    data["consent_statements"][1]["id"] = data["consent_statements"][0]["id"]

    message = _error_for(_write(tmp_path, data))

    assert "consent_statements: duplicate statement id 'read_information_sheet'" in message


def test_bad_email_is_rejected(tmp_path: Path) -> None:
    data = _default_data()
    data["withdrawal_contact_email"] = "events at researchinpractice"

    message = _error_for(_write(tmp_path, data))

    assert "withdrawal_contact_email: not a valid email address" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(withdrawal_window_days=0), "withdrawal_window_days: input should be"),
        (lambda d: d.update(withdrawal_window_days=400), "withdrawal_window_days: input should be"),
        (lambda d: d.update(welcome="   "), "welcome: "),
        (lambda d: d.update(auto_response="shout"), "auto_response: input should be"),
        (lambda d: d.update(unexpected="x"), "unexpected: unknown field"),
        (
            lambda d: [s.update(required=False) for s in d["consent_statements"]],
            "consent_statements: at least one statement must be required",
        ),
        (
            lambda d: d["consent_statements"][0].update(id="Not Snake"),
            "consent_statements.0.id: string should match pattern",
        ),
        (lambda d: d.update(welcome="Hello {nmae}"), "welcome: unknown placeholder {nmae}"),
        (
            lambda d: d.update(welcome="By {withdrawal_deadline}"),
            "welcome: placeholder {withdrawal_deadline} is only allowed in",
        ),
        (lambda d: d.update(sections=[]), "sections: "),
    ],
    ids=[
        "window-zero",
        "window-too-long",
        "blank-text",
        "unknown-auto-response",
        "extra-field",
        "no-required-statement",
        "statement-id-not-snake-case",
        "unknown-placeholder",
        "deadline-outside-closing-texts",
        "no-sections",
    ],
)
def test_invalid_study_gives_one_clear_line(tmp_path: Path, change: Any, expected: str) -> None:
    data = _default_data()
    change(data)

    assert expected in _error_for(_write(tmp_path, data))
