"""Transcript redaction (.vtt and .docx) and the retention purge."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from docx import Document

from export.transcript import redact_transcript_file
from services.retention import purge_due, run_retention
from tests.harness.store_reads import audit_entries
from tests.test_export_seed import (  # noqa: F401  (fixtures)
    END,
    GWEN,
    PRIYANKA,
    TOBIAS,
    Seeded,
    screener_fixture,
    seeded_fixture,
)

VTT = f"""WEBVTT

3f1c2a0e-7d3b-4b8e-9a55-0c4e2b1d9f10/12-0
00:00:01.000 --> 00:00:04.500
<v {PRIYANKA.name}>Hello, I work with Tobias at Hillcrest Primary School in Wymondham.</v>

3f1c2a0e-7d3b-4b8e-9a55-0c4e2b1d9f10/13-0
00:00:05.000 --> 00:00:07.000
<v {TOBIAS.name}>Call me on 07700 900123 after the session.</v>

3f1c2a0e-7d3b-4b8e-9a55-0c4e2b1d9f10/14-0
00:00:08.000 --> 00:00:09.000
<v Margaret Ellsworth-Pike>I joined by phone.</v>

3f1c2a0e-7d3b-4b8e-9a55-0c4e2b1d9f10/15-0
00:00:10.000 --> 00:00:12.000
<v {GWEN.name}>I said something but did not consent.</v>
"""

FORBIDDEN = ["Priyanka", "Ramaswamy", "Tobias", "Okonkwo", "Hillcrest", "Wymondham",
             "07700 900123", "Margaret", "Ellsworth", "Gwendolyn", "did not consent"]


async def test_vtt_speakers_become_pseudonyms_and_spans_are_replaced(
    seeded: Seeded, screener: Any, tmp_path: Path
) -> None:
    source = tmp_path / "meeting.vtt"
    source.write_text(VTT, encoding="utf-8")
    out = tmp_path / "meeting.redacted.vtt"
    result = await redact_transcript_file(
        seeded.store, source, out, session_id=seeded.sessions[0].id, screener=screener,
        now=END, actor="cli:researcher")
    text = out.read_text(encoding="utf-8")
    assert [w for w in FORBIDDEN if w in text] == []
    assert "<v P01>Hello, I work with [" in text and "in [LOCATION].</v>" in text
    assert "<v P02>Call me on [CONTACT] after the session.</v>" in text
    assert "<v Speaker 1>I joined by phone.</v>" in text  # not in the chat roster
    assert "<v P03>[REMOVED]</v>" in text  # declined consent: what they said is not kept
    assert "00:00:05.000 --> 00:00:07.000" in text
    assert result.speakers == 4
    (entry,) = await audit_entries(seeded.store, "transcript.redacted")
    assert entry["details"]["cues"] == 4


async def test_docx_transcript_is_redacted_in_place_of_names(
    seeded: Seeded, screener: Any, tmp_path: Path
) -> None:
    document = Document()
    document.core_properties.author = PRIYANKA.name
    document.add_paragraph(f"{PRIYANKA.name}   0:03")
    document.add_paragraph("I chair conferences in Wymondham with Tobias.")
    document.add_paragraph(f"{TOBIAS.name}   0:09")
    document.add_paragraph("Email me at tobias.okonkwo@example.org please.")
    source = tmp_path / "meeting.docx"
    document.save(str(source))
    out = tmp_path / "meeting.redacted.docx"
    await redact_transcript_file(
        seeded.store, source, out, session_id=seeded.sessions[0].id, screener=screener,
        now=END, actor="cli:researcher")
    redacted = Document(str(out))
    text = "\n".join(p.text for p in redacted.paragraphs)
    assert [w for w in FORBIDDEN if w in text] == [] and "example.org" not in text
    assert text.splitlines() == ["P01   0:03", "I chair conferences in [LOCATION] with [PERSON].",
                                 "P02   0:09", "Email me at [CONTACT] please."]
    assert redacted.core_properties.author == ""


def test_retention_is_due_only_after_the_given_date() -> None:
    assert not purge_due(None, datetime(2030, 1, 1, tzinfo=UTC))
    assert not purge_due(date(2027, 3, 31), datetime(2027, 3, 31, 23, 59, tzinfo=UTC))
    assert purge_due(date(2027, 3, 31), datetime(2027, 4, 1, 0, 0, tzinfo=UTC))


async def test_retention_purges_once_the_date_has_passed(seeded: Seeded, screener: Any) -> None:
    def clock() -> datetime:
        return datetime(2027, 4, 2, tzinfo=UTC)

    early = await run_retention(seeded.store, seeded.study, screener=lambda: screener,
                                clock=lambda: datetime(2027, 3, 1, tzinfo=UTC),
                                purge_after=date(2027, 3, 31))
    assert early is None and (await seeded.store.linking_identifiers())[0]
    report = await run_retention(seeded.store, seeded.study, screener=lambda: screener,
                                 clock=clock, purge_after=date(2027, 3, 31))
    assert report is not None and report.clean
    assert await seeded.store.linking_identifiers() == (set(), set())
    again = await run_retention(seeded.store, seeded.study, screener=lambda: screener,
                                clock=clock, purge_after=date(2027, 3, 31))
    assert again is None  # nothing left to purge
    (entry,) = await audit_entries(seeded.store, "purge.completed")
    assert entry["actor"] == "retention"
