"""Retention: purge automatically once RETENTION_PURGE_AFTER has passed.

The bot checks at start-up and then daily. "After" a date means from 00:00 UTC the next day.
A purge that finds a session live or still within its withdrawal window is not forced: it
logs a warning and tries again the next day. A completed purge is not repeated while nothing
new needs purging (each purge step is idempotent anyway).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from background import cancel_requested
from export.purge import PurgeRefused, PurgeReport, purge_study
from services.clock import Clock
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
    try:
        return await purge_study(store, study, screener=engine, clock=clock, actor="retention",
                                 run_in_thread=asyncio.to_thread)
    except PurgeRefused:
        log.warning("retention purge postponed: a session is live or within its window")
        return None


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
