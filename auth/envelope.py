"""The shape every incoming activity must have before botbuilder or a handler sees it.

msrest does not enforce the schema's types (a list where a string belongs survives
`Activity.deserialize`), and handlers then store or compare such values and fail with a 500.
Teams never sends these shapes, so they are refused at the edge with a 400: the fields the
bot reads must have their documented JSON types; everything else passes through untouched.
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
)

MAX_ENTITIES = 256
MAX_ATTACHMENTS = 64
MAX_MEMBERS = 1000


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class Account(_Open):
    id: StrictStr | None = None
    name: StrictStr | None = None
    aadObjectId: StrictStr | None = None  # noqa: N815 - the wire name
    role: StrictStr | None = None


class Conversation(_Open):
    id: StrictStr
    tenantId: StrictStr | None = None  # noqa: N815
    conversationType: StrictStr | None = None  # noqa: N815
    isGroup: StrictBool | None = None  # noqa: N815
    name: StrictStr | None = None

    @field_validator("id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank")
        return value


class IdOnly(_Open):
    id: StrictStr | None = None


class ChannelData(_Open):
    tenant: IdOnly | None = None
    meeting: IdOnly | None = None
    team: IdOnly | None = None
    channel: IdOnly | None = None
    eventType: StrictStr | None = None  # noqa: N815


class Envelope(_Open):
    type: StrictStr
    channelId: StrictStr  # noqa: N815
    serviceUrl: StrictStr  # noqa: N815
    conversation: Conversation
    id: StrictStr | None = None
    timestamp: StrictStr | None = None
    localTimestamp: StrictStr | None = None  # noqa: N815
    text: StrictStr | None = None
    textFormat: StrictStr | None = None  # noqa: N815
    name: StrictStr | None = None
    replyToId: StrictStr | None = None  # noqa: N815
    locale: StrictStr | None = None
    valueType: StrictStr | None = None  # noqa: N815
    action: StrictStr | None = None
    callerId: StrictStr | None = None  # noqa: N815
    from_: Account | None = None
    recipient: Account | None = None
    channelData: ChannelData | None = None  # noqa: N815
    # Bounded lists: msrest and the router turn every entry into an object on the event loop,
    # so a 250 KB body of tiny entries would hold the loop for a tenth of a second or more.
    # Teams sends a handful (mentions, clientInfo); these bounds are far above that.
    entities: list[dict[str, Any]] | None = Field(None, max_length=MAX_ENTITIES)
    attachments: list[dict[str, Any]] | None = Field(None, max_length=MAX_ATTACHMENTS)
    membersAdded: list[Account] | None = Field(None, max_length=MAX_MEMBERS)  # noqa: N815
    membersRemoved: list[Account] | None = Field(None, max_length=MAX_MEMBERS)  # noqa: N815

    @field_validator("type", "channelId", "serviceUrl")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("blank")
        return value


class EnvelopeError(ValueError):
    """The activity does not have the shape Teams sends; `str()` names the first field."""


def check_envelope(body: dict[str, Any]) -> None:
    """Raise EnvelopeError unless the fields the bot reads have their documented types."""
    data = dict(body)
    if "from" in data:
        data["from_"] = data.pop("from")
    try:
        Envelope.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).replace("from_", "from")
        raise EnvelopeError(f"activity field {where[:60]} is missing or has the wrong type") \
            from None
