"""Exports and transcript redaction with their audit entries; one screener per process.

Library code: takes the store, the study and a screener as arguments (only the CLI reads
config). Every export is written to the append-only audit log: who, when, what, counts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from export.build import ScreenerLike, SessionExport, anonymise_session
from export.render import FORMATS, render_all
from store import Session
from store.ports import AuditLog, ExportServiceStore
from study.dates import DEFAULT_TIMEZONE

_SCREENERS: dict[Any, Any] = {}
_SCREENERS_LOCK = threading.Lock()


class LazyScreener:
    """The screening engine, loaded once per process on first use (it takes 1-3 s).

    `existing` returns an engine the bot already loaded (or None), so the bot and the export
    share one instance. `get()` blocks while loading: call it through `asyncio.to_thread`.
    """

    def __init__(self, config: Any = None, existing: Callable[[], Any] | None = None) -> None:
        self._config = config
        self._existing = existing or (lambda: None)

    def get(self) -> ScreenerLike:
        found = self._existing()
        if found is not None:
            return found  # type: ignore[no-any-return]
        from screening import Screener, ScreeningConfig

        config = self._config or ScreeningConfig()
        with _SCREENERS_LOCK:
            if config not in _SCREENERS:
                _SCREENERS[config] = Screener.load(config)
            return _SCREENERS[config]  # type: ignore[no-any-return]


class SessionNotFound(LookupError):
    pass


async def resolve_session(store: ExportServiceStore, ref: str) -> Session:
    """A session by id or unique id prefix (at least 4 characters)."""
    ref = ref.strip()
    found = await store.get_session(ref)
    if found is not None:
        return found
    if len(ref) >= 4:
        matches = [s for s in await store.list_sessions() if s.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise SessionNotFound(f"'{ref}' matches {len(matches)} sessions; give more of the id")
    raise SessionNotFound(f"no session '{ref}'")


async def export_session(
    store: ExportServiceStore,
    *,
    study_id: str,
    study_title: str,
    session_id: str,
    screener: ScreenerLike,
    formats: tuple[str, ...],
    now: datetime,
    actor: str,
    channel: str,
    run_in_thread: Callable[..., Any] | None = None,
    audit: bool = True,
    timezone: str = DEFAULT_TIMEZONE,
) -> tuple[SessionExport, dict[str, bytes]]:
    """Anonymise one session, render it in each format, and audit the export (unless
    `audit` is False: the caller audits once the file has actually been handed over).

    `files` maps each format to its bytes, plus `render.ABOUT` (the header in words, written
    as `<stem>_about.txt`). A format that fails to render is left out of the files and named,
    with its reason, in `export.failed_formats`; the others are still returned. Times people
    read are shown in `timezone`."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
    source = await store.session_source(session_id)
    if source is None:
        raise SessionNotFound(f"no session '{session_id}'")

    def work() -> tuple[SessionExport, dict[str, bytes]]:
        export = anonymise_session(source, study_id=study_id, study_title=study_title,
                                   screener=screener, now=now, timezone=timezone)
        files, export.failed_formats = render_all(export, formats)
        return export, files

    if run_in_thread is not None:
        export, files = await run_in_thread(work)
    else:
        export, files = work()
    if audit:
        written = tuple(fmt for fmt in formats if fmt in files)
        await audit_export(store, export, written, now=now, actor=actor, channel=channel)
    return export, files


async def audit_export(
    store: AuditLog, export: SessionExport, formats: tuple[str, ...], *, now: datetime, actor: str,
    channel: str,
) -> None:
    """One append-only audit entry per export: who, when, which session, counts only."""
    header = export.header()
    await store.audit(
        actor=actor,
        action="export",
        subject=f"session:{export.session_id}",
        at=now,
        details={
            "channel": channel,
            "formats": list(formats),
            "messages_included": header["messages_included"],
            "messages_excluded": header["messages_excluded"],
            "mentions_removed": header["mentions_of_withdrawn_participants_removed"],
            "spans_replaced": header["identifying_spans_replaced"],
        },
    )
