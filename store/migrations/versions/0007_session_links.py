"""session links: breakout-room chats screened as part of a running session

Revision ID: 0007_session_links
Revises: 0001
Create Date: 2026-11-29 04:55:00

Teams gives bots no breakout-room events and each room is a chat of its own, so a facilitator
links a room's chat to the session by hand (`link <session code>`). One row per linked chat;
the store's live-session lookup falls back to it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_session_links"
down_revision = "0001"
branch_labels = ("session_links",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_links",
        sa.Column("conversation_id", sa.String(length=512), primary_key=True),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("session_links")
