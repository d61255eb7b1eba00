"""Private flags to facilitators, end to end over HTTP with the Bot Connector stand-in."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import text

from bot import OUTBOX, SERVICES, STORE
from cards import card_problems
from observability import JsonFormatter, configure_logging
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import outbox_counts, unscanned_count
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, MEETING_CHAT, Teams, User
from tests.test_session_flow import _texts, _walk, all_statements_ticked, consent_data
from tests.times import LOCAL_TIME

IDENTIFYING = "I visited Priya Sharma at 12 Leeds Road yesterday"
HARMLESS = "I agree with that point about workload"
SAFEGUARDING = "Honestly I just want to die some days"
FACILITATORS = [FACILITATOR.aad, CO_FACILITATOR.aad]


def personal(user: User) -> str:
    return f"a:personal:{user.id}"


def flag_cards(connector: ConnectorStandIn, conversation_id: str) -> list[dict[str, Any]]:
    return [card for sent in connector.to(conversation_id) if sent.method == "POST"
            for card in sent.cards if _verbs(card) & {"flag.redact", "flag.escalate"}]


def _verbs(card: dict[str, Any]) -> set[str]:
    return {n.get("verb") for n in _walk(card) if isinstance(n, dict)
            and n.get("type") == "Action.Execute"}


def flag_id_of(card: dict[str, Any]) -> int:
    for node in _walk(card):
        if isinstance(node, dict) and str(node.get("verb", "")).startswith("flag."):
            return int(node["data"]["flag_id"])
    raise AssertionError("no flag action on the card")


async def db(bot: RunningBot, sql: str, **params: Any) -> list[Any]:
    store = bot.app[STORE]
    async with store.engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


async def settle(bot: RunningBot, within: float = 10.0) -> None:
    """Wait until every stored message is scanned and the outbox has nothing left to send."""
    store = bot.app[STORE]
    deadline = asyncio.get_running_loop().time() + within
    while True:
        unscanned = (await unscanned_count(store)
                     + bot.app[SERVICES].screening.screening_in_memory)
        # (a delivery round in progress may still queue follow-ups: a digest's redraw)
        pending = (await outbox_counts(store)).get("pending", 0) + bot.app[OUTBOX].rounds_running
        if not unscanned and not pending:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not settled: {unscanned} unscanned, {pending} pending")
        await asyncio.sleep(0.05)


async def live_session(bot: RunningBot, teams: Teams, connector: ConnectorStandIn,
                       *, consenting: tuple[User, ...] = (ALICE,)) -> None:
    """A session started by FACILITATOR, CO_FACILITATOR registered, `consenting` consented."""
    assert (await bot.post(teams.command(FACILITATOR, "start")))[0] == 201
    await connector.wait_for(lambda c: any(
        "consent.accept" in _verbs(card) for s in c.to(MEETING_CHAT) for card in s.cards))
    assert (await bot.post(teams.personal(CO_FACILITATOR, "register")))[0] == 201
    await connector.wait_for(lambda c: any("flags" in s.text.lower()
                                           for s in c.to(personal(CO_FACILITATOR))))
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    for user in consenting:
        status, _ = await bot.post(teams.card_action(user, "consent.accept", data))
        assert status == 200
    await settle(bot)


async def test_identifying_message_flags_each_facilitator_privately_and_nothing_to_group(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    group_before = len(connector.to(MEETING_CHAT))

    status, _ = await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    assert status == 201
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR))
                             and flag_cards(c, personal(CO_FACILITATOR)))
    await settle(flagbot)

    for user in (FACILITATOR, CO_FACILITATOR):
        [card] = flag_cards(connector, personal(user))
        assert card_problems(card) == []
        shown = " ".join(_texts(card))
        assert "Alice Participant" in shown and "P01" in shown
        highlighted = [n["text"] for n in _walk(card) if isinstance(n, dict)
                       and n.get("type") == "TextRun" and n.get("highlight")]
        assert "Priya Sharma" in highlighted
        assert LOCAL_TIME.search(shown) and "UTC" not in shown  # the study's clock
    assert len(connector.to(MEETING_CHAT)) == group_before
    assert "Priya" not in str([s.activity for s in connector.to(MEETING_CHAT)])
    assert [s for s in connector.sent if s.method == "PUT"] == []  # nothing to update
    [flag] = await db(flagbot, "SELECT kind, status FROM flags")
    assert (flag.kind, flag.status) == ("identifying", "open")
    findings = await db(flagbot, "SELECT category FROM findings")
    assert {f.category for f in findings} >= {"PERSON"}


@pytest.mark.slow
async def test_scanning_in_a_worker_process_flags_the_same(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=1)
    await live_session(bot, teams, connector)

    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await bot.post(teams.chat(ALICE, HARMLESS))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)), timeout=60)
    await settle(bot, within=30)

    assert len(flag_cards(connector, personal(FACILITATOR))) == 1
    assert len(await db(bot, "SELECT id FROM messages WHERE scanned_at IS NOT NULL")) == 2


async def test_harmless_message_produces_nothing(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    sent_before = len(connector.sent)

    await flagbot.post(teams.chat(ALICE, HARMLESS))
    await settle(flagbot)

    assert len(connector.sent) == sent_before
    [message] = await db(flagbot, "SELECT text, kept, scanned_at FROM messages")
    assert message.kept and message.text == HARMLESS and message.scanned_at is not None
    assert await db(flagbot, "SELECT id FROM flags") == []


async def test_same_activity_delivered_twice_produces_one_flag(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    activity = teams.chat(ALICE, IDENTIFYING, activity_id="1763999999001")

    first, second = await asyncio.gather(flagbot.post(activity), flagbot.post(activity))
    assert first[0] == second[0] == 201
    await flagbot.post(activity)
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    await settle(flagbot)

    assert len(flag_cards(connector, personal(FACILITATOR))) == 1
    assert len(await db(flagbot, "SELECT id FROM messages")) == 1
    assert len(await db(flagbot, "SELECT id FROM flags")) == 1


async def test_participant_cannot_act_on_a_flag(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    flag_id = flag_id_of(flag_cards(connector, personal(FACILITATOR))[0])

    for verb in ("flag.dismiss", "flag.remind", "flag.escalate"):
        status, body = await flagbot.post(teams.card_action(BOB, verb, {"flag_id": flag_id}))
        assert status == 200
        assert "Only facilitators" in " ".join(_texts(body["value"]))
    await settle(flagbot)

    [flag] = await db(flagbot, "SELECT status FROM flags")
    assert flag.status == "open"
    assert await db(flagbot, "SELECT id FROM flag_actions") == []
    assert not any(s.method == "PUT" for s in connector.sent)


async def test_facilitator_action_is_recorded_and_updates_every_copy(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR))
                             and flag_cards(c, personal(CO_FACILITATOR)))
    await settle(flagbot)
    flag_id = flag_id_of(flag_cards(connector, personal(FACILITATOR))[0])
    action = teams.card_action(CO_FACILITATOR, "flag.dismiss", {"flag_id": flag_id})
    action["conversation"] = {"conversationType": "personal", "id": personal(CO_FACILITATOR)}

    status, body = await flagbot.post(action)

    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "not identifying" in " ".join(_texts(body["value"])).lower()
    await connector.wait_for(lambda c: any(s.method == "PUT" for s in
                                           c.to(personal(FACILITATOR))))
    [update] = [s for s in connector.sent if s.method == "PUT"]
    shown = " ".join(_texts(update.cards[0]))
    assert "F2 marked it not identifying" in shown and LOCAL_TIME.search(shown)
    assert "UTC" not in shown
    [recorded] = await db(flagbot, "SELECT action, actor, outcome FROM flag_actions")
    assert (recorded.action, recorded.actor) == ("dismiss", "F2")
    [flag] = await db(flagbot, "SELECT status FROM flags")
    assert flag.status == "dismissed"
    assert all(f.dismissed for f in await db(flagbot, "SELECT dismissed FROM findings"))


async def test_remind_posts_generic_reminder_to_the_group(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    flag_id = flag_id_of(flag_cards(connector, personal(FACILITATOR))[0])
    before = len(connector.to(MEETING_CHAT))

    status, _ = await flagbot.post(teams.card_action(FACILITATOR, "flag.remind",
                                                     {"flag_id": flag_id}))

    assert status == 200
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) > before)
    reminder = connector.to(MEETING_CHAT)[-1]
    assert "Confidentiality" in str(reminder.activity)
    assert "Priya" not in str(reminder.activity) and "Alice" not in str(reminder.activity)


async def test_safeguarding_goes_to_all_facilitators_marked_urgent(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    before = len(connector.to(MEETING_CHAT))

    await flagbot.post(teams.chat(ALICE, SAFEGUARDING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR))
                             and flag_cards(c, personal(CO_FACILITATOR)))
    await settle(flagbot)

    for user in (FACILITATOR, CO_FACILITATOR):
        [card] = flag_cards(connector, personal(user))
        shown = " ".join(_texts(card))
        assert "URGENT" in shown and "self-harm" in shown
        assert "flag.escalate" in _verbs(card)
    assert len(connector.to(MEETING_CHAT)) == before
    [flag] = await db(flagbot, "SELECT kind, level FROM flags")
    assert (flag.kind, flag.level) == ("safeguarding", "urgent")


async def test_non_consented_text_is_not_kept_and_author_is_nudged_once(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector, consenting=())

    await flagbot.post(teams.chat(BOB, IDENTIFYING))
    await flagbot.post(teams.chat(BOB, "And another thing about Priya Sharma"))
    await settle(flagbot)

    rows = await db(flagbot, "SELECT text, kept FROM messages")
    assert len(rows) == 2 and all(r.text is None and not r.kept for r in rows)
    nudges = [s for s in connector.to(personal(BOB)) if "consent" in str(s.activity).lower()]
    assert len(nudges) == 1
    flags = await db(flagbot, "SELECT kind FROM flags")  # screened in memory (issue 11)
    assert [f.kind for f in flags] == ["identifying", "identifying"]
    assert "Priya" not in str(await db(flagbot, "SELECT payload FROM outbox"))


async def test_edit_is_rescanned_and_delete_is_marked(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    await flagbot.post(teams.chat(ALICE, HARMLESS, activity_id="1763999999100"))
    await settle(flagbot)

    edit = teams.chat(ALICE, IDENTIFYING, activity_id="1763999999100")
    edit["type"] = "messageUpdate"
    edit["channelData"]["eventType"] = "editMessage"
    assert (await flagbot.post(edit))[0] in (200, 201)
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    assert "edited" in " ".join(_texts(flag_cards(connector, personal(FACILITATOR))[0]))

    delete = teams.chat(ALICE, "", activity_id="1763999999100")
    delete["type"] = "messageDelete"
    delete["channelData"]["eventType"] = "softDeleteMessage"
    assert (await flagbot.post(delete))[0] in (200, 201)
    [message] = await db(flagbot, "SELECT deleted_at, edited_at, revision FROM messages")
    assert message.deleted_at is not None and message.edited_at is not None
    assert message.revision == 1

    def latest_copy(c: ConnectorStandIn, user: User) -> str:
        """The facilitator's flag card as it now reads (its last POST or PUT)."""
        copies = [" ".join(_texts(card)) for s in c.to(personal(user)) for card in s.cards
                  if s.method == "PUT" or _verbs(card) & {"flag.redact"}]
        return copies[-1] if copies else ""

    said = "The author has deleted this message."
    for user in (FACILITATOR, CO_FACILITATOR):  # every facilitator's copy says so
        await connector.wait_for(lambda c, u=user: said in latest_copy(c, u))

    undelete = teams.chat(ALICE, IDENTIFYING, activity_id="1763999999100")
    undelete["type"] = "messageUpdate"
    undelete["channelData"]["eventType"] = "undeleteMessage"
    assert (await flagbot.post(undelete))[0] in (200, 201)
    [message] = await db(flagbot, "SELECT deleted_at, revision FROM messages")
    assert message.deleted_at is None and message.revision == 1  # restored, not re-edited
    for user in (FACILITATOR, CO_FACILITATOR):
        await connector.wait_for(lambda c, u=user: said not in latest_copy(c, u))
    await settle(flagbot)
    assert len(flag_cards(connector, personal(FACILITATOR))) == 1  # updated, not re-sent


