"""Command `export` and the file-consent invoke that completes it.

`export [session id] [docx|csv|jsonl]` (a facilitator, 1:1 only) sends the anonymised export
through Teams' file consent card; on accept, the file is uploaded and the export audited.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from export.render import CONTENT_TYPES, FORMATS
from export.service import audit_export, export_session
from export.transcript import transcript_docx
from handlers.context import Turn
from handlers.facilitated import NotFound, acting_facilitator, default_session, find_session
from handlers.file_upload import UploadError, file_consent_activity, file_info_activity, upload
from handlers.incoming import as_dict
from handlers.receipts import RECEIPT_KIND, upload_consent_receipt
from handlers.routes import routes
from handlers.withdrawal_review import review_before_export
from store import Session
from study.dates import format_local_date

log = logging.getLogger(__name__)


TRANSCRIPT_KIND = "transcript"


async def _chosen_session(turn: Turn, refs: list[str]) -> Session | None:
    """The session named (id or prefix), else this facilitator's latest; None: told why."""
    session: Session | None
    try:  # only sessions the actor facilitates: "not yours" reads as "no such session"
        session = await find_session(turn, refs[0]) if refs else await default_session(turn)
    except NotFound as exc:
        await turn.reply_text(f"Sorry: {exc}.")
        return None
    if session is None:
        await turn.reply_text("There is no session to export yet.")
    return session


async def _transcript_file(turn: Turn, session: Session) -> bytes | None:
    kept = await turn.store.transcript(session.id)
    if kept is None:
        return None
    title = f"Redacted transcript: {session.title or turn.study.short_title}"
    return await asyncio.to_thread(transcript_docx, kept.content, title)


async def offer_transcript(turn: Turn, refs: list[str]) -> None:
    """`export transcript [session]`: the redacted meeting transcript as Word."""
    session = await _chosen_session(turn, refs)
    if session is None:
        return
    data = await _transcript_file(turn, session)
    if data is None:
        await turn.reply_text("No transcript has been fetched for that session (it is fetched "
                              "after the meeting when TRANSCRIPT_FETCH_ENABLED is on).")
        return
    await turn.reply(file_consent_activity(
        f"transcript_{session.id[:8]}.docx", "The redacted meeting transcript.", len(data),
        {"kind": TRANSCRIPT_KIND, "session_id": session.id}))


async def upload_transcript(turn: Turn, context: dict[str, Any],
                            upload_info: dict[str, Any]) -> tuple[int, Any]:
    session = await turn.store.get_session(str(context.get("session_id") or ""))
    if session is not None and not await turn.may_act_on(session):
        session = None  # not a facilitator of that session: it reads as not found
    data = await _transcript_file(turn, session) if session else None
    if session is None or data is None or not upload_info.get("uploadUrl"):
        await turn.reply_text("Sorry, I can't find that transcript any more.")
        return 200, {}
    try:
        await upload(str(upload_info["uploadUrl"]), data)
    except UploadError as exc:
        log.warning("transcript upload failed", extra={"error": str(exc)})
        await turn.reply_text("Sorry, the upload to your OneDrive failed. Please try again.")
        return 200, {}
    await turn.store.audit(actor=await acting_facilitator(turn, session) + " (teams)",
                           action="transcript.exported", subject=f"session:{session.id}",
                           at=turn.services.clock(), details={"format": "docx"})
    await turn.reply(file_info_activity(upload_info, "Here is the redacted transcript."))
    return 200, {}


@routes.on_command("export", facilitator_only=True, where="personal",
                   help="Send you a session's anonymised export (docx, csv, jsonl, qdpx or "
                        "transcript)")
async def export_command(turn: Turn, argument: str) -> None:
    words = argument.split()
    if words[:1] == ["transcript"]:
        await offer_transcript(turn, words[1:])
        return
    fmt = next((w.lower() for w in words if w.lower() in FORMATS), "docx")
    refs = [w for w in words if w.lower() not in FORMATS]
    session = await _chosen_session(turn, refs)
    if session is None:
        return
    await review_before_export(turn, session)
    data_life = turn.services.data_life
    screener = await asyncio.to_thread(data_life.screener.get)
    export, files = await export_session(
        turn.store, study_id=turn.study.study_id, study_title=turn.study.title,
        session_id=session.id, screener=screener, formats=(fmt,), now=turn.services.clock(),
        actor="teams", channel="teams", run_in_thread=asyncio.to_thread, audit=False,
    )
    name = f"{export.file_stem}.{fmt}"
    await turn.reply(file_consent_activity(
        name,
        f"Anonymised chat of the focus group on "
        f"{format_local_date(export.started_at, turn.services.timezone)}: "
        f"{len(export.lines)} messages, {sum(export.excluded.values())} left out.",
        len(files[fmt]),
        {"session_id": session.id, "format": fmt},
    ))


@routes.on_invoke("fileConsent/invoke")
async def on_file_consent(turn: Turn) -> tuple[int, Any]:
    value = as_dict(turn.incoming.value)
    action = str(value.get("action") or "").lower()
    context = as_dict(value.get("context"))
    if context.get("kind") == RECEIPT_KIND and turn.incoming.personal:
        if action != "accept":
            await turn.reply_text("OK, I won't send the file.")
            return 200, {}
        return await upload_consent_receipt(turn, context, as_dict(value.get("uploadInfo")))
    if not turn.incoming.personal or not await turn.is_facilitator():
        log.info("file consent refused", extra={"reason": "not a facilitator in 1:1"})
        return 403, {"error": "not allowed"}
    if action != "accept":
        await turn.reply_text("OK, I won't send the file.")
        return 200, {}
    if context.get("kind") == TRANSCRIPT_KIND:
        return await upload_transcript(turn, context, as_dict(value.get("uploadInfo")))
    fmt = str(context.get("format") or "docx")
    upload_info = as_dict(value.get("uploadInfo"))
    upload_url = upload_info.get("uploadUrl")
    if fmt not in FORMATS or not context.get("session_id") or not upload_url:
        return 400, {"error": "bad file consent"}
    session = await turn.store.get_session(str(context["session_id"]))
    if session is None or not await turn.may_act_on(session):
        await turn.reply_text("Sorry, I can't find that session any more.")
        return 200, {}
    await review_before_export(turn, session)
    data_life = turn.services.data_life
    screener = await asyncio.to_thread(data_life.screener.get)
    now = turn.services.clock()
    export, files = await export_session(
        turn.store, study_id=turn.study.study_id, study_title=turn.study.title,
        session_id=session.id, screener=screener, formats=(fmt,), now=now, actor="teams",
        channel="teams", run_in_thread=asyncio.to_thread, audit=False,
    )
    try:
        await upload(str(upload_url), files[fmt])
    except UploadError as exc:
        log.warning("export upload failed", extra={"session_id": session.id,
                                                   "error": str(exc)})
        await turn.reply_text("Sorry, the upload to your OneDrive failed. Please try 'export' "
                              "again.")
        return 200, {}
    await audit_export(turn.store, export, (fmt,), now=now,
                       actor=await acting_facilitator(turn, session) + " (teams)", channel="teams")
    await turn.reply(file_info_activity(
        upload_info, f"Here is the anonymised export ({CONTENT_TYPES[fmt]})."))
    log.info("export uploaded", extra={"session_id": session.id, "bytes": len(files[fmt])})
    return 200, {}
