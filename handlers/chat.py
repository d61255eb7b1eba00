"""Plain meeting-chat messages (delivered under resource-specific consent), edits and deletes.

One short path per activity: find the live session and the author (cached), store the message
once per activity id in one transaction, hand its id to the background scanner, and return.
A message whose author has not consented is stored without its text, as before, and its text
is handed to the scanner in memory: it is screened like any other (a flag, never its text).
Scanning, flag cards and any reply happen after the turn has been acknowledged.
"""

from __future__ import annotations

import logging

from handlers.context import Turn
from handlers.routes import routes
from store.chat_records import ScanJob

log = logging.getLogger(__name__)


def _from_a_person(turn: Turn) -> bool:
    sender = turn.incoming.sender.teams_user_id
    return bool(sender) and sender != turn.incoming.bot_id and not sender.startswith("28:")


@routes.on_chat_message
async def on_chat_message(turn: Turn) -> None:
    incoming = turn.incoming
    pipeline = turn.services.screening
    if not incoming.activity_id or incoming.personal:
        return
    if not _from_a_person(turn):
        return
    directory = pipeline.directory
    session = await directory.live(incoming.conversation_id)
    if session is None:
        return
    user_id = incoming.sender.teams_user_id
    # a message that names the bot is screened without the bot's name (not a person's name)
    text = incoming.command_text if incoming.mentions_bot else incoming.text
    participant = directory.participant(session.id, user_id)
    if participant is None:
        participant = await turn.participant(session)
        directory.remember(session.id, user_id, participant)
    stored = await turn.store.record_chat_message(
        session_id=session.id,
        participant_id=participant.id,
        activity_id=incoming.activity_id,
        text=text,
        mentions=[{"user_id": m.user_id, "text": m.text or m.name} for m in incoming.mentions
                  if m.user_id != incoming.bot_id] or None,
        at=turn.services.clock(),
        consent_required=participant.role != "facilitator",
        reply_to_id=incoming.reply_to_id,
    )
    if stored.duplicate:
        log.debug("repeat delivery ignored", extra={"session_id": session.id})
        return
    if stored.kept:
        assert stored.message_id is not None
        pipeline.submit(stored.message_id)
        return
    assert stored.message_id is not None
    pipeline.screen_unkept(ScanJob(
        message_id=stored.message_id, session_id=session.id, participant_id=participant.id,
        activity_id=incoming.activity_id, text=text, revision=0,
        received_at=turn.services.clock(), edited_at=None))
    if stored.decision == "declined" or participant.id in directory.nudged:
        return
    directory.nudged.add(participant.id)
    if await turn.store.mark_consent_nudged(participant.id, turn.services.clock()):
        await turn.tell_privately(pipeline.flags.consent_nudge())
        log.info("consent nudge queued", extra={"session_id": session.id})


@routes.on_message_update
async def on_message_update(turn: Turn) -> None:
    """An edited message is scanned again (only if its text was kept); a deleted message
    that its author restores ("undeleteMessage") is no longer marked deleted."""
    incoming = turn.incoming
    pipeline = turn.services.screening
    if not incoming.activity_id or incoming.personal:
        return
    event = str(incoming.channel_data.get("eventType") or "editMessage")
    if event not in ("editMessage", "undeleteMessage"):
        return
    session = await pipeline.directory.live(incoming.conversation_id)
    if session is None:
        return
    if event == "undeleteMessage":
        at = turn.services.clock()
        restored = await turn.store.mark_chat_message_restored(
            session_id=session.id, activity_id=incoming.activity_id, at=at)
        if restored is not None:
            await pipeline.flags.message_changed(session, restored, f"restored:{at.isoformat()}")
        return
    message_id = await turn.store.edit_chat_message(
        session_id=session.id, activity_id=incoming.activity_id, text=incoming.text,
        at=turn.services.clock(),
    )
    if message_id is not None:
        pipeline.submit(message_id)


@routes.on_message_delete
async def on_message_delete(turn: Turn) -> None:
    incoming = turn.incoming
    pipeline = turn.services.screening
    if not incoming.activity_id or incoming.personal:
        return
    session = await pipeline.directory.live(incoming.conversation_id)
    if session is None:
        return
    at = turn.services.clock()
    deleted = await turn.store.mark_chat_message_deleted(
        session_id=session.id, activity_id=incoming.activity_id, at=at
    )
    if deleted is not None:
        await pipeline.flags.message_changed(session, deleted, f"deleted:{at.isoformat()}")
