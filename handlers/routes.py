"""One registry for everything Teams sends the bot, each route declared beside its handler.

In the style of the Teams SDK for Python (`@app.on_meeting_start`,
`@app.on_card_action_execute("verb")`):

    @routes.on_command("start", help="Start the session", facilitator_only=True, where="group")
    async def start(turn: Turn, argument: str) -> None: ...

    @routes.on_card_action_execute("consent.accept")
    async def accept(turn: Turn, data: dict[str, Any]) -> InvokeBody: ...

Commands (the first word after the @mention), Universal Actions verbs (`adaptiveCard/action`),
meeting events, membership, other invokes by name (`fileConsent/invoke`; message-extension
actions are `on_message_action("commandId")`: both of their invokes, `composeExtension/fetchTask`
and `composeExtension/submitAction`), plain group chat, and the 1:1
dialog that may be waiting for a reply. `handlers.router` decides which route an activity
takes; this module only holds the declarations and applies a command's own rule (where it
works, who may use it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from handlers.context import Turn
from handlers.incoming import MessageAction, as_dict, message_action
from services.roles import Person

log = logging.getLogger(__name__)

CARD = "application/vnd.microsoft.card.adaptive"

InvokeBody = dict[str, Any]
TurnHandler = Callable[[Turn], Awaitable[None]]
CommandHandler = Callable[[Turn, str], Awaitable[None]]
VerbHandler = Callable[[Turn, dict[str, Any]], Awaitable[InvokeBody]]
InvokeHandler = Callable[[Turn], Awaitable[tuple[int, Any]]]
MessageActionHandler = Callable[[Turn, MessageAction], Awaitable[InvokeBody]]
MembersHandler = Callable[[Turn, list[Person]], Awaitable[None]]
DialogHandler = Callable[[Turn], Awaitable[bool]]
Where = Literal["group", "personal", "any"]


def card_response(card: dict[str, Any]) -> InvokeBody:
    return {"statusCode": 200, "type": CARD, "value": card}


MESSAGE_ACTION_INVOKES = ("composeExtension/fetchTask", "composeExtension/submitAction")


def task_message(text: str) -> InvokeBody:
    """A message extension action's answer shown to its user alone, in a message box (a task
    module `message` response); it closes the dialog."""
    return {"task": {"type": "message", "value": text}}


def task_dialog(title: str, card: dict[str, Any]) -> InvokeBody:
    """A message extension action's dialog: an Adaptive Card in a task module (`continue`)."""
    return {"task": {"type": "continue", "value": {
        "title": title, "height": "small", "width": "medium",
        "card": {"contentType": CARD, "content": card}}}}


def error_response(status: int, code: str, message: str) -> InvokeBody:
    return {
        "statusCode": status,
        "type": "application/vnd.microsoft.error",
        "value": {"code": code, "message": message},
    }


async def refuse(turn: Turn, command: str) -> None:
    """The one answer to a facilitator command from someone who is not a facilitator of the
    session concerned (it says nothing about the session or its people)."""
    log.info("facilitator command refused", extra={"command": command})
    await turn.reply_text(
        f"Sorry, only the session's facilitators can use '{command}'. "
        "Type 'help' to see what you can do."
    )


@dataclass(frozen=True)
class Command:
    name: str
    handler: CommandHandler
    help: str
    facilitator_only: bool
    where: Where


