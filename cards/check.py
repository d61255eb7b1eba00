"""A structural sanity check for built cards, used by tests (ours and the bot's)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cards.builders import MAX_REFRESH_USER_IDS

SCHEMA_URL = "http://adaptivecards.io/schemas/adaptive-card.json"


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def card_problems(card: Any) -> list[str]:
    """Return what is structurally wrong with a card (empty list when it looks valid).

    Checks: AdaptiveCard 1.4 header, a body list, every Action.Execute has a verb,
    refresh.userIds has at most 60 entries, element ids are unique, no unfilled ``${``.
    """
    problems: list[str] = []
    if not isinstance(card, dict):
        return [f"card is a {type(card).__name__}, not an object"]
    if card.get("type") != "AdaptiveCard":
        problems.append("type is not AdaptiveCard")
    if card.get("version") != "1.4":
        problems.append(f"version is {card.get('version')!r}, not '1.4'")
    if card.get("$schema") != SCHEMA_URL:
        problems.append("$schema is missing or wrong")
    if not isinstance(card.get("body"), list) or not card["body"]:
        problems.append("body is missing or empty")
    refresh = card.get("refresh")
    if refresh is not None:
        user_ids = refresh.get("userIds")
        if not isinstance(user_ids, list):
            problems.append("refresh.userIds is not a list")
        elif len(user_ids) > MAX_REFRESH_USER_IDS:
            problems.append(f"refresh.userIds has {len(user_ids)} entries (max 60)")
        action = refresh.get("action", {})
        if action.get("type") != "Action.Execute":
            problems.append("refresh.action is not an Action.Execute")
    seen_ids: set[str] = set()
    for node in _walk(card):
        if isinstance(node, str) and "${" in node:
            problems.append(f"unfilled placeholder in {node[:60]!r}")
        if not isinstance(node, dict):
            continue
        if node.get("type") == "Action.Execute" and not node.get("verb"):
            problems.append("an Action.Execute has no verb")
        if str(node.get("type", "")).startswith("Input.") and not node.get("id"):
            problems.append(f"an {node['type']} has no id")
        element_id = node.get("id")
        if isinstance(element_id, str):
            if element_id in seen_ids:
                problems.append(f"duplicate id {element_id!r}")
            seen_ids.add(element_id)
    return problems
