"""A new flag's id is reserved before its cards are drawn, so `save_scans` stores flag and
cards in one transaction without calling back into the caller. Run on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from store import Store
from store import schema as t
from store.chat_records import FindingRecord, FlagIdTaken, NewFlag, ScanJob, ScanOutcome
from tests.store.conftest import Opener
from tests.store.test_store_contract import LEASE, T0, _chat, item, new_session, who

FLAG = NewFlag(kind="identifying", level=None, reason=None)


async def _claimed(store: Store, activity_id: str = "m0") -> ScanOutcome:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    await _chat(store, session.id, p.id, activity_id, consent_required=False)
    (job,) = await store.claim_unscanned(owner="A", now=T0, lease=LEASE, limit=10)
    return ScanOutcome(job, [FindingRecord(0, 4, "PERSON", 0.9, "test")], FLAG)


async def test_a_reserved_id_is_the_flags_and_its_cards_are_stored_with_it(store: Store) -> None:
    outcome = await _claimed(store)
    first = await store.reserve_flag_ids(2)
    second = await store.reserve_flag_ids(1)
    assert len(set(first + second)) == 3
    outcome.flag_id = second[0]
    outcome.cards = [item(f"flag:{second[0]}:to:u{n}", conversation_id=f"a:{n}")
                     for n in range(2)]
    (saved,) = await store.save_scans([outcome], owner="A", now=T0)
    assert saved.flag_id == second[0]
    async with store.engine.connect() as conn:
        flags = (await conn.execute(select(t.flags.c.id))).scalars().all()
        cards = (await conn.execute(select(t.flag_cards.c.flag_id, t.outbox.c.dedupe_key)
                                    .join(t.outbox, t.outbox.c.id == t.flag_cards.c.outbox_id)
                                    )).all()
    assert flags == [second[0]]
    assert sorted(cards) == [(second[0], f"flag:{second[0]}:to:u0"),
                             (second[0], f"flag:{second[0]}:to:u1")]
    assert second[0] not in await store.reserve_flag_ids(3)


async def test_an_id_taken_meanwhile_saves_nothing(store: Store, opener: Opener) -> None:
    outcome = await _claimed(store)
    (flag_id,) = await store.reserve_flag_ids(1)
    other = await opener()  # another process on the same database makes a flag first
    async with other.engine.begin() as conn:
        await conn.execute(insert(t.flags).values(
            id=flag_id, session_id=outcome.job.session_id, message_id=None,
            kind="mention_review", status="open", created_at=T0, updated_at=T0))
    outcome.flag_id = flag_id
    outcome.cards = [item(f"flag:{flag_id}:to:u0")]
    with pytest.raises(FlagIdTaken):
        await store.save_scans([outcome], owner="A", now=T0)
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(t.outbox.c.id))).all() == []
        assert (await conn.execute(select(t.findings.c.id))).all() == []
    (outcome.flag_id,) = await store.reserve_flag_ids(1)
    assert outcome.flag_id != flag_id
    assert [o.job.message_id for o in await store.save_scans([outcome], owner="A", now=T0)] \
        == [outcome.job.message_id]


async def test_a_new_flag_without_an_id_is_refused(store: Store) -> None:
    outcome = await _claimed(store)
    with pytest.raises(ValueError):
        await store.save_scans([outcome], owner="A", now=T0)


async def test_an_unkept_message_screened_in_memory_gets_a_flag_once_and_no_findings(
    store: Store,
) -> None:
    session, _ = await store.start_session(new_session())
    p = await store.participant_for(session.id, who(1), "participant", T0)
    stored = await _chat(store, session.id, p.id, "m0", consent_required=True)
    assert not stored.kept and stored.message_id is not None
    job = ScanJob(stored.message_id, session.id, p.id, "m0", "Priya", 0, T0, None, kept=False)
    for attempt in range(2):  # a second flag for the same message is not stored
        (flag_id,) = await store.reserve_flag_ids(1)
        outcome = ScanOutcome(job, [FindingRecord(0, 5, "PERSON", 0.9, "test")], FLAG,
                              flag_id=flag_id)
        saved = await store.save_scans([outcome], owner="A", now=T0)
        assert len(saved) == (1 if attempt == 0 else 0)
    async with store.engine.connect() as conn:
        assert len((await conn.execute(select(t.flags.c.id))).all()) == 1
        assert (await conn.execute(select(t.findings.c.id))).all() == []
        assert (await conn.execute(select(t.messages.c.text))).scalars().all() == [None]


async def test_a_flag_without_cards_is_listed_until_its_cards_are_added(store: Store) -> None:
    outcome = await _claimed(store)
    (outcome.flag_id,) = await store.reserve_flag_ids(1)
    await store.save_scans([outcome], owner="A", now=T0)
    session_id = outcome.job.session_id
    assert await store.undelivered_flags() == [(outcome.flag_id, session_id)]
    assert await store.undelivered_flags("another session") == []
    card = item(f"flag:{outcome.flag_id}:to:u0", conversation_id="a:0")
    assert await store.add_flag_cards(outcome.flag_id, [card], T0) == 1
    assert await store.add_flag_cards(outcome.flag_id, [card], T0) == 0  # queued once
    assert await store.undelivered_flags() == []


async def test_where_a_copy_landed_is_known_once_it_is_sent_even_if_the_hook_never_ran(
    store: Store,
) -> None:
    """The outbox marks a card sent with its Teams id in one write; the delivery hook then
    copies that id beside the flag. If the bot stops in between, later actions must still
    find the copy to update it."""
    outcome = await _claimed(store)
    (outcome.flag_id,) = await store.reserve_flag_ids(1)
    await store.save_scans([outcome], owner="A", now=T0)
    card = item(f"flag:{outcome.flag_id}:to:u0", conversation_id=None, user_id="29:u0")
    assert await store.add_flag_cards(outcome.flag_id, [card], T0) == 1
    [leased] = await store.lease_outbox(owner="w", now=T0, lease=LEASE)
    await store.outbox_sent(leased.id, owner="w", at=T0, activity_id="1:77",
                            conversation_id="a:personal:u0")
    view = await store.flag_view(outcome.flag_id)
    assert view is not None
    assert [(ref.activity_id, ref.conversation_id) for ref in view.cards] == [
        ("1:77", "a:personal:u0")]
