"""consent replays: a consent answer is recorded once per Teams activity

Revision ID: 0005_consent_replays
Revises: 0001
Create Date: 2026-11-29 04:30:00

Teams retries an invoke it got no answer to, and a replayed Action.Execute carries the same
activity id. `consent_events` is append-only, so a duplicate row could never be removed: the
activity id is stored with each answer and a unique index on (session, participant, activity)
makes the second insert a no-op. Answers without an activity id (NULL) stay distinct.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_consent_replays"
down_revision = "0001"
branch_labels = ("consent_replays",)
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: recreating the table on SQLite would drop 0001's
    # append-only triggers.
    op.add_column("consent_events", sa.Column("activity_id", sa.String(length=256),
                                              nullable=True))
    op.create_index("uq_consent_events_activity", "consent_events",
                    ["session_id", "participant_id", "activity_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_consent_events_activity", table_name="consent_events")
    op.drop_column("consent_events", "activity_id")
