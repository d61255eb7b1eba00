"""The message actions in a chat message's "..." menu (a message extension's `action` commands
with `context: ["message"]`, see the manifest's composeExtensions): "Report to the
facilitators" and "Please remove my message from the research".

Each opens a small dialog (`composeExtension/fetchTask`, checked first: the chat must be a
session's, and a removal must be the author's own message) and acts when it is sent
(`composeExtension/submitAction`, checked again on the server). The answer goes to the person
who used it alone, in Teams' message box; nothing is ever posted in the group chat.
"""

from __future__ import annotations

from typing import Any

import cards
from handlers.context import Turn
from handlers.incoming import MessageAction
from handlers.routes import InvokeBody, routes, task_dialog, task_message
from services.flag_reports import ReportedMessage

REPORT_COMMAND = "reportMessage"
REMOVE_COMMAND = "removeMyMessage"


def _message(action: MessageAction) -> ReportedMessage:
    return ReportedMessage(action.message_id, action.author_aad_id)


async def _dialog_or_refusal(turn: Turn, action: MessageAction, kind: str, title: str,
                             card: dict[str, Any]) -> InvokeBody:
    """The dialog for `fetchTask`, or why it is refused (checked again when it is sent)."""
    incoming = turn.incoming
    refused = await turn.services.flags.refusal(kind, incoming.conversation_id,
                                                incoming.sender, _message(action))
    return task_message(refused) if refused is not None else task_dialog(title, card)


@routes.on_message_action(REPORT_COMMAND)
async def report_message(turn: Turn, action: MessageAction) -> InvokeBody:
    if not action.submitted:
        return await _dialog_or_refusal(turn, action, "report", "Report to the facilitators",
                                        cards.report_dialog_card())
    concern = action.data.get(cards.message_actions.CONCERN_INPUT)
    answer = await turn.services.flags.report_message(
        turn.incoming.conversation_id, turn.incoming.sender, _message(action),
        concern if isinstance(concern, str) else "other")
    return task_message(answer.text)


@routes.on_message_action(REMOVE_COMMAND)
async def remove_my_message(turn: Turn, action: MessageAction) -> InvokeBody:
    if not action.submitted:
        return await _dialog_or_refusal(turn, action, "remove",
                                        "Remove my message from the research",
                                        cards.remove_dialog_card())
    answer = await turn.services.flags.request_removal(
        turn.incoming.conversation_id, turn.incoming.sender, _message(action))
    return task_message(answer.text)
