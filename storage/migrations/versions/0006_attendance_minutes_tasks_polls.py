"""Attendance register, minutes (decisions, tasks), date polls

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:26:23.107368
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_name", sa.String(length=200), nullable=True),
        sa.Column("institution_name", sa.String(length=200), nullable=True),
        sa.Column(
            "sector",
            sa.Enum(
                "social_assistance",
                "police",
                "court",
                "education",
                "health",
                "labour",
                "housing",
                "social_insurance",
                "ngo",
                "other",
                name="sector",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["member.id"],
            name=op.f("fk_attendance_marked_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_attendance_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_attendance_member_id_member"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("meeting_id", "member_id", name="uq_attendance_member"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_member_id"), ["member_id"], unique=False)

    op.create_table(
        "date_poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("agenda", sa.String(length=2000), nullable=True),
        sa.Column(
            "state",
            sa.Enum("open", "closed", name="poll_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_date_poll_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_date_poll_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_date_poll_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_date_poll")),
    )
    with op.batch_alter_table("date_poll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_date_poll_team_id"), ["team_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["member.id"],
            name=op.f("fk_decision_author_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_decision_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "done", "dropped", name="task_state", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_task_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_task_meeting_id_meeting"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["member.id"], name=op.f("fk_task_owner_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_task_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_task_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_task_team_state", ["team_id", "state"], unique=False)

    op.create_table(
        "poll_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["date_poll.id"],
            name=op.f("fk_poll_slot_poll_id_date_poll"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_slot")),
    )
    with op.batch_alter_table("poll_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_slot_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "poll_vote",
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum("yes", "no", "maybe", name="answer", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_poll_vote_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["poll_slot.id"],
            name=op.f("fk_poll_vote_slot_id_poll_slot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slot_id", "member_id", name=op.f("pk_poll_vote")),
    )
    with op.batch_alter_table("poll_vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_vote_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("register_closed_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("scheduled_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("task_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_task_reminder_once", ["task_id", "chat_id", "due_at"])
        batch_op.create_foreign_key(
            batch_op.f("fk_scheduled_message_task_id_task"),
            "task",
            ["task_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_scheduled_message_task_id_task"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_task_reminder_once", type_="unique")
        batch_op.drop_column("task_id")

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("register_closed_at")

    with op.batch_alter_table("poll_vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_vote_member_id"))

    op.drop_table("poll_vote")
    with op.batch_alter_table("poll_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_slot_poll_id"))

    op.drop_table("poll_slot")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_team_state")
        batch_op.drop_index(batch_op.f("ix_task_owner_id"))
        batch_op.drop_index(batch_op.f("ix_task_meeting_id"))

    op.drop_table("task")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_meeting_id"))

    op.drop_table("decision")
    with op.batch_alter_table("date_poll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_date_poll_team_id"))

    op.drop_table("date_poll")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_member_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_meeting_id"))

    op.drop_table("attendance")
