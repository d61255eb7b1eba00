"""transcripts: the redacted meeting transcript, and the pending fetch that polls Graph for it

Revision ID: 0006_transcripts
Revises: 0001
Create Date: 2026-11-29 04:45:00

A transcript appears in Microsoft Graph some minutes (up to hours) after a meeting ends. The
fetch is persisted (next attempt time, a lease) so that a restart resumes the polling and two
instances never poll together; only the redacted result is ever stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_transcripts"
down_revision = "0001"
branch_labels = ("transcripts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_fetches",
        sa.Column("session_id", sa.String(length=36), primary_key=True),
        sa.Column("meeting_id", sa.Text(), nullable=False),
        sa.Column("service_url", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("give_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False,
                  server_default=sa.text("'pending'")),
    )
    op.create_index("ix_transcript_fetches_due", "transcript_fetches",
                    ["state", "next_attempt_at"])
    op.create_table(
        "transcripts",
        sa.Column("session_id", sa.String(length=36), primary_key=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("transcripts")
    op.drop_index("ix_transcript_fetches_due", table_name="transcript_fetches")
    op.drop_table("transcript_fetches")
