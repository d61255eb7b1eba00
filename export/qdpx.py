"""A session as a REFI-QDA project (`.qdpx`), the exchange format NVivo, ATLAS.ti, MAXQDA,
QualCoder and Transana import.

A `.qdpx` is a zip holding `project.qde` (XML in the namespace urn:QDA-XML:project:1.0,
schema `export/refi-qda/Project-mrt2019.xsd`) and a flat `sources/` folder. What we put in:
- the chat as one plain-text source (UTF-8, one line per contribution, "P01: text (14:05)");
- one selection per contribution, coded with its speaker's code and referenced by the
  speaker's case (cases carry the pseudonym and a Role variable);
- one selection per redaction placeholder ("[PERSON]", "[REMOVED]"…), coded with its category,
  so a researcher can see where and how often details were taken out;
- session id and times as source variables, in ISO 8601 UTC.
Selections are counted in Unicode code points from 0, end exclusive (REFI-QDA 1.5, 10.2).
GUIDs are derived from the session id, so exporting the same session twice gives the same
project.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from xml.etree import ElementTree as ET

from export.build import SessionExport
from export.render import (
    BRACKETS_NOTE,
    iso_utc,
    one_line,
    said_when,
    to_about,
    xml_safe,
)
from study.dates import format_local

NAMESPACE = "urn:QDA-XML:project:1.0"
SCHEMA = Path(__file__).resolve().parent / "refi-qda" / "Project-mrt2019.xsd"
ORIGIN = "Focus group bot (anonymised export)"
_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z_]*)\]")
_CATEGORIES = {
    "PERSON": "a name of someone outside the session (or shared by several people)",
    "REMOVED": "a mention of a participant who withdrew from the study",
    "LOCATION": "a place",
    "ORGANISATION": "an organisation",
    "CONTACT": "an email address, phone number or similar",
    "ID_NUMBER": "an identifying number",
    "DATE": "an identifying date",
}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    name: str


class _Guids:
    """Stable GUIDs: the same session and item always get the same one."""

    def __init__(self, session_id: str) -> None:
        self._base = uuid.uuid5(uuid.NAMESPACE_URL, f"focusbot:session:{session_id}")

    def __call__(self, *key: object) -> str:
        return str(uuid.uuid5(self._base, "/".join(str(k) for k in key)))


@dataclass(frozen=True)
class _Chat:
    """The plain-text source, each contribution's span and the placeholders in each."""

    text: str
    spans: list[_Span]
    placeholders: list[list[_Span]]


def chat_text(export: SessionExport) -> _Chat:
    """The chat as the plain-text source: one line per contribution, speaker first."""
    lines: list[str] = []
    spans: list[_Span] = []
    placeholders: list[list[_Span]] = []
    offset = 0
    for line in export.lines:
        prefix = f"{line.speaker}: "
        body = xml_safe(one_line(line.text))
        text = xml_safe(prefix) + body + " " + said_when(line, export.timezone)
        spans.append(_Span(offset, offset + len(text), line.speaker))
        base = offset + len(xml_safe(prefix))
        placeholders.append([_Span(base + m.start(), base + m.end(), m.group(1))
                             for m in _PLACEHOLDER.finditer(body) if m.group(1) in _CATEGORIES])
        lines.append(text)
        offset += len(text) + 1  # the newline
    return _Chat("\n".join(lines) + ("\n" if lines else ""), spans, placeholders)


