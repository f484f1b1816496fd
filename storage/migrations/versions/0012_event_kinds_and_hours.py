"""Kinds of events (the programme's forms of support), coached workers, hours in registers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

KINDS = (
    "pzk_meeting",
    "zzk_meeting",
    "training",
    "workshop",
    "coaching",
    "consultation",
    "working_group",
    "conference",
)

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("meeting", "meeting_series"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "kind",
                    sa.Enum(*KINDS, name="event_kind", native_enum=False, length=32),
                    nullable=False,
                    server_default="pzk_meeting",
                )
            )
        # Every meeting so far was its team's own: a ZZK's are ZZK meetings.
        op.execute(
            f"UPDATE {table} SET kind = 'zzk_meeting' WHERE team_id IN "
            "(SELECT id FROM team WHERE kind = 'ZZK')"
        )
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("minutes", sa.Integer(), nullable=True))
    op.create_table(
        "coached_worker",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_coached_worker_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_coached_worker_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "member_id", name=op.f("pk_coached_worker")),
    )
    op.create_index(op.f("ix_coached_worker_member_id"), "coached_worker", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_coached_worker_member_id"), "coached_worker")
    op.drop_table("coached_worker")
    with op.batch_alter_table("attendance") as batch:
        batch.drop_column("minutes")
    for table in ("meeting_series", "meeting"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("kind")