async def test_check_shows_what_would_be_flagged_and_stores_nothing(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    status, _ = await flagbot.post(teams.personal(FACILITATOR, f"check {IDENTIFYING}"))
    assert status == 201
    await connector.wait_for(lambda c: any(s.cards for s in c.to(personal(FACILITATOR))))
    [card] = [card for s in connector.to(personal(FACILITATOR)) for card in s.cards]
    highlighted = [n["text"] for n in _walk(card) if isinstance(n, dict) and n.get("highlight")]
    assert "Priya Sharma" in highlighted
    dump = "".join([str(await db(flagbot, f"SELECT * FROM {table}"))
                    for table in ("outbox", "messages", "findings", "audit_log")])
    assert "Priya" not in dump

    await flagbot.post(teams.personal(ALICE, f"check {IDENTIFYING}"))
    await connector.wait_for(lambda c: any("facilitators" in s.text
                                           for s in c.to(personal(ALICE))))


@pytest.mark.slow
async def test_auto_group_reminder_is_generic_and_rate_limited(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn, tmp_path: Path
) -> None:
    from study import DEFAULT_STUDY_FILE

    study_file = tmp_path / "study.yaml"
    study_file.write_text(DEFAULT_STUDY_FILE.read_text().replace(
        "auto_response: none", "auto_response: group_reminder"))
    bot = await start_bot(facilitator_ids=FACILITATORS, study_file=study_file,
                          screening_processes=0)
    await live_session(bot, teams, connector)
    before = len(connector.to(MEETING_CHAT))

    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: len(c.to(MEETING_CHAT)) > before)
    await bot.post(teams.chat(ALICE, "Also Oakfield Primary rang me on 07700 900123"))
    await connector.wait_for(lambda c: len(flag_cards(c, personal(FACILITATOR))) == 2)
    await settle(bot)

    reminders = connector.to(MEETING_CHAT)[before:]
    assert len(reminders) == 1
    assert "Confidentiality" in str(reminders[0].activity)
    assert "Priya" not in str(reminders[0].activity)