def project_xml(export: SessionExport, chat: _Chat, source_guid: str, guid: _Guids) -> bytes:
    """The `project.qde` document."""
    created = iso_utc(export.generated_at)
    user = guid("user")
    zone = export.timezone
    # Unprefixed names under a default namespace declared on the root, as the REFI-QDA
    # examples write them (ElementTree's default_namespace refuses unqualified attributes).
    project = ET.Element("Project", {
        "xmlns": NAMESPACE,
        "name": xml_safe(f"{export.study_title}, focus group {export.session_date} "
                         f"({export.short_id})"),
        "origin": ORIGIN, "creatingUserGUID": user, "creationDateTime": created,
        "modifyingUserGUID": user, "modifiedDateTime": created,
    })
    users = _sub(project, "Users")
    _sub(users, "User", guid=user, name=ORIGIN)

    spans, placeholders = chat.spans, chat.placeholders
    speakers = sorted({line.speaker: line.role for line in export.lines}.items())
    used = sorted({p.name for found in placeholders for p in found})
    codes = _sub(_sub(project, "CodeBook"), "Codes")
    speaker_root = _sub(codes, "Code", guid=guid("code", "speakers"), name="Speakers",
                        isCodable="false")
    _sub(speaker_root, "Description", "Who said it: one code per pseudonym, as MAXQDA's "
         "focus-group import makes them.")
    for pseudonym, role in speakers:
        code = _sub(speaker_root, "Code", guid=guid("code", "speaker", pseudonym),
                    name=pseudonym, isCodable="true")
        _sub(code, "Description", f"Everything {pseudonym} ({role}) wrote in this session.")
    redaction_root = _sub(codes, "Code", guid=guid("code", "redacted"),
                          name="Redacted details", isCodable="false")
    _sub(redaction_root, "Description", BRACKETS_NOTE)
    for category in used:
        code = _sub(redaction_root, "Code", guid=guid("code", "redacted", category),
                    name=f"[{category}]", isCodable="true")
        _sub(code, "Description", f"Replaced: {_CATEGORIES[category]}.")

    variables = _sub(project, "Variables")
    for name, kind in (("Role", "Text"), ("Session id", "Text"),
                       ("Session started", "DateTime"), ("Session ended", "DateTime")):
        _sub(variables, "Variable", guid=guid("variable", name), name=name, typeOfVariable=kind)

    if speakers:  # the schema wants at least one Case inside Cases
        cases = _sub(project, "Cases")
        for pseudonym, role in speakers:
            case = _sub(cases, "Case", guid=guid("case", pseudonym), name=pseudonym)
            _sub(case, "Description", f"{pseudonym}, a {role} (pseudonym for this session "
                 "only)")
            _sub(case, "CodeRef", targetGUID=guid("code", "speaker", pseudonym))
            _variable(case, guid("variable", "Role"), "TextValue", role)
            for seq, span in enumerate(spans, start=1):
                if span.name == pseudonym:
                    _sub(case, "SelectionRef", targetGUID=guid("selection", seq))

    sources = _sub(project, "Sources")
    source = _sub(sources, "TextSource", guid=source_guid,
                  name=f"{export.file_stem} chat",
                  plainTextPath=f"internal://{source_guid}.txt",
                  creatingUser=user, creationDateTime=created)
    _sub(source, "Description",
         f"Anonymised chat of the focus group of {format_local(export.started_at, zone)} "
         f"({zone}); {len(export.lines)} messages, "
         f"{sum(export.excluded.values())} left out (see the project description).")
    for seq, (line, span) in enumerate(zip(export.lines, spans, strict=True), start=1):
        selection = _sub(source, "PlainTextSelection", guid=guid("selection", seq),
                         name=f"{line.speaker} {seq}", startPosition=str(span.start),
                         endPosition=str(span.end), creatingUser=user,
                         creationDateTime=created)
        _sub(selection, "Description",
             f"{line.speaker} ({line.role}), sent {iso_utc(line.at)}"
             + (", edited" if line.edited else ""))
        _coding(selection, guid("coding", "speaker", seq), guid("code", "speaker", line.speaker),
                user, created)
    for seq, found in enumerate(placeholders, start=1):
        for index, placeholder in enumerate(found):
            selection = _sub(source, "PlainTextSelection", guid=guid("redaction", seq, index),
                             name=f"[{placeholder.name}]", startPosition=str(placeholder.start),
                             endPosition=str(placeholder.end), creatingUser=user,
                             creationDateTime=created)
            _coding(selection, guid("coding", "redaction", seq, index),
                    guid("code", "redacted", placeholder.name), user, created)
    _variable(source, guid("variable", "Session id"), "TextValue", export.session_id)
    _variable(source, guid("variable", "Session started"), "DateTimeValue",
              iso_utc(export.started_at))
    if export.ended_at is not None:
        _variable(source, guid("variable", "Session ended"), "DateTimeValue",
                  iso_utc(export.ended_at))
    _sub(project, "Description", to_about(export).decode("utf-8"))
    document: bytes = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    return document


def _coding(selection: ET.Element, coding_guid: str, code_guid: str, user: str,
            created: str) -> None:
    coding = _sub(selection, "Coding", guid=coding_guid, creatingUser=user,
                  creationDateTime=created)
    _sub(coding, "CodeRef", targetGUID=code_guid)


def _variable(parent: ET.Element, variable_guid: str, kind: str, value: str) -> None:
    holder = _sub(parent, "VariableValue")
    _sub(holder, "VariableRef", targetGUID=variable_guid)
    _sub(holder, kind, value)


def _entries(export: SessionExport) -> Iterator[tuple[str, bytes]]:
    guid = _Guids(export.session_id)
    source_guid = guid("source", "chat")
    chat = chat_text(export)
    yield "project.qde", project_xml(export, chat, source_guid, guid)
    yield f"sources/{source_guid}.txt", chat.text.encode("utf-8")


def to_qdpx(export: SessionExport) -> bytes:
    """The `.qdpx` zip. Entry times are the export's, so the same export gives the same
    bytes."""
    stamp = export.generated_at.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _entries(export):
            info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
