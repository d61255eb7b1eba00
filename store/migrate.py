"""Apply the Alembic migrations at start-up, once even when several instances start together."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_ID = 7_204_118_993  # arbitrary constant shared by every instance of this bot


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_connection(connection: Connection) -> None:
    """Apply every migration not yet applied, on a synchronous connection."""
    if connection.dialect.name == "postgresql":
        # A transaction-level lock: held until the migration's transaction commits (or rolls
        # back). A session lock released before the commit let the next instance migrate
        # again over the still-uncommitted DDL and fail.
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
    else:
        # Begin the (BEGIN IMMEDIATE) transaction, taking SQLite's write lock, before entering
        # Alembic: its `op`/`context` proxies are process-global, so two migrations interleaving
        # in one event loop would run each other's operations.
        connection.execute(text("SELECT 1"))
    command.upgrade(alembic_config(connection), "heads")


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.run_sync(upgrade_connection)
        await conn.commit()