async def test_logs_never_contain_message_text(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # (set after the session start: services/sessions.py logs extra={"created": ...}, a
    # reserved LogRecord name, which raises KeyError whenever INFO is enabled — reported)
    await live_session(flagbot, teams, connector, consenting=(ALICE,))
    # the production logging set-up (observability.configure_logging), at its most verbose
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {
        name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    configure_logging("DEBUG")
    root.addHandler(caplog.handler)
    try:
        await _chat_and_check(flagbot, teams, connector)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) + " " + r.getMessage() for r in caplog.records)
    assert "scanned" in logged and "check done" in logged  # our logs were captured
    for secret in ("Priya", "Leeds Road", "want to die", "Alice Participant", "Bob Participant"):
        assert secret not in logged


async def _chat_and_check(flagbot: RunningBot, teams: Teams,
                          connector: ConnectorStandIn) -> None:
    await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    await flagbot.post(teams.chat(BOB, SAFEGUARDING))
    await flagbot.post(teams.personal(FACILITATOR, f"check {IDENTIFYING}"))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    await settle(flagbot)


# ---- Graph hide, against a local Graph stand-in --------------------------------------------


class GraphStandIn:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.status = 200
        self.url = ""

    async def patch(self, request: web.Request) -> web.Response:
        self.calls.append((request.match_info["chat_id"], request.match_info["message_id"],
                           await request.json()))
        if self.status >= 400:
            return web.json_response({"error": {"code": "Forbidden"}}, status=self.status)
        return web.Response(status=204)


