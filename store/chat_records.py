"""Chat messages, findings and flags (the live screening path). Filled in by the flags work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine


class ChatStoreMixin:
    """Store methods for chat messages, findings and flags; mixed into `Store`."""

    engine: AsyncEngine
    dialect: str
