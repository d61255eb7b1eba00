"""Command `export` and the file-consent invoke that completes it.

`export [session id] [docx|csv|jsonl]` (a facilitator, 1:1 only) sends the anonymised export
through Teams' file consent card; on accept, the file is uploaded and the export audited.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from export.render import CONTENT_TYPES, FORMATS
from export.service import SessionNotFound, audit_export, export_session, resolve_session
from handlers.context import Turn
from handlers.facilitated import acting_facilitator, default_session
from handlers.file_upload import UploadError, file_consent_activity, file_info_activity, upload
from handlers.incoming import as_dict
from handlers.routes import routes
from handlers.withdrawal_review import review_before_export
from store import Session

log = logging.getLogger(__name__)


@routes.on_command("export", help="Send me the anonymised chat export (docx, csv or jsonl)",
                   facilitator_only=True, where="personal")
async def export_command(turn: Turn, argument: str) -> None:
    words = argument.split()
    fmt = next((w.lower() for w in words if w.lower() in FORMATS), "docx")
    refs = [w for w in words if w.lower() not in FORMATS]
    session: Session | None
    try:
        if refs:
            session = await resolve_session(turn.store, refs[0])
        else:
            session = await default_session(turn)
            if session is None:
                sessions = await turn.store.list_sessions()
                session = sessions[-1] if sessions else None
    except SessionNotFound as exc:
        await turn.reply_text(f"Sorry: {exc}.")
        return
    if session is None:
        await turn.reply_text("There is no session to export yet.")
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
        f"Anonymised chat of the focus group on {export.session_date}: "
        f"{len(export.lines)} messages, {sum(export.excluded.values())} left out.",
        len(files[fmt]),
        {"session_id": session.id, "format": fmt},
    ))


@routes.on_invoke("fileConsent/invoke")
async def on_file_consent(turn: Turn) -> tuple[int, Any]:
    value = as_dict(turn.incoming.value)
    action = str(value.get("action") or "").lower()
    context = as_dict(value.get("context"))
    if not turn.incoming.personal or not await turn.is_facilitator():
        log.info("file consent refused", extra={"reason": "not a facilitator in 1:1"})
        return 403, {"error": "not allowed"}
    if action != "accept":
        await turn.reply_text("OK, I won't send the file.")
        return 200, {}
    fmt = str(context.get("format") or "docx")
    upload_info = as_dict(value.get("uploadInfo"))
    upload_url = upload_info.get("uploadUrl")
    if fmt not in FORMATS or not context.get("session_id") or not upload_url:
        return 400, {"error": "bad file consent"}
    session = await turn.store.get_session(str(context["session_id"]))
    if session is None:
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
