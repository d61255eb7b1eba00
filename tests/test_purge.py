"""Purge: after it no AAD id, Teams id or name remains anywhere in the database, exports still
work (and say the same), an interrupted purge completes when run again, and every run is
audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, insert, select

from export.purge import PurgeRefused, purge_study
from export.render import FORMATS
from export.service import export_session
from services.messages import text_activity, to_user
from services.withdrawal import WithdrawalService
from store import FacilitatorChannel, OutboxItem, Store
from store import schema as t
from tests.harness.store_reads import audit_entries
from tests.test_export_seed import (  # noqa: F401  (fixtures)
    END,
    EVERYONE,
    FIONA,
    PRIYANKA,
    TOBIAS,
    Seeded,
    screener_fixture,
    seeded_fixture,
)

AFTER_WINDOWS = END + timedelta(days=60)


async def add_bot_traces(seeded: Seeded) -> None:
    """What the running bot leaves behind that may name people or carry their Teams ids."""
    store = seeded.store
    session = seeded.sessions[0]
    await store.save_facilitator_channel(FacilitatorChannel(
        FIONA.teams_id, FIONA.aad, FIONA.name, "http://x/", "tenant",
        f"a:personal:{FIONA.teams_id}", END))
    await store.enqueue(to_user(
        key=f"session:{session.id}:status:to:{FIONA.teams_id}", service_url="http://x/",
        tenant_id="tenant", user_id=FIONA.teams_id,
        payload=text_activity(f"Consented: {PRIYANKA.name}, {TOBIAS.name}")), END)
    await store.enqueue(OutboxItem(
        dedupe_key="pending-card", service_url="http://x/", conversation_id="19:x",
        payload={"type": "message", "text": f"Welcome {TOBIAS.first}"}), END)
    await store.state_write(f"msteams/conversations/a:personal:{TOBIAS.teams_id}",
                            {"dialogState": {"name": TOBIAS.name}}, None)
    await store.first_delivery(f"{session.conversation_id}:{TOBIAS.teams_id}:1", END)
    async with store.engine.begin() as conn:
        flag_id = (await conn.execute(insert(t.flags).values(
            session_id=session.id, message_id=seeded.message_ids["school"], kind="identifying",
            level=None, reason="Identifying details", status="open", created_at=END,
            updated_at=END).returning(t.flags.c.id))).scalar_one()
        await conn.execute(insert(t.flag_cards).values(
            flag_id=flag_id, outbox_id=1, conversation_id=f"a:personal:{FIONA.teams_id}",
            activity_id="1:1"))


def identifiers() -> tuple[list[str], list[str]]:
    """(matched case-insensitively: ids and full names, matched as written: first names)."""
    loose = [p.aad for p in EVERYONE] + [p.teams_id for p in EVERYONE]
    loose += [p.name for p in EVERYONE]
    return loose, [part for p in EVERYONE for part in p.name.split()]


async def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every table, every column, as text (reflected: includes tables added by others)."""
    async with store.engine.connect() as conn:
        metadata = MetaData()
        await conn.run_sync(lambda sync: metadata.reflect(bind=sync))
        tables = {}
        for table in metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = [{k: str(v) for k, v in r._mapping.items()} for r in rows]
    return tables


def leaks(text: str) -> list[str]:
    loose, exact = identifiers()
    found = [w for w in loose if w.lower() in text.lower()]
    return found + [w for w in exact if w in text]


async def exported(seeded: Seeded, screener: Any) -> list[list[tuple[str, str]]]:
    result = []
    for session in seeded.sessions:
        export, files = await export_session(
            seeded.store, study_id="s", study_title="S", session_id=session.id,
            screener=screener, formats=FORMATS, now=AFTER_WINDOWS, actor="test", channel="test")
        assert not leaks(files["csv"].decode() + files["jsonl"].decode())
        result.append([(line.speaker, line.text) for line in export.lines])
    return result


def read_database_files(folder: Path) -> bytes:
    """The SQLite file and its WAL/SHM, as bytes: deleted values must not linger there."""
    return b"".join(p.read_bytes() for p in folder.glob("seed.db*"))


async def purge(seeded: Seeded, screener: Any, **kwargs: Any) -> Any:
    return await purge_study(seeded.store, seeded.study, screener=screener,
                             clock=lambda: AFTER_WINDOWS, actor="cli:researcher", **kwargs)


async def test_purge_leaves_no_id_or_name_anywhere_and_exports_still_work(
    seeded: Seeded, screener: Any, tmp_path: Path
) -> None:
    await add_bot_traces(seeded)
    session = seeded.sessions[0]
    tobias = next(e.participant for e in await seeded.store.roster(session.id)
                  if e.identity and e.identity.display_name == TOBIAS.name)
    await WithdrawalService(seeded.store, seeded.study, clock=lambda: END).withdraw(
        session, tobias, requested_by="self", actor="participant P02")
    before = await exported(seeded, screener)
    assert leaks(json.dumps(await dump(seeded.store)))  # the seed really holds them

    report = await purge(seeded, screener)

    assert report.clean, report.residue
    tables = await dump(seeded.store)
    assert leaks(json.dumps(tables)) == []
    assert tables["identity_links"] == [] and tables["facilitator_channels"] == []
    assert all(row["text"] == "None" for row in tables["messages"])
    if seeded.store.dialect == "sqlite":  # PostgreSQL's files are the server's, not ours
        raw = read_database_files(tmp_path)
        assert [w for w in identifiers()[0] + identifiers()[1] if w.encode() in raw] == []
    assert await exported(seeded, screener) == before
    # the withdrawal cascade survives the purge: Priyanka's "Thanks Toby, …" stays deleted
    assert "Thanks" not in json.dumps(before) and "Welcome" in json.dumps(before)
    actions = [e["action"] for e in await audit_entries(seeded.store)
               if e["action"] != "export"]
    assert actions == ["withdrawal", "purge.started", "purge.completed"]


async def test_an_interrupted_purge_completes_when_run_again(
    seeded: Seeded, screener: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_bot_traces(seeded)
    before = await exported(seeded, screener)
    store = seeded.store
    real = store.save_anonymised
    calls = 0

    async def crash_after_three(**kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise ConnectionError("power cut")
        await real(**kwargs)

    monkeypatch.setattr(store, "save_anonymised", crash_after_three)
    with pytest.raises(ConnectionError):
        await purge(seeded, screener)
    monkeypatch.setattr(store, "save_anonymised", real)
    assert leaks(json.dumps(await dump(store)))  # half done: links still there

    report = await purge(seeded, screener)
    assert report.clean
    assert leaks(json.dumps(await dump(store))) == []
    assert await exported(seeded, screener) == before
    runs = await store.purge_runs()
    assert [r.completed_at is not None for r in runs] == [False, True]
    again = await purge(seeded, screener)  # and a third run is harmless
    assert again.clean and again.anonymised == 0


async def test_purge_is_refused_while_a_withdrawal_window_is_open(
    seeded: Seeded, screener: Any
) -> None:
    with pytest.raises(PurgeRefused, match="withdrawal window"):
        await purge_study(seeded.store, seeded.study, screener=screener,
                          clock=lambda: END + timedelta(days=3), actor="cli:researcher")
    assert [e["action"] for e in await audit_entries(seeded.store)] == ["purge.refused"]
    report = await purge_study(seeded.store, seeded.study, screener=screener,
                               clock=lambda: datetime(2026, 10, 23, tzinfo=UTC),
                               actor="cli:researcher", force=True)
    assert report.clean
