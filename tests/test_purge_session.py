"""Purge after a realistic session run through the bot: several facilitators who each got
flag cards, late joiners, a declined consent, edits, deletes and a withdrawal. Before dedupe
keys stopped carrying Teams ids, scrubbing them made two outbox keys equal
(`flag:1:to:[REDACTED]` twice) and the purge died on an IntegrityError every day. Also: a
failed retention purge is reported to facilitators and in /readyz, not only logged."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text

from bot import STORE, STUDY
from export.purge import purge_study
from services.clock import utcnow
from services.messages import SESSION_DELETED
from services.retention import PURGE_FAILED, retention_status, run_retention
from store import FacilitatorChannel, Store
from store import schema as t
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.databases import fresh_postgres, postgres_server_url
from tests.teams import ALICE, BOB, CO_FACILITATOR, FACILITATOR, Teams, User
from tests.test_export_seed import (  # noqa: F401  (fixtures)
    END,
    FIONA,
    Seeded,
    screener_fixture,
    seeded_fixture,
)
from tests.test_flags import (
    FACILITATORS,
    IDENTIFYING,
    flag_cards,
    flag_id_of,
    live_session,
    personal,
    settle,
)
from tests.test_purge import dump
from tests.test_session_flow import all_statements_ticked, consent_data, start_session

CAROL = User("Carol Latejoiner", "bbbbbbbb-0000-4000-8000-000000000003")
DAN = User("Dan Decliner", "bbbbbbbb-0000-4000-8000-000000000004")
EVERYONE = (FACILITATOR, CO_FACILITATOR, ALICE, BOB, CAROL, DAN)


def leaks(text: str) -> list[str]:
    """Display names, AAD ids and MRIs (29:…) still present."""
    return [w for u in EVERYONE for w in (u.name, u.aad, u.id) if w.lower() in text.lower()]


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "postgres":
            yield await stack.enter_async_context(fresh_postgres(postgres_server_url()))
        else:
            yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


def database_bytes(folder: Path) -> bytes:
    """The SQLite file and its WAL/SHM, as bytes: deleted values must not linger there."""
    return b"".join(p.read_bytes() for p in folder.glob("bot.db*"))


async def realistic_session(bot: RunningBot, teams: Teams, connector: ConnectorStandIn) -> None:
    await live_session(bot, teams, connector)  # FACILITATOR starts, CO_FACILITATOR registers
    await bot.post(teams.chat(CO_FACILITATOR, "Welcome everyone, thanks for joining"))
    await bot.post(teams.members_added(CAROL, DAN))  # two late joiners, both welcomed
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    for user in (BOB, CAROL):
        assert (await bot.post(teams.card_action(user, "consent.accept", data)))[0] == 200
    assert (await bot.post(teams.card_action(DAN, "consent.decline", data)))[0] == 200
    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await bot.post(teams.chat(CAROL, "I live at 4 Mill Lane, Carol Latejoiner here",
                              activity_id="1763999999200"))
    await bot.post(teams.chat(BOB, "Workload is the main issue", activity_id="1763999999300"))
    edit = teams.chat(BOB, f"Workload, as {ALICE.name} said", activity_id="1763999999300")
    edit["type"] = "messageUpdate"
    edit["channelData"]["eventType"] = "editMessage"
    await bot.post(edit)
    delete = teams.chat(CAROL, "", activity_id="1763999999200")
    delete["type"] = "messageDelete"
    delete["channelData"]["eventType"] = "softDeleteMessage"
    await bot.post(delete)
    await connector.wait_for(lambda c: len(flag_cards(c, personal(FACILITATOR))) >= 2
                             and len(flag_cards(c, personal(CO_FACILITATOR))) >= 2)
    await settle(bot)
    await bot.post(teams.command(FACILITATOR, "end"))
    await bot.post(teams.personal(BOB, "withdraw"))
    await bot.post(teams.personal(BOB, "Yes, withdraw me"))
    await settle(bot)


async def test_purge_of_a_realistic_session_completes_and_leaves_no_identifier(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn, database_url: str,
    screener: Any, tmp_path: Path,
) -> None:
    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=0,
                          database_url=database_url)
    await realistic_session(bot, teams, connector)
    store: Store = bot.app[STORE]
    assert leaks(json.dumps(await dump(store)))  # the session really holds them
    later = utcnow() + timedelta(days=365)

    report = await purge_study(store, bot.app[STUDY], screener=screener,
                               clock=lambda: later, actor="test", force=True)

    assert report.clean, report.residue
    assert leaks(json.dumps(await dump(store))) == []
    if store.dialect == "sqlite":
        raw = database_bytes(tmp_path)
        assert [u.name for u in EVERYONE if u.name.encode() in raw] == []
        assert [u.id for u in EVERYONE if u.id.encode() in raw] == []
    again = await purge_study(store, bot.app[STUDY], screener=screener,
                              clock=lambda: later, actor="test", force=True)
    assert again.clean and again.anonymised == 0
    assert await retention_status(store) == "ok"


async def test_a_purge_that_fails_is_told_to_facilitators_and_in_the_run(
    seeded: Seeded, screener: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = seeded.store
    await store.save_facilitator_channel(FacilitatorChannel(
        FIONA.teams_id, FIONA.aad, FIONA.name, "http://x/", "tenant", "a:fiona-chat", END))
    assert await retention_status(store) == "none"

    async def broken(*args: Any, **kwargs: Any) -> dict[str, int]:
        raise ConnectionError("disk full")

    monkeypatch.setattr(store, "scrub_identifiers", broken)
    with pytest.raises(ConnectionError):
        await run_retention(store, seeded.study, screener=lambda: screener,
                            clock=lambda: END + timedelta(days=60), purge_after=END.date())

    assert await retention_status(store) == "failed"
    told = [(item.conversation_id, item.payload) for item in await pending(store)]
    assert told == [("a:fiona-chat", {"type": "message", "text": PURGE_FAILED,
                                      "textFormat": "plain"})]


async def test_residue_found_by_verification_fails_the_run(
    seeded: Seeded, screener: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = seeded.store
    real = store.find_identifiers

    async def finds_some(*args: Any, **kwargs: Any) -> dict[str, int]:
        return {**await real(*args, **kwargs), "messages.text": 1}

    monkeypatch.setattr(store, "find_identifiers", finds_some)
    report = await run_retention(store, seeded.study, screener=lambda: screener,
                                 clock=lambda: END + timedelta(days=60), purge_after=END.date())
    assert report is not None and not report.clean
    assert await retention_status(store) == "failed"


async def test_readyz_shows_a_failed_retention_purge_and_stays_ready(
    ready_bot: RunningBot,
) -> None:
    bot = ready_bot
    assert (await bot.get("/readyz")) == (200, {"ready": True, "database": True, "study": True,
                                                "retention": "none", "undelivered": 0})
    store: Store = bot.app[STORE]
    async with store.engine.begin() as conn:
        await conn.execute(insert(t.purge_runs).values(started_at=END, step="failed"))
    status, body = await bot.get("/readyz")
    assert (status, body["retention"]) == (200, "failed")


async def pending(store: Store) -> list[Any]:
    leased = await store.lease_outbox(owner="test", now=END + timedelta(days=61),
                                      lease=timedelta(minutes=1))
    return [x.item for x in leased]


async def counts(store: Store) -> dict[str, int]:
    """Rows in every table a card action could add to."""
    found = {}
    async with store.engine.connect() as conn:
        for table in ("participants", "identity_links", "consent_events", "flag_actions",
                      "outbox", "facilitator_channels", "audit_log"):
            found[table] = (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
    return found


async def test_a_replayed_consent_invoke_records_one_answer(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    await start_session(bot, teams, connector)
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    invoke = teams.card_action(ALICE, "consent.accept", data)

    first = await bot.post(invoke)
    again = await bot.post(invoke)  # Teams retries an invoke it got no answer to

    assert first[0] == again[0] == 200
    assert (await counts(bot.app[STORE]))["consent_events"] == 1


async def test_cards_of_a_purged_session_answer_deleted_and_create_nothing(
    start_bot: BotFactory, teams: Teams, connector: ConnectorStandIn, screener: Any
) -> None:
    bot = await start_bot(facilitator_ids=FACILITATORS, screening_processes=0)
    await live_session(bot, teams, connector)
    await bot.post(teams.chat(ALICE, IDENTIFYING))
    await connector.wait_for(lambda c: flag_cards(c, personal(FACILITATOR)))
    await settle(bot)
    [card] = flag_cards(connector, personal(FACILITATOR))
    await bot.post(teams.command(FACILITATOR, "end"))
    await settle(bot)
    store: Store = bot.app[STORE]
    later = utcnow() + timedelta(days=365)
    assert (await purge_study(store, bot.app[STUDY], screener=screener, clock=lambda: later,
                              actor="test", force=True)).clean
    data = {**consent_data(connector), **all_statements_ticked(connector)}
    dismiss = teams.card_action(FACILITATOR, "flag.dismiss", {"flag_id": flag_id_of(card)})
    dismiss["conversation"] = {"conversationType": "personal", "id": personal(FACILITATOR)}
    before = await counts(store)

    for clicked in (teams.card_action(BOB, "consent.refresh", data, trigger="automatic"),
                    teams.card_action(ALICE, "consent.refresh", data),
                    teams.card_action(BOB, "consent.accept", data),
                    teams.card_action(ALICE, "consent.decline", data),
                    teams.card_action(ALICE, "consent.change", data),
                    dismiss):
        status, body = await bot.post(clicked)
        assert status == 200
        assert SESSION_DELETED in str(body), body

    assert await counts(store) == before
    assert leaks(json.dumps(await dump(store))) == []
