"""Schema and storage rules on the real databases."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from storage import invitations, members
from storage.db import Database
from storage.errors import DomainError, Problem
from storage.models import Base, Invitation
from tests import arrange


async def test_migrations_match_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []


async def test_upgrade_is_idempotent(db: Database) -> None:
    await db.upgrade()
    await db.upgrade()


async def test_last_use_of_an_invitation_goes_to_one_person(db: Database) -> None:
    async with db.session() as session:
        team = await arrange.team(session)
        token = await arrange.invitation(session, team.team_id, max_uses=1)

    async def join(telegram_id: int) -> bool:
        try:
            async with db.session() as session:
                member = await members.ensure_member(session, telegram_id, f"P{telegram_id}", None)
                await invitations.join_team(session, member, token)
            return True
        except DomainError as exc:
            assert exc.problem == Problem.INVITATION_USED_UP
            return False

    results = await asyncio.gather(*(join(5000 + i) for i in range(5)))
    assert sum(results) == 1
    async with db.session() as session:
        assert (await session.scalar(select(Invitation.uses))) == 1
