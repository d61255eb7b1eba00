"""Write a `SessionExport` as DOCX, CSV, JSONL or a REFI-QDA project. Bytes out, no I/O.

Each format is shaped for the tool that reads it:
- DOCX: one paragraph per contribution, speaker first ("P01: text (14:05)"), which is what
  MAXQDA's focus-group import and NVivo's auto coding by speaker read; nothing before the chat
  has a colon near the start of a paragraph, so no header line is taken for a speaker.
- CSV: the column names in row 1, UTF-8 with a byte order mark (Excel, NVivo datasets,
  MAXQDA/ATLAS.ti table import), RFC 4180; what the header said is in the `about` text.
- JSONL: a header record, then one record per message.
- QDPX: see `export/qdpx.py`.
Times people read are in the study's time zone ("Friday 29 November 2026, 14:05"); machine
fields (CSV time columns, JSONL, QDPX attributes) are ISO 8601 UTC.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import UTC, datetime

from docx import Document
from docx.shared import Pt, RGBColor

from export.build import ExportLine, SessionExport
from export.exclusions import EXCLUSION_REASONS
from study.dates import format_local, format_local_clock, format_local_date

FORMATS = ("docx", "csv", "jsonl", "qdpx")
ABOUT = "about"  # the companion text every export gets: what the header says, in words
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "qdpx": "application/zip",
    ABOUT: "text/plain",
}
CSV_COLUMNS = ("session_id", "session_date", "seq", "time_utc", "speaker", "role", "text",
               "edited")
BRACKETS_NOTE = (
    "Identifying details are replaced by their category in brackets, e.g. [PERSON], "
    "[LOCATION], [ORGANISATION], [CONTACT], [ID_NUMBER], [DATE]. [REMOVED] marks a mention of "
    "a participant who withdrew from the study. Speakers appear as pseudonyms (P01, P02… for "
    "participants, F1, F2… for facilitators), assigned per session, and a name of someone "
    "whose words are in this export is written as their pseudonym (“agree with P03”). P01 in "
    "one session is unrelated to P01 in another."
)


log = logging.getLogger("export")

# Characters XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return,
# lone surrogates, U+FFFE/U+FFFF): one of them in a message made the whole DOCX fail.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 forbids removed (DOCX is XML)."""
    return _NOT_XML_CHAR.sub("", text)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will show as text: strings that would start a formula get a
    leading apostrophe, as OWASP recommends; numbers are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def file_name(export: SessionExport, fmt: str) -> str:
    """'focus-group_2026-11-29_abcdef12.csv'; the about text is '…_about.txt' beside it."""
    if fmt == ABOUT:
        return f"{export.file_stem}_about.txt"
    return f"{export.file_stem}.{fmt}"


def render_all(export: SessionExport, formats: tuple[str, ...]
               ) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every format that can be rendered, plus the `about` text that explains them, and for
    each one that cannot, a one-line reason: one failing format never costs the others."""
    files: dict[str, bytes] = {}
    failed: dict[str, str] = {}
    for fmt in (*formats, ABOUT):
        try:
            files[fmt] = render(export, fmt)
        except Exception as exc:
            log.error("export format failed", extra={"format": fmt,
                                                     "error": type(exc).__name__})
            failed[fmt] = f"the {fmt} file could not be produced ({type(exc).__name__})"
    return files, failed


def render(export: SessionExport, fmt: str) -> bytes:
    if fmt == "docx":
        return to_docx(export)
    if fmt == "csv":
        return to_csv(export)
    if fmt == "jsonl":
        return to_jsonl(export)
    if fmt == "qdpx":
        from export.qdpx import to_qdpx

        return to_qdpx(export)
    if fmt == ABOUT:
        return to_about(export)
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def iso_utc(moment: datetime) -> str:
    """'2026-11-29T14:05:00+00:00': the machine form of a time, in every format."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def header_lines(export: SessionExport, *, with_times: bool = True) -> list[tuple[str, str]]:
    """The header as (label, value) pairs, the same in every human-readable part. Neither
    labels nor values hold a colon unless `with_times` (a clock time has one), so in the
    DOCX no header line can be taken for a speaker."""
    h = export.header()
    zone = export.timezone
    excluded = h["messages_excluded"]
    spans = h["identifying_spans_replaced"]
    if with_times:
        when = [("Session started", format_local(export.started_at, zone)),
                ("Session ended", format_local(export.ended_at, zone)
                 if export.ended_at else "not ended")]
        generated = format_local(export.generated_at, zone)
    else:
        when = [("Session date", format_local_date(export.started_at, zone))]
        generated = format_local_date(export.generated_at, zone)
    return [
        ("Study", f"{export.study_title} ({export.study_id})"),
        ("Session", export.session_id),
        *when,
        ("Times shown in", zone),
        ("Consent form version", export.form_version),
        ("Generated", generated),
        ("Messages included", str(h["messages_included"])),
        *[
            (f"Messages excluded ({EXCLUSION_REASONS[k]})", str(excluded[k]))
            for k in EXCLUSION_REASONS
        ],
        ("Participants (withdrawn)",
         f"{h['participants']} ({h['withdrawn_participants']})"),
        ("Mentions of withdrawn participants removed", str(h[
            "mentions_of_withdrawn_participants_removed"])),
        ("Messages mentioning withdrawn participants (for review)",
         str(h["messages_mentioning_withdrawn_participants"])),
        ("Identifying details replaced",
         ", ".join(f"{k} {v}" for k, v in spans.items()) or "none"),
    ]


