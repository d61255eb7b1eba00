"""A digest card is one outbox item many flags join (`queue_flag_card`): its payload is
replaced while it waits, then it is updated in place. Run on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store import OutboxItem, Store
from store import schema as t
from tests.store.test_store_contract import LEASE, T0, item, new_session

KEY = "digest:s:1:copy:0"


async def _flags(store: Store, *kinds: str) -> tuple[str, list[int]]:
    session, _ = await store.start_session(new_session())
    ids = []
    async with store.engine.begin() as conn:
        for n, kind in enumerate(kinds):
            at = T0 + timedelta(seconds=n)
            ids.append((await conn.execute(insert(t.flags).values(
                session_id=session.id, kind=kind, status="open", created_at=at, updated_at=at,
            ).returning(t.flags.c.id))).scalar_one())
    return session.id, ids


def _digest(entries: int) -> OutboxItem:
    return replace(item(KEY), payload={"type": "message", "text": f"{entries} flags"})


async def _outbox(store: Store) -> list[tuple[str, str | None, str | None, object]]:
    o = t.outbox.c
    async with store.engine.connect() as conn:
        return [(r.dedupe_key, r.operation, r.target_activity_id, r.payload["text"])
                for r in await conn.execute(select(o.dedupe_key, o.operation,
                                                   o.target_activity_id, o.payload)
                                            .order_by(o.id))]


async def test_flags_join_one_digest_item_replaced_while_pending_then_updated(
    store: Store,
) -> None:
    _, (a, b, c, d) = await _flags(store, *["identifying"] * 4)
    assert await store.add_flag_cards(a, [_digest(1)], T0) == 1
    assert await store.add_flag_cards(b, [_digest(2)], T0) == 1
    assert await _outbox(store) == [(KEY, "send", None, "2 flags")]  # one card, newest list
    assert await store.digest_flag_ids(KEY) == [a, b]
    view = await store.flag_view(a)
    assert view is not None and [ref.digest for ref in view.cards] == [True]

    [leased] = await store.lease_outbox(owner="w", now=T0, lease=LEASE)
    await store.outbox_sent(leased.id, owner="w", at=T0, activity_id="1:9",
                            conversation_id="19:conv")
    await store.add_flag_cards(c, [_digest(3)], T0)
    await store.add_flag_cards(d, [_digest(4)], T0)  # joins the update still waiting
    # The sent row holds the card as it should look now (a redraw draws from it), and one
    # update carries it to Teams.
    assert await _outbox(store) == [(KEY, "send", None, "4 flags"),
                                    (f"{KEY}:update:{c}", "update", "1:9", "4 flags")]
    assert await store.digest_flag_ids(KEY) == [a, b, c, d]
    digest = await store.digest_item(leased.id)
    assert digest is not None and digest.dedupe_key == KEY


async def test_recent_and_waiting_counts_set_safeguarding_apart(store: Store) -> None:
    session_id, (_, _, urgent) = await _flags(store, "identifying", "identifying",
                                              "safeguarding")
    assert await store.recent_flag_count(session_id, T0) == 2
    assert await store.recent_flag_count(session_id, T0 + timedelta(seconds=1)) == 1
    assert await store.waiting_safeguarding_flags(T0 + timedelta(seconds=2)) == []
    assert await store.waiting_safeguarding_flags(T0 + timedelta(seconds=3)) == [
        (urgent, session_id)]
    await store.add_flag_cards(urgent, [item(f"flag:{urgent}:copy:0")], T0)
    assert len(await store.waiting_safeguarding_flags(T0 + timedelta(minutes=5))) == 1
    [leased] = await store.lease_outbox(owner="w", now=T0, lease=LEASE)
    await store.outbox_sent(leased.id, owner="w", at=T0, activity_id="1:1",
                            conversation_id="19:conv")
    assert await store.waiting_safeguarding_flags(T0 + timedelta(minutes=5)) == []


async def test_a_flag_joining_while_its_update_is_being_leased_is_sent_with_it(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lease reads due items, then takes them one write each. A flag that joins the
    waiting update in between replaces its payload, and the lease must send that payload, not
    the one it first read (the facilitator's digest ended one flag short)."""
    _, (a, b, c) = await _flags(store, *["identifying"] * 3)
    await store.add_flag_cards(a, [_digest(1)], T0)
    [leased] = await store.lease_outbox(owner="w", now=T0, lease=LEASE)
    await store.outbox_sent(leased.id, owner="w", at=T0, activity_id="1:9",
                            conversation_id="19:conv")
    await store.add_flag_cards(b, [_digest(2)], T0)  # an update waits, carrying 2 flags

    writing = store._writing
    joined = False

    @asynccontextmanager
    async def c_joins_first() -> AsyncIterator[AsyncConnection]:
        nonlocal joined
        if not joined:
            joined = True
            await store.add_flag_cards(c, [_digest(3)], T0)
        async with writing() as conn:
            yield conn

    monkeypatch.setattr(store, "_writing", c_joins_first)
    [update] = await store.lease_outbox(owner="w", now=T0, lease=LEASE)
    assert joined and update.item.operation == "update"
    assert update.item.payload == {"type": "message", "text": "3 flags"}
