"""Scanning stored chat messages in the background, so the Teams turn never waits for it.

The turn stores the message (committed) and calls `submit(message_id)`. Worker tasks take ids
from an in-process queue (fast path) and a sweeper claims whatever is still unscanned in the
database (restart recovery, other instances' leftovers). A claim is a conditional UPDATE with
a lease, so two instances never scan one message. The screener runs in one worker thread (it
is CPU-bound). A new flag's cards are drawn for an id the store reserves, then the findings,
the flag, its cards and any automatic response are stored in one transaction, and the outbox
delivers the cards.

Beside it: `services/scan_worker.py` (what runs in the worker: the engine, a batch scan, the
pool) and `services/session_directory.py` (the cached session, roster names and flag
recipients); a flag's cards come from `services/flag_delivery.py` (or `flag_digests.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from background import cancel_requested
from services.clock import Clock
from services.flag_content import FlagCardContent, Segment, reasons_of, segments_of
from services.flag_delivery import Recipient
from services.flag_digests import DigestDraft
from services.flags import FlagService
from services.scan_worker import Scanned, _scan_batch
from services.session_directory import SessionContext, SessionDirectory
from store import Session
from store.chat_records import FindingRecord, FlagIdTaken, NewFlag, ScanJob, ScanOutcome
from store.ports import ScreeningStore

SCAN_ATTEMPTS = 3  # failures before facilitators are asked to read a message themselves
WARM_UP_TEXT = "Thanks everyone, see you next week."
FLAG_ID_ATTEMPTS = 5  # reservations of flag ids per batch (see ScreeningPipeline._save)

NOT_KEPT = "(text not kept: its author has not consented; read it in the meeting chat)"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlagCards:
    """A new flag's cards to draw once the store has reserved the flag's id."""

    session: Session
    recipients: list[Recipient]
    content: FlagCardContent


class ScreeningPipeline:
    def __init__(
        self,
        store: ScreeningStore,
        new_executor: Callable[[], Executor],
        flags: FlagService,
        directory: SessionDirectory,
        *,
        clock: Clock,
        owner: str,
        wake_outbox: Any = None,
        lease: timedelta = timedelta(seconds=60),
        batch_size: int = 64,
        workers: int = 2,
        sweep_seconds: float = 2.0,
        retry_after: timedelta = timedelta(seconds=3),
    ) -> None:
        self.store = store
        self.flags = flags
        self.directory = directory
        self.clock = clock
        self.owner = owner
        self._wake = wake_outbox or (lambda: None)
        self._lease = lease
        self._batch = batch_size
        self._workers = workers
        self._sweep = sweep_seconds
        self._retry_after = retry_after
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._unkept: asyncio.Queue[ScanJob] = asyncio.Queue()
        self._unkept_busy = 0
        self._new_executor = new_executor
        self._executor = new_executor()
        # New flags are stored one batch at a time in this process: whether a flag joins its
        # session's digest depends on the flags stored before it (see `_save`).
        self._flags_lock = asyncio.Lock()
        self.worker_restarts = 0
        self.scanned = 0
        self.flagged = 0
        self.warm = False  # the engine has answered a warm-up scan (/readyz waits for it)

    def submit(self, message_id: int) -> None:
        """A message was stored: scan it soon (the sweep catches anything dropped here)."""
        self._queue.put_nowait(message_id)

    async def warm_up(self, pause: float = 1.0) -> None:
        """Scan one harmless text until the engine answers, so that the first real message
        after `/readyz` turns 200 is not the one that waits for the worker to load its model."""
        while not self.warm:
            try:
                await self._run([(WARM_UP_TEXT, [])])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broken worker is replaced by _run; try again
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("screening warm-up failed", extra={"error": type(exc).__name__})
                await asyncio.sleep(pause)
                continue
            self.warm = True
            log.info("screening engine warm")

    def screen_unkept(self, job: ScanJob) -> None:
        """An unconsented author's message (stored without its text): screen `job.text` in
        memory soon. Only a flag and its cards are kept from it; if the bot stops first, it
        is not screened (its text exists nowhere else)."""
        self._unkept.put_nowait(replace(job, kept=False))

    async def run_forever(self) -> None:
        tasks = [asyncio.create_task(self._worker(), name=f"scanner-{i}")
                 for i in range(self._workers)]
        tasks.append(asyncio.create_task(self.warm_up(), name="scan-warm-up"))
        tasks.append(asyncio.create_task(self._unkept_worker(), name="unkept-scanner"))
        tasks.append(asyncio.create_task(self._sweeper(), name="scan-sweeper"))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _worker(self) -> None:
        while True:
            ids = [await self._queue.get()]
            while len(ids) < self._batch and not self._queue.empty():
                ids.append(self._queue.get_nowait())
            try:
                jobs = await self.store.claim_unscanned(
                    owner=self.owner, now=self.clock(), lease=self._lease, limit=len(ids), ids=ids
                )
                if jobs:
                    await self._process(jobs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the sweep retries whatever was not stored
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("scan batch failed", extra={"error": type(exc).__name__,
                                                        "count": len(ids)}, exc_info=exc)

    @property
    def screening_in_memory(self) -> int:
        """Unkept messages queued or being screened (a test waits for 0)."""
        return self._unkept.qsize() + self._unkept_busy

    async def _unkept_worker(self) -> None:
        while True:
            jobs = [await self._unkept.get()]
            while len(jobs) < self._batch and not self._unkept.empty():
                jobs.append(self._unkept.get_nowait())
            self._unkept_busy = len(jobs)
            try:
                await self._process(jobs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # nothing to retry from: the text was never stored
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("in-memory scan batch failed", extra={
                    "error": type(exc).__name__, "count": len(jobs)}, exc_info=exc)
            finally:
                self._unkept_busy = 0

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self._sweep)
            try:
                while await self.sweep_once():
                    pass
                await self.flags.deliver_pending(self._recipients_of)
                await self.flags.escalate_waiting()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("scan sweep failed", extra={"error": type(exc).__name__},
                            exc_info=exc)

    async def deliver_waiting_flags(self) -> int:
        """Send flags that had no recipient, with recipients read afresh (a facilitator has
        just become reachable); the sweep does the same every few seconds."""
        self.directory.refresh()
        return await self.flags.deliver_pending(self._recipients_of)

    async def _recipients_of(self, session_id: str) -> tuple[Session, list[Recipient]] | None:
        ctx = await self.directory.context(session_id)
        return (ctx.session, ctx.recipients) if ctx else None

    async def sweep_once(self) -> int:
        """Claim and scan the oldest unscanned messages; returns how many were claimed."""
        jobs = await self.store.claim_unscanned(
            owner=self.owner, now=self.clock(), lease=self._lease, limit=self._batch
        )
        if jobs:
            await self._process(jobs)
        return len(jobs)

    async def _process(self, jobs: list[ScanJob]) -> None:
        contexts: dict[str, SessionContext | None] = {}
        for job in jobs:
            if job.session_id not in contexts or (
                contexts[job.session_id] is not None
                and job.participant_id not in contexts[job.session_id].people
            ):
                contexts[job.session_id] = await self.directory.context(
                    job.session_id, need=job.participant_id)
        work = [(job.text, contexts[job.session_id].names if contexts[job.session_id] else [])
                for job in jobs]
        results = await self._scan(work)
        reminded: set[str] = set()
        outcomes: list[tuple[ScanOutcome, FlagCards | None]] = []
        retry = []
        for job, result in zip(jobs, results, strict=True):
            ctx = contexts[job.session_id]
            if result is not None:
                outcomes.append(await self._outcome(job, result, ctx, reminded))
            elif job.attempts < SCAN_ATTEMPTS and job.kept:
                log.warning("a message could not be screened; it will be tried again",
                            extra={"message_id": job.message_id, "attempt": job.attempts})
                retry.append(job.message_id)
            else:
                log.error("a message could not be screened; facilitators are told",
                          extra={"message_id": job.message_id, "attempt": job.attempts})
                outcomes.append(self._unscreened(job, ctx))
        for message_id in retry:  # the sweep claims it again after a short pause
            await self.store.release_scan(message_id, owner=self.owner,
                                          not_before=self.clock() + self._retry_after)
        saved = await self._save(outcomes)
        flagged = sum(1 for o in saved if o.flag_id is not None)
        self.scanned += len(saved)
        self.flagged += flagged
        if flagged or any(o.extra_items for o in saved):
            self._wake()
        log.debug("scanned", extra={"count": len(saved), "flagged": flagged})

    async def _save(self, drafts: list[tuple[ScanOutcome, FlagCards | None]]) -> list[ScanOutcome]:
        """Store the scans. Each new flag's cards are drawn first, for an id the store reserved,
        so the transaction that stores flags and cards together runs nothing of ours; if an id
        was taken meanwhile (SQLite: another process), ids are reserved and cards drawn again.
        Batches with flags are stored one at a time, so that each counts the flags before it
        (past the threshold they join the session's digest) and its digest lists them all."""
        outcomes = [outcome for outcome, _ in drafts]
        flagged = [(outcome, cards) for outcome, cards in drafts if cards is not None]
        async with self._flags_lock if flagged else contextlib.nullcontext():
            folded = await self.flags.into_digest(
                [(cards.session.id, cards.content.kind) for _, cards in flagged])
            attempt = 0
            while True:
                attempt += 1
                ids = await self.store.reserve_flag_ids(len(flagged))
                await self._draw_cards(flagged, ids, folded)
                try:
                    return await self.store.save_scans(outcomes, owner=self.owner,
                                                       now=self.clock())
                except FlagIdTaken:
                    if attempt >= FLAG_ID_ATTEMPTS:
                        raise
                    log.info("a reserved flag id was taken; reserving again",
                             extra={"attempt": attempt})

    async def _draw_cards(self, flagged: list[tuple[ScanOutcome, FlagCards]], ids: list[int],
                          folded: list[bool]) -> None:
        """Each new flag's cards for its reserved id: its own card for each recipient, or, in
        a storm, the session's digest card listing it with the flags before it."""
        digests: dict[str, DigestDraft] = {}
        for (outcome, cards), flag_id, digest in zip(flagged, ids, folded, strict=True):
            outcome.flag_id = flag_id
            if digest:
                outcome.cards = await self.flags.digest_items(
                    cards.session, cards.recipients, replace(cards.content, flag_id=flag_id),
                    digests)
            else:
                outcome.cards = self.flags.card_items(cards.session, cards.recipients, flag_id,
                                                      cards.content)

    async def _scan(self, work: list[tuple[str, list[str]]]) -> list[Scanned | None]:
        """Run a batch in the worker pool. A worker that dies (killed, out of memory, or a
        message that crashes the engine) is replaced, so screening never stops for the bot's
        lifetime, and the batch is run again message by message: the message that kills the
        worker again is the one reported as not screened (None), the others are scanned."""
        try:
            return await self._run(work)
        except BrokenExecutor:
            if len(work) == 1:
                return [None]
        results: list[Scanned | None] = []
        for item in work:
            try:
                results += await self._run([item])
            except BrokenExecutor:
                results.append(None)
        return results

    async def _run(self, work: list[tuple[str, list[str]]]) -> list[Scanned | None]:
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, _scan_batch, work)
        except BrokenExecutor:
            self._replace_executor(executor)
            raise

    def _replace_executor(self, broken: Executor) -> None:
        if self._executor is not broken:  # another worker task has replaced it already
            return
        log.error("screening worker died; starting a new one")
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor = self._new_executor()
        self.worker_restarts += 1

    def _unscreened(self, job: ScanJob,
                    ctx: SessionContext | None) -> tuple[ScanOutcome, FlagCards | None]:
        """A message the engine failed on SCAN_ATTEMPTS times: stored as scanned, with a flag
        that asks the facilitators to read it themselves (nothing in it was checked)."""
        if ctx is None:
            return ScanOutcome(job, []), None
        flag = NewFlag(kind="unscreened", level=None, reason="screening failed")
        return self._flagged(job, ctx, [], flag, [])

    async def _outcome(self, job: ScanJob, result: Scanned, ctx: SessionContext | None,
                       reminded: set[str]) -> tuple[ScanOutcome, FlagCards | None]:
        findings = [FindingRecord(*f) for f in result.findings]
        safeguarding = result.safeguarding
        if ctx is None or not (findings or safeguarding):
            return ScanOutcome(job, findings), None
        flag = NewFlag(
            kind="safeguarding" if safeguarding else "identifying",
            level=safeguarding[0] if safeguarding else None,
            reason=safeguarding[1] if safeguarding else None,
        )
        _, identity = ctx.people.get(job.participant_id, (None, None))
        extra = await self.flags.auto_response_items(
            ctx.session, message_id=job.message_id, author=identity,
            identifying=bool(findings), safeguarding=safeguarding is not None,
            reminded_sessions=reminded,
        )
        return self._flagged(job, ctx, findings, flag, extra)

    def _flagged(self, job: ScanJob, ctx: SessionContext, findings: list[FindingRecord],
                 flag: NewFlag, extra: list[Any]) -> tuple[ScanOutcome, FlagCards]:
        """The outcome for a message that gets a flag, and its card for each recipient."""
        pseudonym, identity = ctx.people.get(job.participant_id, (None, None))
        content = FlagCardContent(
            flag_id=0,
            kind=flag.kind,
            sent_at=job.received_at,
            author_name=identity.display_name if identity else None,
            author_pseudonym=pseudonym,
            segments=segments_of(job.text, findings) if job.kept else [Segment(NOT_KEPT)],
            reasons=reasons_of(findings),
            safeguarding_level=flag.level,
            safeguarding_reason=flag.reason,
            hide_available=self.flags.hide_available,
            edited=job.edited_at is not None,
            session_title=ctx.session.title,
        )
        return (ScanOutcome(job, findings, flag, extra_items=extra),
                FlagCards(ctx.session, ctx.recipients, content))
