"""The bot: reads each Teams activity once and sends it down the one route declared for it.

It is the logic given to botbuilder's adapter rather than a `TeamsActivityHandler`: the latter
calls the connector for every added member (`TeamsInfo.get_member`) before our code runs and
its adaptive-card path crashes under CloudAdapter; a small explicit router avoids both.

Plain meeting-chat traffic (messages not addressed to the bot, edits, deletes) is most of what
arrives and never answers inline, so `on_chat_json` handles it straight from the activity's
JSON, without botbuilder's turn: CloudAdapter builds two msrest clients (with requests
sessions) for every turn, which cost more CPU than storing the message. Both paths read the
activity with the same reader (`read_incoming`) and route through the same `Routes`.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

# The handler modules declare their routes on import.
from handlers import (  # noqa: F401
    breakout,
    card_actions,
    chat,
    commands,
    export_commands,
    flag_actions,
    flag_commands,
    meetings,
    message_actions,
    withdrawal_commands,
)
from handlers.context import Services, Turn
from handlers.incoming import Incoming, joined_members, read_incoming
from handlers.routes import (
    MESSAGE_ACTION_INVOKES,
    Routes,
    TurnHandler,
    error_response,
    routes,
)

log = logging.getLogger(__name__)

MEETING_START = "application/vnd.microsoft.meetingstart"
MEETING_END = "application/vnd.microsoft.meetingend"
PARTICIPANT_JOIN = "application/vnd.microsoft.meetingparticipantjoin"
PARTICIPANT_LEAVE = "application/vnd.microsoft.meetingparticipantleave"


class FocusGroupBot:
    def __init__(self, services: Services, declared: Routes = routes) -> None:
        self.services = services
        self.routes = declared

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

    def _chat_handler_for(self, incoming: Incoming) -> TurnHandler | None:
        if incoming.personal:
            return None
        if incoming.type == ActivityTypes.message and not incoming.addressed_to_bot:
            return self.routes.chat_message
        if incoming.type == ActivityTypes.message_update:
            return self.routes.message_update
        if incoming.type == ActivityTypes.message_delete:
            return self.routes.message_delete
        return None

    async def on_turn(self, context: TurnContext, *, body: dict[str, Any]) -> None:
        """botbuilder's turn for the activity whose JSON, as received, is `body` (read with
        the same `read_incoming` as the fast path; botbuilder's `Activity` is never read)."""
        incoming = read_incoming(body)
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
            if incoming.members_added and self.routes.members_added:
                await self.routes.members_added(turn, incoming.members_added)
        elif kind == ActivityTypes.message_update and self.routes.message_update:
            await self.routes.message_update(turn)
        elif kind == ActivityTypes.message_delete and self.routes.message_delete:
            await self.routes.message_delete(turn)

    async def _on_message(self, turn: Turn) -> None:
        incoming = turn.incoming
        if incoming.addressed_to_bot:
            dialog = self.routes.dialog_reply  # 1:1 dialogs first
            if incoming.personal and dialog is not None and await dialog(turn):
                return
            if not incoming.personal and not self.routes.is_command(incoming.command_text):
                # "@bot I saw … yesterday" is chat that names the bot: screened like any
                # other; the unknown-command help then goes to its author alone
                if self.routes.chat_message is not None:
                    await self.routes.chat_message(turn)
            await self._dispatch_once(turn)
        elif self.routes.chat_message is not None:
            await self.routes.chat_message(turn)

    async def _dispatch_once(self, turn: Turn) -> None:
        """Run a command once per activity id, whichever instance gets a repeated delivery.

        The id is claimed before the command runs and released if it fails, so Teams' retry of
        a failed turn is processed; a crash in mid-command loses that command (the facilitator
        sees no answer and types it again) rather than answering it twice.
        """
        incoming = turn.incoming
        if not incoming.activity_id:
            await self.routes.run_command(turn)
            return
        key = f"command:{incoming.conversation_id}:{incoming.activity_id}"
        store = self.services.store
        if not await store.first_delivery(key, self.services.clock()):
            log.info(
                "repeated command delivery ignored", extra={"activity_id": incoming.activity_id}
            )
            return
        try:
            await self.routes.run_command(turn)
        except BaseException:
            await store.forget_delivery(key)
            raise

    async def _on_event(self, turn: Turn) -> None:
        name = turn.incoming.name.lower()
        if name == MEETING_START and self.routes.meeting_start:
            await self.routes.meeting_start(turn)
        elif name == MEETING_END and self.routes.meeting_end:
            await self.routes.meeting_end(turn)
        elif name == PARTICIPANT_JOIN and self.routes.participants_joined:
            await self.routes.participants_joined(turn, joined_members(turn.incoming))
        elif name == PARTICIPANT_LEAVE and self.routes.participants_left:
            await self.routes.participants_left(turn)

    async def _on_invoke(self, turn: Turn) -> None:
        assert turn.context is not None  # invokes always come through botbuilder's turn
        if turn.incoming.name == "adaptiveCard/action":
            body = await self.routes.run_card_action(turn)
            status = 200
        elif turn.incoming.name in MESSAGE_ACTION_INVOKES:
            body = await self.routes.run_message_action(turn)
            status = 200
        else:
            invoke_handler = self.routes.invoke(turn.incoming.name)
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
