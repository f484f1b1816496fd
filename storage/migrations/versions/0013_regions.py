"""Regions (voivodeships with their regional centres) above municipalities, counties, and
region admins; today's municipalities go into one region

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 23:50:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Renamed by an admin (`kooperacje-bot region rename 1 łódzkie`): the migration cannot know it.
FIRST_REGION = "Region"


def upgrade() -> None:
    region = op.create_table(
        "region",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("centre", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region")),
        sa.UniqueConstraint("name", name=op.f("uq_region_name")),
    )
    op.create_table(
        "region_admin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("appointed_by", sa.BigInteger(), nullable=True),
        sa.Column("appointed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["region.id"],
            name=op.f("fk_region_admin_region_id_region"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_region_admin")),
    )
    op.create_index(op.f("ix_region_admin_telegram_id"), "region_admin", ["telegram_id"])
    bind = op.get_bind()
    has_municipalities = bind.execute(sa.text("SELECT count(*) FROM municipality")).scalar()
    first_id = None
    if has_municipalities:
        # Naive UTC on SQLite, aware on PostgreSQL: as the models' UTCDateTime stores it.
        now = datetime.now(UTC)
        op.bulk_insert(
            region,
            [
                {
                    "id": 1,
                    "name": FIRST_REGION,
                    "centre": None,
                    "created_at": now.replace(tzinfo=None)
                    if bind.dialect.name == "sqlite"
                    else now,
                }
            ],
        )
        first_id = 1
        if bind.dialect.name == "postgresql":
            op.execute("SELECT setval(pg_get_serial_sequence('region', 'id'), 1)")
    with op.batch_alter_table("municipality") as batch:
        batch.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("county", sa.String(length=120), nullable=True))
    if first_id is not None:
        op.execute(f"UPDATE municipality SET region_id = {first_id}")
    with op.batch_alter_table("municipality") as batch:
        batch.alter_column("region_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_municipality_region_id_region"), "region", ["region_id"], ["id"]
        )
        batch.create_index(op.f("ix_municipality_region_id"), ["region_id"])


def downgrade() -> None:
    with op.batch_alter_table("municipality") as batch:
        batch.drop_index(op.f("ix_municipality_region_id"))
        batch.drop_constraint(op.f("fk_municipality_region_id_region"), type_="foreignkey")
        batch.drop_column("county")
        batch.drop_column("region_id")
    op.drop_index(op.f("ix_region_admin_telegram_id"), "region_admin")
    op.drop_table("region_admin")
    op.drop_table("region")
