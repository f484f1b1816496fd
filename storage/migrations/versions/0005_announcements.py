"""announcements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:19:21.988908
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_chat_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "team", "municipality", "region", name="audience", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("audience_id", sa.Integer(), nullable=True),
        sa.Column("text_html", sa.Text(), nullable=False),
        sa.Column("attachment_kind", sa.String(length=16), nullable=True),
        sa.Column("attachment_file_id", sa.String(length=256), nullable=True),
        sa.Column("pin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("ask_read", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "scheduled",
                "sending",
                "done",
                "cancelled",
                name="announcement_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.Column("status_message_id", sa.BigInteger(), nullable=True),
        sa.Column("reported_reads", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["member.id"],
            name=op.f("fk_announcement_author_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcement_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_announcement_state_send_at", ["state", "send_at"], unique=False)

    op.create_table(
        "announcement_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "blocked",
                "failed",
                name="send_state",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_delivery_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_announcement_delivery_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_announcement_delivery_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_delivery")),
        sa.UniqueConstraint("announcement_id", "chat_id", name="uq_announcement_chat"),
    )
    with op.batch_alter_table("announcement_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_announcement_delivery_due", ["state", "next_try_at"], unique=False
        )

    op.create_table(
        "announcement_read",
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcement.id"],
            name=op.f("fk_announcement_read_announcement_id_announcement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_announcement_read_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("announcement_id", "member_id", name=op.f("pk_announcement_read")),
    )


def downgrade() -> None:
    op.drop_table("announcement_read")
    with op.batch_alter_table("announcement_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_announcement_delivery_due")

    op.drop_table("announcement_delivery")
    with op.batch_alter_table("announcement", schema=None) as batch_op:
        batch_op.drop_index("ix_announcement_state_send_at")
        batch_op.drop_index(batch_op.f("ix_announcement_author_id"))

    op.drop_table("announcement")
