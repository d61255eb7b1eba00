"""Read what the bot needs from a Teams activity, tolerating the shapes Teams really sends.

Real payloads differ from the docs: meeting event values come PascalCase ("Title", "Id"),
some docs show camelCase; event names sometimes carry stray spaces; anonymous meeting members
have no aadObjectId; a message's mention entity text may not match the message text exactly.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from services.roles import Person

_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _get(mapping: Any, *names: str) -> Any:
    """Look a key up case-insensitively (Teams sends PascalCase, docs show camelCase)."""
    if not isinstance(mapping, dict):
        return None
    lowered = {str(k).lower(): v for k, v in mapping.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _str(value: Any) -> str | None:
    """A string field from free-form JSON, or None when the sender put something else there."""
    return value if isinstance(value, str) else None


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    data: dict[str, Any] = {}
    serialize = getattr(value, "serialize", None)
    if callable(serialize):
        serialized = serialize()
        if isinstance(serialized, dict):
            data.update(serialized)
    extra = getattr(value, "additional_properties", None)
    if isinstance(extra, dict):  # msrest keeps unknown fields (e.g. a mention's) here
        data.update(extra)
    return data


@dataclass(frozen=True)
class Mention:
    user_id: str
    name: str | None
    text: str | None


@dataclass(frozen=True)
class Incoming:
    activity_id: str | None
    type: str
    name: str
    conversation_id: str
    conversation_type: str
    is_group: bool
    service_url: str
    tenant_id: str | None
    meeting_id: str | None
    sender: Person
    bot_id: str | None
    bot_name: str | None
    text: str
    mentions: list[Mention] = field(default_factory=list)
    value: Any = None
    channel_data: dict[str, Any] = field(default_factory=dict)
    reply_to_id: str | None = None
    members_added: list[Person] = field(default_factory=list)

    @property
    def personal(self) -> bool:
        return self.conversation_type == "personal" or not self.is_group

    @property
    def mentions_bot(self) -> bool:
        return any(m.user_id == self.bot_id for m in self.mentions) if self.bot_id else False

    @property
    def command_text(self) -> str:
        """The text with the bot's @mention removed, as plain words."""
        text = self.text
        for mention in self.mentions:
            if mention.user_id == self.bot_id and mention.text:
                text = text.replace(mention.text, " ")
        bot_name = (self.bot_name or "").strip().lower()
        if bot_name:
            text = _AT_TAG.sub(
                lambda m: " " if m.group(1).strip().lower() == bot_name else m.group(0), text
            )
        return plain_text(text)

    @property
    def addressed_to_bot(self) -> bool:
        return self.personal or self.mentions_bot

    @property
    def mentioned_user_ids(self) -> list[str]:
        return [m.user_id for m in self.mentions if m.user_id != self.bot_id]


def plain_text(text: str) -> str:
    """Teams text as a person reads it: tags dropped, entities decoded, spaces collapsed."""
    text = _AT_TAG.sub(lambda m: m.group(1), text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text).replace("\xa0", " ")
    return _SPACE.sub(" ", text).strip()


