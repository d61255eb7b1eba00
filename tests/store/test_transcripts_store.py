"""The transcript port (store/sql_transcripts.py) on SQLite, and on PostgreSQL when
TEST_POSTGRES_URL is set: a fetch is queued once, claimed by one instance at a time (a lease
that a crash releases), retried later, and closed when the redacted transcript is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from store import Store
from tests.store.test_store_contract import new_session

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
Opener = Callable[[], Awaitable[Store]]


async def test_a_fetch_is_queued_once_and_claimed_by_one_instance(
    store: Store, opener: Opener
) -> None:
    other = await opener()
    session, _ = await store.start_session(new_session())
    first = T0 + timedelta(minutes=2)
    assert await store.schedule_transcript_fetch(
        session.id, "meeting-1", "https://smba.example/", "tenant", first_attempt_at=first,
        give_up_at=T0 + timedelta(hours=6))
    assert not await store.schedule_transcript_fetch(
        session.id, "meeting-1", "https://smba.example/", "tenant", first_attempt_at=first,
        give_up_at=T0 + timedelta(hours=6))
    assert await store.claim_transcript_fetches(T0, LEASE) == []

    claims = await asyncio.gather(*(s.claim_transcript_fetches(first, LEASE)
                                     for s in (store, other, store, other)))
    won = [fetch for claim in claims for fetch in claim]
    assert len(won) == 1 and won[0].attempts == 1 and won[0].meeting_id == "meeting-1"
    assert await store.claim_transcript_fetches(first + LEASE / 2, LEASE) == []
    (again,) = await store.claim_transcript_fetches(first + LEASE, LEASE)  # lease ran out
    assert again.attempts == 2

    await store.retry_transcript_fetch(session.id, first + timedelta(hours=1))
    assert await store.claim_transcript_fetches(first + timedelta(minutes=59), LEASE) == []
    assert len(await store.claim_transcript_fetches(first + timedelta(hours=1), LEASE)) == 1


async def test_keeping_the_transcript_closes_the_fetch(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    await store.schedule_transcript_fetch(session.id, "m", "https://smba.example/", None,
                                          first_attempt_at=T0, give_up_at=T0 + timedelta(hours=1))
    assert await store.transcript(session.id) is None
    await store.save_transcript(session.id, "WEBVTT\n", {"PERSON": 2}, ["00:01 P01: [PERSON]"],
                                T0)
    kept = await store.transcript(session.id)
    assert kept is not None and kept.counts == {"PERSON": 2} and kept.content == "WEBVTT\n"
    assert kept.review == ["00:01 P01: [PERSON]"]
    assert await store.claim_transcript_fetches(T0 + timedelta(days=1), LEASE) == []


async def test_the_fetch_as_it_stands_is_readable_for_the_console(store: Store) -> None:
    session, _ = await store.start_session(new_session())
    assert await store.transcript_fetch(session.id) is None
    await store.schedule_transcript_fetch(session.id, "m", "https://smba.example/", None,
                                          first_attempt_at=T0 + timedelta(minutes=2),
                                          give_up_at=T0 + timedelta(hours=6))
    await store.claim_transcript_fetches(T0 + timedelta(minutes=2), LEASE)
    await store.retry_transcript_fetch(session.id, T0 + timedelta(minutes=6))
    fetch = await store.transcript_fetch(session.id)
    assert fetch is not None and (fetch.state, fetch.attempts) == ("pending", 1)
    assert fetch.next_attempt_at == T0 + timedelta(minutes=6)
    assert fetch.give_up_at == T0 + timedelta(hours=6) and fetch.give_up_at.utcoffset() is not None
    before = await store.console_fingerprint(session.id)
    await store.finish_transcript_fetch(session.id, "refused")  # why it stopped is kept
    fetch = await store.transcript_fetch(session.id)
    assert fetch is not None and fetch.state == "refused"
    assert await store.console_fingerprint(session.id) != before  # the page is told
