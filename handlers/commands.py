"""Commands: the first word after the bot's @mention (or of a 1:1 message), matched exactly.

Each command is declared next to its rule. Facilitator-only commands are checked by the registry
(`handlers.routes`), on the server, for every call; a participant who types one is refused
politely and nothing changes. Anything unknown gets help.
"""

from __future__ import annotations

import logging

import cards
from handlers.breakout import session_code
from handlers.context import Turn
from handlers.routes import refuse, routes
from services.messages import card_activity, text_activity
from services.undelivered import counted

log = logging.getLogger(__name__)


async def send_help(turn: Turn, *, unknown: bool = False) -> None:
    facilitator = await turn.is_facilitator()
    listed = routes.visible(facilitator=facilitator, personal=turn.incoming.personal)
    card = cards.help_card(
        listed,
        is_facilitator=facilitator,
        bot_name=turn.incoming.bot_name or "the bot",
        personal=turn.incoming.personal,
    )
    # An unknown command in the group goes to its author alone: the message may be chat that
    # names the bot, and a card there interrupts everyone (the outbox opens a 1:1 if needed).
    answer = turn.reply if turn.incoming.personal or not unknown else turn.tell_privately
    if unknown:
        await answer(text_activity("I don't know that command. Here is what I can do:"))
    await answer(card_activity(card, summary="Help"))


@routes.on_command("help", help="Show the commands you can use here")
async def help_command(turn: Turn, _: str) -> None:
    await send_help(turn)


@routes.on_unknown_command
async def unknown_command(turn: Turn, _: str) -> None:
    await send_help(turn, unknown=True)


@routes.on_command("start", help="Start the focus group session in this chat",
                   facilitator_only=True, where="group")
async def start(turn: Turn, _: str) -> None:
    running = await turn.live_session()
    if running is not None and not await turn.may_act_on(running):
        await refuse(turn, "start")
        return
    session, created = await turn.services.sessions.start(
        turn.conversation(), member_ids=[turn.incoming.sender.teams_user_id]
    )
    await turn.participant(session)
    if not created:
        await turn.reply_text(
            "A session is already running in this chat. Type 'end' to close it."
        )


@routes.on_command("remind", help="Post the Chatham House reminder now",
                   facilitator_only=True, where="group")
async def remind(turn: Turn, _: str) -> None:
    session = await turn.live_session()
    if session is None:
        await turn.reply_text("No session is running in this chat. Type 'start' to begin one.")
        return
    if not await turn.may_act_on(session):
        await refuse(turn, "remind")
        return
    await turn.services.sessions.remind_now(session, turn.incoming.activity_id or "now")


@routes.on_command("status", help="Send you the consent summary in a private chat",
                   facilitator_only=True, where="group")
async def status(turn: Turn, _: str) -> None:
    session = await turn.live_session() or await turn.store.latest_session(
        turn.incoming.conversation_id
    )
    if session is None:
        await turn.tell_privately(card_activity(cards.notice_card(
            "No session", "No session has been run in that chat yet.")))
        return
    if not await turn.may_act_on(session):
        await refuse(turn, "status")
        return
    members = await turn.services.roster.silent_members(session) if session.live else []
    summary = await turn.services.consent.summary(session, members)
    card = cards.status_card(
        session.title or turn.study.short_title,
        summary.consented,
        summary.declined,
        summary.pending,
        turn.services.clock(),
        zone=turn.services.timezone,
    )
    await turn.tell_privately(card_activity(card, summary="Consent status"))
    if session.live:
        await turn.tell_privately(text_activity(
            f"Session code: {session_code(session.id)}. To screen a breakout room's chat as "
            f"part of this session, add me to that chat and type 'link "
            f"{session_code(session.id)}' there."))
    waiting = await turn.services.flags.undelivered_count(session.id)
    if waiting:
        await turn.tell_privately(text_activity(
            f"Undelivered flags: {waiting} from this session have not reached any facilitator "
            "yet. They are sent as soon as one can be reached (type 'register' to me)."))
    undelivered = (await turn.services.undelivered.for_session(session)
                   if turn.services.undelivered is not None else {})
    if undelivered:
        given_up = sum(len(times) for times in undelivered.values())
        await turn.tell_privately(text_activity(
            f"Undelivered: {given_up} item{'' if given_up == 1 else 's'} from this session "
            f"could not be delivered to Teams and will not be retried ({counted(undelivered)})."
            " Flags among them are still listed in the console."))
    await turn.reply_text("I've sent you the consent summary in a private chat.")


@routes.on_command("end", help="End the session and post the closing message",
                   facilitator_only=True, where="group")
async def end(turn: Turn, _: str) -> None:
    session = await turn.live_session()
    if session is None:
        await turn.reply_text("No session is running in this chat.")
        return
    if not await turn.may_act_on(session):
        await refuse(turn, "end")
        return
    await turn.services.sessions.end(session)


@routes.on_command("info", help="Show the information sheet again")
async def info(turn: Turn, _: str) -> None:
    await turn.reply(card_activity(cards.information_sheet_card(turn.study),
                                   summary="Participant information sheet"))


@routes.on_command("consent", help="Show the consent card again", where="group")
async def consent(turn: Turn, _: str) -> None:
    session = await turn.live_session()
    if session is None:
        await turn.reply_text(
            "Consent is asked in the meeting chat while a session is running."
        )
        return
    await turn.participant(session)
    refresh_ids = await turn.services.sessions.refresh_user_ids(
        session, [turn.incoming.sender.teams_user_id]
    )
    await turn.reply(
        card_activity(cards.consent_card(turn.study, session.id, refresh_ids), summary="Consent")
    )
