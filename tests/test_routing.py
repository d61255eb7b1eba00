"""Which activities skip botbuilder's turn, and that both ways of reading an activity agree.

Plain meeting-chat traffic is handled straight from its JSON (`FocusGroupBot.on_chat_json`);
everything that may answer inline (commands, card invokes, 1:1 messages, meeting events) goes
through botbuilder. The two paths must read the same activity the same way.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from botbuilder.schema import Activity

from handlers.incoming import as_dict, read_incoming
from handlers.router import FocusGroupBot
from handlers.routes import Routes
from tests.teams import ALICE, FACILITATOR, TENANT, Teams, fixture

teams = Teams("https://smba.trafficmanager.net/emea/")


def edit(text: str) -> dict[str, Any]:
    activity = copy.deepcopy(fixture("08_messageUpdate_editMessage.docs.json"))
    activity.update(teams.chat(ALICE, text))
    activity["type"] = "messageUpdate"
    activity["channelData"]["eventType"] = "editMessage"
    return activity


def delete() -> dict[str, Any]:
    activity = teams.chat(ALICE, "")
    activity["type"] = "messageDelete"
    activity["channelData"]["eventType"] = "softDeleteMessage"
    return activity


ACTIVITIES = {
    "chat message": teams.chat(ALICE, "Hello everyone"),
    "chat message naming a colleague": teams.chat(ALICE, "Hi <at>Fay Facilitator</at> thanks"),
    "command to the bot": teams.command(FACILITATOR, "status"),
    "1:1 message": teams.personal(ALICE, "withdraw"),
    "card invoke": teams.card_action(ALICE, "consent.accept", {"session_id": "x"}),
    "meeting start": teams.meeting_start(),
    "meeting end": teams.meeting_end(),
    "members added": teams.members_added(ALICE),
    "participant join": teams.participant_join(ALICE),
    "edit": edit("Edited text"),
    "delete": delete(),
    "docs message with a mention": fixture("07_message_with_mention.docs.json"),
}
FAST = {"chat message", "chat message naming a colleague", "edit", "delete"}


def read_activity(activity: Activity) -> Any:
    """What botbuilder's deserialised `Activity` says, in our reader's terms.

    msrest's `serialize()` drops fields its models do not declare (a mention's `mentioned`)
    and writes `conversation.tenant_id` as "tenantID", so those are put back by hand.
    """
    data = as_dict(activity)
    data["entities"] = [as_dict(entity) for entity in activity.entities or []]
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        data.setdefault("conversation", {})["tenantId"] = conversation.tenant_id
    return read_incoming(data)


@pytest.mark.parametrize("name", sorted(ACTIVITIES))
def test_json_and_botbuilder_readers_agree(name: str) -> None:
    body = ACTIVITIES[name]
    assert read_incoming(body) == read_activity(Activity().deserialize(copy.deepcopy(body)))


def test_the_tenant_is_read_from_the_conversation_too() -> None:
    """msrest maps `conversation.tenantId` to "tenantID", so botbuilder never sees it."""
    body = teams.chat(ALICE, "Hello")
    del body["channelData"]["tenant"]
    assert Activity().deserialize(copy.deepcopy(body)).conversation.tenant_id is None
    assert read_incoming(body).tenant_id == TENANT


class Recorder:
    def __init__(self) -> None:
        self.handled: list[str] = []

    def handler(self, kind: str) -> Any:
        async def handle(turn: Any) -> None:
            assert turn.context is None
            self.handled.append(kind)
        return handle


def bot_with(recorder: Recorder) -> FocusGroupBot:
    services: Any = type("Services", (), {})()
    routes = Routes()
    routes.on_chat_message(recorder.handler("chat"))
    routes.on_message_update(recorder.handler("edit"))
    routes.on_message_delete(recorder.handler("delete"))
    return FocusGroupBot(services, routes)


@pytest.mark.parametrize("name", sorted(ACTIVITIES))
async def test_only_plain_chat_traffic_skips_botbuilder(name: str) -> None:
    recorder = Recorder()
    handled = await bot_with(recorder).on_chat_json(ACTIVITIES[name])
    assert handled == (name in FAST)
    expected = {"edit": ["edit"], "delete": ["delete"]}.get(name, ["chat"] if handled else [])
    assert recorder.handled == expected
