"""Turn state: botbuilder's key-value storage with eTags, and the keys of activities already
processed (idempotency across instances), on SQLAlchemy Core (see `store.ports.BotStateStore`
and `store.ports.ActivityKeys`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from store import schema as t
from store.records import StateItem
from store.sql_base import SqlBase, dialect_insert, is_unique_violation


class ETagConflict(Exception):
    """A state write named an eTag that is no longer current."""


class SqlBotState(SqlBase):
    """Backs botbuilder's `Storage` (handlers/state_storage.py) and activity idempotency."""

    async def state_read(self, keys: Iterable[str]) -> dict[str, StateItem]:
        keys = list(keys)
        if not keys:
            return {}
        async with self._reading() as conn:
            rows = (
                await conn.execute(select(t.bot_state).where(t.bot_state.c.key.in_(keys)))
            ).all()
        return {r.key: StateItem(r.etag, dict(r.data)) for r in rows}

    async def state_write(self, key: str, data: dict[str, Any], expected_etag: str | None) -> str:
        """Write one item. `expected_etag` None or "*": last write wins; else it must match."""
        new_etag = uuid.uuid4().hex
        async with self._writing() as conn:
            if expected_etag in (None, "*"):
                upsert = dialect_insert(self.dialect)(t.bot_state).values(
                    key=key, etag=new_etag, data=data
                )
                await conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[t.bot_state.c.key],
                        set_={"etag": new_etag, "data": data},
                    )
                )
                return new_etag
            result = await conn.execute(
                update(t.bot_state)
                .where(and_(t.bot_state.c.key == key, t.bot_state.c.etag == expected_etag))
                .values(etag=new_etag, data=data)
            )
            if result.rowcount != 1:
                raise ETagConflict(key)
        return new_etag

    async def state_delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        async with self._writing() as conn:
            await conn.execute(delete(t.bot_state).where(t.bot_state.c.key.in_(keys)))

    # ---- processed activities (idempotency across instances) -------------------------------

    async def first_delivery(self, key: str, at: datetime) -> bool:
        """True the first time this activity key is seen by any instance."""
        try:
            async with self._writing() as conn:
                await conn.execute(insert(t.processed_activities).values(key=key[:600], at=at))
            return True
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            return False

    async def forget_delivery(self, key: str) -> None:
        """Release a claimed activity key (its processing failed, so a retry must run)."""
        async with self._writing() as conn:
            await conn.execute(
                delete(t.processed_activities).where(t.processed_activities.c.key == key[:600])
            )
