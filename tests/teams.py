"""Teams-shaped activities for tests, built from the real payloads in `fixtures/teams/`.

Each builder starts from a captured or documented Teams payload and changes only ids, text and
the serviceUrl (pointed at the local Bot Connector stand-in).
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "teams"
TENANT = "167c22a9-1b2e-439c-ad74-cc77e9e118d8"
BOT_ID = "28:c9a052ed-f68c-4227-b081-01da0669c49c"
BOT_NAME = "Focus Group Bot"
MEETING_CHAT = "19:meeting_MTRmMTQ5NDYtMTYyYi00NmNlLWI4ZTQtN2I1MTYzM2RkYTg3@thread.v2"
MEETING_ID = (
    "MCMxOTptZWV0aW5nX01UUm1NVFE1TkRZdE1UWXlZaTAwTm1ObExXSTRaVFF0TjJJMU1UWXpNMlJrWVRnM0B0aHJlYWQudjIjMA=="
)

_ids = itertools.count(1763900000000)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


@dataclass(frozen=True)
class User:
    name: str
    aad: str

    @property
    def id(self) -> str:
        return f"29:1{self.aad.replace('-', '')}"

    def account(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}


FACILITATOR = User("Fay Facilitator", "aaaaaaaa-0000-4000-8000-000000000001")
CO_FACILITATOR = User("Cole Cofacilitator", "aaaaaaaa-0000-4000-8000-000000000002")
ALICE = User("Alice Participant", "bbbbbbbb-0000-4000-8000-000000000001")
BOB = User("Bob Participant", "bbbbbbbb-0000-4000-8000-000000000002")


class Teams:
    """Builds activities for one meeting chat whose serviceUrl is the connector stand-in."""

    def __init__(self, service_url: str, conversation_id: str = MEETING_CHAT,
                 meeting_id: str = MEETING_ID) -> None:
        self.service_url = service_url
        self.conversation_id = conversation_id
        self.meeting_id = meeting_id

    def _group(self, activity: dict[str, Any]) -> dict[str, Any]:
        activity["serviceUrl"] = self.service_url
        activity["conversation"] = {
            "isGroup": True,
            "conversationType": "groupChat",
            "tenantId": TENANT,
            "id": self.conversation_id,
        }
        activity["recipient"] = {"id": BOT_ID, "name": BOT_NAME}
        activity["channelData"] = {"tenant": {"id": TENANT}, "meeting": {"id": self.meeting_id}}
        return activity

    def command(self, user: User, text: str) -> dict[str, Any]:
        """A meeting-chat message that @mentions the bot (shape of the real capture 06)."""
        activity = copy.deepcopy(fixture("06_channel_message_bot_mention.capture.json"))
        activity = self._group(activity)
        activity["id"] = str(next(_ids))
        activity["from"] = user.account()
        activity["text"] = f"<at>{BOT_NAME}</at> {text}"
        activity["entities"][0] = {
            "mentioned": {"id": BOT_ID, "name": BOT_NAME},
            "text": f"<at>{BOT_NAME}</at>",
            "type": "mention",
        }
        activity["attachments"] = [{
            "contentType": "text/html",
            "content": f"<p><span itemtype=\"http://schema.skype.com/Mention\" itemscope=\"\" "
                       f"itemid=\"0\">{BOT_NAME}</span>&nbsp;{text}</p>",
        }]
        return activity

    def chat(self, user: User, text: str, activity_id: str | None = None) -> dict[str, Any]:
        """A plain meeting-chat message (no @mention), as delivered under RSC."""
        activity = self.command(user, text)
        activity["id"] = activity_id or str(next(_ids))
        activity["text"] = text
        activity["entities"] = [activity["entities"][1]]
        activity["attachments"] = [{"contentType": "text/html", "content": f"<p>{text}</p>"}]
        return activity

    def personal(self, user: User, text: str) -> dict[str, Any]:
        activity = self.command(user, text)
        activity["text"] = text
        activity["entities"] = [activity["entities"][1]]
        activity["conversation"] = {
            "conversationType": "personal",
            "tenantId": TENANT,
            "id": f"a:personal:{user.id}",
        }
        activity["channelData"] = {"tenant": {"id": TENANT}}
        return activity

    def card_action(self, user: User, verb: str, data: dict[str, Any],
                    trigger: str = "manual") -> dict[str, Any]:
        """An Action.Execute invoke (shape of the real capture 05)."""
        activity = copy.deepcopy(fixture("05_adaptiveCard_action_invoke.capture.json"))
        activity = self._group(activity)
        activity["id"] = f"f:{next(_ids)}"
        activity["from"] = user.account()
        activity["value"] = {
            "action": {"type": "Action.Execute", "title": verb, "verb": verb, "data": data},
            "trigger": trigger,
        }
        return activity

    def message_action(self, user: User, command_id: str, message_id: str, author: User, *,
                       submit: bool = False, data: dict[str, Any] | None = None,
                       html: str = "<p>(a message)</p>") -> dict[str, Any]:
        """A message extension action used from a message's "..." menu: the dialog's
        `composeExtension/fetchTask`, or with `submit` its `composeExtension/submitAction`
        carrying the dialog's inputs as `value.data` (shape of the docs example 09)."""
        activity = copy.deepcopy(fixture("09_composeExtension_fetchTask_message_action.docs.json"))
        activity = self._group(activity)
        activity["channelId"] = "msteams"  # left out of the shortened example (see its source)
        activity["id"] = f"f:{next(_ids)}"
        activity["from"] = user.account()
        value = activity["value"]
        value["commandId"] = command_id
        payload = value["messagePayload"]
        payload["id"] = message_id
        payload["linkToMessage"] = (
            f"https://teams.microsoft.com/l/message/{self.conversation_id}/{message_id}")
        payload["body"]["content"] = html
        payload["mentions"] = []
        payload["from"]["user"] = {"userIdentityType": "aadUser", "id": author.aad,
                                   "displayName": author.name}
        if submit:
            activity["name"] = "composeExtension/submitAction"
            value["data"] = dict(data or {})
        return activity

    def meeting_start(self, title: str = "Focus group 1") -> dict[str, Any]:
        activity = copy.deepcopy(fixture("02_meetingStart.capture_pascalcase.json"))
        activity = self._group(activity)
        activity["value"]["Title"] = title
        activity["value"]["Id"] = self.meeting_id
        return activity

    def meeting_end(self) -> dict[str, Any]:
        activity = copy.deepcopy(fixture("03_meetingEnd.docs_pascalcase.json"))
        return self._group(activity)

    def members_added(self, *users: User) -> dict[str, Any]:
        activity = copy.deepcopy(fixture("01_conversationUpdate_user_added_to_meeting.docs.json"))
        activity = self._group(activity)
        activity["membersAdded"] = [u.account() for u in users]
        return activity

    def participant_join(self, *users: User) -> dict[str, Any]:
        activity = copy.deepcopy(fixture("04_meetingParticipantJoin.sdk_fixture.json"))
        activity = self._group(activity)
        activity["value"]["members"] = [
            {"user": u.account(), "meeting": {"inMeeting": True, "role": "Attendee"}}
            for u in users
        ]
        return activity

    def participant_leave(self, *users: User) -> dict[str, Any]:
        """meetingParticipantLeave: the join event's shape under its own name."""
        activity = self.participant_join(*users)
        activity["name"] = "application/vnd.microsoft.meetingParticipantLeave"
        for member in activity["value"]["members"]:
            member["meeting"]["inMeeting"] = False
        return activity
