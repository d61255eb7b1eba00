"""Persistence: the records, the SQL store and its migrations. Imports nothing of the bot's."""

from store.errors import StoreUnavailable, is_unavailable
from store.records import (
    ConsentEvent,
    DueReminder,
    FacilitatorChannel,
    Identity,
    LeasedItem,
    NewSession,
    OutboxItem,
    Participant,
    Priority,
    RosterEntry,
    Session,
    StateItem,
    UndeliveredItem,
)
from store.sql_store import ETagConflict, Store, open_store

__all__ = [
    "ConsentEvent",
    "DueReminder",
    "ETagConflict",
    "FacilitatorChannel",
    "Identity",
    "LeasedItem",
    "NewSession",
    "OutboxItem",
    "Participant",
    "Priority",
    "RosterEntry",
    "Session",
    "StateItem",
    "Store",
    "StoreUnavailable",
    "UndeliveredItem",
    "is_unavailable",
    "open_store",
]
