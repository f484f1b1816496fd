"""Protection from forwarding: a team's choice, and each announcement's

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("team", "announcement"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "protect_content", sa.Boolean(), nullable=False, server_default=sa.false()
                )
            )


def downgrade() -> None:
    for table in ("team", "announcement"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("protect_content")
