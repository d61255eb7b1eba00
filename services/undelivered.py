"""Telling facilitators that something could not be delivered to Teams.

The outbox gives an item up when Teams refuses it for good (403, 404, ...) or it is still
undelivered at the give-up age (OUTBOX_GIVE_UP_HOURS), and keeps it as `failed`. Here a sweep
finds given-up items no notice covers yet and sends each session's facilitators, in their 1:1
chats, one plain notice: what kinds of item (flag card, reminder, reply...), for which session,
when they were queued. Never what they said, and never in the group chat.

- One notice per session covers every item given up so far; after a notice the next one waits
  `window`, so a storm of refusals makes a notice or two, not one per item.
- A notice that cannot be delivered is itself marked told without another notice (no loop).
- Items that belong to no session (a reply in a 1:1 chat) are marked told silently; they stay
  counted in /readyz and in the log.
- The notice goes to whoever receives the session's flags (`FlagService.recipients`).
- Items and their notice are marked in one transaction (store), so a restart neither loses
  nor repeats a notice; a session without a reachable facilitator is told once one is known.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from background import cancel_requested
from outbound.outbox import Notify
from services.clock import Clock
from services.flags import FlagService
from services.messages import text_activity, to_user
from store import LeasedItem, Priority, Session, UndeliveredItem
from store.ports import UndeliveredServiceStore
from study.dates import DEFAULT_TIMEZONE, as_local, format_local, format_local_clock

log = logging.getLogger(__name__)

NOTICE_KEY = "undelivered"
NOTICE = "notice"  # the kind of a notice about undelivered items


@dataclass(frozen=True)
class Kind:
    """What an outbox item was, in facilitators' words (one, many)."""

    one: str
    many: str

    def count(self, n: int) -> str:
        return f"{n} {self.one if n == 1 else self.many}"


FLAG_CARD = Kind("flag card", "flag cards")
SAFEGUARDING_CARD = Kind("safeguarding flag card", "safeguarding flag cards")
DIGEST_CARD = Kind("flag summary card", "flag summary cards")
FLAG_UPDATE = Kind("update of a flag card", "updates of flag cards")
CONFIDENTIALITY = Kind("confidentiality reminder", "confidentiality reminders")
CHATHAM_HOUSE = Kind("Chatham House reminder", "Chatham House reminders")
CONSENT_CARD = Kind("consent card", "consent cards")
PRIVATE_NOTE = Kind("private note to a participant", "private notes to participants")
FACILITATOR_NOTICE = Kind("private notice to a facilitator", "private notices to facilitators")
REPLY = Kind("reply to a command", "replies to commands")
RETENTION = Kind("notice about the retention purge", "notices about the retention purge")
MESSAGE = Kind("message", "messages")

_SESSION_CHAT = {  # the key after "session:<id>:", by its first word
    "welcome": Kind("welcome message", "welcome messages"),
    "information_sheet": Kind("information sheet", "information sheets"),
    "consent_card": CONSENT_CARD,
    "chatham_house": CHATHAM_HOUSE,
    "closing": Kind("closing message", "closing messages"),
    "late_joiner": Kind("welcome for a late joiner", "welcomes for late joiners"),
    "auto_reminder": CONFIDENTIALITY,
    "auto_note": PRIVATE_NOTE,
}


def kind_of(item: UndeliveredItem) -> Kind | None:
    """The item's kind, read from its outbox key and lane (keys are made of row ids, never
    content); None for a notice about undelivered items itself."""
    if (item.notify_ref or "").startswith(f"{Notify.UNDELIVERED_NOTICE.value}:"):
        return None
    key = item.dedupe_key or ""
    if key.startswith("digest:"):
        return DIGEST_CARD
    if key.startswith("flag:"):
        if ":update:" in key:
            return FLAG_UPDATE
        if ":remind:" in key:
            return CONFIDENTIALITY
        return SAFEGUARDING_CARD if item.priority >= Priority.URGENT else FLAG_CARD
    if key.startswith("session:"):
        rest = key.split(":", 2)[2] if key.count(":") >= 2 else ""
        if rest.startswith(f"{NOTICE_KEY}:"):
            return None
        first = rest.split(":", 1)[0]
        if first in _SESSION_CHAT:
            return _SESSION_CHAT[first]
        return FACILITATOR_NOTICE if ":to:" in rest else MESSAGE
    if key.startswith("reply:") or key.startswith("command:"):
        return REPLY
    if key.startswith("retention:"):
        return RETENTION
    return SAFEGUARDING_CARD if item.priority >= Priority.URGENT else MESSAGE


def summary(items: Sequence[UndeliveredItem]) -> dict[Kind, list[datetime]]:
    """When each kind's items were queued, kinds in order of their first item; notices left
    out."""
    kinds: dict[Kind, list[datetime]] = {}
    for item in items:
        kind = kind_of(item)
        if kind is not None:
            kinds.setdefault(kind, []).append(item.created_at)
    return kinds


def counted(kinds: dict[Kind, list[datetime]]) -> str:
    """'2 flag cards, 1 Chatham House reminder'."""
    return ", ".join(kind.count(len(times)) for kind, times in kinds.items())


def _queued(times: list[datetime], zone: str) -> str:
    first, last = min(times), max(times)
    if as_local(first, zone).date() == as_local(last, zone).date():
        if format_local_clock(first, zone) == format_local_clock(last, zone):
            return f"queued {format_local(first, zone)}"
        return f"queued {format_local(first, zone)} to {format_local_clock(last, zone)}"
    return f"queued {format_local(first, zone)} to {format_local(last, zone)}"


