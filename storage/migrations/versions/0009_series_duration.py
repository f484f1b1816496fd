"""A series' occurrences keep the length typed for it ("co tydzień od 13 do 14")

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_series") as batch:
        batch.add_column(
            sa.Column("duration_minutes", sa.Integer(), nullable=False, server_default="120")
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting_series") as batch:
        batch.drop_column("duration_minutes")
