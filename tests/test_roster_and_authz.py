"""The roster and facilitators known from Teams, and authorisation per session, end to end.

Activities go in over HTTP; the Bot Connector stand-in answers the paged member list and the
meeting participant lookups (per meeting), and can fail them.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot import STORE
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import audit_entries
from tests.teams import (
    ALICE,
    BOB,
    CO_FACILITATOR,
    FACILITATOR,
    MEETING_CHAT,
    MEETING_ID,
    Teams,
    User,
)
from tests.test_flags import IDENTIFYING, db, flag_cards, flag_id_of, personal, settle
from tests.test_session_flow import (
    _texts,
    all_statements_ticked,
    card_kinds,
    consent_data,
)

SILENT = [ALICE, BOB, User("Chidi Okafor", "bbbbbbbb-0000-4000-8000-000000000003"),
          User("Dana Whitlock", "bbbbbbbb-0000-4000-8000-000000000004"),
          User("Eero Lahti", "bbbbbbbb-0000-4000-8000-000000000005")]
CHAT_B = "19:meeting_Qm9va2NsdWJCQkJCQkJCQkJCQkJCQkJCQkJC@thread.v2"
MEETING_B = "MCMxOTptZWV0aW5nX0JCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def roster_of(connector: ConnectorStandIn, chat: str, *users: User) -> None:
    connector.members[chat] = [u.account() for u in users]


async def role_in(bot: RunningBot, chat: str, user: User) -> str | None:
    store = bot.app[STORE]
    session = await store.latest_session(chat)
    assert session is not None
    return await store.session_role(session.id, user.id)


async def wait_until(check: Any) -> None:
    """Poll a store condition (up to 10 s): the retry runs on the bot's scheduler."""
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never held")


async def auto_started(bot: RunningBot, teams: Teams, connector: ConnectorStandIn) -> None:
    assert (await bot.post(teams.meeting_start("Focus group")))[0] == 201
    await connector.wait_for(lambda c: "consent" in card_kinds(c, teams.conversation_id))


async def test_auto_started_session_knows_its_organiser_from_teams_before_they_type(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=[], screening_processes=0)
    roster_of(connector, MEETING_CHAT, FACILITATOR, *SILENT)
    connector.meeting_roles.update({FACILITATOR.aad: "Organizer",
                                    **{u.aad: "Attendee" for u in SILENT}})
    await auto_started(bot, teams, connector)
    # read page by page (2 a page in the stand-in), with the deprecated call never used
    assert connector.member_pages[:3] == [None, "2", "4"]
    assert await role_in(bot, MEETING_CHAT, FACILITATOR) == "facilitator"
    assert await role_in(bot, MEETING_CHAT, ALICE) is None  # silent members are not stored

    data = {**consent_data(connector), **all_statements_ticked(connector)}
    assert (await bot.post(teams.card_action(ALICE, "consent.accept", data)))[0] == 200
    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))


