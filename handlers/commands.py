"""Commands: the first word after the bot's @mention (or of a 1:1 message), matched exactly.

Each command is declared next to its rule. Facilitator-only commands are checked here, on the
server, for every call; a participant who types one is refused politely and nothing changes.
Anything unknown gets help.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import cards
from handlers.context import Turn
from services.messages import card_activity

log = logging.getLogger(__name__)

Handler = Callable[[Turn, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    help: str
    facilitator_only: bool
    where: str  # "group" | "personal" | "any"


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}

    def on(
        self, name: str, *, help: str, facilitator_only: bool = False, where: str = "any"
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._commands[name] = Command(name, handler, help, facilitator_only, where)
            return handler

        return register

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def visible(self, *, facilitator: bool, personal: bool) -> list[tuple[str, str]]:
        shown = []
        for command in self._commands.values():
            if command.facilitator_only and not facilitator:
                continue
            if command.where == "group" and personal or command.where == "personal" and not (
                personal
            ):
                continue
            shown.append((command.name, command.help))
        return shown

    async def dispatch(self, turn: Turn) -> None:
        words = turn.incoming.command_text.split(maxsplit=1)
        name = words[0].lower() if words else "help"
        argument = words[1] if len(words) > 1 else ""
        command = self._commands.get(name)
        if command is None:
            await send_help(turn, unknown=True)
            return
        if command.where == "group" and turn.incoming.personal:
            await turn.reply_text(
                f"'{command.name}' works in the meeting chat: @mention me there with "
                f"'{command.name}'."
            )
            return
        if command.where == "personal" and not turn.incoming.personal:
            await turn.reply_text(
                f"'{command.name}' works in a private chat with me. Open a chat with me and "
                f"type '{command.name}' there."
            )
            return
        if command.facilitator_only and not await turn.is_facilitator():
            log.info("facilitator command refused", extra={"command": command.name})
            await turn.reply_text(
                f"Sorry, only the session's facilitators can use '{command.name}'. "
                "Type 'help' to see what you can do."
            )
            return
        await command.handler(turn, argument)


commands = CommandRegistry()


async def send_help(turn: Turn, *, unknown: bool = False) -> None:
    facilitator = await turn.is_facilitator()
    listed = commands.visible(facilitator=facilitator, personal=turn.incoming.personal)
    card = cards.help_card(
        listed,
        is_facilitator=facilitator,
        bot_name=turn.incoming.bot_name or "the bot",
        personal=turn.incoming.personal,
    )
    if unknown:
        await turn.reply_text("I don't know that command. Here is what I can do:")
    await turn.reply(card_activity(card, summary="Help"))


@commands.on("help", help="Show what I can do")
async def help_command(turn: Turn, _: str) -> None:
    await send_help(turn)


@commands.on("start", help="Start the focus group session in this chat",
             facilitator_only=True, where="group")
async def start(turn: Turn, _: str) -> None:
    session, created = await turn.services.sessions.start(
        turn.conversation(), member_ids=[turn.incoming.sender.teams_user_id]
    )
    await turn.participant(session)
    if not created:
        await turn.reply_text(
            "A session is already running in this chat. Type 'end' to close it."
        )


@commands.on("remind", help="Post the Chatham House reminder now",
             facilitator_only=True, where="group")
async def remind(turn: Turn, _: str) -> None:
    session = await turn.live_session()
    if session is None:
        await turn.reply_text("No session is running in this chat. Type 'start' to begin one.")
        return
    await turn.services.sessions.remind_now(session, turn.incoming.activity_id or "now")


@commands.on("status", help="Consent summary, sent to you privately",
             facilitator_only=True, where="group")
async def status(turn: Turn, _: str) -> None:
    session = await turn.live_session() or await turn.store.latest_session(
        turn.incoming.conversation_id
    )
    if session is None:
        await turn.tell_privately(card_activity(cards.notice_card(
            "No session", "No session has been run in that chat yet.")))
        return
    summary = await turn.services.consent.summary(session)
    card = cards.status_card(
        session.title or turn.study.short_title,
        summary.consented,
        summary.declined,
        summary.pending,
        turn.services.clock(),
    )
    await turn.tell_privately(card_activity(card, summary="Consent status"))
    await turn.reply_text("I've sent you the consent summary in a private chat.")


@commands.on("end", help="End the session and post the closing message",
             facilitator_only=True, where="group")
async def end(turn: Turn, _: str) -> None:
    session = await turn.live_session()
    if session is None:
        await turn.reply_text("No session is running in this chat.")
        return
    await turn.services.sessions.end(session)


@commands.on("info", help="Show the information sheet again")
async def info(turn: Turn, _: str) -> None:
    await turn.reply(card_activity(cards.information_sheet_card(turn.study),
                                   summary="Participant information sheet"))


@commands.on("consent", help="Show the consent card again")
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
