"""The store's contract, run against every backend (see conftest: sqlite, postgres).

Races are decided by the database, so the concurrency tests use several `Store` instances on
one database (as several bot instances would) and `asyncio.gather`, and assert on outcomes
(who won, what was written), never on timings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, StatementError

import store.sql_store as sql_store
from store import (
    DueReminder,
    ETagConflict,
    FacilitatorChannel,
    Identity,
    NewSession,
    OutboxItem,
    Priority,
    Store,
    open_store,
)
from store import migrate as store_migrate
from store import schema as t
from store.outcome_records import (
    ALREADY_FLAGGED,
    CONFIRMED,
    DISMISSED,
    MISSED,
    REMOVAL_REQUESTED,
    FlagNote,
    NewOutcome,
    NewReportFlag,
    RecordedReport,
)
from tests.harness.store_reads import (
    audit_entries,
    consent_history,
    outbox_counts,
    outbox_item,
    pending_reminders,
)

Opener = Callable[[], Awaitable[Store]]  # the `opener` fixture: another instance, same DB

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def new_session(conversation_id: str = "19:meeting_abc@thread.v2", at: datetime = T0) -> NewSession:
    return NewSession(
        conversation_id=conversation_id,
        service_url="https://smba.trafficmanager.net/emea/",
        tenant_id="tenant-1",
        meeting_id="meeting-1",
        bot_id="28:bot",
        bot_name="Focus Bot",
        title="Group A",
        form_version="v1",
        started_at=at,
    )


def who(n: int | str, name: str | None = None, aad: str | None = None) -> Identity:
    return Identity(teams_user_id=f"29:user-{n}", aad_object_id=aad, display_name=name)


def item(key: str, conversation_id: str | None = "19:conv", **kw: Any) -> OutboxItem:
    return OutboxItem(
        dedupe_key=key,
        service_url="https://smba.trafficmanager.net/emea/",
        payload={"type": "message", "text": key},
        conversation_id=conversation_id,
        **kw,
    )


def assert_utc(value: datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)


async def stores(opener: Opener, store: Store, extra: int = 1) -> list[Store]:
    return [store] + [await opener() for _ in range(extra)]


# ---- sessions -------------------------------------------------------------------------------


async def test_start_session_returns_the_live_one(store: Store) -> None:
    first, created = await store.start_session(new_session())
    assert created
    assert first.live
    assert first.started_at == T0
    assert_utc(first.started_at)

    again, created_again = await store.start_session(new_session(at=T0 + timedelta(minutes=5)))
    assert not created_again
    assert again == first
    assert await store.live_session(first.conversation_id) == first
    assert await store.get_session(first.id) == first

    other, created_other = await store.start_session(new_session("19:other@thread.v2"))
    assert created_other and other.id != first.id


async def test_concurrent_starts_create_exactly_one_live_session(
    store: Store, opener: Opener
) -> None:
    instances = await stores(opener, store)
    results = await asyncio.gather(
        *(instances[i % 2].start_session(new_session()) for i in range(10))
    )
    assert sum(created for _, created in results) == 1
    assert len({session.id for session, _ in results}) == 1
    assert len(await store.list_sessions()) == 1


async def test_end_session(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    await store.schedule_reminder(session.id, "consent", T0 + timedelta(minutes=10))
    end_at = T0 + timedelta(hours=1)

    assert await store.end_session(session.id, end_at)
    assert not await store.end_session(session.id, end_at + timedelta(minutes=1))

    ended = await store.get_session(session.id)
    assert ended is not None
    assert ended.status == "ended" and not ended.live
    assert ended.ended_at == end_at
    assert_utc(ended.ended_at)
    assert await store.live_session(session.conversation_id) is None
    assert await pending_reminders(store, session.id) == []

    # the conversation can host a new session afterwards
    later, created = await store.start_session(new_session(at=end_at + timedelta(days=1)))
    assert created and later.id != session.id
    assert await store.latest_session(session.conversation_id) == later
    assert [s.id for s in await store.list_sessions()] == [session.id, later.id]


async def test_consent_activity_and_nudge_once(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    await store.set_consent_activity(session.id, "1:activity")
    refreshed = await store.get_session(session.id)
    assert refreshed is not None and refreshed.consent_activity_id == "1:activity"

    p = await store.participant_for(session.id, who(1), "participant", T0)
    assert await store.mark_consent_nudged(p.id, T0)
    assert not await store.mark_consent_nudged(p.id, T0 + timedelta(minutes=1))
    (entry,) = await store.roster(session.id)
    assert entry.participant.consent_nudged_at == T0
    assert_utc(entry.participant.consent_nudged_at)


# ---- participants ---------------------------------------------------------------------------


async def test_pseudonyms_allocated_in_order(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p1 = await store.participant_for(session.id, who(1), "participant", T0)
    f1 = await store.participant_for(session.id, who("f1"), "facilitator", T0)
    p2 = await store.participant_for(session.id, who(2), "participant", T0)
    f2 = await store.participant_for(session.id, who("f2"), "facilitator", T0)
    p3 = await store.participant_for(session.id, who(3), "participant", T0)
    assert [p1.pseudonym, p2.pseudonym, p3.pseudonym] == ["P01", "P02", "P03"]
    assert [f1.pseudonym, f2.pseudonym] == ["F1", "F2"]
    assert f1.role == "facilitator" and p1.role == "participant"

    # the same user is the same participant, whatever role is asked the second time
    assert await store.participant_for(session.id, who(1), "participant", T0) == p1
    assert await store.participant_for(session.id, who(2), "facilitator", T0) == p2

    # pseudonyms are per session
    other, _ = await store.start_session(new_session("19:other@thread.v2"))
    q1 = await store.participant_for(other.id, who(1), "participant", T0)
    assert q1.pseudonym == "P01" and q1.id != p1.id


async def test_promote_to_facilitator_gives_the_next_f_pseudonym_once(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    await store.participant_for(session.id, who("f1"), "facilitator", T0)
    p1 = await store.participant_for(session.id, who(1), "participant", T0)
    assert not await store.facilitated_any_session(who(1).teams_user_id)

    promoted = await store.promote_to_facilitator(p1.id)
    assert promoted is not None
    assert (promoted.id, promoted.role, promoted.pseudonym) == (p1.id, "facilitator", "F2")
    assert await store.promote_to_facilitator(p1.id) == promoted  # again: unchanged
    assert await store.session_role(session.id, who(1).teams_user_id) == "facilitator"
    assert await store.facilitated_any_session(who(1).teams_user_id)
    assert await store.promote_to_facilitator("no-such-participant") is None

    await store.end_session(session.id, T0)  # ended: still a facilitator of a session
    assert await store.facilitated_any_session(who(1).teams_user_id)
    assert not await store.is_live_facilitator(who(1).teams_user_id)


async def test_concurrent_pseudonyms_are_unique(store: Store, opener: Opener) -> None:
    instances = await stores(opener, store)
    session, _ = await store.start_session(new_session())
    results = await asyncio.gather(
        *(
            instances[n % 2].participant_for(session.id, who(n), "participant", T0)
            for n in range(20)
        )
    )
    assert sorted(p.pseudonym for p in results) == [f"P{n:02d}" for n in range(1, 21)]
    assert len({p.id for p in results}) == 20
    roster = await store.roster(session.id)
    assert {e.participant.pseudonym: e.identity.teams_user_id for e in roster if e.identity} == {
        p.pseudonym: f"29:user-{n}" for n, p in enumerate(results)
    }


async def test_concurrent_first_contacts_of_one_user_make_one_participant(
    store: Store, opener: Opener
) -> None:
    instances = await stores(opener, store)
    session, _ = await store.start_session(new_session())
    results = await asyncio.gather(
        *(instances[i % 2].participant_for(session.id, who(7), "participant", T0) for i in range(8))
    )
    assert len({p.id for p in results}) == 1
    assert results[0].pseudonym == "P01"
    assert len(await store.roster(session.id)) == 1


async def test_identity_refresh(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    (entry,) = await store.roster(session.id)
    assert entry.identity == Identity("29:user-1", None, None)

    # details learnt later are filled in
    assert await store.participant_for(session.id, who(1, "Ada"), "participant", T0) == p
    (entry,) = await store.roster(session.id)
    assert entry.identity == Identity("29:user-1", None, "Ada")
    await store.participant_for(session.id, who(1, aad="aad-1"), "participant", T0)
    (entry,) = await store.roster(session.id)
    assert entry.identity == Identity("29:user-1", "aad-1", "Ada")

    # a renamed user shows under the new name; a contact without a name erases nothing
    await store.participant_for(session.id, who(1, "Ada L."), "participant", T0)
    await store.participant_for(session.id, who(1), "participant", T0)
    (entry,) = await store.roster(session.id)
    assert entry.identity == Identity("29:user-1", "aad-1", "Ada L.")
    assert entry.participant == p


# ---- consent (append-only) ------------------------------------------------------------------


async def _consent(store: Store, session_id: str, participant_id: str, decision: str, at: datetime):
    return await store.record_consent(
        session_id=session_id,
        participant_id=participant_id,
        decision=decision,  # type: ignore[arg-type]
        form_version="v1",
        content_hash="h" * 64,
        answers={"record": decision == "accepted", "quote": False},
        at=at,
    )


async def test_latest_consent_and_roster_give_the_newest_answer(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p1 = await store.participant_for(session.id, who(1), "participant", T0)
    p2 = await store.participant_for(session.id, who(2), "participant", T0)
    assert await store.latest_consent(session.id, p1.id) is None

    first = await _consent(store, session.id, p1.id, "accepted", T0)
    await _consent(store, session.id, p2.id, "accepted", T0)
    # same timestamp on purpose: the newest is the last recorded, not the latest clock value
    second = await _consent(store, session.id, p1.id, "declined", T0)
    assert second.id > first.id

    latest = await store.latest_consent(session.id, p1.id)
    assert latest == second
    assert latest.decision == "declined"
    assert latest.answers == {"record": False, "quote": False}
    assert_utc(latest.recorded_at)

    roster = {e.participant.id: e for e in await store.roster(session.id)}
    assert roster[p1.id].consent == second
    assert roster[p2.id].consent is not None and roster[p2.id].consent.decision == "accepted"
    history = await consent_history(store, session.id)
    assert [e.id for e in history] == sorted(e.id for e in history)
    assert [e.decision for e in history] == ["accepted", "accepted", "declined"]


async def _seed_append_only_rows(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    await _consent(store, session.id, p.id, "accepted", T0)
    await store.audit(actor="system", action="session.start", subject=session.id, at=T0)
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(t.withdrawals).values(
                session_id=session.id, participant_id=p.id, requested_by="self", recorded_at=T0
            )
        )
        flag_id = (
            await conn.execute(
                insert(t.flags)
                .values(
                    session_id=session.id,
                    kind="identifying",
                    status="open",
                    created_at=T0,
                    updated_at=T0,
                )
                .returning(t.flags.c.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(t.flag_actions).values(flag_id=flag_id, action="open", actor="F1", at=T0)
        )
    (withdrawal,) = await store.withdrawals_for(session.id)
    await store.revert_withdrawal(withdrawal.id, session.id, "facilitator F1", T0)


# ---- chat messages --------------------------------------------------------------------------


async def _chat(store: Store, session_id: str, participant_id: str, activity_id: str,
                consent_required: bool = True):
    return await store.record_chat_message(
        session_id=session_id, participant_id=participant_id, activity_id=activity_id,
        text=f"text of {activity_id}", mentions=None, at=T0, consent_required=consent_required,
    )


async def test_concurrent_chat_messages_each_get_their_own_outcome(store: Store) -> None:
    """Messages arriving together share a transaction (group commit); each caller still gets
    its own answer: stored, stored without text (no consent), or a repeat delivery."""
    session, _ = await store.start_session(new_session())
    yes = await store.participant_for(session.id, who(1), "participant", T0)
    no = await store.participant_for(session.id, who(2), "participant", T0)
    fac = await store.participant_for(session.id, who(3), "facilitator", T0)
    await _consent(store, session.id, yes.id, "declined", T0)
    await _consent(store, session.id, yes.id, "accepted", T0)  # the latest answer counts
    await _consent(store, session.id, no.id, "declined", T0)

    calls = []
    for n in range(60):
        calls.append(_chat(store, session.id, yes.id, f"yes-{n}"))
        calls.append(_chat(store, session.id, no.id, f"no-{n}"))
    calls.append(_chat(store, session.id, fac.id, "fac-0", consent_required=False))
    calls += [_chat(store, session.id, yes.id, "twice") for _ in range(3)]
    results = await asyncio.gather(*calls)

    yes_results = results[0:120:2]
    no_results = results[1:120:2]
    assert all(r.kept and r.message_id and r.decision == "accepted" for r in yes_results)
    assert all(not r.kept and r.message_id and r.decision == "declined" for r in no_results)
    assert results[120].kept and results[120].decision is None
    twice = results[121:]
    assert sum(1 for r in twice if not r.duplicate) == 1
    assert len({r.message_id for r in results if not r.duplicate}) == 122

    again = await _chat(store, session.id, yes.id, "yes-7")
    assert again.duplicate
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(t.messages.c.activity_id, t.messages.c.text,
                                          t.messages.c.scanned_at))).all()
    assert len(rows) == 122
    by_id = {r.activity_id: r for r in rows}
    assert by_id["yes-3"].text == "text of yes-3" and by_id["yes-3"].scanned_at is None
    assert by_id["no-3"].text is None and by_id["no-3"].scanned_at is not None


async def test_a_bad_chat_message_fails_alone(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    good = [_chat(store, session.id, p.id, f"good-{n}", consent_required=False)
            for n in range(20)]
    bad = _chat(store, session.id, "no-such-participant", "bad", consent_required=False)
    results = await asyncio.gather(*good, bad, return_exceptions=True)
    assert all(not isinstance(r, BaseException) and r.message_id for r in results[:20])
    assert isinstance(results[20], DBAPIError)


async def test_scans_are_saved_only_for_claims_still_held_on_unedited_text(
    store: Store,
) -> None:
    from store.chat_records import FindingRecord, ScanOutcome

    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    for n in range(4):
        await _chat(store, session.id, p.id, f"m{n}", consent_required=False)
    jobs = await store.claim_unscanned(owner="A", now=T0, lease=LEASE, limit=10)
    assert [j.activity_id for j in jobs] == ["m0", "m1", "m2", "m3"]
    await store.edit_chat_message(session_id=session.id, activity_id="m1", text="new",
                                  at=T0)  # edited after the claim: its scan is stale
    finding = FindingRecord(0, 4, "PERSON", 0.9, "test")
    outcomes = [ScanOutcome(job, [finding]) for job in jobs]
    assert await store.save_scans(outcomes[3:], owner="B", now=T0) == []  # not B's claim
    saved = await store.save_scans(outcomes, owner="A", now=T0)
    assert [o.job.activity_id for o in saved] == ["m0", "m2", "m3"]
    assert await store.save_scans(outcomes, owner="A", now=T0) == []  # already saved
    async with store.engine.connect() as conn:
        found = (await conn.execute(select(t.findings.c.message_id))).scalars().all()
    assert sorted(found) == sorted(j.message_id for j in jobs if j.activity_id != "m1")
    (again,) = await store.claim_unscanned(owner="A", now=T0, lease=LEASE, limit=10)
    assert again.activity_id == "m1" and again.text == "new"


async def test_scan_attempts_count_claims_of_one_text_and_a_retry_waits(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    await _chat(store, session.id, p.id, "m0", consent_required=False)
    (first,) = await store.claim_unscanned(owner="A", now=T0, lease=LEASE, limit=10)
    assert first.attempts == 1
    retry_at = T0 + timedelta(seconds=3)
    await store.release_scan(first.message_id, owner="B", not_before=retry_at)  # not B's
    assert await store.claim_unscanned(owner="B", now=T0, lease=LEASE, limit=10) == []
    await store.release_scan(first.message_id, owner="A", not_before=retry_at)
    assert await store.claim_unscanned(owner="A", now=T0, lease=LEASE, limit=10) == []
    (second,) = await store.claim_unscanned(owner="A", now=retry_at + timedelta(seconds=1),
                                            lease=LEASE, limit=10)
    assert second.attempts == 2
    await store.edit_chat_message(session_id=session.id, activity_id="m0", text="new", at=T0)
    (edited,) = await store.claim_unscanned(owner="A", now=T0, lease=LEASE, limit=10)
    assert (edited.text, edited.attempts) == ("new", 1)


@pytest.mark.parametrize("table", t.APPEND_ONLY_TABLES)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET id = id", "DELETE FROM {table}"],
    ids=["update", "delete"],
)
async def test_append_only_tables_refuse_update_and_delete(
    store: Store, table: str, statement: str
) -> None:
    await _seed_append_only_rows(store)
    with pytest.raises(DBAPIError, match="append-only"):
        async with store.engine.begin() as conn:
            await conn.execute(text(statement.format(table=table)))
    async with store.engine.connect() as conn:
        count = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    assert count == 1


# ---- withdrawal reviews and reverts (migration 0005_withdrawal) ----------------------------


async def test_mention_reviews_are_stored_once_and_only_borderline_ones_are_decided(
    store: Store,
) -> None:
    session, _ = await store.start_session(new_session())
    her = await store.participant_for(session.id, who(1), "participant", T0)
    him = await store.participant_for(session.id, who(2), "participant", T0)
    ids: list[int] = []
    for n in range(2):
        stored = await store.record_chat_message(
            session_id=session.id, participant_id=him.id, activity_id=f"a{n}", text=f"t{n}",
            mentions=None, at=T0, consent_required=False, reply_to_id="a0" if n else None)
        assert stored.message_id is not None
        ids.append(stored.message_id)
    assert await store.save_mention_reviews(
        session.id, her.id, [(ids[0], "mention", "exclude"), (ids[1], "borderline", "pending")],
        T0) == 2
    assert await store.save_mention_reviews(
        session.id, her.id, [(ids[1], "borderline", "pending")], T0) == 0
    reviews = await store.mention_reviews(session.id)
    assert [(r.message_id, r.kind, r.decision) for r in reviews] == [
        (ids[0], "mention", "exclude"), (ids[1], "borderline", "pending")]
    decided = await store.decide_mention_review(reviews[1].id, "keep", "facilitator F1",
                                                T0 + LEASE)
    assert decided is not None and decided.decision == "keep"
    assert decided.decided_by == "facilitator F1"
    assert_utc(decided.decided_at)
    unchanged = await store.decide_mention_review(reviews[0].id, "keep", "facilitator F1", T0)
    assert unchanged is not None and unchanged.decision == "exclude"  # not borderline
    source = await store.session_source(session.id)
    assert source is not None
    assert [m.reply_to_id for m in source.messages] == [None, "a0"]
    assert source.reviews == {}  # no withdrawal in force: the reviews do not apply


async def test_a_reverted_withdrawal_is_no_longer_in_force(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    first, created = await store.record_withdrawal(
        session_id=session.id, participant_id=p.id, requested_by="self", reason=None, at=T0)
    assert created
    assert await store.revert_withdrawal(first.id, session.id, "facilitator F1", T0)
    assert not await store.revert_withdrawal(first.id, session.id, "facilitator F1", T0)
    assert await store.withdrawals_for(session.id) == []
    source = await store.session_source(session.id)
    assert source is not None and not source.people[p.id].withdrawn
    again, created = await store.record_withdrawal(
        session_id=session.id, participant_id=p.id, requested_by="self", reason=None, at=T0)
    assert created and again.id != first.id
    assert [w.id for w in await store.withdrawals_for(session.id)] == [again.id]
    assert (await store.session_counts())[session.id]["withdrawn"] == 1


# ---- reminders ------------------------------------------------------------------------------


async def test_schedule_and_due_reminders(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    await store.schedule_reminder(session.id, "consent", T0 + timedelta(minutes=5))
    await store.schedule_reminder(session.id, "consent", T0 + timedelta(minutes=5))  # once
    await store.schedule_reminder(session.id, "break", T0 + timedelta(minutes=20))

    assert await store.due_reminders(T0) == []
    due = await store.due_reminders(T0 + timedelta(minutes=5))
    assert [(r.kind, r.due_at) for r in due] == [("consent", T0 + timedelta(minutes=5))]
    assert_utc(due[0].due_at)
    assert len(await store.due_reminders(T0 + timedelta(hours=1))) == 2
    assert [r.kind for r in await pending_reminders(store, session.id)] == ["consent", "break"]


async def test_claim_reminder_is_won_once_and_queues_atomically(
    store: Store, opener: Opener
) -> None:
    instances = await stores(opener, store)
    session, _ = await store.start_session(new_session())
    due_at = T0 + timedelta(minutes=5)
    next_due = due_at + timedelta(minutes=10)
    await store.schedule_reminder(session.id, "consent", due_at)
    (reminder,) = await store.due_reminders(due_at)

    wins = await asyncio.gather(
        *(
            instances[i % 2].claim_reminder(
                reminder,
                worker=f"w{i}",
                now=due_at,
                send=item(f"reminder:{reminder.id}"),
                next_due_at=next_due,
            )
            for i in range(8)
        )
    )
    assert sorted(wins) == [False] * 7 + [True]
    assert await store.due_reminders(due_at) == []
    pending = await pending_reminders(store, session.id)
    assert [(r.kind, r.due_at) for r in pending] == [("consent", next_due)]
    assert await outbox_counts(store) == {"pending": 1}
    leased = await store.lease_outbox(owner="o", now=due_at, lease=LEASE)
    assert [x.item.dedupe_key for x in leased] == [f"reminder:{reminder.id}"]

    # a claim whose outbox write fails leaves nothing behind: not claimed, no next reminder
    await store.schedule_reminder(session.id, "break", due_at)
    (brk,) = [r for r in await store.due_reminders(due_at) if r.kind == "break"]
    with pytest.raises(DBAPIError):
        await store.claim_reminder(
            brk,
            worker="w",
            now=due_at,
            send=item(f"reminder:{reminder.id}"),  # dedupe key already used
            next_due_at=next_due,
        )
    assert brk in await store.due_reminders(due_at)
    assert [r.kind for r in await pending_reminders(store, session.id)].count("break") == 1
    assert await store.claim_reminder(brk, worker="w", now=due_at, send=None, next_due_at=None)
    assert not await store.claim_reminder(brk, worker="w", now=due_at, send=None, next_due_at=None)


# ---- outbox ---------------------------------------------------------------------------------


async def test_enqueue_dedupes_by_key(store: Store) -> None:
    first = await store.enqueue(item("k1"), T0)
    assert await store.enqueue(item("k1"), T0 + timedelta(seconds=1)) == first
    second = await store.enqueue(item("k2"), T0)
    assert second != first
    again, third = await store.enqueue_many([item("k2"), item("k3")], T0)
    assert again == second and third not in (first, second)
    assert await outbox_counts(store) == {"pending": 3}
    row = await outbox_item(store, first)
    assert row is not None and row["payload"] == {"type": "message", "text": "k1"}
    assert_utc(row["created_at"])


async def test_concurrent_workers_lease_each_item_once(store: Store, opener: Opener) -> None:
    other = await opener()
    ids = [await store.enqueue(item(f"k{n}", conversation_id=f"c{n}"), T0) for n in range(12)]
    a, b = await asyncio.gather(
        store.lease_outbox(owner="A", now=T0, lease=LEASE, limit=50),
        other.lease_outbox(owner="B", now=T0, lease=LEASE, limit=50),
    )
    got_a = {x.id for x in a}
    got_b = {x.id for x in b}
    assert not got_a & got_b
    assert got_a | got_b == set(ids)
    for leased in a:
        row = await outbox_item(store, leased.id)
        assert row is not None and row["lease_owner"] == "A"
        assert leased.attempts == 0
        assert_utc(leased.created_at)


async def test_expired_lease_is_retaken_and_old_owner_cannot_mark(store: Store) -> None:
    item_id = await store.enqueue(item("k"), T0)
    (leased,) = await store.lease_outbox(owner="A", now=T0, lease=LEASE)
    assert leased.id == item_id and leased.item == item("k")

    assert await store.lease_outbox(owner="B", now=T0 + LEASE / 2, lease=LEASE) == []
    later = T0 + LEASE + timedelta(seconds=1)
    (retaken,) = await store.lease_outbox(owner="B", now=later, lease=LEASE)
    assert retaken.id == item_id

    # A lost its lease: none of its marks land
    await store.outbox_sent(item_id, owner="A", at=later, activity_id="x", conversation_id="c")
    await store.outbox_retry(item_id, owner="A", next_attempt_at=later, error="late")
    await store.outbox_failed(item_id, owner="A", error="late")
    row = await outbox_item(store, item_id)
    assert row is not None
    assert (row["status"], row["lease_owner"], row["attempts"]) == ("pending", "B", 0)
    assert row["last_error"] is None

    await store.outbox_sent(
        item_id, owner="B", at=later, activity_id="1:sent", conversation_id="19:conv"
    )
    row = await outbox_item(store, item_id)
    assert row is not None
    assert (row["status"], row["attempts"], row["sent_activity_id"]) == ("sent", 1, "1:sent")
    assert row["sent_at"] == later
    assert_utc(row["sent_at"])
    assert row["lease_until"] is None
    assert await store.lease_outbox(owner="C", now=later + LEASE * 10, lease=LEASE) == []


async def test_outbox_retry_and_failed_transitions(store: Store) -> None:
    first = await store.enqueue(item("a", conversation_id="c1"), T0)
    behind = await store.enqueue(item("b", conversation_id="c1"), T0)
    elsewhere = await store.enqueue(item("c", conversation_id="c2"), T0)
    leased = await store.lease_outbox(owner="A", now=T0, lease=LEASE)
    assert [x.id for x in leased] == [first, behind, elsewhere]

    retry_at = T0 + timedelta(seconds=30)
    await store.outbox_retry(first, owner="A", next_attempt_at=retry_at, error="HTTP 503 " * 100)
    await store.outbox_retry(
        behind, owner="A", next_attempt_at=T0, error="429", count_attempt=False
    )
    await store.outbox_sent(elsewhere, owner="A", at=T0, activity_id="1", conversation_id="c2")
    row = await outbox_item(store, first)
    assert row is not None
    assert (row["status"], row["attempts"], row["lease_until"]) == ("pending", 1, None)
    assert row["next_attempt_at"] == retry_at
    assert len(row["last_error"]) <= 256
    row = await outbox_item(store, behind)
    assert row is not None and row["attempts"] == 0 and row["last_error"] == "429"

    # nothing overtakes an earlier item of the same conversation waiting for its retry
    assert await store.lease_outbox(owner="A", now=T0 + timedelta(seconds=1), lease=LEASE) == []
    again = await store.lease_outbox(owner="A", now=retry_at, lease=LEASE)
    assert [x.id for x in again] == [first, behind]
    assert again[0].attempts == 1

    await store.outbox_failed(first, owner="A", error="HTTP 403")
    row = await outbox_item(store, first)
    assert row is not None
    assert (row["status"], row["attempts"], row["last_error"]) == ("failed", 2, "HTTP 403")
    assert await outbox_counts(store) == {"failed": 1, "pending": 1, "sent": 1}


async def test_outbox_lanes_are_leased_highest_first_in_order_within_a_lane(
    store: Store,
) -> None:
    bulk = [await store.enqueue(item(f"bulk{n}", conversation_id="c1",
                                     priority=Priority.BULK), T0) for n in range(2)]
    urgent = await store.enqueue(item("urgent", conversation_id="c1",
                                      priority=Priority.URGENT), T0)
    normal = await store.enqueue(item("normal", conversation_id="c2"), T0)
    leased = await store.lease_outbox(owner="A", now=T0, lease=LEASE, limit=50)
    assert [x.id for x in leased] == [urgent, normal, *bulk]
    assert [x.item.priority for x in leased] == [2, 1, 0, 0]

    await store.outbox_release(bulk, owner="B")  # not B's: nothing happens
    assert (await outbox_item(store, bulk[0]) or {})["lease_owner"] == "A"
    await store.outbox_release(bulk, owner="A")  # handed back untried, due at once
    row = await outbox_item(store, bulk[0])
    assert row is not None and (row["lease_until"], row["attempts"]) == (None, 0)

    # an urgent item waiting for its retry holds back the lower lanes of its conversation
    await store.outbox_retry(urgent, owner="A", next_attempt_at=T0 + LEASE, error="429",
                             count_attempt=False)
    assert await store.lease_outbox(owner="A", now=T0 + timedelta(seconds=1),
                                    lease=LEASE) == []
    (first,) = await store.lease_outbox(owner="A", now=T0 + LEASE, lease=LEASE, limit=1)
    assert first.id == urgent
    # ...while a bulk item's wait holds back no higher lane
    later = T0 + LEASE + timedelta(seconds=1)
    retaken = await store.lease_outbox(owner="A", now=later, lease=LEASE)
    assert [x.id for x in retaken] == [normal, *bulk]  # normal's lease had expired
    await store.outbox_retry(bulk[0], owner="A", next_attempt_at=later + LEASE, error="429",
                             count_attempt=False)
    urgent2 = await store.enqueue(item("urgent2", conversation_id="c1",
                                       priority=Priority.URGENT), later)
    assert [x.id for x in await store.lease_outbox(owner="A", now=later, lease=LEASE)] == [
        urgent2]
    await store.outbox_failed(urgent, owner="A", error="gave up")
    assert [u.id for u in await store.undelivered_outbox()] == [urgent]
    assert [u.priority for u in await store.undelivered_outbox()] == [Priority.URGENT]


# ---- undelivered items and their notices -----------------------------------------------------


async def _give_up(store: Store, *keys: str, session_id: str | None = "s1") -> list[int]:
    ids = [await store.enqueue(item(key, conversation_id=f"c-{key}", session_id=session_id), T0)
           for key in keys]
    await store.lease_outbox(owner="A", now=T0, lease=LEASE)
    for item_id in ids:
        await store.outbox_failed(item_id, owner="A", error="403 Forbidden")
    return ids


async def test_undelivered_items_are_reported_once_with_their_notices(
    store: Store, opener: Opener
) -> None:
    sent = await store.enqueue(item("sent", conversation_id="c-sent"), T0)
    (await store.lease_outbox(owner="A", now=T0, lease=LEASE))
    await store.outbox_sent(sent, owner="A", at=T0, activity_id="1", conversation_id="c-sent")
    first, second = await _give_up(store, "flag:1:copy:0", "flag:2:copy:0")
    assert await store.undelivered_total() == 2
    unreported = await store.unreported_undelivered()
    assert [(u.id, u.session_id, u.dedupe_key, u.conversation_id) for u in unreported] == [
        (first, "s1", "flag:1:copy:0", "c-flag:1:copy:0"),
        (second, "s1", "flag:2:copy:0", "c-flag:2:copy:0")]
    assert_utc(unreported[0].created_at)

    notice = item("session:s1:undelivered:1:to:p1", conversation_id="c-fay", session_id="s1")
    other = await opener()  # another instance racing for the same items loses as a whole
    assert await store.report_undelivered([first, second], [notice], T0)
    assert not await other.report_undelivered([second], [
        item("session:s1:undelivered:2:to:p1", conversation_id="c-fay")], T0)
    assert await store.unreported_undelivered() == []
    assert await outbox_counts(store) == {"failed": 2, "pending": 1, "sent": 1}
    assert await store.last_queued_at("session:s1:undelivered:") == T0
    assert await store.report_undelivered([], [], T0)  # nothing to mark

    # a notice that is itself given up is marked without another notice
    (leased,) = await store.lease_outbox(owner="A", now=T0, lease=LEASE)
    await store.outbox_failed(leased.id, owner="A", error="403 Forbidden")
    assert [u.id for u in await store.unreported_undelivered()] == [leased.id]
    assert await store.report_undelivered([leased.id], [], T0)
    assert await store.unreported_undelivered() == []
    assert await store.undelivered_total() == 3


async def test_undelivered_reports_go_with_their_outbox_rows(store: Store) -> None:
    """A purge empties the outbox: the marks go too, so a row id used again (SQLite reuses
    them) is never taken for an item already reported."""
    (given_up,) = await _give_up(store, "reply:c:1:0", session_id=None)
    assert await store.report_undelivered([given_up], [], T0)
    await store.delete_linking_data()
    assert await store.undelivered_total() == 0
    (again,) = await _give_up(store, "reply:c:2:0", session_id=None)
    assert [u.id for u in await store.unreported_undelivered()] == [again]


# ---- labelled outcomes and reports of messages ----------------------------------------------


async def _flagged(store: Store, session_id: str, message_id: int | None,
                   kind: str = "identifying") -> int:
    async with store.engine.begin() as conn:
        flag_id = (await conn.execute(insert(t.flags).values(
            session_id=session_id, message_id=message_id, kind=kind, status="open",
            created_at=T0, updated_at=T0).returning(t.flags.c.id))).scalar_one()
        if message_id is not None:
            await conn.execute(insert(t.findings).values(
                message_id=message_id, start=0, end=4, category="PERSON", score=0.9,
                rule="ner", source="engine", dismissed=False))
    return int(flag_id)


async def test_a_report_is_recorded_once_with_its_flag_and_notices(
    store: Store, opener: Opener
) -> None:
    session, _ = await store.start_session(new_session())
    author = await store.participant_for(session.id, who(1, "Ann", "aad-1"), "participant", T0)
    reporter = await store.participant_for(session.id, who(2), "participant", T0)
    stored = await _chat(store, session.id, author.id, "1764000000001", consent_required=False)
    assert stored.message_id is not None
    ref = await store.chat_message_ref(session.id, "1764000000001")
    assert ref is not None and (ref.message_id, ref.participant_id) == (
        stored.message_id, author.id)
    assert (ref.aad_object_id, ref.display_name) == ("aad-1", "Ann")
    assert await store.chat_message_ref(session.id, "nope") is None

    outcome = NewOutcome(key=f"report:{session.id}:1764000000001:{reporter.id}",
                         session_id=session.id, kind=MISSED, at=T0,
                         message_id=stored.message_id, teams_message_id="1764000000001",
                         participant_id=reporter.id, category="identifying")
    note = FlagNote("report", "A participant", "It may identify someone")
    instances = await stores(opener, store)
    results = await asyncio.gather(*(
        instances[i % 2].record_report(outcome, new_flag=NewReportFlag("reported", "identifying"),
                                       note=note, notices=[item(f"notice:{i}")])
        for i in range(4)))
    [won] = [r for r in results if r.recorded]
    assert won.flag_id is not None and all(r.flag_id is None for r in results if not r.recorded)
    assert await store.outcome_recorded(outcome.key)
    view = await store.flag_view(won.flag_id)
    assert view is not None and (view.kind, view.status, view.message_id) == (
        "reported", "open", stored.message_id)
    assert [(a.action, a.actor) for a in view.actions] == [("report", "A participant")]
    assert not await store.flag_changed_since_created(won.flag_id)  # its cards are current
    assert await store.undelivered_flags(session.id) == [(won.flag_id, session.id)]
    # a report may come after the meeting: its flag still waits for its cards (the bot may
    # stop between recording a report and queuing them, or nobody is reachable yet)
    await store.end_session(session.id, T0)
    assert await store.undelivered_flags(session.id) == [(won.flag_id, session.id)]
    assert (await outbox_counts(store)).get("pending") == 1  # one notice: the winner's
    [recorded] = await store.labelled_outcomes(session.id)
    assert (recorded.kind, recorded.flag_id, recorded.flag_kind, recorded.category) == (
        MISSED, won.flag_id, "reported", "identifying")

    # a second report of the flagged message joins the flag: a line in its history
    again = await store.record_report(NewOutcome(
        key="report:other", session_id=session.id, kind=ALREADY_FLAGGED, at=T0 + LEASE,
        flag_id=won.flag_id, message_id=stored.message_id), note=note)
    assert again == RecordedReport(True, won.flag_id)
    assert await store.flag_changed_since_created(won.flag_id)
    assert [o.flag_kind for o in await store.labelled_outcomes()] == ["reported", "reported"]


async def test_flag_decisions_are_labelled_and_the_latest_counts_as_decided(
    store: Store
) -> None:
    session, _ = await store.start_session(new_session())
    author = await store.participant_for(session.id, who(1), "participant", T0)
    message = (await _chat(store, session.id, author.id, "m1")).message_id
    decided = await _flagged(store, session.id, message)
    await _flagged(store, session.id, None, kind="safeguarding")
    await _flagged(store, session.id, None, kind="reported")  # not a screening flag
    assert await store.undecided_flag_counts() == {session.id: 2}

    await store.record_flag_action(decided, action="remind", actor="F1", outcome=None, at=T0)
    assert await store.labelled_outcomes() == []  # reminding decides nothing
    await store.record_flag_action(decided, action="dismiss", actor="F1", outcome=None,
                                   at=T0, status="dismissed", dismiss_findings=True,
                                   label=DISMISSED)
    await store.record_flag_action(decided, action="redact", actor="F2", outcome=None,
                                   at=T0 + LEASE, status="redact", dismiss_findings=False,
                                   label=CONFIRMED)
    outcomes = await store.labelled_outcomes(session.id)
    assert [(o.kind, o.flag_id, o.flag_kind, o.category, o.message_id) for o in outcomes] == [
        (DISMISSED, decided, "identifying", "PERSON", message),
        (CONFIRMED, decided, "identifying", "PERSON", message)]
    assert_utc(outcomes[1].at)
    assert await store.undecided_flag_counts() == {session.id: 1}
    with pytest.raises(ValueError):
        await store.record_flag_action(decided, action="hide", actor="F1", outcome=None,
                                       at=T0, label="hidden")


async def test_messages_removed_at_request_are_left_out_of_the_export_source(
    store: Store
) -> None:
    session, _ = await store.start_session(new_session())
    author = await store.participant_for(session.id, who(1), "participant", T0)
    ids = [(await _chat(store, session.id, author.id, f"m{n}")).message_id for n in range(3)]
    await store.record_report(NewOutcome(
        key="remove:1", session_id=session.id, kind=REMOVAL_REQUESTED, at=T0,
        message_id=ids[0], teams_message_id="m0", participant_id=author.id))
    result = await store.record_report(NewOutcome(
        key="report:1", session_id=session.id, kind=MISSED, at=T0, message_id=ids[1]),
        new_flag=NewReportFlag("reported", "other"))
    assert result.flag_id is not None
    source = await store.session_source(session.id)
    assert source is not None and source.removed == {ids[0]: "removed_by_author"}
    await store.record_flag_action(result.flag_id, action="redact", actor="F1", outcome=None,
                                   at=T0, status="redact", label=CONFIRMED)
    source = await store.session_source(session.id)
    assert source is not None and source.removed == {ids[0]: "removed_by_author",
                                                     ids[1]: "reported_left_out"}
    [decision] = [o for o in await store.labelled_outcomes() if o.kind == CONFIRMED]
    assert (decision.flag_kind, decision.category) == ("reported", "other")


# ---- processed activities -------------------------------------------------------------------


async def test_first_delivery(store: Store) -> None:
    assert await store.first_delivery("conv:1:act", T0)
    assert not await store.first_delivery("conv:1:act", T0)
    assert await store.first_delivery("conv:1:other", T0)


async def test_first_delivery_concurrently_true_once(store: Store, opener: Opener) -> None:
    instances = await stores(opener, store)
    results = await asyncio.gather(
        *(instances[i % 2].first_delivery("conv:2:act", T0) for i in range(10))
    )
    assert sorted(results) == [False] * 9 + [True]


# ---- facilitator channels, audit ------------------------------------------------------------


async def test_facilitator_channel_save_update_get(store: Store) -> None:
    assert await store.facilitator_channel("29:fac") is None
    channel = FacilitatorChannel(
        teams_user_id="29:fac",
        aad_object_id=None,
        display_name="Dr F",
        service_url="https://smba.trafficmanager.net/emea/",
        tenant_id="tenant-1",
        conversation_id=None,
        registered_at=T0,
    )
    await store.save_facilitator_channel(channel)
    assert await store.facilitator_channel("29:fac") == channel

    moved = FacilitatorChannel(
        teams_user_id="29:fac",
        aad_object_id="aad-f",
        display_name="Dr Fac",
        service_url="https://smba.trafficmanager.net/uk/",
        tenant_id="tenant-1",
        conversation_id="a:1on1",
        registered_at=T0 + timedelta(days=1),
    )
    await store.save_facilitator_channel(moved)
    got = await store.facilitator_channel("29:fac")
    assert got is not None
    assert got.conversation_id == "a:1on1"
    assert got.service_url == "https://smba.trafficmanager.net/uk/"
    assert got.display_name == "Dr Fac" and got.aad_object_id == "aad-f"
    assert got.registered_at == T0  # first registration is kept
    assert_utc(got.registered_at)


async def test_audit_append_and_read(store: Store) -> None:
    await store.audit(actor="system", action="session.start", subject="s1", at=T0)
    await store.audit(
        actor="F1",
        action="flag.redact",
        subject="flag:3",
        at=T0 + timedelta(seconds=1),
        details={"reason": "named a school", "spans": [[1, 4]]},
    )
    await store.audit(actor="system", action="session.start", subject="s2", at=T0)
    entries = await audit_entries(store)
    assert [e["subject"] for e in entries] == ["s1", "flag:3", "s2"]
    assert entries[1]["details"] == {"reason": "named a school", "spans": [[1, 4]]}
    assert entries[0]["details"] is None
    assert_utc(entries[1]["at"])
    assert [e["subject"] for e in await audit_entries(store, "session.start")] == ["s1", "s2"]


# ---- key-value state with eTags -------------------------------------------------------------


async def test_state_etag_semantics(store: Store) -> None:
    assert await store.state_read(["a"]) == {}
    assert await store.state_read([]) == {}

    e1 = await store.state_write("a", {"n": 1, "nested": {"l": [1, "x", None]}}, None)
    (got,) = (await store.state_read(["a", "missing"])).values()
    assert got.etag == e1 and got.data == {"n": 1, "nested": {"l": [1, "x", None]}}

    e2 = await store.state_write("a", {"n": 2}, e1)
    assert e2 != e1
    with pytest.raises(ETagConflict):
        await store.state_write("a", {"n": 3}, e1)  # stale
    assert (await store.state_read(["a"]))["a"].data == {"n": 2}

    e3 = await store.state_write("a", {"n": 4}, "*")
    e4 = await store.state_write("a", {"n": 5}, None)
    assert len({e1, e2, e3, e4}) == 4
    assert (await store.state_read(["a"]))["a"] == type(got)(e4, {"n": 5})

    with pytest.raises(ETagConflict):
        await store.state_write("new", {"n": 1}, "some-etag")  # nothing to match
    assert await store.state_read(["new"]) == {}

    await store.state_write("b", {}, "*")
    assert set(await store.state_read(["a", "b"])) == {"a", "b"}
    await store.state_delete(["a", "unknown"])
    await store.state_delete([])
    assert set(await store.state_read(["a", "b"])) == {"b"}


async def test_state_concurrent_writers_with_one_etag_one_wins(
    store: Store, opener: Opener
) -> None:
    instances = await stores(opener, store)
    etag = await store.state_write("k", {"n": 0}, None)
    results = await asyncio.gather(
        *(instances[i % 2].state_write("k", {"n": i}, etag) for i in range(6)),
        return_exceptions=True,
    )
    winners = [i for i, r in enumerate(results) if isinstance(r, str)]
    assert len(winners) == 1
    assert all(isinstance(r, ETagConflict) for r in results if not isinstance(r, str))
    assert (await store.state_read(["k"]))["k"].data == {"n": winners[0]}


# ---- timestamps -----------------------------------------------------------------------------


async def test_timestamps_come_back_utc(store: Store) -> None:
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2026, 3, 2, 11, 30, 15, 123456, tzinfo=plus_two)
    session, _ = await store.start_session(new_session(at=local))
    assert session.started_at == local
    assert session.started_at.tzinfo is not None
    assert session.started_at.utcoffset() == timedelta(0)
    assert session.started_at.hour == 9 and session.started_at.microsecond == 123456
    (reloaded,) = await store.list_sessions()
    assert_utc(reloaded.started_at)
    assert reloaded.started_at == local

    with pytest.raises((ValueError, StatementError)):
        await store.start_session(new_session("19:naive", at=datetime(2026, 3, 2, 9, 30)))

    # comparisons happen in UTC whatever offset the caller used
    await store.schedule_reminder(session.id, "consent", T0 + timedelta(minutes=1))
    assert await store.due_reminders(datetime(2026, 3, 2, 11, 30, 59, tzinfo=plus_two)) == []
    due = await store.due_reminders(datetime(2026, 3, 2, 11, 31, tzinfo=plus_two))
    assert [r.kind for r in due] == ["consent"]
    assert isinstance(due[0], DueReminder)
    assert_utc(due[0].due_at)


# ---- migrations -----------------------------------------------------------------------------


async def _versions(opened: Store) -> set[str]:
    async with opened.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    return {r[0] for r in rows}


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(store_migrate.alembic_config()).get_heads())


async def test_migrations_applied_twice_are_idempotent(db_url: str) -> None:
    first = await open_store(db_url)
    try:
        session, _ = await first.start_session(new_session())
        versions = await _versions(first)
    finally:
        await first.close()
    assert versions == _heads()

    second = await open_store(db_url)
    try:
        assert await _versions(second) == versions
        assert await second.live_session(session.conversation_id) == session
        assert await second.ping()
        # triggers were not duplicated or dropped
        await _seed_append_only_rows(second)
        with pytest.raises(DBAPIError, match="append-only"):
            async with second.engine.begin() as conn:
                await conn.execute(text("DELETE FROM audit_log"))
    finally:
        await second.close()


async def test_concurrent_open_store_on_a_fresh_database(db_url: str) -> None:
    opened = await asyncio.gather(*(open_store(db_url) for _ in range(3)), return_exceptions=True)
    try:
        failures = [o for o in opened if isinstance(o, BaseException)]
        assert failures == []
        for each in opened:
            assert isinstance(each, Store)
            assert await _versions(each) == _heads()
        assert isinstance(opened[0], Store)
        _, created = await opened[0].start_session(new_session())
        assert created
    finally:
        for each in opened:
            if isinstance(each, Store):
                await each.close()


async def test_migration_lock_is_held_until_commit(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An instance slow to commit its migration must not let another migrate over it."""

    async def slow_to_commit(engine: Any) -> None:
        async with engine.connect() as conn:
            await conn.run_sync(store_migrate.upgrade_connection)
            await asyncio.sleep(0.2)  # e.g. a busy event loop between migrating and committing
            await conn.commit()

    monkeypatch.setattr(sql_store, "upgrade_to_head", slow_to_commit)
    opened = await asyncio.gather(*(open_store(db_url) for _ in range(2)), return_exceptions=True)
    try:
        assert [o for o in opened if isinstance(o, BaseException)] == []
    finally:
        for each in opened:
            if isinstance(each, Store):
                await each.close()


async def test_unreachable_database_raises_store_unavailable() -> None:
    with pytest.raises(sql_store.StoreUnavailable):
        await open_store("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")


async def test_bot_state_table_round_trips_unicode(store: Store) -> None:
    data = {"name": "Zoë 😀", "quote": 'He said "hi"\n', "n": 1.5, "ok": True}
    await store.state_write("u", data, None)
    assert (await store.state_read(["u"]))["u"].data == data
    async with store.engine.connect() as conn:
        keys = (await conn.execute(select(t.bot_state.c.key))).scalars().all()
    assert keys == ["u"]
