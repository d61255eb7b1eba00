"""data life: anonymised message copies and purge progress

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-24 10:00:00

`anonymised_messages` keeps the export-ready text of a message, so purge can null the raw
text (and destroy the identity links) while exports keep working. `purge_runs` records each
purge run and the last step it finished; every step is safe to re-run, so an interrupted purge
completes when run again. On PostgreSQL, TRUNCATE (which skips row triggers) is refused on
the append-only tables as well.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("data_life",)
depends_on = None

_NO_TRUNCATE = ("withdrawals", "audit_log", "consent_events", "flag_actions")


def upgrade() -> None:
    op.create_table(
        "anonymised_messages",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("removed_mentions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("redactions", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"]),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_index(
        "ix_anonymised_messages_session", "anonymised_messages", ["session_id"]
    )
    op.create_table(
        "purge_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END; "
            "$$ LANGUAGE plpgsql"
        )
        for table in _NO_TRUNCATE:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate()"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _NO_TRUNCATE:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS refuse_truncate()")
    op.drop_table("purge_runs")
    op.drop_index("ix_anonymised_messages_session", table_name="anonymised_messages")
    op.drop_table("anonymised_messages")
