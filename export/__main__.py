"""Command line: anonymised exports, transcript redaction and purge.

    python -m export sessions
    python -m export session <id> [--format docx|csv|jsonl|qdpx|all] [--out DIR]
    python -m export study [--format ...] [--out DIR]
    python -m export redact-transcript FILE.vtt|FILE.docx --session <id> [--out FILE]
    python -m export transcript <session> [--out DIR]   (the transcript fetched from Teams)
    python -m export purge --study [--yes] [--force]
    python -m export quality [--json]   (screening's precision and known misses, per session)

Reads DATABASE_URL, STUDY_FILE, STUDY_TIMEZONE and SCREENING_* from the environment / `.env`
(config.py). Every export also writes `<stem>_about.txt`: what was included, left out and why.
Every export, transcript redaction and purge is written to the append-only audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from export.purge import PurgeRefused, purge_study
from export.quality import quality_report, render_text
from export.render import FORMATS, file_name
from export.service import LazyScreener, SessionNotFound, export_session, resolve_session
from export.transcript import TranscriptError, redact_transcript_file, transcript_docx
from store import Store, open_store
from study import Study, load_study


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sessions", help="list sessions: id, date, status, counts (no names)")
    one = sub.add_parser("session", help="export one session")
    one.add_argument("session_id", help="session id (or a unique prefix of it)")
    all_ = sub.add_parser("study", help="export every session of the study")
    for p in (one, all_):
        p.add_argument("--format", default="all", choices=[*FORMATS, "all"])
        p.add_argument("--out", type=Path, default=Path("exports"))
    tr = sub.add_parser("redact-transcript", help="redact a Teams meeting transcript")
    tr.add_argument("file", type=Path)
    tr.add_argument("--session", required=True, help="the session the meeting belongs to")
    tr.add_argument("--out", type=Path, default=None)
    fetched = sub.add_parser("transcript", help="the redacted transcript fetched from Teams, "
                                                "as DOCX")
    fetched.add_argument("session_id", help="session id (or a unique prefix of it)")
    fetched.add_argument("--out", type=Path, default=Path("exports"))
    quality = sub.add_parser("quality", help="per session: flags decided and dismissed, "
                                             "precision, known misses (no text, no names)")
    quality.add_argument("--json", action="store_true", help="print JSON instead of a table")
    purge = sub.add_parser("purge", help="destroy linking data and raw text (end of project)")
    purge.add_argument("--study", action="store_true", required=True,
                       help="purge the whole study (every session in this database)")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    purge.add_argument("--force", action="store_true",
                       help="purge even if a session is live or within its withdrawal window")
    return parser


def _now() -> datetime:
    """The CLI's clock (its own: the export package sits below `services`, which uses it)."""
    return datetime.now(UTC)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:128]
    except Exception:  # no login name (e.g. in a container)
        return "cli"


async def _sessions(store: Store) -> int:
    counts = await store.session_counts()
    print(f"{'id':36}  {'date':10}  {'status':6}  participants  messages  withdrawn")
    for s in await store.list_sessions():
        c = counts.get(s.id, {})
        print(f"{s.id:36}  {s.started_at:%Y-%m-%d}  {s.status:6}  {c.get('participants', 0):12}"
              f"  {c.get('messages', 0):8}  {c.get('withdrawn', 0):9}")
    return 0


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def _export(store: Store, study: Study, screener: LazyScreener, session_ids: list[str],
                  fmt: str, out: Path, timezone: str) -> int:
    formats = FORMATS if fmt == "all" else (fmt,)
    engine = screener.get()
    failures = 0
    for session_id in session_ids:
        export, files = await export_session(
            store, study_id=study.study_id, study_title=study.title, session_id=session_id,
            screener=engine, formats=formats, now=_now(), actor=_actor(), channel="cli",
            timezone=timezone,
        )
        for fmt_written, data in files.items():
            path = out / file_name(export, fmt_written)
            await asyncio.to_thread(_write, path, data)
            print(f"wrote {path} ({len(export.lines)} messages, "
                  f"{sum(export.excluded.values())} excluded)")
        for failed, reason in export.failed_formats.items():
            failures += 1
            print(f"error: {file_name(export, failed)} not written: {reason}", file=sys.stderr)
    return 1 if failures else 0


async def _run(args: argparse.Namespace, settings: Any) -> int:
    study = load_study(settings.study_file)
    from screening import ScreeningConfig

    screener = LazyScreener(ScreeningConfig(model=settings.screening_model,
                                            threshold=settings.screening_threshold))
    store = await open_store(settings.database_url)
    try:
        if args.command == "sessions":
            return await _sessions(store)
        if args.command == "session":
            session = await resolve_session(store, args.session_id)
            return await _export(store, study, screener, [session.id], args.format, args.out,
                                 settings.study_timezone)
        if args.command == "study":
            ids = [s.id for s in await store.list_sessions()]
            return await _export(store, study, screener, ids, args.format, args.out,
                                 settings.study_timezone)
        if args.command == "redact-transcript":
            session = await resolve_session(store, args.session)
            out = args.out or args.file.with_name(
                f"{args.file.stem}.redacted{args.file.suffix}")
            result = await redact_transcript_file(
                store, args.file, out, session_id=session.id, screener=screener.get(),
                now=_now(), actor=_actor())
            print(f"wrote {out} ({result.cues} cues/paragraphs, {result.spans} spans replaced, "
                  f"{result.speakers} speakers pseudonymised"
                  + (f", {result.withheld} lines withheld: could not be screened"
                     if result.withheld else "") + ")")
            return 0
        if args.command == "transcript":
            session = await resolve_session(store, args.session_id)
            kept = await store.transcript(session.id)
            if kept is None:
                print("no transcript has been fetched for that session", file=sys.stderr)
                return 3
            path = args.out / f"transcript_{session.id[:8]}.docx"
            await asyncio.to_thread(_write, path, transcript_docx(
                kept.content, f"Redacted transcript: {session.title or study.short_title}"))
            print(f"wrote {path}")
            return 0
        if args.command == "quality":
            quality = quality_report(await store.list_sessions(),
                                     await store.labelled_outcomes(),
                                     await store.undecided_flag_counts())
            print(json.dumps(quality.as_dict(), indent=2) if args.json
                  else render_text(quality), end="\n" if args.json else "")
            return 0
        if args.command == "purge":
            try:
                report = await purge_study(store, study, screener=screener.get(), clock=_now,
                                           actor=_actor(), force=args.force,
                                           zone=settings.study_timezone)
            except PurgeRefused as exc:
                print(f"purge refused: {exc}. Use --force to purge anyway.", file=sys.stderr)
                return 4
            print(f"purge run {report.run_id}: {report.anonymised} messages anonymised, "
                  f"{report.excluded_nulled} excluded messages cleared, "
                  f"{sum(report.deleted.values())} linking rows deleted")
            if not report.clean:
                print(f"WARNING: identifiers remain in {sorted(report.residue)}", file=sys.stderr)
                return 5
            return 0
    finally:
        await store.close()
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "purge" and not args.yes:
        answer = input("This destroys every link between participants and their data and the "
                       "raw chat text. It cannot be undone. Type 'purge' to go on: ")
        if answer.strip() != "purge":
            print("Nothing done.")
            return 1
    try:
        return asyncio.run(_run(args, settings))
    except (SessionNotFound, TranscriptError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
