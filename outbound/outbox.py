"""The one outbound path: a worker that delivers queued items from the store's outbox.

Every proactive message (cards at session start, reminders, flags, card updates) is written to
the outbox in the same transaction as the decision that caused it, then delivered here:
- at most `per_conversation_rate` messages a second to one conversation (Teams allows about 7);
- throttling (429, or 503 with `Retry-After`) is a wait, not a failed attempt: the item is
  tried again after `Retry-After` however often that happens, and given up only when it is
  older than `give_up_after` (then it is reported as undelivered, never dropped silently);
- 412/5xx/connection errors back off exponentially with jitter and count as attempts;
- items carry a lane (`store.Priority`) and are leased highest first; within a lane one
  conversation's items keep their order; each round sends at most about a second's worth to
  one conversation, so a new urgent item waits for at most one short round, not a backlog;
- items are leased, so several instances sharing PostgreSQL never deliver one item twice, and
  a lease left by a crashed instance expires and is taken over (delivery survives restarts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from background import cancel_requested
from outbound.connector import ConnectorClient, ConnectorError
from store import LeasedItem
from store.ports import OutboxStore

log = logging.getLogger(__name__)

class Notify(StrEnum):
    """Who wants to hear that an item reached Teams, stored with the item as `kind:key`
    (`OutboxItem.notify_ref`), so that a delivery after a restart still tells its sender."""

    CONSENT_CARD = "consent_card"  # key: the session id; keeps the card's Teams id
    FLAG_CARD = "flag_card"  # key: the flag id; records the copy, redraws it if stale
    DIGEST_CARD = "digest_card"  # key: the copy number; redraws it if flags joined meanwhile
    # key: the session id; marks a notice about undelivered items, which (undelivered itself)
    # never causes another notice
    UNDELIVERED_NOTICE = "undelivered_notice"

    def ref(self, key: str | int) -> str:
        """The `notify_ref` to store with an item whose delivery this kind should hear of."""
        return f"{self.value}:{key}"


@dataclass(frozen=True)
class Delivered:
    """An item that has just reached Teams, told to the hook registered for its kind."""

    kind: Notify
    key: str
    outbox_id: int
    payload: dict[str, Any] | None
    activity_id: str | None
    conversation_id: str | None


DeliveredHook = Callable[[Delivered], Awaitable[None]]
UndeliveredHook = Callable[[LeasedItem, str], Awaitable[None]]


def delivered(leased: LeasedItem, activity_id: str | None,
              conversation_id: str | None) -> Delivered | None:
    """The notification for a delivered item, or None when nobody asked for one."""
    kind, _, key = (leased.item.notify_ref or "").partition(":")
    try:
        notify = Notify(kind)
    except ValueError:
        return None
    return Delivered(notify, key, leased.id, leased.item.payload, activity_id, conversation_id)


def _now() -> datetime:
    return datetime.now(UTC)


class _ConversationPacer:
    """Spaces sends to one conversation at least 1/rate seconds apart (in this process)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next: dict[str, float] = {}

    async def wait(self, conversation_id: str) -> None:
        now = time.monotonic()
        ready = self._next.get(conversation_id, now)
        self._next[conversation_id] = max(ready, now) + self._interval
        if ready > now:
            await asyncio.sleep(ready - now)