async def test_presenter_is_a_facilitator_only_when_the_setting_says_so(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    connector.meeting_roles.update({ALICE.aad: "Presenter"})
    bot = await start_bot(facilitator_ids=[])
    await bot.post(teams.command(ALICE, "start"))
    await connector.wait_for(lambda c: any("only the session's facilitators" in s.text
                                           for s in c.sent))
    assert await bot.app[STORE].live_session(MEETING_CHAT) is None
    await bot.stop()

    bot = await start_bot(facilitator_ids=[], facilitator_meeting_roles="Organizer,Presenter")
    await bot.post(teams.command(ALICE, "start"))
    await connector.wait_for(lambda c: "consent" in card_kinds(c))


async def test_a_failed_role_lookup_is_retried_and_the_organiser_becomes_facilitator(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=[], screening_processes=0,
                          meeting_role_retry_seconds=0)
    roster_of(connector, MEETING_CHAT, FACILITATOR, ALICE)
    connector.meeting_roles.update({FACILITATOR.aad: "Organizer", ALICE.aad: "Attendee"})
    connector.roles_down = True
    await auto_started(bot, teams, connector)
    # typing while Teams cannot tell their role records the organiser as a participant...
    await bot.post(teams.chat(FACILITATOR, "Hello everyone, welcome"))
    await settle(bot)
    assert await role_in(bot, MEETING_CHAT, FACILITATOR) == "participant"

    connector.roles_down = False  # ...and the next retry makes them the facilitator
    await wait_until(
        lambda: _is(role_in(bot, MEETING_CHAT, FACILITATOR), "facilitator"))
    [row] = await db(bot, "SELECT pseudonym FROM participants WHERE role = 'facilitator'")
    assert row.pseudonym == "F1"
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    assert (await bot.post(teams.card_action(ALICE, "consent.accept", data)))[0] == 200
    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


async def test_status_lists_every_roster_member_including_the_silent_ones(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=[])
    roster_of(connector, MEETING_CHAT, FACILITATOR, *SILENT)
    connector.meeting_roles.update({FACILITATOR.aad: "Organizer",
                                    **{u.aad: "Attendee" for u in SILENT}})
    await auto_started(bot, teams, connector)
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    assert (await bot.post(teams.card_action(ALICE, "consent.accept", data)))[0] == 200
    await bot.post(teams.command(FACILITATOR, "status"))
    await connector.wait_for(lambda c: any(s.cards for s in c.to(personal(FACILITATOR))))
    [card] = [card for s in connector.to(personal(FACILITATOR)) for card in s.cards]
    shown = " ".join(_texts(card))
    assert "Consented (1)" in shown and "Not answered yet (4)" in shown
    for user in SILENT[1:]:
        assert user.name in shown
    assert FACILITATOR.name not in shown


# ---- authorisation per session, across two meetings -----------------------------------------


async def two_meetings(start_bot: BotFactory, connector: ConnectorStandIn
                       ) -> tuple[RunningBot, Teams, Teams, Any]:
    """Meeting A organised by FACILITATOR, meeting B by CO_FACILITATOR (no study admins);
    BOB takes part in B, consents and raises a flag there."""
    bot = await start_bot(facilitator_ids=[], screening_processes=0)
    a, b = Teams(connector.url), Teams(connector.url, CHAT_B, MEETING_B)
    connector.roles_in = {
        MEETING_ID: {FACILITATOR.aad: "Organizer", BOB.aad: "Attendee"},
        MEETING_B: {CO_FACILITATOR.aad: "Organizer", BOB.aad: "Attendee",
                    FACILITATOR.aad: "Attendee"},
    }
    roster_of(connector, CHAT_B, CO_FACILITATOR, BOB)
    for teams, user in ((a, FACILITATOR), (b, CO_FACILITATOR)):
        assert (await bot.post(teams.command(user, "start")))[0] == 201
        await connector.wait_for(lambda c, t=teams: "consent" in card_kinds(c, t.conversation_id))
    data = {**consent_data(connector, CHAT_B), **all_statements_ticked(connector)}
    assert (await bot.post(b.card_action(BOB, "consent.accept", data)))[0] == 200
    await bot.post(b.chat(BOB, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(CO_FACILITATOR)))
    await settle(bot)
    session_b = await bot.app[STORE].live_session(CHAT_B)
    return bot, a, b, session_b


async def state(bot: RunningBot) -> list[Any]:
    """Everything an action could change: sessions, withdrawals, flags and their actions,
    audit rows, participants."""
    return [await db(bot, f"SELECT * FROM {table} ORDER BY 1") for table in (
        "sessions", "withdrawals", "flags", "flag_actions", "audit_log", "participants")]


async def test_a_facilitator_of_one_meeting_can_do_nothing_to_another_session(
    start_bot: BotFactory, connector: ConnectorStandIn
) -> None:
    bot, a, b, session_b = await two_meetings(start_bot, connector)
    flag_id = flag_id_of(flag_cards(connector, personal(CO_FACILITATOR))[0])
    before = await state(bot)
    sent_to_b = len(connector.to(CHAT_B))

    # in B's chat, every facilitator command is refused
    for command in ("start", "status", "end", "remind", "withdraw P01 asked by email",
                    f'withdraw "{BOB.name}" asked by email'):
        await bot.post(b.command(FACILITATOR, command))
    # from A's chat and from a 1:1, lookups by name or by B's id find nothing
    probes = [
        a.command(FACILITATOR, f'withdraw "{BOB.name}" asked by email'),
        a.command(FACILITATOR, f"withdraw P01 --session {session_b.id[:8]} asked by email"),
        a.personal(FACILITATOR, f'withdraw "{BOB.name}" asked by email'),
        a.personal(FACILITATOR, f"withdraw P01 --session {session_b.id} asked by email"),
        a.personal(FACILITATOR, f"export {session_b.id[:8]}"),
    ]
    first = len(connector.to(personal(FACILITATOR)))
    for probe in probes:
        assert (await bot.post(probe))[0] in (200, 201)
    await connector.wait_for(lambda c: len(c.to(personal(FACILITATOR))) >= first + len(probes))
    # ...and a made-up person or session gets the very same answers
    controls = [
        a.command(FACILITATOR, 'withdraw "Nobody Atall" asked by email'),
        a.command(FACILITATOR, "withdraw P01 --session ffffffff asked by email"),
        a.personal(FACILITATOR, 'withdraw "Nobody Atall" asked by email'),
        a.personal(FACILITATOR, "withdraw P01 --session ffffffff asked by email"),
        a.personal(FACILITATOR, "export ffffffff"),
    ]
    private_before = len(connector.to(personal(FACILITATOR)))
    for control in controls:
        await bot.post(control)
    await connector.wait_for(
        lambda c: len(c.to(personal(FACILITATOR))) >= private_before + len(controls))
    for verb in ("flag.dismiss", "flag.redact", "flag.escalate", "flag.remind", "flag.hide"):
        status, body = await bot.post(a.card_action(FACILITATOR, verb, {"flag_id": flag_id}))
        assert status == 200 and "Only facilitators can do that" in str(body)
    consent_invoke = a.personal(FACILITATOR, "")
    consent_invoke.update(type="invoke", name="fileConsent/invoke", text=None, value={
        "type": "fileUpload", "action": "accept",
        "context": {"session_id": session_b.id, "format": "csv"},
        "uploadInfo": {"uploadUrl": "http://127.0.0.1:9/never", "name": "x.csv"}})
    status, _ = await bot.post(consent_invoke)
    assert status in (200, 403)
    await settle(bot)

    assert await state(bot) == before  # nothing changed
    assert len(connector.to(CHAT_B)) == sent_to_b + 6  # six refusals, nothing else
    assert all("facilitators" in s.text for s in connector.to(CHAT_B)[-6:])
    private = [s.text for s in connector.to(personal(FACILITATOR))]
    answers = private[first:first + len(probes)]
    control_answers = private[private_before:private_before + len(controls)]
    # not found and not yours read the same (the export echoes the id it was given)
    assert sorted(t.replace(session_b.id[:8], "ffffffff") for t in answers) == sorted(
        control_answers)
    seen = " ".join(private + [s.text for s in connector.to(MEETING_CHAT)])
    assert BOB.name not in seen and "took part" not in seen

    # B's own organiser can: the audit names them by pseudonym, with the session
    await bot.post(b.command(CO_FACILITATOR, f'withdraw "{BOB.name}" asked by email'))
    await connector.wait_for(lambda c: any("Recorded" in s.text
                                           for s in c.to(personal(CO_FACILITATOR))))
    [entry] = [e for e in await audit_entries(bot.app[STORE]) if e["action"] == "withdrawal"]
    assert entry["actor"] == "facilitator F1"
    assert entry["subject"] == f"session:{session_b.id}"
    assert CO_FACILITATOR.name not in str(entry) and CO_FACILITATOR.aad not in str(entry)


async def test_a_leave_event_reads_the_roster_again(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    """A facilitator hands over: the new organiser is known once someone leaves."""
    bot = await start_bot(facilitator_ids=[])
    roster_of(connector, MEETING_CHAT, FACILITATOR, ALICE)
    connector.meeting_roles.update({FACILITATOR.aad: "Organizer", ALICE.aad: "Attendee"})
    await auto_started(bot, teams, connector)
    assert await role_in(bot, MEETING_CHAT, CO_FACILITATOR) is None
    roster_of(connector, MEETING_CHAT, CO_FACILITATOR, ALICE)
    connector.meeting_roles[CO_FACILITATOR.aad] = "Organizer"
    pages = len(connector.member_pages)
    assert (await bot.post(teams.participant_leave(FACILITATOR)))[0] in (200, 201)
    assert len(connector.member_pages) > pages
    assert await role_in(bot, MEETING_CHAT, CO_FACILITATOR) == "facilitator"


async def test_a_failed_member_list_is_read_again(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = await start_bot(facilitator_ids=[], meeting_role_retry_seconds=0)
    roster_of(connector, MEETING_CHAT, FACILITATOR, ALICE)
    connector.meeting_roles.update({FACILITATOR.aad: "Organizer", ALICE.aad: "Attendee"})
    connector.member_failures = 1
    await auto_started(bot, teams, connector)
    await wait_until(
        lambda: _is(role_in(bot, MEETING_CHAT, FACILITATOR), "facilitator"))
    assert connector.member_pages[:2] == [None, None]  # failed, then read again
