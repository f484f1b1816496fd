"""Events of the region inviting members of further teams

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting_invited_team",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_invited_team_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_meeting_invited_team_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "team_id", name=op.f("pk_meeting_invited_team")),
    )
    op.create_index(op.f("ix_meeting_invited_team_team_id"), "meeting_invited_team", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_invited_team_team_id"), "meeting_invited_team")
    op.drop_table("meeting_invited_team")
