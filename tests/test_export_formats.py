"""Each export opens as the tools researchers use expect: the first bytes and the structure of
CSV (Excel, NVivo datasets, MAXQDA/ATLAS.ti tables), DOCX (MAXQDA focus-group import, NVivo
auto coding by speaker), the about text and JSONL; UK time where people read, UTC for
machines."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from docx import Document

from export.build import ExportLine, SessionExport
from export.render import (
    ABOUT,
    CSV_COLUMNS,
    file_name,
    render_all,
    to_about,
    to_csv,
    to_docx,
    to_jsonl,
)

SUMMER = datetime(2026, 7, 29, 14, 5, tzinfo=UTC)  # 15:05 in London
WINTER = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)  # 14:05 in London
TEXTS = (
    ("F1", "facilitator", "Welcome: what do you think of hybrid conferences?"),
    ("P01", "participant", "Agree with P02, and \"quotes\", commas\nand a second line"),
    ("P02", "participant", "Thanks P01 [PERSON] said the same: é ✓"),
)


def session_export(at: datetime = WINTER, *, edited_last: bool = False) -> SessionExport:
    export = SessionExport(study_id="hybrid-2026", study_title="Hybrid conferences",
                           session_id="abcdef12-3456-7890", session_date=f"{at:%Y-%m-%d}",
                           started_at=at, ended_at=at + timedelta(hours=1),
                           form_version="v2", generated_at=at + timedelta(days=20))
    export.lines = [
        ExportLine(seq=i + 1, message_id=i + 1, at=at + timedelta(minutes=i), speaker=speaker,
                   role=role, text=text, edited=edited_last and i == len(TEXTS) - 1,
                   removed_mentions=0, redactions={})
        for i, (speaker, role, text) in enumerate(TEXTS)
    ]
    export.excluded["hidden"] = 2
    return export


def chat_paragraphs(data: bytes) -> tuple[list[str], list[str]]:
    """(everything before the 'Chat' heading incl. table cells, the paragraphs after it)."""
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    cut = texts.index("Chat")
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return texts[:cut] + cells, texts[cut + 1:]


def test_csv_starts_with_a_bom_and_the_column_names_in_row_one() -> None:
    data = to_csv(session_export())
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(CSV_COLUMNS).encode() + b"\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == 1 + len(TEXTS)  # one row per message, nothing else
    assert not any(line.startswith(b"#") for line in data.split(b"\r\n"))


def test_csv_keeps_quotes_commas_and_line_breaks_inside_one_cell() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(session_export()).decode("utf-8-sig"),
                                           newline="")))
    assert [r["text"] for r in rows] == [t for _, _, t in TEXTS]
    assert [r["speaker"] for r in rows] == ["F1", "P01", "P02"]


def test_csv_times_are_iso_utc_even_in_summer() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(session_export(SUMMER)).decode("utf-8-sig"),
                                           newline="")))
    assert rows[0]["time_utc"] == "2026-07-29T14:05:00+00:00"
    assert rows[0]["session_date"] == "2026-07-29"


def test_docx_one_paragraph_per_contribution_speaker_first_time_after() -> None:
    _, chat = chat_paragraphs(to_docx(session_export(SUMMER, edited_last=True)))
    assert len(chat) == len(TEXTS)
    for paragraph, (speaker, _, _) in zip(chat, TEXTS, strict=True):
        assert re.match(rf"{speaker}: \S", paragraph), paragraph
    assert chat[0] == "F1: Welcome: what do you think of hybrid conferences? (15:05)"
    assert chat[1].startswith("P01: Agree with P02") and "\nand a second line" in chat[1]
    assert chat[2].endswith("(edited, 15:07)")


def test_nothing_before_the_chat_can_be_taken_for_a_speaker() -> None:
    """MAXQDA: a colon within the first 63 characters of a paragraph starts a speaker."""
    before, _ = chat_paragraphs(to_docx(session_export()))
    assert before and not [p for p in before if ":" in p[:64]]


def test_docx_header_dates_are_uk_dates() -> None:
    before, _ = chat_paragraphs(to_docx(session_export(SUMMER)))
    assert "Wednesday 29 July 2026" in before
    assert "Europe/London" in before
    properties = Document(io.BytesIO(to_docx(session_export(SUMMER)))).core_properties
    assert properties.title == "Anonymised focus group chat, Wednesday 29 July 2026"


def test_about_text_holds_the_header_in_uk_time() -> None:
    about = to_about(session_export(SUMMER)).decode("utf-8")
    assert about.startswith("Anonymised focus group chat\n")
    assert "Session started: Wednesday 29 July 2026, 15:05\n" in about
    assert "Session ended: Wednesday 29 July 2026, 16:05\n" in about
    assert "Generated: Tuesday 18 August 2026, 15:05\n" in about
    assert "Messages excluded (hidden by a facilitator): 2\n" in about
    assert "[REMOVED]" in about and "time_utc" in about


def test_render_all_gives_the_about_text_beside_the_formats() -> None:
    export = session_export()
    files, failed = render_all(export, ("csv",))
    assert failed == {} and set(files) == {"csv", ABOUT}
    assert file_name(export, ABOUT) == "focus-group_2026-11-29_abcdef12_about.txt"
    assert file_name(export, "csv") == "focus-group_2026-11-29_abcdef12.csv"


def test_jsonl_stays_utc() -> None:
    rows = [json.loads(line) for line in to_jsonl(session_export(SUMMER)).splitlines()]
    assert rows[0]["record"] == "header"
    assert rows[0]["generated_at"] == "2026-08-18T14:05:00+00:00"
    assert rows[1]["time_utc"] == "2026-07-29T14:05:00+00:00"
