"""Withdrawals, export queries and purge (the data's life after the session). Mixed into Store."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine


class DataLifeStoreMixin:
    """Store methods for withdrawal, export and purge; mixed into `Store`."""

    engine: AsyncEngine
    dialect: str
