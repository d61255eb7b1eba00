"""outbox priority: a lane per item, leased highest first

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-29 04:30:00

Safeguarding flag cards (2) and replies facilitators asked for (1) must never wait behind a
storm of ordinary flag cards (0). Existing items get the middle lane.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = ("outbox_priority",)
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: recreating the table on SQLite would drop 0001's triggers.
    op.add_column("outbox", sa.Column("priority", sa.Integer(), server_default="1",
                                      nullable=False))
    op.create_index("ix_outbox_lane", "outbox", ["status", "priority", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_lane", table_name="outbox")
    op.drop_column("outbox", "priority")
