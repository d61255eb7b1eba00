"""Exports cannot hurt their reader: spreadsheet formulas are neutralised, characters XML
cannot hold never break the DOCX, and one format that fails never costs the others."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from docx import Document

import export.render as render_module
from export.build import ExportLine, SessionExport
from export.render import ABOUT, FORMATS, csv_cell, render_all, to_csv, to_docx, xml_safe

AT = datetime(2026, 11, 29, 14, 5, tzinfo=UTC)


def session_export(*texts: str, speaker: str = "P01") -> SessionExport:
    export = SessionExport(study_id="s", study_title="Study", session_id="abcdef12-0000",
                           session_date="2026-11-29", started_at=AT, ended_at=None,
                           form_version="v1", generated_at=AT)
    export.lines = [ExportLine(seq=i + 1, message_id=i + 1, at=AT, speaker=speaker,
                               role="participant", text=text, edited=False,
                               removed_mentions=0, redactions={})
                    for i, text in enumerate(texts)]
    return export


def csv_body(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3",
                                  "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_a_message_that_looks_like_a_formula_is_written_as_text(text: str) -> None:
    rows = csv_body(to_csv(session_export(text)))
    assert rows[1][rows[0].index("text")] == "'" + text


def test_ordinary_cells_and_numbers_are_left_alone() -> None:
    assert csv_cell("agree with P03") == "agree with P03"
    assert csv_cell(7) == 7
    assert csv_cell("") == ""
    rows = csv_body(to_csv(session_export("a - b = c", speaker="-P01")))
    assert rows[1][rows[0].index("text")] == "a - b = c"
    assert rows[1][rows[0].index("speaker")] == "'-P01"


def test_control_characters_never_break_the_docx() -> None:
    hostile = "before\x00\x01\x08\x0b\x0c\x1b\ufffe\uffff\ud800after\ttab"
    data = to_docx(session_export(hostile, "fine"))
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert any("beforeafter\ttab" in p for p in paragraphs)
    assert any("fine" in p for p in paragraphs)


def test_xml_safe_keeps_every_legal_character() -> None:
    legal = "tab\t nl\n cr\r é ✓ \U0001f600 \ud7ff \ue000 \ufffd"
    assert xml_safe(legal) == legal


def test_one_failing_format_leaves_the_others_and_names_the_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_export: SessionExport) -> bytes:
        raise ValueError("boom")

    monkeypatch.setattr(render_module, "to_docx", broken)
    files, failed = render_all(session_export("hello"), FORMATS)
    assert set(files) == {"csv", "jsonl", "qdpx", ABOUT}
    assert set(failed) == {"docx"}
    assert "docx" in failed["docx"] and "boom" not in failed["docx"]
