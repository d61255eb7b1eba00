"""labelled outcomes: every flag decision and every manual report of a message

Revision ID: 0009_labelled_outcomes
Revises: 0001
Create Date: 2026-12-05 10:00:00

One row per facilitator decision on a flag (Redact in export / Escalate: confirmed; Not
identifying: dismissed) and per report made through the message action (missed,
already_flagged, removal_requested). No message text. The decisions already recorded in
flag_actions are copied in, so the quality figures cover flags decided before this migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_labelled_outcomes"
down_revision = "0001"
branch_labels = ("labelled_outcomes",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labelled_outcomes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=True),
        sa.Column("flag_kind", sa.String(length=16), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("teams_message_id", sa.String(length=256), nullable=True),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.ForeignKeyConstraint(["flag_id"], ["flags.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_labelled_outcomes_session", "labelled_outcomes", ["session_id", "id"])
    op.create_index("ix_labelled_outcomes_message", "labelled_outcomes", ["message_id"])
    # the decisions recorded so far (flag_actions is append-only: each click is one row)
    op.execute(
        "INSERT INTO labelled_outcomes "
        "(key, session_id, kind, flag_id, flag_kind, message_id, category, at) "
        "SELECT 'flag:' || CAST(a.flag_id AS VARCHAR(16)) || ':action:' "
        "|| CAST(a.id AS VARCHAR(16)), f.session_id, "
        "CASE WHEN a.action = 'dismiss' THEN 'dismissed' ELSE 'confirmed' END, "
        "a.flag_id, f.kind, f.message_id, "
        "(SELECT fi.category FROM findings fi WHERE fi.message_id = f.message_id "
        "ORDER BY fi.start, fi.id LIMIT 1), a.at "
        "FROM flag_actions a JOIN flags f ON f.id = a.flag_id "
        "WHERE a.action IN ('redact', 'dismiss', 'escalate') ORDER BY a.id"
    )


def downgrade() -> None:
    op.drop_index("ix_labelled_outcomes_message", table_name="labelled_outcomes")
    op.drop_index("ix_labelled_outcomes_session", table_name="labelled_outcomes")
    op.drop_table("labelled_outcomes")
