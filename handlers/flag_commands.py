"""Facilitator commands in a 1:1 chat: `register` (send flags here) and `check <text>`.

`check` shows what the screening engine would flag in a text. Its text is never stored: the
answer goes straight back into the same 1:1 chat (not through the outbox, which stores what it
sends), and nothing is logged but counts.
"""

from __future__ import annotations

import asyncio
import logging

import cards
from handlers.context import Turn
from handlers.routes import routes
from services.flag_content import reasons_of, segments_of
from services.messages import card_activity
from store import FacilitatorChannel
from store.chat_records import FindingRecord

log = logging.getLogger(__name__)

MAX_CHECK_CHARS = 4000


async def _is_facilitator(turn: Turn) -> bool:
    """Flags come from every live session, so a facilitator of any of them may register."""
    return await turn.services.facilitators.is_facilitator(
        turn.incoming.sender, turn.where(any_live_session=True))


@routes.on_command("register", where="personal",
                   help="Facilitators: send flag cards and safeguarding alerts to this chat")
async def register(turn: Turn, _: str) -> None:
    if not await _is_facilitator(turn):
        await turn.reply_text(
            "Only the study's facilitators can receive flags. If you are one, ask the study "
            "lead to add you, or start a session first."
        )
        return
    incoming = turn.incoming
    await turn.store.save_facilitator_channel(FacilitatorChannel(
        teams_user_id=incoming.sender.teams_user_id,
        aad_object_id=incoming.sender.aad_object_id,
        display_name=incoming.sender.display_name,
        service_url=incoming.service_url,
        tenant_id=incoming.tenant_id,
        conversation_id=incoming.conversation_id,
        registered_at=turn.services.clock(),
    ))
    log.info("facilitator channel registered")
    await turn.reply_text(
        "Done: flags about messages that may identify someone, and safeguarding alerts, will "
        "come to this chat. Type 'check' followed by some text to see what I would flag."
    )
    await turn.services.screening.deliver_waiting_flags()  # now, not at the next sweep


@routes.on_command("check", where="personal",
                   help="Facilitators: show what I would flag in a text (nothing is stored)")
async def check(turn: Turn, text: str) -> None:
    if not await _is_facilitator(turn):
        await turn.reply_text("'check' is for the study's facilitators.")
        return
    screener = turn.services.screener
    if screener is None:
        await turn.reply_text("Screening is not available right now.")
        return
    text = text[:MAX_CHECK_CHARS]
    if not text.strip():
        await turn.reply_text("Type 'check' followed by the text to try, e.g. "
                              "'check I saw Jamie Smith at Oakfield Primary'.")
        return
    result = await asyncio.to_thread(screener.scan, text)
    findings = [FindingRecord(f.start, f.end, f.category, float(f.score), f.rule)
                for f in result.findings]
    card = cards.check_card(
        segments_of(text, findings), reasons_of(findings),
        result.safeguarding.level if result.safeguarding else None,
        result.safeguarding.reason if result.safeguarding else None,
    )
    log.info("check done", extra={"findings": len(findings),
                                  "safeguarding": result.safeguarding is not None})
    payload = card_activity(card, summary="Practice check")
    await turn.services.reply_now(turn.incoming.service_url, turn.incoming.conversation_id, payload)
