"""Flag card buttons (Universal Actions): remind, hide, redact, dismiss, escalate, and a
digest entry's "Open".

Every click is checked on the server (facilitators only), recorded append-only, applied, and
answered with the updated card; every other facilitator's copy is updated through the outbox.
"""

from __future__ import annotations

from typing import Any

import cards
from handlers.context import Turn
from handlers.routes import InvokeBody, card_response, routes
from services.flag_actions import ACTIONS
from services.flag_digests import SHOW_VERB


def _flag_id(data: dict[str, Any]) -> int | None:
    value = data.get("flag_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


async def _act(turn: Turn, verb: str, data: dict[str, Any]) -> InvokeBody:
    flags = turn.services.flags
    flag_id = _flag_id(data)
    if flag_id is None:
        return card_response(cards.notice_card("Flag", "This flag could not be found."))
    result = await flags.act(
        verb, flag_id, turn.incoming.sender,
        request_id=turn.incoming.activity_id or "click",
        clicked_in=turn.incoming.conversation_id,
    )
    return card_response(result.card)


def _register(verb: str) -> None:
    async def handler(turn: Turn, data: dict[str, Any]) -> InvokeBody:
        return await _act(turn, verb, data)

    handler.__name__ = f"on_{verb.replace('.', '_')}"
    routes.on_card_action_execute(verb)(handler)


for _verb in ACTIONS:
    _register(_verb)


@routes.on_card_action_execute(SHOW_VERB)
async def on_flag_show(turn: Turn, data: dict[str, Any]) -> InvokeBody:
    """A digest entry's button: the flag's own card is sent to this chat; the digest card
    stays as it is (a message response leaves the clicked card unchanged)."""
    flag_id = _flag_id(data)
    said = "This flag could not be found."
    if flag_id is not None:
        incoming = turn.incoming
        said = await turn.services.flags.show(
            flag_id, incoming.sender, conversation_id=incoming.conversation_id,
            service_url=incoming.service_url, tenant_id=incoming.tenant_id,
            request_id=incoming.activity_id or "click")
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
            "value": said}
