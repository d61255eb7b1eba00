"""Consent receipts: a participant's own copy of their answer, sent to their 1:1 chat.

After an answer on the consent card the participant gets a receipt card privately (through
the outbox), followed by Teams' file consent card offering the same receipt as a text file
(`consent-receipt.txt`), the flow the export command uses, because a file is what people keep
(REDCap eConsent gives a PDF). The file is rebuilt from the stored answer when they accept, so
nothing but the answer itself is stored.
"""

from __future__ import annotations

import logging
from typing import Any

import cards
from handlers.context import Turn
from handlers.file_upload import UploadError, file_consent_activity, file_info_activity, upload
from services.consent_receipt import ConsentReceipt, consent_receipt
from services.messages import card_activity
from services.withdrawal import withdrawal_deadline
from store import ConsentEvent, Session

log = logging.getLogger(__name__)

RECEIPT_KIND = "consent_receipt"


def _receipt(turn: Turn, session: Session, event: ConsentEvent) -> ConsentReceipt:
    return consent_receipt(turn.study, session, event, zone=turn.services.timezone,
                           withdrawal_deadline=withdrawal_deadline(turn.study, session))


async def send_consent_receipt(turn: Turn, session: Session, event: ConsentEvent) -> None:
    """The receipt card, then the offer of a copy to keep, both in the sender's 1:1 chat."""
    receipt = _receipt(turn, session, event)
    card = cards.consent_receipt_card(receipt.heading, receipt.facts, receipt.ticked,
                                      receipt.withdraw, receipt.contact)
    await turn.tell_privately(card_activity(card, summary="Your consent receipt"))
    size = len(receipt.as_text().encode("utf-8"))
    await turn.tell_privately(file_consent_activity(
        receipt.file_name, "A copy of your consent receipt to keep.", size,
        {"kind": RECEIPT_KIND, "session_id": session.id},
    ))


async def upload_consent_receipt(turn: Turn, context: dict[str, Any],
                                 upload_info: dict[str, Any]) -> tuple[int, Any]:
    """The accepted file offer: the sender's own current answer for that session, uploaded."""
    sender = turn.incoming.sender
    session_id = str(context.get("session_id") or "")
    linked = await turn.store.participants_for_user(sender.teams_user_id, sender.aad_object_id)
    participant = next((p.participant for p in linked if p.session_id == session_id), None)
    session = await turn.store.get_session(session_id) if participant else None
    event = (await turn.store.latest_consent(session_id, participant.id)
             if participant and session else None)
    upload_url = upload_info.get("uploadUrl")
    if session is None or event is None or not upload_url:
        await turn.reply_text("Sorry, I can't find that consent answer any more.")
        return 200, {}
    try:
        await upload(str(upload_url), _receipt(turn, session, event).as_text().encode("utf-8"))
    except UploadError as exc:
        log.warning("receipt upload failed", extra={"error": str(exc)})
        await turn.reply_text("Sorry, the upload to your OneDrive failed. Type 'consent' in "
                              "the meeting chat to see your answer again.")
        return 200, {}
    await turn.reply(file_info_activity(upload_info, "Here is your consent receipt."))
    log.info("consent receipt uploaded", extra={"session_id": session.id})
    return 200, {}
