"""The audit log, append-only, on SQLAlchemy Core (see `store.ports.AuditLog`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert

from store import schema as t
from store.sql_base import SqlBase


class SqlAudit(SqlBase):
    """Who did what to whose data, and when (never message text)."""

    async def audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str | None,
        at: datetime,
        details: dict[str, Any] | None = None,
    ) -> None:
        async with self._writing() as conn:
            await conn.execute(
                insert(t.audit_log).values(
                    at=at, actor=actor, action=action, subject=subject, details=details
                )
            )
