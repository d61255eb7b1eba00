"""Seeded focus-group data shared by the withdrawal, export, purge and transcript tests.

Other test modules import the fixtures: `from tests.test_export_seed import seeded_fixture,
screener_fixture  # noqa: F401` (registered under the names `seeded` and `screener`).

Two sessions with the same two people in a different order, a facilitator, a participant who
declined consent, and messages that contain names, a school, a town, a postcode, a UK phone
number, an NHS number and an email address.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from export.service import LazyScreener
from store import Identity, NewSession, Session, Store, open_store
from store import schema as t
from study import DEFAULT_STUDY_FILE, Study, load_study
from tests.harness.databases import fresh_postgres, postgres_server_url

START = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)
END = datetime(2026, 10, 20, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    name: str
    aad: str

    @property
    def teams_id(self) -> str:
        return f"29:1{self.aad.replace('-', '')}"

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def identity(self) -> Identity:
        return Identity(self.teams_id, self.aad, self.name)


FIONA = Person("Fiona Hargreaves", "cccccccc-1111-4000-8000-000000000001")
PRIYANKA = Person("Priyanka Ramaswamy", "dddddddd-2222-4000-8000-000000000001")
TOBIAS = Person("Tobias Okonkwo", "dddddddd-2222-4000-8000-000000000002")
GWEN = Person("Gwendolyn Featherstone", "dddddddd-2222-4000-8000-000000000003")
EVERYONE = (FIONA, PRIYANKA, TOBIAS, GWEN)

# Identifying details seeded into messages; none may appear in any export.
SECRETS = (
    "Hillcrest Primary School", "Hillcrest", "NR4 7TJ", "07700 900123", "943 476 5919",
    "tobias.okonkwo@example.org", "Wymondham",
)


@dataclass
class Seeded:
    store: Store
    study: Study
    sessions: list[Session]
    pid: dict[tuple[int, str], str] = field(default_factory=dict)  # (session#, name) -> id
    message_ids: dict[str, int] = field(default_factory=dict)


async def add_message(
    store: Store, session: Session, participant_id: str, text: str | None, *,
    at: datetime, kept: bool = True, mentions: list[Any] | None = None, **extra: Any,
) -> int:
    async with store.engine.begin() as conn:
        return (
            await conn.execute(
                insert(t.messages).values(
                    session_id=session.id, participant_id=participant_id,
                    activity_id=f"act-{at.timestamp()}-{participant_id[:6]}", text=text,
                    kept=kept, mentions=mentions, received_at=at, **extra,
                ).returning(t.messages.c.id)
            )
        ).scalar_one()


async def add_finding(store: Store, message_id: int, text: str, span: str, category: str,
                      source: str = "engine", dismissed: bool = False) -> None:
    start = text.index(span)
    async with store.engine.begin() as conn:
        await conn.execute(insert(t.findings).values(
            message_id=message_id, start=start, end=start + len(span), category=category,
            score=0.9, rule="seed", source=source, dismissed=dismissed,
        ))


async def seed(store: Store, study: Study) -> Seeded:
    seeded = Seeded(store, study, [])
    for number, order in enumerate(((PRIYANKA, TOBIAS, GWEN), (TOBIAS, PRIYANKA)), start=1):
        started = START + timedelta(days=7 * (number - 1))
        session, _ = await store.start_session(NewSession(
            conversation_id=f"19:meeting_seed{number}@thread.v2", service_url="http://x/",
            tenant_id="tenant", meeting_id=None, bot_id="28:bot", bot_name="Focus Group Bot",
            title=f"Focus group {number} with {PRIYANKA.name}", form_version=study.form_version,
            started_at=started,
        ))
        seeded.sessions.append(session)
        fac = await store.participant_for(session.id, FIONA.identity, "facilitator", started)
        seeded.pid[(number, FIONA.name)] = fac.id
        for offset, person in enumerate(order, start=1):
            p = await store.participant_for(session.id, person.identity, "participant",
                                            started + timedelta(seconds=offset))
            seeded.pid[(number, person.name)] = p.id
            decision = "declined" if person is GWEN else "accepted"
            await store.record_consent(
                session_id=session.id, participant_id=p.id, decision=decision,
                form_version=study.form_version, content_hash=study.content_hash,
                answers={}, at=started + timedelta(seconds=10 + offset),
            )
        await store.end_session(session.id, started + (END - START))

    s1 = seeded.sessions[0]
    at = START + timedelta(minutes=1)

    def when(minutes: int) -> datetime:
        return at + timedelta(minutes=minutes)

    pid = seeded.pid
    ids = seeded.message_ids
    ids["welcome"] = await add_message(store, s1, pid[(1, FIONA.name)],
                                       "Welcome everyone, thanks for joining.", at=when(0))
    school = ("I chair conferences near Hillcrest Primary School in Wymondham, NR4 7TJ, "
              "call me on 07700 900123.")
    ids["school"] = await add_message(store, s1, pid[(1, PRIYANKA.name)], school, at=when(1))
    await add_finding(store, ids["school"], school, "Hillcrest Primary School", "ORGANISATION")
    ids["nhs"] = await add_message(
        store, s1, pid[(1, TOBIAS.name)],
        "A parent read out NHS number 943 476 5919 and emailed tobias.okonkwo@example.org",
        at=when(2))
    ids["agree"] = await add_message(
        store, s1, pid[(1, TOBIAS.name)],
        f"{PRIYANKA.name} I agree with Priyanka about hybrid conferences.", at=when(3),
        mentions=[{"user_id": PRIYANKA.teams_id, "text": f"<at>{PRIYANKA.name}</at>"}])
    ids["thanks"] = await add_message(store, s1, pid[(1, PRIYANKA.name)],
                                      "Thanks Toby, that matches what Fiona said.", at=when(4))
    ids["declined"] = await add_message(store, s1, pid[(1, GWEN.name)], None, at=when(5),
                                        kept=False)
    ids["hidden"] = await add_message(store, s1, pid[(1, PRIYANKA.name)],
                                      "Zebracorn hidden remark", at=when(6), hidden_at=when(7))
    ids["deleted"] = await add_message(store, s1, pid[(1, TOBIAS.name)],
                                       "Quokkaberry deleted remark", at=when(7),
                                       deleted_at=when(8))
    marked = "The conference chair was Quillon, a colleague."
    ids["marked"] = await add_message(store, s1, pid[(1, PRIYANKA.name)], marked, at=when(8))
    await add_finding(store, ids["marked"], marked, "Quillon", "PERSON", source="facilitator")
    ids["ping"] = await add_message(store, s1, pid[(1, TOBIAS.name)],
                                    "Good point, I think so too.", at=when(9),
                                    mentions=[PRIYANKA.teams_id])

    s2 = seeded.sessions[1]
    at = START + timedelta(days=7, minutes=1)
    ids["s2_tobias"] = await add_message(store, s2, pid[(2, TOBIAS.name)],
                                         "Second session, hybrid is here to stay.", at=when(0))
    ids["s2_priyanka"] = await add_message(store, s2, pid[(2, PRIYANKA.name)],
                                           "Agreed, remote attendance helps families.",
                                           at=when(1))
    return seeded


@pytest.fixture(name="seeded", params=["sqlite", "postgres"])
async def seeded_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Seeded:
    """The seeded study on SQLite, and on PostgreSQL when a test server is configured."""
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "postgres":
            url = await stack.enter_async_context(fresh_postgres(postgres_server_url()))
        else:
            url = f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}"
        store = await open_store(url)
        stack.push_async_callback(store.close)
        yield await seed(store, load_study(DEFAULT_STUDY_FILE))


@pytest.fixture(name="screener", scope="session")
def screener_fixture() -> Any:
    return LazyScreener().get()


async def test_seed_builds_two_sessions_with_swapped_pseudonyms(seeded: Seeded) -> None:
    first = {e.identity.display_name: e.participant.pseudonym
             for e in await seeded.store.roster(seeded.sessions[0].id) if e.identity}
    second = {e.identity.display_name: e.participant.pseudonym
              for e in await seeded.store.roster(seeded.sessions[1].id) if e.identity}
    assert first[PRIYANKA.name] == "P01" and second[PRIYANKA.name] == "P02"
    assert first[FIONA.name] == second[FIONA.name] == "F1"
