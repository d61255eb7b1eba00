"""A live session driven over HTTP against bot processes: start it, consent, chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tests.connector_standin import ConnectorStandIn
from tests.teams import FACILITATOR, MEETING_CHAT, Teams, User
from tests.test_session_flow import _walk, all_statements_ticked

Post = Callable[[dict[str, Any]], Awaitable[tuple[int, Any]]]


def consent_data_for(connector: ConnectorStandIn, conversation_id: str) -> dict[str, Any] | None:
    for sent in connector.to(conversation_id):
        for card in sent.cards:
            for node in _walk(card):
                if isinstance(node, dict) and node.get("verb") == "consent.accept":
                    return dict(node["data"])
    return None


def statements(connector: ConnectorStandIn, conversation_id: str) -> dict[str, str]:
    if conversation_id == MEETING_CHAT:
        return all_statements_ticked(connector)
    ids = [n["id"] for s in connector.to(conversation_id) for card in s.cards
           for n in _walk(card) if isinstance(n, dict) and n.get("type") == "Input.Toggle"]
    return {i: "true" for i in dict.fromkeys(ids)}


async def start_live_session(post: Post, connector: ConnectorStandIn, teams: Teams,
                             consenting: tuple[User, ...], *,
                             facilitator: User = FACILITATOR) -> None:
    """`start` by the facilitator, then each of `consenting` accepts the consent form."""
    status, _ = await post(teams.command(facilitator, "start"))
    assert status == 201, status
    conversation = teams.conversation_id
    await connector.wait_for(lambda c: consent_data_for(c, conversation) is not None,
                             timeout=30)
    data = consent_data_for(connector, conversation)
    assert data is not None
    data = {**data, **statements(connector, conversation)}
    for user in consenting:
        status, body = await post(teams.card_action(user, "consent.accept", data))
        assert status == 200 and body["statusCode"] == 200, (status, body)


async def gather_limited(limit: int, jobs: list[Awaitable[Any]]) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(job: Awaitable[Any]) -> Any:
        async with semaphore:
            return await job

    return await asyncio.gather(*(one(j) for j in jobs))
