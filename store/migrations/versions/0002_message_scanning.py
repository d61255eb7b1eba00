"""message scanning state: revision, scan claim and completion on messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:30:00

A chat message is stored (committed) before the turn is acknowledged and scanned afterwards by
a background worker. `scanned_at` NULL means "still to scan"; a worker claims a row by setting
`scan_owner`/`scan_lease_until` conditionally, so two instances never scan one message, and a
claim left by a crashed instance expires. `revision` grows with every edit, so a scan of an
older text is never stored over a newer one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN / CREATE INDEX (no batch "move and copy"): recreating a table on SQLite
    # would drop the append-only triggers of 0001.
    op.add_column("messages", sa.Column("revision", sa.Integer(), server_default="0",
                                        nullable=False))
    op.add_column("messages", sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("scan_owner", sa.String(length=64), nullable=True))
    op.add_column("messages", sa.Column("scan_lease_until", sa.DateTime(timezone=True),
                                        nullable=True))
    op.create_index("ix_messages_unscanned", "messages", ["scanned_at", "id"])
    op.create_index("ix_flag_cards_flag", "flag_cards", ["flag_id"])
    op.create_index("ix_flag_cards_outbox", "flag_cards", ["outbox_id"])
    op.create_index("ix_flag_actions_flag", "flag_actions", ["flag_id", "id"])
    op.create_index("ix_flags_message", "flags", ["message_id"])


def downgrade() -> None:
    op.drop_index("ix_flags_message", table_name="flags")
    op.drop_index("ix_flag_actions_flag", table_name="flag_actions")
    op.drop_index("ix_flag_cards_outbox", table_name="flag_cards")
    op.drop_index("ix_flag_cards_flag", table_name="flag_cards")
    op.drop_index("ix_messages_unscanned", table_name="messages")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("scan_lease_until")
        batch_op.drop_column("scan_owner")
        batch_op.drop_column("scanned_at")
        batch_op.drop_column("revision")
