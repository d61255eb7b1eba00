"""Withdrawal: the 14-day window in UTC, the append-only record, the cascade and the audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

import cards
from services.withdrawal import WindowClosed, WithdrawalService, window_open
from store import schema as t
from tests.harness.store_reads import audit_entries
from tests.test_export_seed import (  # noqa: F401  (fixtures)
    END,
    PRIYANKA,
    TOBIAS,
    Seeded,
    screener_fixture,
    seeded_fixture,
)

LONDON = ZoneInfo("Europe/London")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def service(seeded: Seeded, now: datetime, notes: list[Any] | None = None) -> WithdrawalService:
    async def notify(session: Any, key: str, payload: dict[str, Any]) -> int:
        if notes is not None:
            notes.append((session.id, key, payload))
        return 1

    return WithdrawalService(seeded.store, seeded.study, clock=Clock(now),
                             notify_facilitators=notify, cards=cards)


async def participant(seeded: Seeded, number: int, name: str) -> Any:
    session = seeded.sessions[number - 1]
    roster = await seeded.store.roster(session.id)
    return session, next(e.participant for e in roster
                         if e.identity and e.identity.display_name == name)


async def test_withdrawal_at_13_days_23_hours_is_accepted(seeded: Seeded) -> None:
    session, p = await participant(seeded, 1, TOBIAS.name)
    notes: list[Any] = []
    outcome = await service(seeded, END + timedelta(days=13, hours=23), notes).withdraw(
        session, p, requested_by="self", actor="participant P02")
    assert outcome.created
    assert [w.participant_id for w in await seeded.store.withdrawals_for(session.id)] == [p.id]
    assert len(notes) == 1 and "P02" in str(notes[0][2])
    assert TOBIAS.name not in str(notes[0][2]) and TOBIAS.first not in str(notes[0][2])


async def test_withdrawal_at_14_days_and_a_minute_is_refused_with_the_study_text(
    seeded: Seeded,
) -> None:
    session, p = await participant(seeded, 1, TOBIAS.name)
    with pytest.raises(WindowClosed) as refused:
        await service(seeded, END + timedelta(days=14, minutes=1)).withdraw(
            session, p, requested_by="self", actor="participant P02")
    assert "no longer" in refused.value.message and "3 November 2026" in refused.value.message
    assert await seeded.store.withdrawals_for(session.id) == []
    (entry,) = await audit_entries(seeded.store, "withdrawal.refused")
    assert entry["details"]["participant"] == "P02"


def test_the_window_is_exactly_14_times_24_hours_across_the_october_clock_change(
    seeded: Seeded,
) -> None:
    # The session ends 20 October 2026 11:00 BST (10:00 UTC); UK clocks go back on 25 October.
    session = seeded.sessions[0]
    assert session.ended_at is None or True
    ended = datetime(2026, 10, 20, 11, 0, tzinfo=LONDON)
    assert ended.astimezone(UTC) == END
    deadline = seeded.study.withdrawal_deadline_for(ended)
    assert deadline - END == timedelta(hours=14 * 24)
    # In London the deadline reads 10:00 GMT, an hour "earlier" on the wall clock: not shifted.
    assert deadline.astimezone(LONDON).hour == 10
    ended_session = _ended(session, END)
    last_ok = datetime(2026, 11, 3, 10, 0, tzinfo=LONDON)  # = 10:00 UTC, the deadline itself
    assert window_open(seeded.study, ended_session, last_ok)
    assert not window_open(seeded.study, ended_session, last_ok + timedelta(minutes=1))
    # 11:00 London wall-clock time on 3 November (as it was at the end) is already too late.
    assert not window_open(seeded.study, ended_session,
                           datetime(2026, 11, 3, 10, 30, tzinfo=LONDON))


def _ended(session: Any, at: datetime) -> Any:
    from dataclasses import replace

    return replace(session, status="ended", ended_at=at)


async def test_a_live_session_can_always_be_withdrawn_from(seeded: Seeded) -> None:
    session, p = await participant(seeded, 1, TOBIAS.name)
    async with seeded.store.engine.begin() as conn:
        await conn.execute(update(t.sessions).where(t.sessions.c.id == session.id)
                           .values(status="live", ended_at=None))
    outcome = await service(seeded, END + timedelta(days=400)).withdraw(
        session, p, requested_by="self", actor="participant P02")
    assert outcome.created


async def test_withdrawing_twice_is_harmless_and_cascade_excludes_mentions(
    seeded: Seeded,
) -> None:
    session, p = await participant(seeded, 1, PRIYANKA.name)
    svc = service(seeded, END + timedelta(days=1))
    first = await svc.withdraw(session, p, requested_by="self", actor="participant P01")
    second = await svc.withdraw(session, p, requested_by="self", actor="participant P01")
    # and even after the window: already withdrawn, so nothing to refuse
    late = await service(seeded, END + timedelta(days=30)).withdraw(
        session, p, requested_by="self", actor="participant P01")
    assert first.created and not second.created and not late.created
    assert len(await seeded.store.withdrawals_for(session.id)) == 1
    # Tobias's "I agree with Priyanka", his @mention-only message; not Fiona's welcome
    # (stored as excluded mentions, no longer as review flags nobody was shown)
    flagged = {r.message_id for r in await seeded.store.mention_reviews(session.id)
               if r.kind == "mention" and r.decision == "exclude"}
    assert flagged == {seeded.message_ids["agree"], seeded.message_ids["ping"]}
    assert first.mentions_flagged == 2 and second.mentions_flagged == 0
    actions = [e["action"] for e in await audit_entries(seeded.store)]
    assert actions == ["withdrawal", "withdrawal.repeated", "withdrawal.repeated"]


async def test_a_facilitators_reason_is_stored_without_names(
    seeded: Seeded, screener: Any
) -> None:
    session, p = await participant(seeded, 1, TOBIAS.name)
    svc = WithdrawalService(seeded.store, seeded.study, clock=Clock(END),
                            screener=lambda: screener)
    await svc.withdraw(session, p, requested_by="facilitator", actor="facilitator F1",
                       reason="Tobias Okonkwo emailed from tobias.okonkwo@example.org on Monday")
    (record,) = await seeded.store.withdrawals_for(session.id)
    assert record.reason and "Tobias" not in record.reason and "example.org" not in record.reason
    assert "[PERSON]" in record.reason and "[CONTACT]" in record.reason


async def test_the_audit_log_and_withdrawals_refuse_update_and_delete(seeded: Seeded) -> None:
    session, p = await participant(seeded, 1, TOBIAS.name)
    await service(seeded, END).withdraw(session, p, requested_by="self", actor="participant P02")
    for table in (t.audit_log, t.withdrawals):
        with pytest.raises(DBAPIError, match="append-only"):
            async with seeded.store.engine.begin() as conn:
                await conn.execute(update(table).values(id=table.c.id))
        with pytest.raises(DBAPIError, match="append-only"):
            async with seeded.store.engine.begin() as conn:
                await conn.execute(delete(table))
        with pytest.raises(DBAPIError, match="append-only"):
            async with seeded.store.engine.begin() as conn:
                await conn.execute(text(f"DELETE FROM {table.name}"))
    assert len(await audit_entries(seeded.store)) == 1
