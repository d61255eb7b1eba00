"""Withdrawal and export in Teams, end to end: activities in over HTTP, replies out through
the outbox to the Bot Connector stand-in, the export uploaded to a local OneDrive stand-in."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot import STORE
from handlers.file_upload import FILE_CONSENT, FILE_INFO
from handlers.withdrawal_commands import parse_withdraw
from store import schema as t
from tests.conftest import RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import audit_entries
from tests.teams import ALICE, BOB, FACILITATOR, MEETING_CHAT, Teams
from tests.test_session_flow import all_statements_ticked, consent_data, start_session

HERO = "application/vnd.microsoft.card.hero"


def attachments(connector: ConnectorStandIn, conversation_id: str, kind: str) -> list[Any]:
    return [a for s in connector.to(conversation_id)
            for a in s.activity.get("attachments") or [] if a.get("contentType") == kind]


def texts(connector: ConnectorStandIn, conversation_id: str) -> str:
    parts = []
    for sent in connector.to(conversation_id):
        parts.append(sent.text)
        for a in sent.activity.get("attachments") or []:
            parts.append(str(a.get("content")))
    return "\n".join(parts)


async def session_with_alice(bot: RunningBot, teams: Teams, connector: ConnectorStandIn,
                             end: bool = True) -> None:
    await start_session(bot, teams, connector)
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    status, _ = await bot.post(teams.card_action(ALICE, "consent.accept", data))
    assert status == 200
    if end:
        await bot.post(teams.command(FACILITATOR, "end"))
        await connector.wait_for(lambda c: any("withdraw" in str(s.activity).lower()
                                               for s in c.to(MEETING_CHAT)))


async def withdrawals(bot: RunningBot) -> list[Any]:
    store = bot.app[STORE]
    async with store.engine.connect() as conn:
        return list((await conn.execute(select(t.withdrawals))).all())


async def test_a_participant_withdraws_in_a_private_chat_after_confirming(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await session_with_alice(bot, teams, connector)
    private = connector.personal_conversation_for(ALICE.id)

    await bot.post(teams.personal(ALICE, "withdraw"))
    await connector.wait_for(lambda c: attachments(c, private, HERO))
    explained = texts(connector, private)
    assert "not be used" in explained and "Yes, withdraw me" in explained
    assert await withdrawals(bot) == []  # nothing until confirmed

    await bot.post(teams.personal(ALICE, "Yes, withdraw me"))
    await connector.wait_for(lambda c: "is recorded" in texts(c, private))
    (row,) = await withdrawals(bot)
    assert row.requested_by == "self" and row.reason is None
    to_facilitator = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: "Withdrawal recorded" in texts(c, to_facilitator))
    assert "P01" in texts(connector, to_facilitator)
    assert ALICE.name not in texts(connector, to_facilitator)

    await bot.post(teams.personal(ALICE, "withdraw"))  # twice: harmless
    await connector.wait_for(lambda c: "already withdrawn" in texts(c, private))
    assert len(await withdrawals(bot)) == 1


async def test_saying_no_changes_nothing(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await session_with_alice(bot, teams, connector)
    private = connector.personal_conversation_for(ALICE.id)
    await bot.post(teams.personal(ALICE, "withdraw"))
    await connector.wait_for(lambda c: attachments(c, private, HERO))
    await bot.post(teams.personal(ALICE, "no"))
    await connector.wait_for(lambda c: "Nothing has changed" in texts(c, private))
    assert await withdrawals(bot) == []


async def test_withdraw_in_the_meeting_chat_is_answered_privately(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await session_with_alice(bot, teams, connector, end=False)
    await bot.post(teams.command(ALICE, "withdraw"))
    private = connector.personal_conversation_for(ALICE.id)
    await connector.wait_for(lambda c: attachments(c, private, HERO))
    (card,) = attachments(connector, private, HERO)
    assert card["content"]["buttons"][0]["value"] == "withdraw"
    await connector.wait_for(lambda c: any("private message" in s.text
                                           for s in c.to(MEETING_CHAT)))
    assert not any("withdraw" in s.text.lower() for s in connector.to(MEETING_CHAT))


async def test_a_participant_with_no_session_is_told_kindly(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await bot.post(teams.personal(BOB, "withdraw"))
    private = connector.personal_conversation_for(BOB.id)
    await connector.wait_for(lambda c: "couldn't find" in texts(c, private))


async def test_a_facilitator_records_a_withdrawal_with_a_reason(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await session_with_alice(bot, teams, connector)
    await bot.post(teams.command(FACILITATOR, f"withdraw P01 {ALICE.name} asked by email"))
    to_facilitator = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: "Recorded: P01" in texts(c, to_facilitator))
    (row,) = await withdrawals(bot)
    assert row.requested_by == "facilitator"
    assert ALICE.name.split()[0] not in row.reason and "[PERSON]" in row.reason
    store = bot.app[STORE]
    (entry,) = await audit_entries(store, "withdrawal")
    assert entry["actor"] == "facilitator F1" and entry["details"]["participant"] == "P01"
    # a participant cannot record one for someone else
    await bot.post(teams.command(BOB, "withdraw P01 because"))
    await connector.wait_for(lambda c: any("Only facilitators" in s.text
                                           for s in c.to(MEETING_CHAT)))


def test_parse_withdraw_arguments() -> None:
    assert parse_withdraw("P03 --session 1a2b3c4d asked by email") == (
        parse_withdraw("P03 asked by email --session 1a2b3c4d"))
    request = parse_withdraw('"Jane Smith" asked by email')
    assert request is not None and request.who == "Jane Smith"
    request = parse_withdraw("Jane Smith: asked by email")
    assert request is not None and request.who == "Jane Smith" and request.session_ref is None
    assert parse_withdraw("P03") is None  # a reason is required


@dataclass
class OneDrive:
    url: str = ""
    uploads: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
async def onedrive() -> AsyncIterator[OneDrive]:
    drive = OneDrive()

    async def put(request: web.Request) -> web.Response:
        drive.uploads.append((dict(request.headers), await request.read()))
        return web.json_response({"id": "item"}, status=201)

    app = web.Application()
    app.router.add_put("/upload/{name}", put)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    drive.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore
    yield drive
    await runner.cleanup()


def file_consent(teams: Teams, action: str, context: dict[str, Any], url: str) -> dict[str, Any]:
    activity = copy.deepcopy(teams.personal(FACILITATOR, ""))
    activity.update(type="invoke", name="fileConsent/invoke", text=None)
    activity["value"] = {"type": "fileUpload", "action": action, "context": context}
    if action == "accept":
        activity["value"]["uploadInfo"] = {
            "contentUrl": "https://contoso.sharepoint.com/export.docx", "name": "export.docx",
            "uploadUrl": url, "uniqueId": "1150D938", "fileType": "docx"}
    return activity


async def test_a_facilitator_gets_the_export_through_the_file_consent_card(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn, onedrive: OneDrive
) -> None:
    await session_with_alice(bot, teams, connector)
    private = connector.personal_conversation_for(FACILITATOR.id)
    await bot.post(teams.personal(FACILITATOR, "export"))
    await connector.wait_for(lambda c: attachments(c, private, FILE_CONSENT))
    (consent,) = attachments(connector, private, FILE_CONSENT)
    assert consent["name"].endswith(".docx") and consent["content"]["sizeInBytes"] > 0
    context = consent["content"]["acceptContext"]

    status, _ = await bot.post(file_consent(teams, "accept", context,
                                            f"{onedrive.url}/upload/export.docx"))
    assert status == 200
    ((headers, body),) = onedrive.uploads
    assert headers["Content-Range"] == f"bytes 0-{len(body) - 1}/{len(body)}"
    assert body[:2] == b"PK"  # a .docx is a zip
    await connector.wait_for(lambda c: attachments(c, private, FILE_INFO))
    (info,) = attachments(connector, private, FILE_INFO)
    assert info["content"]["uniqueId"] == "1150D938"
    store = bot.app[STORE]
    (entry,) = await audit_entries(store, "export")
    assert entry["details"]["channel"] == "teams"

    status, _ = await bot.post(file_consent(teams, "decline", context, ""))
    assert status == 200
    await connector.wait_for(lambda c: "won't send" in texts(c, private))
    assert len(onedrive.uploads) == 1


async def test_export_is_for_facilitators_only_and_in_private(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn, onedrive: OneDrive
) -> None:
    await session_with_alice(bot, teams, connector)
    await bot.post(teams.personal(ALICE, "export"))
    private = connector.personal_conversation_for(ALICE.id)
    await connector.wait_for(lambda c: "only the session's facilitators" in texts(c, private))
    activity = file_consent(teams, "accept", {"session_id": "x", "format": "docx"},
                            f"{onedrive.url}/upload/x.docx")
    activity["from"] = ALICE.account()
    status, _ = await bot.post(activity)
    assert status == 403 and onedrive.uploads == []


ADAPTIVE = "application/vnd.microsoft.card.adaptive"


async def test_a_she_said_is_reviewed_in_the_facilitators_1to1_and_a_revert_is_possible(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await session_with_alice(bot, teams, connector, end=False)
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    await bot.post(teams.card_action(BOB, "consent.accept", data))
    await bot.post(teams.chat(ALICE, "Remote attendance helps parents.", activity_id="9001"))
    reply = teams.chat(BOB, "Marmoset yes, that is true.", activity_id="9002")
    reply["replyToId"] = "9001"
    await bot.post(reply)
    await bot.post(teams.chat(BOB, "Walrus she said it better than I could.",
                              activity_id="9003"))
    await bot.post(teams.command(FACILITATOR, "end"))
    await connector.wait_for(lambda c: any("withdraw" in str(s.activity).lower()
                                           for s in c.to(MEETING_CHAT)))
    session = (await bot.app[STORE].list_sessions())[0]

    await bot.post(teams.command(FACILITATOR, "withdraw P01 asked by email"))
    to_facilitator = connector.personal_conversation_for(FACILITATOR.id)
    await connector.wait_for(lambda c: attachments(c, to_facilitator, ADAPTIVE) and any(
        "Walrus" in str(a) for a in attachments(c, to_facilitator, ADAPTIVE)))
    (card,) = [a["content"] for a in attachments(connector, to_facilitator, ADAPTIVE)
               if "Walrus" in str(a)]
    assert "Marmoset" not in str(card)  # the reply is excluded outright, not reviewed
    assert "Walrus" not in texts(connector, MEETING_CHAT)  # never shown in the group
    exclude = next(a for a in str_actions(card) if a["title"] == "Exclude")
    assert exclude["verb"] == "withdrawal.review.exclude"
    # before an export, the facilitator is reminded in the 1:1, with the card again
    await bot.post(teams.personal(FACILITATOR, "export csv"))
    await connector.wait_for(lambda c: "still await your review" in texts(c, to_facilitator))
    assert "Walrus" not in texts(connector, MEETING_CHAT)

    # a participant cannot decide; the facilitator can, and it is audited without text
    status, body = await bot.post(teams.card_action(BOB, exclude["verb"], exclude["data"]))
    assert "Only this session's facilitators" in str(body)
    status, body = await bot.post(teams.card_action(FACILITATOR, exclude["verb"],
                                                    exclude["data"]))
    assert status == 200 and "Excluded" in str(body)
    store = bot.app[STORE]
    (entry,) = await audit_entries(store, "withdrawal.review")
    assert entry["details"]["decision"] == "exclude" and "Walrus" not in str(entry)

    await bot.post(teams.command(FACILITATOR, f"withdraw undo P01 --session {session.id[:8]}"))
    await connector.wait_for(lambda c: "Undone: P01" in texts(c, to_facilitator))
    assert await store.withdrawals_for(session.id) == []
    (entry,) = await audit_entries(store, "withdrawal.reverted")
    assert entry["actor"] == "facilitator F1"


def str_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found
