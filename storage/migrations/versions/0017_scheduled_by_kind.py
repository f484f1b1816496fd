"""Scheduled messages also indexed by kind: reminders are claimed ahead of a morning's digests

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 08:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_scheduled_kind_due", "scheduled_message", ["state", "kind", "due_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_kind_due", table_name="scheduled_message")
