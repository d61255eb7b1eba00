"""The message actions in a chat message's "..." menu (a message extension's `action` commands
with `context: ["message"]`, see the manifest's composeExtensions): "Report to the
facilitators" and "Please remove my message from the research".

Each opens a small dialog (`composeExtension/fetchTask`, checked first: the chat must be a
session's, and a removal must be the author's own message) and acts when it is sent
(`composeExtension/submitAction`, checked again on the server). The answer goes to the person
who used it alone, in Teams' message box; nothing is ever posted in the group chat.
"""

from __future__ import annotations

import cards
from handlers.context import Turn
from handlers.incoming import MessageAction
from handlers.routes import InvokeBody, routes, task_dialog, task_message
from services.flag_reports import ReportedMessage

REPORT_COMMAND = "reportMessage"
REMOVE_COMMAND = "removeMyMessage"


def _message(action: MessageAction) -> ReportedMessage:
    return ReportedMessage(action.message_id, action.author_aad_id)


@routes.on_message_action(REPORT_COMMAND)
async def report_message(turn: Turn, action: MessageAction) -> InvokeBody:
    flags = turn.services.flags
    incoming = turn.incoming
    if not action.submitted:
        refused = await flags.refusal("report", incoming.conversation_id, incoming.sender,
                                      _message(action))
        if refused is not None:
            return task_message(refused)
        return task_dialog("Report to the facilitators", cards.report_dialog_card())
    concern = action.data.get(cards.message_actions.CONCERN_INPUT)
    answer = await flags.report_message(
        incoming.conversation_id, incoming.sender, _message(action),
        concern if isinstance(concern, str) else "other")
    return task_message(answer.text)


@routes.on_message_action(REMOVE_COMMAND)
async def remove_my_message(turn: Turn, action: MessageAction) -> InvokeBody:
    flags = turn.services.flags
    incoming = turn.incoming
    if not action.submitted:
        refused = await flags.refusal("remove", incoming.conversation_id, incoming.sender,
                                      _message(action))
        if refused is not None:
            return task_message(refused)
        return task_dialog("Remove my message from the research", cards.remove_dialog_card())
    answer = await flags.request_removal(incoming.conversation_id, incoming.sender,
                                         _message(action))
    return task_message(answer.text)