class Routes:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._unknown: CommandHandler | None = None
        self._verbs: dict[str, VerbHandler] = {}
        self._invokes: dict[str, InvokeHandler] = {}
        self._message_actions: dict[str, MessageActionHandler] = {}
        self.meeting_start: TurnHandler | None = None
        self.meeting_end: TurnHandler | None = None
        self.participants_joined: MembersHandler | None = None
        self.participants_left: TurnHandler | None = None
        self.members_added: MembersHandler | None = None
        self.chat_message: TurnHandler | None = None
        self.message_update: TurnHandler | None = None
        self.message_delete: TurnHandler | None = None
        self.dialog_reply: DialogHandler | None = None

    # ---- declarations ----------------------------------------------------------------------

    def on_command(
        self, name: str, *, help: str, facilitator_only: bool = False, where: Where = "any"
    ) -> Callable[[CommandHandler], CommandHandler]:
        def register(handler: CommandHandler) -> CommandHandler:
            self._commands[name] = Command(name, handler, help, facilitator_only, where)
            return handler

        return register

    def on_unknown_command(self, handler: CommandHandler) -> CommandHandler:
        self._unknown = handler
        return handler

    def on_card_action_execute(self, verb: str) -> Callable[[VerbHandler], VerbHandler]:
        def register(handler: VerbHandler) -> VerbHandler:
            self._verbs[verb] = handler
            return handler

        return register

    def on_invoke(self, name: str) -> Callable[[InvokeHandler], InvokeHandler]:
        def register(handler: InvokeHandler) -> InvokeHandler:
            self._invokes[name] = handler
            return handler

        return register

    def on_message_action(
        self, command_id: str
    ) -> Callable[[MessageActionHandler], MessageActionHandler]:
        """A message extension `action` command used from a message's "..." menu (declared in
        the manifest's composeExtensions with `context: ["message"]`, `fetchTask: true`)."""

        def register(handler: MessageActionHandler) -> MessageActionHandler:
            self._message_actions[command_id] = handler
            return handler

        return register

    def on_meeting_start(self, handler: TurnHandler) -> TurnHandler:
        self.meeting_start = handler
        return handler

    def on_meeting_end(self, handler: TurnHandler) -> TurnHandler:
        self.meeting_end = handler
        return handler

    def on_meeting_participant_join(self, handler: MembersHandler) -> MembersHandler:
        self.participants_joined = handler
        return handler

    def on_meeting_participant_leave(self, handler: TurnHandler) -> TurnHandler:
        self.participants_left = handler
        return handler

    def on_members_added(self, handler: MembersHandler) -> MembersHandler:
        self.members_added = handler
        return handler

    def on_chat_message(self, handler: TurnHandler) -> TurnHandler:
        """A group-chat message not addressed to the bot (what the bot screens)."""
        self.chat_message = handler
        return handler

    def on_message_update(self, handler: TurnHandler) -> TurnHandler:
        self.message_update = handler
        return handler

    def on_message_delete(self, handler: TurnHandler) -> TurnHandler:
        self.message_delete = handler
        return handler

    def on_dialog_reply(self, handler: DialogHandler) -> DialogHandler:
        """A 1:1 message that a waiting dialog may take (True: taken, no command runs)."""
        self.dialog_reply = handler
        return handler

    # ---- lookups ---------------------------------------------------------------------------

    def command(self, name: str) -> Command | None:
        return self._commands.get(name)

    def commands(self) -> list[Command]:
        """Every declared command, for checks that the app's published text matches them."""
        return list(self._commands.values())

    def is_command(self, command_text: str) -> bool:
        """Whether `command_text` (after the @mention) starts with a declared command; an
        empty text is 'help'."""
        words = command_text.split(maxsplit=1)
        return not words or words[0].lower() in self._commands

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

    def invoke(self, name: str) -> InvokeHandler | None:
        return self._invokes.get(name)

    def message_action_ids(self) -> list[str]:
        return list(self._message_actions)

    # ---- dispatch --------------------------------------------------------------------------

    async def run_command(self, turn: Turn) -> None:
        words = turn.incoming.command_text.split(maxsplit=1)
        name = words[0].lower() if words else "help"
        argument = words[1] if len(words) > 1 else ""
        command = self._commands.get(name)
        if command is None:
            if self._unknown is not None:
                await self._unknown(turn, argument)
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
            await refuse(turn, command.name)
            return
        await command.handler(turn, argument)

    async def run_card_action(self, turn: Turn) -> InvokeBody:
        value = as_dict(turn.incoming.value)
        action = as_dict(value.get("action"))
        verb = action.get("verb")
        handler = self._verbs.get(verb) if isinstance(verb, str) else None
        if handler is None:
            log.info("unknown card verb")
            return error_response(400, "BadRequest", "This card action is not recognised.")
        return await handler(turn, as_dict(action.get("data")))

    async def run_message_action(self, turn: Turn) -> InvokeBody:
        action = message_action(turn.incoming)
        handler = self._message_actions.get(action.command_id)
        if handler is None:
            log.info("unknown message action")
            return task_message("This action is not recognised.")
        if action.command_context != "message":
            return task_message("Use this from the '...' menu of a message in the meeting chat.")
        return await handler(turn, action)


routes = Routes()
