"""The REFI-QDA export (`.qdpx`) is a zip with `project.qde` that validates against the
REFI-QDA Project schema and that an independent parser (pyrefiqda) reads back: the chat as a
text source, speakers as cases, selections that cover exactly each contribution."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from pyrefiqda import RefiProject

from export.build import ExportLine, SessionExport
from export.qdpx import NAMESPACE, SCHEMA, to_qdpx

AT = datetime(2026, 7, 29, 14, 5, tzinfo=UTC)
HOSTILE = "ok\x00\x0b ]]> <script>&amp; \ud800 \"' 😀"


def session_export(*lines: tuple[str, str, str], edited: bool = False) -> SessionExport:
    export = SessionExport(study_id="hybrid-2026", study_title="Hybrid <conferences> & co",
                           session_id="abcdef12-3456-7890", session_date="2026-07-29",
                           started_at=AT, ended_at=AT + timedelta(hours=1), form_version="v2",
                           generated_at=AT + timedelta(days=20))
    export.lines = [
        ExportLine(seq=i + 1, message_id=i + 1, at=AT + timedelta(minutes=i), speaker=speaker,
                   role=role, text=text, edited=edited, removed_mentions=0, redactions={})
        for i, (speaker, role, text) in enumerate(lines)
    ]
    return export


CHAT = (
    ("F1", "facilitator", "What do you think?"),
    ("P01", "participant", "Agree with P02 and [PERSON], not [REMOVED]. é ✓ 😀"),
    ("P02", "participant", "Two\nlines"),
    ("P01", "participant", HOSTILE),
)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_zip_with_project_qde_and_one_text_source() -> None:
    data = to_qdpx(session_export(*CHAT))
    assert data[:4] == b"PK\x03\x04"
    entries = unzip(data)
    assert list(entries)[0] == "project.qde"
    (source,) = [name for name in entries if name != "project.qde"]
    assert source.startswith("sources/") and source.endswith(".txt") and source.count("/") == 1
    assert entries["project.qde"].startswith(b"<?xml")
    root = etree.fromstring(entries["project.qde"])
    assert root.tag == f"{{{NAMESPACE}}}Project"


@pytest.mark.parametrize("lines", [CHAT, ()], ids=["chat", "empty"])
def test_project_validates_against_the_refi_qda_schema(
    lines: tuple[tuple[str, str, str], ...],
) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.fromstring(unzip(to_qdpx(session_export(*lines)))["project.qde"])
    assert schema.validate(document), schema.error_log


def test_pyrefiqda_reads_it_back(tmp_path: Path) -> None:
    path = tmp_path / "session.qdpx"
    path.write_bytes(to_qdpx(session_export(*CHAT, edited=True)))
    project = RefiProject.load(path, extract_dir=str(tmp_path / "extracted"))

    assert project.name == "Hybrid <conferences> & co, focus group 2026-07-29 (abcdef12)"
    assert [case.name for case in project.cases.case] == ["F1", "P01", "P02"]
    assert len(project.users.user) == 1
    (source,) = project.sources.text_source
    text = RefiProject.resolve_source_path(source.plain_text_path, tmp_path / "extracted") \
        .read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "F1: What do you think? (edited, 15:05)"  # UK time, speaker first
    assert lines[2] == "P02: Two / lines (edited, 15:07)"
    assert [line.split(":", 1)[0] for line in lines] == ["F1", "P01", "P02", "P01"]

    by_guid = {s.guid: s for s in source.plain_text_selection}
    covered = [text[s.start_position:s.end_position] for s in source.plain_text_selection]
    assert covered[:4] == lines  # a selection is exactly one contribution
    assert covered[4:] == ["[PERSON]", "[REMOVED]"]  # placeholders coded by category
    p01 = next(case for case in project.cases.case if case.name == "P01")
    assert [by_guid[ref.target_guid].start_position for ref in p01.selection_ref] == [
        s.start_position for s, line in zip(source.plain_text_selection, lines, strict=False)
        if line.startswith("P01:")]

    codes = {code.name: [child.name for child in code.code]
             for code in project.code_book.codes.code}
    assert codes == {"Speakers": ["F1", "P01", "P02"],
                     "Redacted details": ["[PERSON]", "[REMOVED]"]}


def test_times_in_attributes_are_iso_utc() -> None:
    root = etree.fromstring(unzip(to_qdpx(session_export(*CHAT)))["project.qde"])
    assert root.get("creationDateTime") == "2026-08-18T14:05:00+00:00"
    values = root.findall(f".//{{{NAMESPACE}}}DateTimeValue")
    assert [v.text for v in values] == ["2026-07-29T14:05:00+00:00",
                                        "2026-07-29T15:05:00+00:00"]


def test_hostile_text_cannot_break_the_project() -> None:
    entries = unzip(to_qdpx(session_export(*CHAT)))
    root = etree.fromstring(entries["project.qde"])  # would raise on a control character
    text = next(data for name, data in entries.items() if name != "project.qde").decode()
    assert "P01: ok ]]> <script>&amp;" in text and "\x00" not in text
    assert not root.findall(".//script")


def test_the_same_export_gives_the_same_bytes() -> None:
    assert to_qdpx(session_export(*CHAT)) == to_qdpx(session_export(*CHAT))
