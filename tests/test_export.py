"""Anonymised exports: DOCX, CSV and JSONL contain no names or identifying details, exclude
what must be excluded, use stable per-session pseudonyms, and are audited."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from export.render import ABOUT, FORMATS
from export.service import export_session
from services.withdrawal import WithdrawalService
from tests.harness.failing_engine import EngineFailingOn
from tests.harness.store_reads import audit_entries
from tests.test_export_seed import (  # noqa: F401  (fixtures)
    END,
    EVERYONE,
    PRIYANKA,
    SECRETS,
    TOBIAS,
    Seeded,
    screener_fixture,
    seeded_fixture,
)

PROJECT = Path(__file__).resolve().parent.parent


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    props = document.core_properties
    parts += [props.title or "", props.author or "", props.comments or ""]
    return "\n".join(parts)


def forbidden(seeded: Seeded) -> list[str]:
    words = list(SECRETS) + ["Quillon", "Zebracorn", "Quokkaberry", "Toby", "Priya"]
    for person in EVERYONE:
        words += [person.name, *person.name.split(), person.aad, person.teams_id]
    words += [pid for pid in seeded.pid.values()]  # internal ids link across tables
    return words


async def export_all(seeded: Seeded, screener: Any, number: int = 1) -> dict[str, Any]:
    export, files = await export_session(
        seeded.store, study_id=seeded.study.study_id, study_title=seeded.study.title,
        session_id=seeded.sessions[number - 1].id, screener=screener, formats=FORMATS,
        now=END + timedelta(days=20), actor="test", channel="test",
    )
    return {"export": export, "docx": docx_text(files["docx"]),
            "csv": files["csv"].decode("utf-8-sig"), "jsonl": files["jsonl"].decode(),
            "qdpx": qdpx_text(files["qdpx"]), ABOUT: files[ABOUT].decode()}


def qdpx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist())


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def jsonl_rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


async def test_exports_contain_no_names_or_identifying_details(
    seeded: Seeded, screener: Any
) -> None:
    out = await export_all(seeded, screener)
    for fmt in FORMATS:
        lowered = out[fmt].lower()
        leaked = [w for w in forbidden(seeded) if w.lower() in lowered]
        assert leaked == [], (fmt, leaked)
        for label in ("[PERSON]", "[CONTACT]", "[ID_NUMBER]", "[LOCATION]"):
            assert label in out[fmt], (fmt, label)
    rows = csv_rows(out["csv"])
    texts = [r["text"] for r in rows]
    assert "Welcome everyone, thanks for joining." in texts  # ordinary words survive
    # names of people whose words are exported become their pseudonyms
    assert "P01 I agree with P01 about hybrid conferences." in texts
    assert "Thanks P02, that matches what F1 said." in texts


async def test_header_states_study_date_form_version_and_exclusions(
    seeded: Seeded, screener: Any
) -> None:
    out = await export_all(seeded, screener)
    header = jsonl_rows(out["jsonl"])[0]
    assert header["record"] == "header"
    assert header["study_id"] == seeded.study.study_id
    assert header["session_date"] == "2026-10-20"
    assert header["form_version"] == seeded.study.form_version
    assert header["messages_excluded"] == {"withdrawn": 0, "not_consented": 1, "deleted": 1,
                                           "hidden": 1, "unscreenable": 0,
                                           "mentions_withdrawn": 0, "borderline_excluded": 0,
                                           "borderline_pending": 0, "removed_by_author": 0,
                                           "reported_left_out": 0}
    assert header["messages_included"] == 7
    for fmt in ("docx", ABOUT):  # the CSV's header lines moved to the about text
        assert seeded.study.form_version in out[fmt] and "Tuesday 20 October 2026" in out[fmt]
        assert "hidden by a facilitator" in out[fmt]
    assert {r["session_date"] for r in csv_rows(out["csv"])} == {"2026-10-20"}


async def test_a_message_the_engine_fails_on_is_withheld_not_exported_unchecked(
    seeded: Seeded, screener: Any
) -> None:
    out = await export_all(seeded, EngineFailingOn(screener, "07700 900123"))
    header = jsonl_rows(out["jsonl"])[0]
    assert header["messages_excluded"]["unscreenable"] == 1
    assert header["messages_included"] == 6
    for fmt in FORMATS:
        assert "Hillcrest" not in out[fmt] and "900123" not in out[fmt], fmt
        assert "Welcome everyone, thanks for joining." in out[fmt], fmt
    assert "the screening engine failed on it" in out[ABOUT]


async def test_pseudonyms_are_stable_within_a_session_and_differ_across_sessions(
    seeded: Seeded, screener: Any
) -> None:
    first = [(r["speaker"], r["text"]) for r in csv_rows((await export_all(seeded, screener))[
        "csv"])]
    again = [(r["speaker"], r["text"]) for r in csv_rows((await export_all(seeded, screener))[
        "csv"])]
    assert first == again
    speakers = {s for s, _ in first}
    assert speakers == {"F1", "P01", "P02"}
    second = {r["text"]: r["speaker"] for r in csv_rows((await export_all(seeded, screener, 2))[
        "csv"])}
    # Priyanka is P01 in session 1 and P02 in session 2; Tobias the other way round
    assert second["Agreed, remote attendance helps families."] == "P02"
    assert second["Second session, hybrid is here to stay."] == "P01"
    assert dict(first)["P02"] != "Agreed, remote attendance helps families."


async def test_after_withdrawal_the_export_has_none_of_their_messages_or_mentions(
    seeded: Seeded, screener: Any
) -> None:
    session = seeded.sessions[0]
    roster = await seeded.store.roster(session.id)
    priyanka = next(e.participant for e in roster
                    if e.identity and e.identity.display_name == PRIYANKA.name)
    service = WithdrawalService(seeded.store, seeded.study, clock=lambda: END + timedelta(days=3))
    await service.withdraw(session, priyanka, requested_by="self", actor="participant P01")

    out = await export_all(seeded, screener)
    rows = csv_rows(out["csv"])
    assert all(r["speaker"] != "P01" for r in rows)
    texts = [r["text"] for r in rows]
    # others' messages that mention her are deleted, as the information sheet promises
    assert not any("agree with" in t or "I think so too" in t for t in texts)
    assert not any("Hillcrest" in t or "Quillon" in t or "[ORGANISATION]" in t for t in texts)
    header = jsonl_rows(out["jsonl"])[0]
    assert header["messages_excluded"]["withdrawn"] == 4  # incl. her hidden message
    assert header["messages_excluded"]["mentions_withdrawn"] == 2  # incl. @mention-only
    assert header["mentions_of_withdrawn_participants_removed"] == 0
    assert header["messages_mentioning_withdrawn_participants"] == 0
    for fmt in FORMATS:
        assert PRIYANKA.first.lower() not in out[fmt].lower()


async def test_every_export_is_audited_with_counts_only(seeded: Seeded, screener: Any) -> None:
    await export_all(seeded, screener)
    (entry,) = await audit_entries(seeded.store, "export")
    assert entry["subject"] == f"session:{seeded.sessions[0].id}"
    assert entry["details"]["formats"] == list(FORMATS)
    assert entry["details"]["messages_included"] == 7
    dumped = json.dumps(entry, default=str).lower()
    assert not [w for w in forbidden(seeded) if w.lower() in dumped]


@pytest.mark.slow
async def test_cli_lists_sessions_and_writes_all_three_formats(
    seeded: Seeded, tmp_path: Path
) -> None:
    url = str(seeded.store.engine.url)
    env = {**os.environ, "DATABASE_URL": url}

    async def run(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "export", *args, cwd=PROJECT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        return proc.returncode or 0, out.decode()

    code, listing = await run("sessions")
    assert code == 0, listing
    assert seeded.sessions[0].id in listing and PRIYANKA.first not in listing
    code, output = await run("session", seeded.sessions[0].id[:8], "--format", "all",
                             "--out", str(tmp_path / "out"))
    assert code == 0, output
    files = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert files == [".csv", ".docx", ".jsonl", ".qdpx", ".txt"]
    (about,) = (tmp_path / "out").glob("*_about.txt")
    assert "Consent form version: " in about.read_text(encoding="utf-8")
    docx = next((tmp_path / "out").glob("*.docx")).read_bytes()
    assert "[CONTACT]" in docx_text(docx) and TOBIAS.first not in docx_text(docx)
    assert [e["details"]["channel"] for e in await audit_entries(seeded.store, "export")] == [
        "cli"]