def one_line(text: str) -> str:
    """A message on one line (for the plain-text source): line breaks become ' / '."""
    return _LINE_BREAKS.sub(" / ", text)


def said_when(line: ExportLine, zone: str) -> str:
    """'(14:05)' or '(edited, 14:05)': what follows a contribution's text."""
    clock = format_local_clock(line.at, zone)
    return f"(edited, {clock})" if line.edited else f"({clock})"


def to_docx(export: SessionExport) -> bytes:
    zone = export.timezone
    document = Document()
    document.core_properties.title = xml_safe(
        f"Anonymised focus group chat, {format_local_date(export.started_at, zone)}")
    document.core_properties.author = "Focus group bot"
    document.core_properties.comments = ""
    document.add_heading("Anonymised focus group chat", level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in header_lines(export, with_times=False):
        cells = table.add_row().cells
        cells[0].text = xml_safe(label)
        cells[1].text = xml_safe(value)
    note = document.add_paragraph(BRACKETS_NOTE)
    note.runs[0].italic = True
    document.add_heading("Chat", level=2)
    if not export.lines:
        document.add_paragraph("No messages to export.")
    for line in export.lines:
        paragraph = document.add_paragraph()  # one paragraph per contribution, speaker first
        paragraph.add_run(xml_safe(line.speaker) + ": ").bold = True
        paragraph.add_run(xml_safe(line.text) + " ")  # a line break stays in the paragraph
        stamp = paragraph.add_run(said_when(line, zone))
        stamp.font.size = Pt(9)
        stamp.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_csv(export: SessionExport) -> bytes:
    """RFC 4180 CSV: column names in row 1, CRLF line ends, UTF-8 with a byte order mark (so
    Excel reads the accents right), one row per message. Every cell that a spreadsheet would
    take for a formula is neutralised (`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in export.lines:
        writer.writerow([csv_cell(cell) for cell in (
            export.session_id, export.session_date, line.seq, iso_utc(line.at), line.speaker,
            line.role, line.text, "yes" if line.edited else "no",
        )])
    return buffer.getvalue().encode("utf-8-sig")


def to_about(export: SessionExport) -> bytes:
    """The header in words, with the brackets note and the CSV's columns explained."""
    out = ["Anonymised focus group chat", ""]
    out += [f"{label}: {value}" for label, value in header_lines(export)]
    out += ["", BRACKETS_NOTE, "",
            f"CSV columns: {', '.join(CSV_COLUMNS)}. time_utc is ISO 8601 in UTC; "
            "session_date is the UTC date the session started.", ""]
    return "\n".join(out).encode("utf-8")


def to_jsonl(export: SessionExport) -> bytes:
    """First line: {"record": "header", ...}; then one {"record": "message", ...} per line."""
    rows = [{"record": "header", **export.header(), "note": BRACKETS_NOTE}]
    for line in export.lines:
        rows.append({
            "record": "message",
            "session_id": export.session_id,
            "seq": line.seq,
            "time_utc": iso_utc(line.at),
            "speaker": line.speaker,
            "role": line.role,
            "text": line.text,
            "edited": line.edited,
        })
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
