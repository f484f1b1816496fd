"""Scheduled messages no longer indexed by (state, due_at) alone

With it, the planner took that index for "the earliest due reminder" and read past every
digest due the same morning (12.6 ms a claim with 58,000 digests waiting, national
benchmark); (state, kind, due_at) finds the few due reminders directly and serves every other
query by its prefix.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 10:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_scheduled_due", table_name="scheduled_message")


def downgrade() -> None:
    op.create_index("ix_scheduled_due", "scheduled_message", ["state", "due_at"], unique=False)