@pytest.fixture
async def graph() -> Any:
    standin = GraphStandIn()
    app = web.Application()
    app.router.add_patch("/v1.0/chats/{chat_id}/messages/{message_id}", standin.patch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    standin.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    yield standin
    await runner.cleanup()


async def test_hide_calls_graph_with_chat_and_message_ids_and_reports_refusal(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn, graph: GraphStandIn
) -> None:
    bot = await start_bot(facilitator_ids=FACILITATORS, graph_hide_enabled=True,
                          graph_base_url=graph.url, screening_processes=0)
    await live_session(bot, teams, connector)
    await bot.post(teams.chat(ALICE, IDENTIFYING, activity_id="1763999999200"))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    card = flag_cards(connector, personal(FACILITATOR))[0]
    assert "flag.hide" in _verbs(card)
    flag_id = flag_id_of(card)

    graph.status = 403
    status, body = await bot.post(teams.card_action(FACILITATOR, "flag.hide",
                                                    {"flag_id": flag_id}))
    assert status == 200
    assert "permission" in " ".join(_texts(body["value"]))
    [(chat_id, message_id, sent)] = graph.calls
    assert (chat_id, message_id) == (MEETING_CHAT, "1763999999200")
    violation = sent["policyViolation"]
    assert violation["dlpAction"] == "BlockAccess"
    assert violation["policyTip"]["generalText"]
    assert "Priya" not in str(sent)
    [row] = await db(bot, "SELECT hidden_at FROM messages")
    assert row.hidden_at is None

    graph.status = 200
    status, body = await bot.post(teams.card_action(FACILITATOR, "flag.hide",
                                                    {"flag_id": flag_id}))
    assert "Hidden from the chat" in " ".join(_texts(body["value"]))
    [row] = await db(bot, "SELECT hidden_at FROM messages")
    assert row.hidden_at is not None
    outcomes = [r.outcome for r in await db(bot, "SELECT outcome FROM flag_actions ORDER BY id")]
    assert "permission" in outcomes[0] and "Hidden" in outcomes[1]


async def test_hide_is_off_unless_configured(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    card = flag_cards(connector, personal(FACILITATOR))[0]
    assert "flag.hide" not in _verbs(card)
    status, body = await flagbot.post(teams.card_action(FACILITATOR, "flag.hide",
                                                        {"flag_id": flag_id_of(card)}))
    assert status == 200 and "not set up" in " ".join(_texts(body["value"]))


async def test_a_facilitator_of_another_meeting_does_not_get_this_sessions_flags(
    start_bot: BotFactory, connector: ConnectorStandIn
) -> None:
    """Registration says where a facilitator's flags go, not which sessions they may see:
    the organiser of another meeting (not in FACILITATOR_IDS) gets only their own flags."""
    bot = await start_bot(facilitator_ids=[FACILITATOR.aad], screening_processes=0)
    group_a = Teams(connector.url)
    group_b = Teams(connector.url, "19:meeting_otherteam@thread.v2")
    connector.meeting_roles[CO_FACILITATOR.aad] = "Organizer"
    assert (await bot.post(group_b.command(CO_FACILITATOR, "start")))[0] == 201
    await connector.wait_for(lambda c: len(c.to(group_b.conversation_id)) >= 3)
    assert (await bot.post(group_b.personal(CO_FACILITATOR, "register")))[0] == 201
    await connector.wait_for(lambda c: any("flags" in s.text.lower()
                                           for s in c.to(personal(CO_FACILITATOR))))
    assert (await bot.post(group_a.command(FACILITATOR, "start")))[0] == 201
    await connector.wait_for(lambda c: any(
        "consent.accept" in _verbs(card) for s in c.to(MEETING_CHAT) for card in s.cards))
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    assert (await bot.post(group_a.card_action(ALICE, "consent.accept", data)))[0] == 200

    await bot.post(group_a.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    await settle(bot)
    assert flag_cards(connector, personal(CO_FACILITATOR)) == []

    await bot.post(group_b.chat(CO_FACILITATOR, "Priya Sharma from Leeds rang me"))
    await connector.wait_for(lambda c: flag_cards(c, personal(CO_FACILITATOR)))
    await settle(bot)
    assert len(flag_cards(connector, personal(FACILITATOR))) == 1


@pytest.mark.slow
async def test_screening_goes_on_after_its_worker_process_is_killed(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    """The screening worker is a separate process; if it dies (out of memory, killed), a new
    one is started and the message is still flagged."""
    import os
    import signal

    from bot import SERVICES

    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=1)
    await live_session(bot, teams, connector)
    await bot.post(teams.chat(ALICE, HARMLESS))
    await settle(bot, within=60)  # the worker has started and loaded the engine
    pipeline = bot.app[SERVICES].screening
    for pid in list(pipeline._executor._processes):  # type: ignore[attr-defined]
        os.kill(pid, signal.SIGKILL)

    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)), timeout=60)
    await settle(bot, within=30)
    assert pipeline.worker_restarts == 1
    assert len(flag_cards(connector, personal(FACILITATOR))) == 1


