"""What the withdrawal, export and retention handlers share, built once at start-up.

The withdrawal dialog's state lives in the bot's database (it survives restarts and is shared
by instances); the screening engine for exports is the bot's own when it has one loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Any

from botbuilder.core import ConversationState, MemoryStorage, Storage
from botbuilder.dialogs import DialogSet

import cards
from dialogs.withdrawal_dialog import WithdrawalDialog
from export.service import LazyScreener
from services.clock import Clock
from services.retention import retention_forever
from services.withdrawal import WithdrawalService
from store import Session, Store
from study import Study
from study.dates import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

NotifyFacilitators = Callable[[Session, str, dict[str, Any]], Awaitable[int]]


@dataclass
class DataLife:
    withdrawals: WithdrawalService
    screener: LazyScreener
    state: ConversationState
    dialogs: DialogSet
    dialog: WithdrawalDialog
    retention_purge_after: date | None

    def retention_task(self, store: Store, study: Study, clock: Clock) -> Coroutine[Any, Any, None]:
        return retention_forever(
            store, study, screener=self.screener.get, clock=clock,
            purge_after=self.retention_purge_after,
        )


def make_data_life(
    store: Store,
    study: Study,
    *,
    clock: Clock,
    notify_facilitators: NotifyFacilitators,
    existing_screener: Callable[[], Any],
    screening_model: str,
    screening_threshold: float,
    retention_purge_after: date | None,
    timezone: str = DEFAULT_TIMEZONE,
) -> DataLife:
    """Withdrawal (service and 1:1 dialog), the export screener and the retention settings."""
    from screening import ScreeningConfig

    screener = LazyScreener(ScreeningConfig(model=screening_model, threshold=screening_threshold),
                            existing=existing_screener)
    withdrawals = WithdrawalService(
        store, study, clock=clock, notify_facilitators=notify_facilitators,
        cards=cards.ZonedCards(timezone),
        screener=screener.get, zone=timezone,
    )
    state = ConversationState(_dialog_storage(store))
    dialogs = DialogSet(state.create_property("DialogState"))
    dialog = WithdrawalDialog(withdrawals)
    dialogs.add(dialog)
    return DataLife(withdrawals, screener, state, dialogs, dialog, retention_purge_after)


def _dialog_storage(store: Store) -> Storage:
    """Dialog state in the bot's database (survives restarts, shared by instances)."""
    try:
        from handlers.state_storage import SqlBotStorage
    except ImportError:  # the SQL storage is not installed: dialogs work per instance only
        log.warning("SqlBotStorage unavailable; withdrawal dialogs kept in memory")
        return MemoryStorage()
    return SqlBotStorage(store)
