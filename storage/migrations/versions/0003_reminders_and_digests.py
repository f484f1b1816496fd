"""reminders and digests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:26:25.259569
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reminder", "digest", name="scheduled_kind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=True),
        sa.Column("digest_date", sa.String(length=10), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "skipped",
                "dropped",
                "unreachable",
                "failed",
                name="delivery",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_scheduled_message_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_scheduled_message_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_scheduled_message_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_message")),
        sa.UniqueConstraint("meeting_id", "chat_id", "offset_minutes", name="uq_reminder_once"),
        sa.UniqueConstraint("team_id", "digest_date", "chat_id", name="uq_digest_once"),
    )
    with op.batch_alter_table("scheduled_message", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_due", ["state", "due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_scheduled_message_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminders_muted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("unreachable_since", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminders_muted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_offsets", sa.JSON(), server_default="[1440, 60]", nullable=False)
        )
        batch_op.add_column(
            sa.Column("digest_days", sa.JSON(), server_default="[1, 15]", nullable=False)
        )
        batch_op.add_column(
            sa.Column("digest_time", sa.String(length=5), server_default="08:00", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("digest_time")
        batch_op.drop_column("digest_days")
        batch_op.drop_column("reminder_offsets")

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("reminders_muted")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")
        batch_op.drop_column("reminders_muted")

    with op.batch_alter_table("scheduled_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_message_meeting_id"))
        batch_op.drop_index("ix_scheduled_due")

    op.drop_table("scheduled_message")
