"""A team's language: what the bot writes in the team's Telegram group

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="pl"))


def downgrade() -> None:
    with op.batch_alter_table("team") as batch:
        batch.drop_column("language")
