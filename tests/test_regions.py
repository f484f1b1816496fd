"""Regions: today's data carried into one region by the migration, municipalities placed in
regions and counties, region admins appointed and dismissed, and an admin's reach."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from storage import regions, teams
from storage.db import Database, alembic_config
from storage.models import Municipality, TeamKind

SUPER_ADMIN = 1


async def test_the_migration_puts_existing_municipalities_into_one_region(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), "0012"))
            for name in ("Łódź", "Sieradz"):
                await connection.execute(
                    text(
                        "INSERT INTO municipality (name, timezone, created_at) "
                        "VALUES (:name, 'Europe/Warsaw', '2026-01-01 00:00:00')"
                    ),
                    {"name": name},
                )
        await db.upgrade()
        async with db.session() as session:
            (region,) = await regions.list_regions(session)
            placed = (await session.scalars(select(Municipality.region_id))).all()
            assert placed == [region.id, region.id]
            # A new municipality goes into the same region, not a second one.
            team = await teams.add_team(session, "Zgierz", TeamKind.PZK)
            zgierz = await teams.get_municipality(session, team.municipality_id)
            assert zgierz.region_id == region.id
    finally:
        await db.dispose()


async def test_region_admins_reach_only_their_regions(db: Database) -> None:
    async with db.session() as session:
        lodz = await regions.get_or_create_region(session, "łódzkie", "RCPS w Łodzi")
        opole = await regions.get_or_create_region(session, "opolskie", "ROPS w Opolu")
        team_lodz = await teams.add_team(session, "Łódź", TeamKind.PZK)
        town = await teams.get_municipality(session, team_lodz.municipality_id)
        await regions.place_municipality(session, town, lodz, "Łódź", SUPER_ADMIN)
        team_opole = await teams.add_team(session, "Brzeg", TeamKind.PZK)
        other = await teams.get_municipality(session, team_opole.municipality_id)
        await regions.place_municipality(session, other, opole, "brzeski", SUPER_ADMIN)

        assert await regions.appoint(session, 77, lodz, SUPER_ADMIN)
        assert not await regions.appoint(session, 77, lodz, SUPER_ADMIN)  # already
        reach = await regions.reach_of(session, 77, {SUPER_ADMIN})
        assert reach.is_admin and reach.covers(lodz.id) and not reach.covers(opole.id)
        assert await regions.team_ids_within(session, reach) == {team_lodz.id}

        assert await regions.reach_of(session, SUPER_ADMIN, {SUPER_ADMIN}) == regions.EVERYWHERE
        assert not (await regions.reach_of(session, 78, {SUPER_ADMIN})).is_admin
        assert await regions.appoint(session, 79, None, SUPER_ADMIN)  # every region
        assert (await regions.reach_of(session, 79, {SUPER_ADMIN})).everywhere

        assert await regions.dismiss(session, 77, lodz, SUPER_ADMIN)
        assert not await regions.dismiss(session, 77, lodz, SUPER_ADMIN)
        assert not (await regions.reach_of(session, 77, {SUPER_ADMIN})).is_admin
        assert (await regions.find_region(session, "LODZKIE")).id == lodz.id
