"""The bot: routes each Teams activity to a handler. It holds no rules of its own.

It implements botbuilder's `Bot` directly rather than `TeamsActivityHandler`: the latter calls
the connector for every added member (`TeamsInfo.get_member`) before our code runs and its
adaptive-card path crashes under CloudAdapter; a small explicit router avoids both.

Plain meeting-chat traffic (messages not addressed to the bot, edits, deletes) is most of what
arrives and never answers inline, so `on_chat_json` handles it straight from the activity's
JSON, without botbuilder's turn: CloudAdapter builds two msrest clients (with requests
sessions) for every turn, which cost more CPU than storing the message.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

import handlers.withdrawal_commands  # noqa: F401  (registers withdraw and export)
from handlers import chat, flag_actions, flag_commands, meetings  # noqa: F401 (registers)
from handlers.card_actions import error_response, verbs
from handlers.commands import commands
from handlers.context import BotServices, Turn
from handlers.incoming import Incoming, joined_members, read_activity, read_incoming
from services.roles import Person

log = logging.getLogger(__name__)

MEETING_START = "application/vnd.microsoft.meetingstart"
MEETING_END = "application/vnd.microsoft.meetingend"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingparticipantjoin"

ChatHandler = Any  # async (Turn) -> None, provided by the chat-screening module when present


class FocusGroupBot(Bot):
    def __init__(self, services: BotServices) -> None:
        self.services = services
        self.chat_handler: ChatHandler | None = services.extras.get(
            "chat_handler", chat.on_chat_message
        )
        self.edit_handler: ChatHandler | None = services.extras.get(
            "edit_handler", chat.on_message_update
        )
        self.delete_handler: ChatHandler | None = services.extras.get(
            "delete_handler", chat.on_message_delete
        )

    async def on_chat_json(self, body: dict[str, Any]) -> bool:
        """Handle a plain group-chat message, edit or delete from its JSON; False (nothing
        done) for every other activity, which goes through botbuilder's turn (`on_turn`)."""
        incoming = read_incoming(body)
        handler = self._chat_handler_for(incoming)
        if handler is None:
            return False
        log.debug("activity", extra={"type": incoming.type, "activity_id": incoming.activity_id})
        await handler(Turn(context=None, incoming=incoming, services=self.services))
        return True

    def _chat_handler_for(self, incoming: Incoming) -> ChatHandler | None:
        if incoming.personal:
            return None
        if incoming.type == ActivityTypes.message and not incoming.addressed_to_bot:
            return self.chat_handler
        if incoming.type == ActivityTypes.message_update:
            return self.edit_handler
        if incoming.type == ActivityTypes.message_delete:
            return self.delete_handler
        return None

    async def on_turn(self, context: TurnContext, body: dict[str, Any] | None = None) -> None:
        incoming = read_incoming(body) if body is not None else read_activity(context.activity)
        turn = Turn(context=context, incoming=incoming, services=self.services)
        kind = incoming.type
        log.debug("activity", extra={"type": kind, "activity_id": incoming.activity_id})
        if kind == ActivityTypes.message:
            await self._on_message(turn)
        elif kind == ActivityTypes.invoke:
            await self._on_invoke(turn)
        elif kind == ActivityTypes.event:
            await self._on_event(turn)
        elif kind == ActivityTypes.conversation_update:
            added = [
                Person(m.id, getattr(m, "aad_object_id", None), getattr(m, "name", None))
                for m in context.activity.members_added or []
                if m and m.id
            ]
            if added:
                await meetings.on_members_joined(turn, added)
        elif kind == ActivityTypes.message_update and self.edit_handler:
            await self.edit_handler(turn)
        elif kind == ActivityTypes.message_delete and self.delete_handler:
            await self.delete_handler(turn)

    async def _on_message(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.addressed_to_bot:
            dialog = self.services.extras.get("dialog_handler")  # 1:1 dialogs first
            if incoming.personal and dialog is not None and await dialog(turn):
                return
            await self._dispatch_once(turn)
        elif self.chat_handler is not None:
            await self.chat_handler(turn)

    async def _dispatch_once(self, turn: Turn) -> None:
        """Run a command once per activity id, whichever instance gets a repeated delivery.

        The id is claimed before the command runs and released if it fails, so Teams' retry of
        a failed turn is processed; a crash in mid-command loses that command (the facilitator
        sees no answer and types it again) rather than answering it twice.
        """
        incoming = turn.incoming
        if not incoming.activity_id:
            await commands.dispatch(turn)
            return
        key = f"command:{incoming.conversation_id}:{incoming.activity_id}"
        store = self.services.store
        if not await store.first_delivery(key, self.services.clock()):
            log.info(
                "repeated command delivery ignored", extra={"activity_id": incoming.activity_id}
            )
            return
        try:
            await commands.dispatch(turn)
        except BaseException:
            await store.forget_delivery(key)
            raise

    async def _on_event(self, turn: Turn) -> None:
        name = turn.incoming.name.lower()
        if name == MEETING_START:
            await meetings.on_meeting_start(turn)
        elif name == MEETING_END:
            await meetings.on_meeting_end(turn)
        elif name == PARTICIPANT_JOIN:
            await meetings.on_members_joined(turn, joined_members(turn.incoming))

    async def _on_invoke(self, turn: Turn) -> None:
        if turn.incoming.name == "adaptiveCard/action":
            body = await verbs.dispatch(turn)
            status = 200
        else:
            invoke_handler = self.services.extras.get("invokes", {}).get(turn.incoming.name)
            if invoke_handler is not None:
                status, body = await invoke_handler(turn)
            else:
                # A client error, not a server fault: this bot declares no such feature.
                status, body = 400, error_response(400, "BadRequest", "Not supported.")
        await turn.context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body)
            )
        )
