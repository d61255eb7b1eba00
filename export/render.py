"""Write a `SessionExport` as DOCX (a readable transcript), CSV or JSONL. Bytes out, no I/O."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import UTC

from docx import Document
from docx.shared import Pt

from export.build import EXCLUSION_REASONS, SessionExport

FORMATS = ("docx", "csv", "jsonl")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
}
CSV_COLUMNS = ("session_id", "session_date", "seq", "time_utc", "speaker", "role", "text",
               "edited")
BRACKETS_NOTE = (
    "Identifying details are replaced by their category in brackets, e.g. [PERSON], "
    "[LOCATION], [ORGANISATION], [CONTACT], [ID_NUMBER], [DATE]. [REMOVED] marks a mention of "
    "a participant who withdrew from the study. Speakers appear as pseudonyms (P01, P02… for "
    "participants, F1, F2… for facilitators), assigned per session: P01 in one session is "
    "unrelated to P01 in another."
)


log = logging.getLogger("export")

# Characters XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return,
# lone surrogates, U+FFFE/U+FFFF): one of them in a message made the whole DOCX fail.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 forbids removed (DOCX is XML)."""
    return _NOT_XML_CHAR.sub("", text)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will show as text: strings that would start a formula get a
    leading apostrophe, as OWASP recommends; numbers are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_all(export: SessionExport, formats: tuple[str, ...]
               ) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every format that can be rendered, and for each one that cannot, a one-line reason:
    one failing format never costs the others."""
    files: dict[str, bytes] = {}
    failed: dict[str, str] = {}
    for fmt in formats:
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
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def header_lines(export: SessionExport) -> list[tuple[str, str]]:
    """The header as (label, value) pairs, the same in every format."""
    h = export.header()
    excluded = h["messages_excluded"]
    spans = h["identifying_spans_replaced"]
    return [
        ("Study", f"{export.study_title} ({export.study_id})"),
        ("Session", export.session_id),
        ("Session date (UTC)", export.session_date),
        ("Consent form version", export.form_version),
        ("Generated (UTC)", h["generated_at"]),
        ("Messages included", str(h["messages_included"])),
        *[
            (f"Messages excluded: {EXCLUSION_REASONS[k]}", str(excluded[k]))
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


def to_docx(export: SessionExport) -> bytes:
    document = Document()
    document.core_properties.title = xml_safe(
        f"Anonymised focus group chat, {export.session_date}")
    document.core_properties.author = "Focus group bot"
    document.core_properties.comments = ""
    document.add_heading("Anonymised focus group chat", level=1)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in header_lines(export):
        cells = table.add_row().cells
        cells[0].text = xml_safe(label)
        cells[1].text = xml_safe(value)
    note = document.add_paragraph(BRACKETS_NOTE)
    note.runs[0].italic = True
    document.add_heading("Chat", level=2)
    if not export.lines:
        document.add_paragraph("No messages to export.")
    for line in export.lines:
        paragraph = document.add_paragraph()
        stamp = paragraph.add_run(f"{line.at.astimezone(UTC):%H:%M}  ")
        stamp.font.size = Pt(9)
        speaker = paragraph.add_run(xml_safe(f"{line.speaker}: "))
        speaker.bold = True
        paragraph.add_run(xml_safe(line.text))
        if line.edited:
            paragraph.add_run(" (edited)").italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_csv(export: SessionExport) -> bytes:
    """CSV with a '#' preamble (the header). Every field is quoted, so a '#' inside a message
    never starts a comment (pandas: `read_csv(path, comment="#")`), and every cell that a
    spreadsheet would take for a formula is neutralised (`csv_cell`)."""
    buffer = io.StringIO()
    for label, value in header_lines(export):
        buffer.write(f"# {label}: {value}\n")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in export.lines:
        writer.writerow([csv_cell(cell) for cell in (
            export.session_id, export.session_date, line.seq,
            line.at.astimezone(UTC).isoformat(timespec="seconds"), line.speaker, line.role,
            line.text, "yes" if line.edited else "no",
        )])
    return buffer.getvalue().encode("utf-8")


def to_jsonl(export: SessionExport) -> bytes:
    """First line: {"record": "header", ...}; then one {"record": "message", ...} per line."""
    rows = [{"record": "header", **export.header(), "note": BRACKETS_NOTE}]
    for line in export.lines:
        rows.append({
            "record": "message",
            "session_id": export.session_id,
            "seq": line.seq,
            "time_utc": line.at.astimezone(UTC).isoformat(timespec="seconds"),
            "speaker": line.speaker,
            "role": line.role,
            "text": line.text,
            "edited": line.edited,
        })
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