def read_incoming(body: dict[str, Any]) -> Incoming:
    """The typed view of an activity's JSON, as Teams sent it: the one reader, for the chat
    fast path and botbuilder's turn alike (botbuilder's own `Activity` is never read).

    The JSON has passed `auth.envelope.check_envelope`, so the fields read here have their
    documented types when present; anything else free-form is read defensively.
    """
    conversation = as_dict(body.get("conversation"))
    channel_data = as_dict(body.get("channelData"))
    tenant = _get(as_dict(channel_data.get("tenant")), "id") or _str(conversation.get("tenantId"))
    meeting_id = _get(as_dict(channel_data.get("meeting")), "id")
    sender = as_dict(body.get("from"))
    recipient = as_dict(body.get("recipient"))
    mentions = []
    entities = body.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        data = as_dict(entity)
        if data.get("type") != "mention":
            continue
        mentioned = as_dict(data.get("mentioned"))
        if mentioned.get("id"):
            mentions.append(Mention(str(mentioned["id"]), _str(mentioned.get("name")),
                                    _str(data.get("text"))))
    conversation_type = (_str(conversation.get("conversationType")) or "").strip()
    is_group = conversation.get("isGroup") is True
    if not conversation_type:
        conversation_type = "groupChat" if is_group else "personal"
    return Incoming(
        activity_id=_str(body.get("id")) or None,
        type=(_str(body.get("type")) or "").strip(),
        name=(_str(body.get("name")) or "").strip(),
        conversation_id=_str(conversation.get("id")) or "",
        conversation_type=conversation_type,
        is_group=is_group or conversation_type in ("groupChat", "channel"),
        service_url=_str(body.get("serviceUrl")) or "",
        tenant_id=tenant,
        meeting_id=meeting_id,
        sender=Person(
            teams_user_id=_str(sender.get("id")) or "",
            aad_object_id=_str(sender.get("aadObjectId")) or None,
            display_name=_str(sender.get("name")) or None,
        ),
        bot_id=_str(recipient.get("id")),
        bot_name=_str(recipient.get("name")),
        text=_str(body.get("text")) or "",
        mentions=mentions,
        value=body.get("value"),
        channel_data=channel_data,
        reply_to_id=_str(body.get("replyToId")),
        members_added=_members_added(body.get("membersAdded")),
    )


def _members_added(members: Any) -> list[Person]:
    """A conversationUpdate's new members (the bot itself among them when it is added)."""
    people = []
    for member in members if isinstance(members, list) else []:
        data = as_dict(member)
        user_id = _str(data.get("id"))
        if user_id:
            people.append(Person(user_id, _str(data.get("aadObjectId")), _str(data.get("name"))))
    return people


@dataclass(frozen=True)
class MessageAction:
    """A message extension action command's invoke (`composeExtension/fetchTask` when its
    dialog opens, `composeExtension/submitAction` when it is sent): which command, where it was
    used (`message`: from a message's "..." menu), and the message it was used on, from
    `value.messagePayload`. Teams names the message's author by AAD object id
    (`from.user.id`); `messagePayload.id` is the Teams message id, the id of the message's own
    activity. The message's text (`body.content`) is not read."""

    submitted: bool
    command_id: str
    command_context: str
    message_id: str
    author_aad_id: str | None
    data: dict[str, Any]


def message_action(incoming: Incoming) -> MessageAction:
    value = as_dict(incoming.value)
    payload = as_dict(_get(value, "messagePayload"))
    author = as_dict(_get(as_dict(_get(payload, "from")), "user"))
    return MessageAction(
        submitted=incoming.name == "composeExtension/submitAction",
        command_id=_str(_get(value, "commandId")) or "",
        command_context=(_str(_get(value, "commandContext")) or "").strip().lower(),
        message_id=_str(_get(payload, "id")) or "",
        author_aad_id=_str(_get(author, "id")) or None,
        data=as_dict(_get(value, "data")),
    )


def meeting_details(incoming: Incoming) -> tuple[str | None, str | None]:
    """(meeting id, title) from a meetingStart/End event value, PascalCase or camelCase."""
    value = as_dict(incoming.value)
    return (_str(_get(value, "Id")) or incoming.meeting_id, _str(_get(value, "Title")))


def joined_members(incoming: Incoming) -> list[Person]:
    """Members named by a meetingParticipantJoin event (value.members[].user)."""
    people = []
    members = _get(as_dict(incoming.value), "members")
    for member in members if isinstance(members, list) else []:
        user = as_dict(_get(as_dict(member), "user"))
        user_id = _str(_get(user, "id"))
        if user_id:
            people.append(
                Person(user_id, _str(_get(user, "aadObjectId")), _str(_get(user, "name")) or None)
            )
    return people