async def test_a_copy_still_on_its_way_when_another_facilitator_acts_is_updated_on_arrival(
    flagbot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await live_session(flagbot, teams, connector)
    gate = connector.holds[personal(CO_FACILITATOR)] = asyncio.Event()
    await flagbot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR))
                             and personal(CO_FACILITATOR) in c.held)
    flag_id = flag_id_of(flag_cards(connector, personal(FACILITATOR))[0])
    action = teams.card_action(FACILITATOR, "flag.redact", {"flag_id": flag_id})
    action["conversation"] = {"conversationType": "personal", "id": personal(FACILITATOR)}
    assert (await flagbot.post(action))[0] == 200

    gate.set()  # the co-facilitator's copy, sent before the action, now arrives
    await connector.wait_for(lambda c: any(s.method == "PUT"
                                           for s in c.to(personal(CO_FACILITATOR))))
    [arrived] = flag_cards(connector, personal(CO_FACILITATOR))
    assert "F1" not in " ".join(_texts(arrived))  # it was drawn before the action...
    [update] = [s for s in connector.to(personal(CO_FACILITATOR)) if s.method == "PUT"]
    assert "F1" in " ".join(_texts(update.cards[0]))  # ...and is redrawn on arrival
    await settle(flagbot)
    assert len([s for s in connector.sent if s.method == "PUT"]) == 1