class OutboxWorker:
    def __init__(
        self,
        store: OutboxStore,
        connector: ConnectorClient,
        *,
        bot_id: str | None,
        lease: timedelta = timedelta(seconds=60),
        poll_seconds: float = 0.5,
        per_conversation_rate: float = 7.0,
        max_attempts: int = 12,
        base_backoff_seconds: float = 0.5,
        max_backoff_seconds: float = 300.0,
        give_up_after: timedelta = timedelta(hours=24),
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.connector = connector
        self.bot_id = bot_id
        self.owner = f"outbox-{uuid.uuid4().hex[:12]}"
        self._hooks: dict[Notify, DeliveredHook] = {}
        self._undelivered_hooks: list[UndeliveredHook] = []
        self._lease = lease
        self._poll = poll_seconds
        self._pacer = _ConversationPacer(per_conversation_rate)
        self._per_round = max(1, round(per_conversation_rate))
        self._give_up_after = give_up_after
        self._max_attempts = max_attempts
        self._base_backoff = base_backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._clock = clock
        self.rounds_running = 0
        self._wake = asyncio.Event()

    def on_delivered(self, kind: Notify, hook: DeliveredHook) -> None:
        """Call `hook` after each delivery of an item stored with `kind.ref(...)`."""
        self._hooks[kind] = hook

    def on_undelivered(self, hook: UndeliveredHook) -> None:
        """Call `hook(item, reason)` when an item is given up on, so facilitators can be told."""
        self._undelivered_hooks.append(hook)

    def wake(self) -> None:
        """Something was queued: deliver now rather than at the next poll."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            try:
                delivered = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.exception("outbox round failed")
                delivered = 0
            if delivered:
                continue
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()

    async def run_once(self) -> int:
        """Lease what is due and deliver it; returns how many items were attempted."""
        self.rounds_running += 1  # (a round's items are already out of `pending` while their
        try:                      # delivery hooks queue follow-ups: "idle" needs both at 0)
            leased = await self.store.lease_outbox(
                owner=self.owner, now=self._clock(), lease=self._lease, limit=50
            )
            if not leased:
                return 0
            groups: dict[str, list[LeasedItem]] = defaultdict(list)
            for item in leased:
                key = item.item.conversation_id or f"user:{item.item.user_id}"
                groups[key].append(item)
            await asyncio.gather(*(self._deliver_group(key, items)
                                   for key, items in groups.items()))
            return len(leased)
        finally:
            self.rounds_running -= 1

    async def _deliver_group(self, key: str, items: list[LeasedItem]) -> None:
        """Deliver one conversation's items in order; after a failure the rest wait with it.
        Beyond a round's share (about a second at the conversation's rate) the items are handed
        back untried, so the next lease can put a newly queued higher lane first."""
        items, spare = items[: self._per_round], items[self._per_round :]
        if spare:
            await self.store.outbox_release([x.id for x in spare], owner=self.owner)
        for index, leased in enumerate(items):
            retry_at = await self._deliver(key, leased)
            if retry_at is not None:
                for later in items[index + 1 :]:
                    await self.store.outbox_retry(
                        later.id, owner=self.owner, next_attempt_at=retry_at,
                        error="waiting for an earlier item", count_attempt=False,
                    )
                return

    async def _deliver(self, key: str, leased: LeasedItem) -> datetime | None:
        item = leased.item
        try:
            await self._pacer.wait(key)
            conversation_id = item.conversation_id
            if conversation_id is None:
                if not item.user_id:
                    raise ConnectorError(400, "no conversation or user to send to")
                conversation_id = await self.connector.create_personal_conversation(
                    item.service_url, user_id=item.user_id, tenant_id=item.tenant_id,
                    bot_id=self.bot_id,
                )
            activity_id: str | None
            if item.operation == "update":
                if not item.target_activity_id:
                    raise ConnectorError(400, "update without an activity id")
                await self.connector.update(
                    item.service_url, conversation_id, item.target_activity_id, item.payload or {}
                )
                activity_id = item.target_activity_id
            else:
                activity_id = await self.connector.send(
                    item.service_url, conversation_id, item.payload or {}
                )
        except ConnectorError as exc:
            return await self._failed(leased, exc)
        await self.store.outbox_sent(
            leased.id, owner=self.owner, at=self._clock(), activity_id=activity_id,
            conversation_id=conversation_id,
        )
        log.debug("outbox item delivered", extra={"outbox_id": leased.id})
        notice = delivered(leased, activity_id, conversation_id)
        hook = self._hooks.get(notice.kind) if notice is not None else None
        if notice is not None and hook is not None:
            try:
                await hook(notice)
            except Exception:
                log.exception("delivery hook failed", extra={"outbox_id": leased.id})
        return None

    async def _failed(self, leased: LeasedItem, exc: ConnectorError) -> datetime | None:
        throttled = exc.status == 429 or (exc.status == 503 and exc.retry_after is not None)
        attempts = leased.attempts + (0 if throttled else 1)
        reason = f"{exc.status or 'connection'} {exc.reason}"[:200]
        age = self._clock() - leased.created_at
        if age >= self._give_up_after:
            reason = f"undelivered after {age}: {reason}"[:200]
        if not exc.retryable or age >= self._give_up_after or (
                not throttled and attempts >= self._max_attempts):
            await self._give_up(leased, reason, exc.status, attempts)
            return None
        if exc.retry_after is not None and exc.status in (429, 503):
            delay = exc.retry_after
        else:
            delay = min(self._max_backoff, self._base_backoff * 2 ** max(0, attempts - 1))
            delay *= random.uniform(0.5, 1.5)
        retry_at = self._clock() + timedelta(seconds=delay)
        await self.store.outbox_retry(
            leased.id, owner=self.owner, next_attempt_at=retry_at, error=reason,
            count_attempt=not throttled,
        )
        log.info(
            "outbox item will be retried",
            extra={"outbox_id": leased.id, "status": exc.status, "delay_s": round(delay, 3),
                   "throttled": throttled},
        )
        return retry_at

    async def _give_up(self, leased: LeasedItem, reason: str, status: int | None,
                       attempts: int) -> None:
        """Record the item as undelivered (`undelivered_outbox` lists it) and tell whoever
        registered for it; it is never dropped without a trace."""
        await self.store.outbox_failed(leased.id, owner=self.owner, error=reason)
        log.warning(
            "outbox item undelivered, given up",
            extra={"outbox_id": leased.id, "session_id": leased.item.session_id,
                   "priority": int(leased.item.priority), "status": status,
                   "attempts": attempts, "notify_ref": leased.item.notify_ref},
        )
        for hook in self._undelivered_hooks:
            try:
                await hook(leased, reason)
            except Exception:
                log.exception("undelivered hook failed", extra={"outbox_id": leased.id})
