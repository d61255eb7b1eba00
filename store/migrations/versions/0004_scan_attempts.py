"""scan attempts: how many times a message has been claimed for screening

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24 12:00:00

A message the screening engine fails on is retried; `scan_attempts` counts the claims since
the text last changed, so that after a few failures facilitators are told the message could
not be screened instead of it being retried, unseen, for ever.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: recreating the table on SQLite would drop 0001's append-only triggers.
    op.add_column("messages", sa.Column("scan_attempts", sa.Integer(), server_default="0",
                                        nullable=False))


def downgrade() -> None:
    op.drop_column("messages", "scan_attempts")
