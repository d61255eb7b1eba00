"""Meeting and membership events: auto-start, auto-end, and welcomes for late joiners."""

from __future__ import annotations

import logging
from dataclasses import replace

import cards
from handlers.context import Turn
from handlers.incoming import meeting_details
from handlers.routes import routes
from services.messages import card_activity, to_session_chat
from services.roles import Person

log = logging.getLogger(__name__)


@routes.on_meeting_start
async def on_meeting_start(turn: Turn) -> None:
    if not turn.services.auto_start_on_meeting_start:
        return
    meeting_id, title = meeting_details(turn.incoming)
    where = turn.conversation(title=title)
    if meeting_id and not where.meeting_id:
        where = replace(where, meeting_id=meeting_id)
    await turn.services.sessions.start(where)


@routes.on_meeting_end
async def on_meeting_end(turn: Turn) -> None:
    session = await turn.live_session()
    if session is not None:
        await turn.services.sessions.end(session)
    else:  # ended by the 'end' command: the transcript is still the meeting's
        session = await turn.store.latest_session(turn.incoming.conversation_id)
    if session is not None and turn.services.transcripts is not None:
        await turn.services.transcripts.schedule(session)


@routes.on_members_added
@routes.on_meeting_participant_join
async def on_members_joined(turn: Turn, members: list[Person]) -> None:
    """Welcome people who join a live session and let them see their own consent view."""
    bot_id = turn.incoming.bot_id
    people = [m for m in members if m.teams_user_id and m.teams_user_id != bot_id]
    if any(m.teams_user_id == bot_id for m in members) and not people:
        await turn.reply_text(
            "Hello! I help facilitators run this focus group: the information sheet, consent, "
            "Chatham House reminders and confidentiality checks. Facilitators: @mention me "
            "with 'start' when the session begins. Anyone: @mention me with 'help'."
        )
        return
    session = await turn.live_session()
    if session is None or not people:
        return
    for person in people:
        joined = await turn.services.sessions.participant(
            session,
            person,
            facilitator=await turn.services.facilitators.is_facilitator(person, turn.where()),
        )
        await turn.store.enqueue(
            to_session_chat(
                session,
                f"late_joiner:{joined.id}",  # a row id: keys carry no identity
                card_activity(cards.late_joiner_card(turn.study,
                                                     bot_name=turn.incoming.bot_name or "bot")),
            ),
            turn.services.clock(),
        )
    turn.services.wake_outbox()
    await turn.services.sessions.refresh_consent_card(session)
