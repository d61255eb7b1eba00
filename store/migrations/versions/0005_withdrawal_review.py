"""withdrawal review: reply targets, mention reviews and withdrawal reverts

Revision ID: 0005_withdrawal
Revises: 0004
Create Date: 2026-11-29 04:40:00

The information sheet promises that other participants' responses which mention a withdrawn
participant's contribution are deleted. `messages.reply_to_id` keeps the Teams `replyToId` so
a reply to their message is found; `mention_reviews` holds, per withdrawal, each message found
to refer to them and the decision on it (excluded automatically, or a facilitator's choice on
a borderline case), so exclusions survive the purge of names; `withdrawal_reverts` records,
append-only like `withdrawals`, a facilitator undoing a withdrawal made by mistake.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_withdrawal"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: recreating the table on SQLite would drop 0001's append-only triggers.
    op.add_column("messages", sa.Column("reply_to_id", sa.String(256), nullable=True))
    op.create_table(
        "mention_reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("participant_id", sa.String(36), sa.ForeignKey("participants.id"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("message_id", "participant_id", name="uq_mention_review"),
    )
    op.create_index("ix_mention_reviews_session", "mention_reviews", ["session_id"])
    op.create_table(
        "withdrawal_reverts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("withdrawal_id", sa.Integer(), sa.ForeignKey("withdrawals.id"),
                  nullable=False, unique=True),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("reverted_at", sa.DateTime(timezone=True), nullable=False),
    )
    _protect("withdrawal_reverts")


def _protect(table: str) -> None:
    """Append-only like `withdrawals` (0001's triggers; its `refuse_change` on PostgreSQL)."""
    dialect = op.get_bind().dialect.name
    for verb in ("UPDATE", "DELETE"):
        name = f"{table}_no_{verb.lower()}"
        if dialect == "postgresql":
            op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_change()")
        else:
            op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    suffix = " ON withdrawal_reverts" if op.get_bind().dialect.name == "postgresql" else ""
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS withdrawal_reverts_no_{verb}{suffix}")
    op.drop_table("withdrawal_reverts")
    op.drop_index("ix_mention_reviews_session", "mention_reviews")
    op.drop_table("mention_reviews")
    op.drop_column("messages", "reply_to_id")
