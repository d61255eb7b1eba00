"""undelivered reports: given-up outbox items facilitators have been told about

Revision ID: 0008_undelivered_reports
Revises: 0001
Create Date: 2026-12-02 10:00:00

An outbox item given up on (refused by Teams, or still undelivered at the give-up age) is
already kept as `status = 'failed'`. A row here says a notice covering it was queued to the
session's facilitators, so the notice survives a restart and is never sent twice. Deleted with
its outbox row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_undelivered_reports"
down_revision = "0001"
branch_labels = ("undelivered_reports",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undelivered_reports",
        sa.Column("outbox_id", sa.Integer(),
                  sa.ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("undelivered_reports")
