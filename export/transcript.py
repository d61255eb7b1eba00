"""Redact a Teams meeting transcript (.vtt or .docx): speakers become the session's pseudonyms
and identifying spans are replaced by their category in brackets.

Speakers are matched by display name against the session's roster (while it still exists:
after purge, and for anyone not in the chat roster, speakers become "Speaker 1", "Speaker 2"
in order of first appearance). What a withdrawn participant, or one who declined consent,
said is replaced by [REMOVED], as the information sheet promises for verbal responses.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from export.build import SessionRedactor, Unscreenable, screened_spans
from export.redact import (
    PERSON,
    REMOVED,
    WITHHELD,
    apply_spans,
    clean_display_name,
    name_spans,
)
from store.data_life import SessionSource
from store.ports import ExportServiceStore

_TIMESTAMP = re.compile(
    r"^\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*-->\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPEAKER_LINE = re.compile(r"^(?P<name>\S.{0,80}?)\s+(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)\s*$")


class TranscriptError(Exception):
    pass


@dataclass
class TranscriptResult:
    cues: int = 0
    spans: int = 0
    speakers: int = 0
    withheld: int = 0  # lines the screening engine failed on, replaced by a notice


@dataclass
class Speakers:
    """Display name -> pseudonym for one session; unknown voices get "Speaker N"."""

    known: dict[str, str]
    silenced: set[str]  # pseudonyms whose words are removed (withdrawn, declined)
    unknown: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    @classmethod
    def for_session(cls, source: SessionSource) -> Speakers:
        known: dict[str, str] = {}
        silenced: set[str] = set()
        for person in source.people.values():
            if person.display_name:
                known[_key(person.display_name)] = person.pseudonym
            if person.withdrawn or (person.role != "facilitator" and person.consent == "declined"):
                silenced.add(person.pseudonym)
        return cls(known, silenced)

    def label(self, name: str) -> str:
        key = _key(name)
        label = self.known.get(key)
        if label is None:
            label = self.unknown.setdefault(key, f"Speaker {len(self.unknown) + 1}")
        self.seen.add(label)
        return label

    def is_name(self, line: str) -> bool:
        return _key(line) in self.known


def _name_like(text: str, speakers: Speakers) -> bool:
    """A speaker heading: a known name, or up to four capitalised words (not a sentence)."""
    if speakers.is_name(text):
        return True
    words = clean_display_name(text).split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() for w in words)


def _key(name: str) -> str:
    return clean_display_name(name).casefold()


class TextRedactor:
    def __init__(self, redactor: SessionRedactor, screener: Any) -> None:
        self.redactor = redactor
        self.screener = screener
        self.spans = 0
        self.withheld = 0  # lines the engine failed on, left out

    def __call__(self, text: str) -> str:
        if not text.strip():
            return text
        spans = name_spans(text, self.redactor.withdrawn_names, REMOVED)
        spans += name_spans(text, self.redactor.names, PERSON)
        if self.screener is not None:
            try:
                spans += screened_spans(self.screener, text, self.redactor.roster)
            except Unscreenable:
                self.withheld += 1
                return WITHHELD
        result = apply_spans(text, spans)
        self.spans += result.count("[") - text.count("[")
        return result


def redact_vtt(content: str, speakers: Speakers, redact: TextRedactor) -> tuple[str, int]:
    out: list[str] = []
    cues = 0
    in_note = False
    for line in content.splitlines():
        stripped = line.strip()
        if in_note:
            if not stripped:
                in_note = False
                out.append(line)
            continue
        if stripped.startswith("NOTE"):
            in_note = True  # notes can carry anything; leave them out
            continue
        if not stripped or stripped.startswith("WEBVTT") or _TIMESTAMP.match(line):
            out.append(line)
            continue
        voice = _VOICE.search(line)
        if voice is None and not _looks_like_cue_text(out):
            out.append(line)  # a cue identifier
            continue
        cues += 1
        words = _TAG.sub("", line)
        if voice is not None:
            label = speakers.label(voice.group(1).strip())
            said = "[REMOVED]" if label in speakers.silenced else redact(words)
            out.append(f"<v {label}>{said}</v>")
        else:
            out.append(redact(words))
    return "\n".join(out) + "\n", cues


def _looks_like_cue_text(out: list[str]) -> bool:
    """True after a timing line (or a cue text line): this line is cue text, not an id."""
    for previous in reversed(out):
        if not previous.strip():
            return False
        return bool(_TIMESTAMP.match(previous)) or not _is_cue_id(previous)
    return False


def _is_cue_id(line: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-fA-F-]+/\d+-\d+|\d+", line.strip()))


def redact_docx(path: Path, out: Path, speakers: Speakers, redact: TextRedactor) -> int:
    from docx import Document

    document = Document(str(path))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    cues = 0
    current: str | None = None
    after_timestamp = False
    for paragraph in paragraphs:
        original = paragraph.text
        if not original.strip():
            continue
        lines = []
        for line in original.split("\n"):
            stripped = line.strip()
            match = _SPEAKER_LINE.match(stripped)
            if _TIMESTAMP.match(stripped):
                lines.append(line)
                after_timestamp = True
                continue
            if match and _name_like(match.group("name"), speakers):
                current = speakers.label(match.group("name"))
                lines.append(f"{current}   {match.group('ts')}")
            elif after_timestamp or speakers.is_name(stripped):
                current = speakers.label(stripped)
                lines.append(current)
            else:
                cues += 1
                silenced = current is not None and current in speakers.silenced
                lines.append("[REMOVED]" if silenced else redact(line))
            after_timestamp = False
        new = "\n".join(lines)
        if new != original:
            paragraph.text = new
    props = document.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = "Redacted transcript"
    props.comments = ""
    props.subject = ""
    props.keywords = ""
    document.save(str(out))
    return cues


def _redact_file(path: Path, out: Path, speakers: Speakers, redact: TextRedactor) -> int:
    if not path.is_file():
        raise TranscriptError(f"no such file: {path}")
    if path.suffix.lower() == ".vtt":
        text, cues = redact_vtt(path.read_text(encoding="utf-8-sig"), speakers, redact)
        out.write_text(text, encoding="utf-8")
        return cues
    return redact_docx(path, out, speakers, redact)


async def redact_transcript_file(
    store: ExportServiceStore, path: Path, out: Path, *, session_id: str, screener: Any,
    now: datetime, actor: str,
) -> TranscriptResult:
    suffix = path.suffix.lower()
    if suffix not in (".vtt", ".docx"):
        raise TranscriptError("the transcript must be a .vtt or .docx file")
    source = await store.session_source(session_id)
    if source is None:
        raise TranscriptError(f"no session '{session_id}'")
    speakers = Speakers.for_session(source)
    redact = TextRedactor(SessionRedactor(source), screener)
    cues = await asyncio.to_thread(_redact_file, path, out, speakers, redact)
    result = TranscriptResult(cues=cues, spans=redact.spans, speakers=len(speakers.seen),
                              withheld=redact.withheld)
    await store.audit(
        actor=actor, action="transcript.redacted", subject=f"session:{session_id}", at=now,
        details={"format": suffix.lstrip("."), "cues": result.cues, "spans": result.spans,
                 "speakers": result.speakers, "withheld": result.withheld},
    )
    return result


def transcript_docx(vtt: str, title: str) -> bytes:
    """A redacted WebVTT transcript as Word: one paragraph per turn, speaker first
    (`P01: text (00:01:02)`), the shape the chat export uses for NVivo and MAXQDA."""
    import io

    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    when = ""
    for line in vtt.splitlines():
        timing = _TIMESTAMP.match(line)
        if timing:
            when = line.split("-->")[0].strip().split(".")[0]
            continue
        voice = _VOICE.search(line)
        if voice is None:
            continue
        said = _TAG.sub("", line).strip()
        document.add_paragraph(f"{voice.group(1).strip()}: {said} ({when})")
    props = document.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
