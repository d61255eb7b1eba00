"""End of the data's life: destroy what links participants to their data, keep what is
anonymised.

Steps (each safe to re-run, so an interrupted purge completes when run again):
1. anonymise: for every message, store the export-ready copy (or none, if the message is
   excluded) and null the raw text and mentions, one message per transaction;
2. titles: replace each session's meeting title by its redacted version;
3. scrub: replace the known Teams/AAD ids and display names in every other column (the
   tables step 4 deletes whole are left to it: rewriting their keys could make two equal);
4. unlink: delete identity links, facilitator channels, bot state, idempotency keys and the
   outbox (cards may carry names), in one transaction;
5. compact: VACUUM, so deleted values do not linger in the database file;
6. verify: search every column of every table for the identifiers, and on SQLite the
   database, -wal and -shm files as bytes; any residue makes the run "residue", not
   "completed", logged as an error, and retention reports it (services/retention.py).
A step that raises marks the run "failed" before the error goes on. Each run is recorded in
`purge_runs` and the audit log (counts only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from export.build import SessionRedactor, Unscreenable, screened_spans
from export.exclusions import message_exclusions, why_excluded
from export.redact import PERSON, WITHHELD, apply_spans, name_spans
from store.data_life import PurgeRun, SessionSource
from store.ports import PurgeServiceStore
from store.schema import DELETED_BY_PURGE
from study import Study
from study.dates import DEFAULT_TIMEZONE, format_local

log = logging.getLogger(__name__)


class PurgeRefused(Exception):
    """A session is live or still within its withdrawal window (use force to override)."""


@dataclass
class PurgeReport:
    run_id: int
    anonymised: int = 0
    excluded_nulled: int = 0
    titles: int = 0
    scrubbed: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    residue: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.residue

    def details(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "anonymised_messages": self.anonymised,
            "excluded_messages_nulled": self.excluded_nulled,
            "titles_redacted": self.titles,
            "scrubbed": self.scrubbed,
            "deleted": self.deleted,
            "residue": self.residue,  # table.column names and counts only
        }


async def purge_blockers(store: PurgeServiceStore, study: Study, now: datetime,
                         zone: str = DEFAULT_TIMEZONE) -> list[str]:
    """Sessions that must not be purged yet: live, or still within the withdrawal window
    (its end in the study's time zone, as people read it)."""
    blockers = []
    for session in await store.list_sessions():
        if session.status == "live" or session.ended_at is None:
            blockers.append(f"session {session.id[:8]} is still live")
        elif now <= study.withdrawal_deadline_for(session.ended_at):
            blockers.append(
                f"session {session.id[:8]} is within its withdrawal window until "
                f"{format_local(study.withdrawal_deadline_for(session.ended_at), zone)}"
            )
    return blockers


def redact_text(text: str, redactor: SessionRedactor, screener: Any) -> str:
    spans = name_spans(text, redactor.names, PERSON)
    if screener is not None:
        try:
            spans += screened_spans(screener, text, redactor.roster)
        except Unscreenable:
            return WITHHELD
    return apply_spans(text, spans)


async def purge_study(
    store: PurgeServiceStore,
    study: Study,
    *,
    screener: Any,
    clock: Callable[[], datetime],
    actor: str,
    force: bool = False,
    run_in_thread: Callable[..., Any] | None = None,
    zone: str = DEFAULT_TIMEZONE,
) -> PurgeReport:
    """Purge every session in the database (one study per deployment). See module docs."""
    now = clock()
    blockers = await purge_blockers(store, study, now, zone)
    if blockers and not force:
        await store.audit(actor=actor, action="purge.refused", subject="study:" + study.study_id,
                          at=now, details={"blockers": len(blockers)})
        raise PurgeRefused("; ".join(blockers))
    run = await store.begin_purge(now)
    await store.audit(actor=actor, action="purge.started", subject="study:" + study.study_id,
                      at=now, details={"run": run.id, "forced": bool(blockers)})
    try:
        return await _purge_steps(store, study, screener, clock, actor, run, run_in_thread)
    except Exception:
        try:
            await store.purge_step_done(run.id, FAILED)
        except Exception:  # the database itself failing: the original error says more
            log.exception("could not mark the purge run as failed")
        raise


FAILED = "failed"
RESIDUE = "residue"
COMPLETED = "completed"


async def _purge_steps(
    store: PurgeServiceStore,
    study: Study,
    screener: Any,
    clock: Callable[[], datetime],
    actor: str,
    run: PurgeRun,
    run_in_thread: Callable[..., Any] | None,
) -> PurgeReport:
    report = PurgeReport(run.id)
    ids, names = await store.linking_identifiers()

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        return await run_in_thread(fn, *args) if run_in_thread else fn(*args)

    # 1-2: anonymised copies and titles, session by session
    for session in await store.list_sessions():
        source = await store.session_source(session.id)
        if source is None:
            continue
        redactor = SessionRedactor(source)
        await _anonymise_session(store, source, redactor, screener, clock, report, call)
        if session.title:
            title = await call(redact_text, session.title, redactor, screener)
            if title != session.title:
                await store.set_session_title(session.id, title)
                report.titles += 1
    await store.purge_step_done(run.id, "anonymised")

    # 3: every other column that may carry an id or a name
    report.scrubbed = await store.scrub_identifiers(ids, names, skip_tables=DELETED_BY_PURGE)
    await store.purge_step_done(run.id, "scrubbed")

    # 4: the linking data itself, in one transaction
    report.deleted = await store.delete_linking_data()
    await store.purge_step_done(run.id, "unlinked")

    # 5-6: compact the file, then prove nothing is left
    await store.compact()
    first_names = {part for name in names for part in name.replace(",", " ").split()}
    report.residue = await store.find_identifiers(ids, names, first_names)
    report.residue.update(await store.find_identifiers_in_files([*ids, *names]))
    finished = clock()
    await store.purge_step_done(run.id, COMPLETED if report.clean else RESIDUE, finished)
    await store.audit(actor=actor, action="purge.completed", subject="study:" + study.study_id,
                      at=finished, details=report.details())
    if report.clean:
        log.info("purge finished", extra={"run": run.id, "anonymised": report.anonymised})
    else:
        log.error("purge left identifiers behind", extra={
            "run": run.id, "residue_places": sorted(report.residue)})
    return report


async def _anonymise_session(
    store: PurgeServiceStore,
    source: SessionSource,
    redactor: SessionRedactor,
    screener: Any,
    clock: Callable[[], datetime],
    report: PurgeReport,
    call: Callable[..., Any],
) -> None:
    excluded = message_exclusions(source)  # the same exclusions as every export
    for message in source.messages:
        if message.text is None and not message.mentions:
            continue  # already done (or never kept)
        person = source.people.get(message.participant_id)
        reason = why_excluded(message, person, excluded)
        result = None
        if reason is None and message.text is not None:
            try:
                result = await call(redactor.anonymise, message, screener)
            except Unscreenable:
                log.warning("a message could not be screened; its text is not kept",
                            extra={"message_id": message.id})
        if result is not None:
            await store.save_anonymised(
                message_id=message.id, session_id=source.session_id, text=result.text,
                removed_mentions=result.removed_mentions, redactions=result.redactions,
                at=clock(),
            )
            report.anonymised += 1
        else:
            await store.save_anonymised(
                message_id=message.id, session_id=source.session_id, text=None,
                removed_mentions=0, redactions={}, at=clock(),
            )
            report.excluded_nulled += 1
