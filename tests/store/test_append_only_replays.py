"""Append-only stays meaningful (issue 12, item 7), on SQLite and PostgreSQL: a replayed
consent invoke (same activity id) adds no row, and a session counts as purged from the moment
a purge run starts after it began."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from store import Store
from store import schema as t
from tests.store.test_store_contract import T0, new_session, who


async def _answer(store: Store, session_id: str, participant_id: str, decision: str,
                  activity_id: str | None, minutes: int) -> int:
    event = await store.record_consent(
        session_id=session_id, participant_id=participant_id,
        decision=decision,  # type: ignore[arg-type]
        form_version="v1", content_hash="h" * 64, answers={"record": True},
        at=T0 + timedelta(minutes=minutes), activity_id=activity_id,
    )
    return event.id


async def test_a_replayed_consent_invoke_adds_no_row(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    alice = await store.participant_for(session.id, who(1, "Alice"), "participant", T0)
    bob = await store.participant_for(session.id, who(2, "Bob"), "participant", T0)

    first = await _answer(store, session.id, alice.id, "accepted", "f:1", 1)
    replay = await _answer(store, session.id, alice.id, "declined", "f:1", 2)
    changed = await _answer(store, session.id, alice.id, "declined", "f:2", 3)
    other = await _answer(store, session.id, bob.id, "accepted", "f:1", 4)  # ids are per chat
    await _answer(store, session.id, bob.id, "accepted", None, 5)  # no id: nothing to match
    await _answer(store, session.id, bob.id, "accepted", None, 6)

    assert replay == first
    async with store.engine.connect() as conn:
        history = (await conn.execute(select(t.consent_events.c.participant_id,
                                             t.consent_events.c.decision)
                                      .order_by(t.consent_events.c.id))).all()
    assert [tuple(e) for e in history] == [
        (alice.id, "accepted"), (alice.id, "declined"), (bob.id, "accepted"),
        (bob.id, "accepted"), (bob.id, "accepted"),
    ]
    assert len({first, changed, other}) == 3
    latest = await store.latest_consent(session.id, alice.id)
    assert latest is not None and latest.decision == "declined"


async def test_a_session_is_purged_once_a_purge_run_starts_after_it_began(store: Store) -> None:
    before, _ = await store.start_session(new_session("19:a@thread.v2", at=T0))
    assert not await store.session_purged(before.id)

    await store.begin_purge(T0 + timedelta(days=30))
    after, _ = await store.start_session(new_session("19:b@thread.v2",
                                                     at=T0 + timedelta(days=31)))

    assert await store.session_purged(before.id)
    assert not await store.session_purged(after.id)
    assert not await store.session_purged("no-such-session")
