"""Revocable invitations: revoked links, the link each member joined by, removals

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:55:42
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_removal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_team_removal_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_removal_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_removal")),
        sa.UniqueConstraint("team_id", "member_id", name=op.f("uq_team_removal_team_id")),
    )
    with op.batch_alter_table("team_removal") as batch:
        batch.create_index(batch.f("ix_team_removal_member_id"), ["member_id"], unique=False)
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_membership_invitation_id"), ["invitation_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_membership_invitation_id_invitation"),
            "invitation",
            ["invitation_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("membership") as batch:
        batch.drop_constraint(batch.f("fk_membership_invitation_id_invitation"), type_="foreignkey")
        batch.drop_index(batch.f("ix_membership_invitation_id"))
        batch.drop_column("invitation_id")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("revoked_at")
    op.drop_table("team_removal")
