"""Retention: purge automatically once RETENTION_PURGE_AFTER has passed.

The bot checks at start-up and then daily. "After" a date means from 00:00 UTC the next day.
A purge that finds a session live or still within its withdrawal window is not forced: it
logs a warning and tries again the next day. A completed purge is not repeated while nothing
new needs purging (each purge step is idempotent anyway).

A purge that fails (an error, or identifiers found by its verification step) is not left to a
log line: every facilitator with a known 1:1 chat gets a private message (their channels are
read before the purge, which deletes them), and `/readyz` shows `"retention": "failed"`
(`retention_status`, read from the last purge run, so every instance agrees). Readiness
itself stays 200: the bot still serves the study correctly, and a failed purge needs a
person, not a restart by the orchestrator.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from background import cancel_requested
from export.purge import COMPLETED, FAILED, RESIDUE, PurgeRefused, PurgeReport, purge_study
from services.clock import Clock
from services.messages import text_activity, to_user
from store import FacilitatorChannel
from store.ports import RetentionStore
from study import Study

log = logging.getLogger(__name__)

DAY = 24 * 60 * 60.0


def purge_due(purge_after: date | None, now: datetime) -> bool:
    if purge_after is None:
        return False
    return now >= datetime.combine(purge_after + timedelta(days=1), time(), UTC)


async def _nothing_left(store: RetentionStore) -> bool:
    ids, names = await store.linking_identifiers()
    if ids or names:
        return False
    for session in await store.list_sessions():
        source = await store.session_source(session.id)
        if source and any(m.text is not None or m.mentions for m in source.messages):
            return False
    return True


async def run_retention(
    store: RetentionStore, study: Study, *, screener: Callable[[], Any], clock: Clock,
    purge_after: date | None,
) -> PurgeReport | None:
    """Purge if the retention date has passed and something is left to purge."""
    if not purge_due(purge_after, clock()):
        return None
    if await _nothing_left(store):
        return None
    engine = await asyncio.to_thread(screener)
    channels = await store.facilitator_channels()  # gone once the purge unlinks
    try:
        report = await purge_study(store, study, screener=engine, clock=clock,
                                   actor="retention", run_in_thread=asyncio.to_thread)
    except PurgeRefused:
        log.warning("retention purge postponed: a session is live or within its window")
        return None
    except Exception:
        await _tell_facilitators(store, channels, clock())
        raise
    if not report.clean:
        await _tell_facilitators(store, channels, clock())
    return report


PURGE_FAILED = (
    "The automatic deletion of this study's identifying data (retention purge) did not "
    "complete: some names or Teams ids may still be stored. Please ask the study's data "
    "controller to run `python -m export purge` and check its report."
)


async def _tell_facilitators(
    store: RetentionStore, channels: list[FacilitatorChannel], now: datetime
) -> None:
    """A private message to each facilitator whose 1:1 chat is known (once per run)."""
    runs = await store.purge_runs()
    run = runs[-1].id if runs else 0
    for number, channel in enumerate(c for c in channels if c.conversation_id):
        await store.enqueue(to_user(
            key=f"retention:failed:run:{run}:{number}", service_url=channel.service_url,
            tenant_id=channel.tenant_id, conversation_id=channel.conversation_id,
            payload=text_activity(PURGE_FAILED),
        ), now)


async def retention_status(store: RetentionStore) -> str:
    """For `/readyz`: "none" (never purged), "ok", "failed" (error or residue: see the audit
    log) or "running" (started, not finished: under way, or cut short and to be resumed)."""
    runs = await store.purge_runs()
    if not runs:
        return "none"
    step = runs[-1].step
    if step == COMPLETED:
        return "ok"
    return "failed" if step in (FAILED, RESIDUE) else "running"


async def retention_forever(
    store: RetentionStore, study: Study, *, screener: Callable[[], Any], clock: Clock,
    purge_after: date | None, every_seconds: float = DAY,
) -> None:
    if purge_after is None:
        return
    while True:
        try:
            report = await run_retention(store, study, screener=screener, clock=clock,
                                         purge_after=purge_after)
            if report is not None:
                log.info("retention purge done", extra={"run": report.run_id,
                                                        "clean": report.clean})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if cancel_requested():
                raise asyncio.CancelledError from exc
            log.warning("retention round failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(every_seconds)
