"""Outgoing activity payloads (Bot Framework activity JSON) and where to send them."""

from __future__ import annotations

from typing import Any

from store import OutboxItem, Priority, Session

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"

SESSION_DELETED = "This session's data has been deleted. Nothing was recorded."
"""The answer to any action on a card of a purged session (it must create nothing)."""


def card_activity(card: dict[str, Any], *, summary: str | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
    }
    if summary:
        activity["summary"] = summary
    return activity


def card_of(activity: dict[str, Any] | None) -> Any:
    """The Adaptive Card in an outgoing activity (None if it carries none): `card_activity`'s
    inverse."""
    for attachment in (activity or {}).get("attachments") or []:
        if attachment.get("contentType") == ADAPTIVE_CARD:
            return attachment.get("content")
    return None


def text_activity(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "textFormat": "plain"}


def to_session_chat(session: Session, key: str, payload: dict[str, Any]) -> OutboxItem:
    """An item for the session's group (meeting) chat; `key` makes it idempotent."""
    return OutboxItem(
        dedupe_key=f"session:{session.id}:{key}",
        service_url=session.service_url,
        tenant_id=session.tenant_id,
        conversation_id=session.conversation_id,
        session_id=session.id,
        payload=payload,
    )


def to_user(
    *,
    key: str,
    service_url: str,
    tenant_id: str | None,
    payload: dict[str, Any],
    conversation_id: str | None = None,
    user_id: str | None = None,
    session_id: str | None = None,
    notify_ref: str | None = None,
    priority: int = Priority.NORMAL,
) -> OutboxItem:
    """A private item: to a known 1:1 conversation, or to a user (the 1:1 is opened first)."""
    return OutboxItem(
        dedupe_key=key,
        service_url=service_url,
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        user_id=None if conversation_id else user_id,
        session_id=session_id,
        payload=payload,
        notify_ref=notify_ref,
        priority=priority,
    )