def notice_text(session: Session, items: Sequence[UndeliveredItem],
                zone: str = DEFAULT_TIMEZONE) -> str:
    """The facilitators' notice: kinds, counts, session and times only, never content."""
    kinds = summary(items)
    total = sum(len(times) for times in kinds.values())
    title = f'"{session.title}"' if session.title else "untitled"
    lines = [
        f"{'Something' if total == 1 else f'{total} items'} from the session {title} "
        f"(started {format_local(session.started_at, zone)}) could not be delivered to Teams, "
        "and I have stopped trying:",
        *(f"- {kind.count(len(times))}, {_queued(times, zone)}"
          for kind, times in kinds.items()),
        f"{'Its' if total == 1 else 'Their'} content is not repeated here.",
    ]
    if SAFEGUARDING_CARD in kinds:
        lines.append("A safeguarding flag is among them: please read it in the console.")
    elif FLAG_CARD in kinds or DIGEST_CARD in kinds:
        lines.append("The flags themselves are listed in the console.")
    lines.append("Type 'status' in the meeting chat to see how many items are undelivered.")
    return "\n".join(lines)


class UndeliveredNotices:
    """The sweep that tells facilitators about given-up items, and the counts `status`
    shows."""

    def __init__(
        self,
        store: UndeliveredServiceStore,
        flags: FlagService,
        *,
        clock: Clock,
        wake_outbox: Callable[[], None] | None = None,
        zone: str = DEFAULT_TIMEZONE,
        window: timedelta = timedelta(minutes=10),
        poll_seconds: float = 5.0,
        gather_seconds: float = 2.0,
    ) -> None:
        self.store = store
        self.flags = flags
        self.clock = clock
        self._wake = wake_outbox or (lambda: None)
        self.zone = zone
        self.window = window
        self._poll = poll_seconds
        self._gather = gather_seconds
        self._given_up = asyncio.Event()
        self._last_given_up = float("-inf")  # time.monotonic() of the last give-up here

    async def on_given_up(self, _item: LeasedItem, _reason: str) -> None:
        """The outbox's undelivered hook: sweep soon (the item is already stored as failed,
        so a crash here loses nothing; the next sweep finds it)."""
        self._last_given_up = time.monotonic()
        self._given_up.set()

    async def run_forever(self) -> None:
        """Sweep every `poll_seconds` and when the outbox gives an item up, but only once no
        item has been given up here for `gather_seconds`: items refused together (a storm,
        a chat that is gone) share one notice."""
        while True:
            quiet_for = time.monotonic() - self._last_given_up
            if quiet_for < self._gather:
                await asyncio.sleep(self._gather - quiet_for)
                continue
            try:
                await self.report_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if cancel_requested():
                    raise asyncio.CancelledError from exc
                log.warning("undelivered notice round failed",
                            extra={"error": type(exc).__name__})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._given_up.wait(), timeout=self._poll)
            self._given_up.clear()

    async def report_once(self) -> int:
        """Queue the notices that are due; returns how many sessions were told."""
        items = await self.store.unreported_undelivered()
        if not items:
            return 0
        now = self.clock()
        silent: list[int] = []
        by_session: dict[str, list[UndeliveredItem]] = defaultdict(list)
        sessions: dict[str, Session] = {}
        for item in items:
            session = await self._session_of(item) if kind_of(item) is not None else None
            if session is None:  # a notice itself, or nobody to tell: marked, not noticed
                silent.append(item.id)
                continue
            sessions[session.id] = session
            by_session[session.id].append(item)
        if silent:
            await self.store.report_undelivered(silent, [], now)
        told = 0
        for session_id, group in by_session.items():
            told += await self._tell(sessions[session_id], group, now)
        if told:
            self._wake()
        return told

    async def _tell(self, session: Session, items: list[UndeliveredItem], now: datetime) -> int:
        last = await self.store.last_queued_at(f"session:{session.id}:{NOTICE_KEY}:")
        if last is not None and now - last < self.window:
            return 0  # the next notice, after the window, covers these too
        roster = await self.store.roster(session.id)
        recipients = await self.flags.recipients(session, [
            e.identity for e in roster if e.participant.role == "facilitator" and e.identity])
        if not recipients:
            log.info("undelivered items wait for a facilitator to tell",
                     extra={"session_id": session.id, "count": len(items)})
            return 0
        payload = text_activity(notice_text(session, items, self.zone))
        # keyed by the copy's number, like flag cards: a key never carries identity (purge)
        notices = [to_user(
            key=f"session:{session.id}:{NOTICE_KEY}:{items[0].id}:copy:{number}",
            service_url=r.channel.service_url if r.channel else session.service_url,
            tenant_id=session.tenant_id,
            conversation_id=r.channel.conversation_id if r.channel else None,
            user_id=r.identity.teams_user_id, session_id=session.id, payload=payload,
            notify_ref=Notify.UNDELIVERED_NOTICE.ref(session.id),
        ) for number, r in enumerate(recipients)]
        if not await self.store.report_undelivered([i.id for i in items], notices, now):
            return 0  # another instance told them
        log.warning("facilitators told of undelivered items",
                    extra={"session_id": session.id, "count": len(items),
                           "recipients": len(notices)})
        return 1

    async def _session_of(self, item: UndeliveredItem) -> Session | None:
        if item.session_id is not None:
            return await self.store.get_session(item.session_id)
        if item.conversation_id is not None:  # a reply in a session's group chat
            return await self.store.latest_session(item.conversation_id)
        return None

    async def for_session(self, session: Session) -> dict[Kind, list[datetime]]:
        """The session's undelivered items by kind (notices about them left out): its own,
        and the replies given up in its chat."""
        items = [item for item in await self.store.undelivered_outbox()
                 if item.session_id == session.id or (
                     item.session_id is None
                     and item.conversation_id == session.conversation_id)]
        return summary(items)
