"""Regions above municipalities, and who administers which.

An admin's reach is a `Reach`: everything (the super-admins of BOT_ADMIN_IDS, and admins of
every region), some regions, or nothing. Permissions (bot/permissions.py) ask it; announcements,
figures and meeting lists "of the region" mean the regions in it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.errors import DomainError, Problem
from storage.models import Municipality, Region, RegionAdmin, Team
from storage.text import clean_name, same_name, sort_key
from storage.words import fold_text

# The region a first municipality goes into when nobody has named one yet.
FIRST_REGION = "Region"


@dataclass(frozen=True)
class Reach:
    """Where someone is an admin: `everywhere`, or the ids in `regions` (maybe none)."""

    everywhere: bool = False
    regions: frozenset[int] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.everywhere or bool(self.regions)

    def covers(self, region_id: int | None) -> bool:
        return self.everywhere or (region_id is not None and region_id in self.regions)


NOBODY = Reach()
EVERYWHERE = Reach(everywhere=True)


# Asked on every update: built once.
_ADMIN_REGIONS = select(RegionAdmin.region_id).where(
    RegionAdmin.telegram_id == bindparam("telegram_id")
)


async def reach_of(session: AsyncSession, telegram_id: int, super_admins: Collection[int]) -> Reach:
    if telegram_id in super_admins:
        return EVERYWHERE
    rows = (await session.scalars(_ADMIN_REGIONS, {"telegram_id": telegram_id})).all()
    if not rows:
        return NOBODY
    if any(region_id is None for region_id in rows):
        return EVERYWHERE
    return Reach(regions=frozenset(r for r in rows if r is not None))


async def list_regions(session: AsyncSession) -> Sequence[Region]:
    return sorted(await session.scalars(select(Region)), key=lambda r: sort_key(r.name))


async def get_region(session: AsyncSession, region_id: int) -> Region:
    region = await session.get(Region, region_id)
    if region is None:
        raise DomainError(Problem.REGION_UNKNOWN, id=region_id)
    return region


async def find_region(session: AsyncSession, reference: str) -> Region:
    """By id or by name (any case, with or without Polish letters typed)."""
    if reference.strip().isdigit():
        return await get_region(session, int(reference))
    wanted = fold_text(reference)
    for region in await list_regions(session):
        if fold_text(region.name) == wanted:
            return region
    raise DomainError(Problem.REGION_UNKNOWN, name=reference)


async def get_or_create_region(
    session: AsyncSession, name: str, centre: str | None = None
) -> Region:
    name = clean_name(name, max_length=120)
    for region in await list_regions(session):
        if same_name(region.name, name):
            if centre:
                region.centre = clean_name(centre, max_length=200)
            return region
    region = Region(name=name, centre=clean_name(centre, max_length=200) if centre else None)
    session.add(region)
    await session.flush()
    return region


async def default_region(session: AsyncSession) -> Region:
    """The oldest region, or a first one: a bot of one region never has to name it."""
    found = await session.scalar(select(Region).order_by(Region.id).limit(1))
    return found or await get_or_create_region(session, FIRST_REGION)


async def rename(
    session: AsyncSession,
    region: Region,
    name: str,
    centre: str | None,
    actor_telegram_id: int | None,
) -> Region:
    name = clean_name(name, max_length=120)
    if any(same_name(r.name, name) and r.id != region.id for r in await list_regions(session)):
        raise DomainError(Problem.ALREADY_EXISTS, name=name)
    region.name = name
    if centre is not None:
        region.centre = clean_name(centre, max_length=200) if centre.strip() else None
    audit.record(
        session,
        "region.rename",
        actor_telegram_id=actor_telegram_id,
        region_id=region.id,
        name=name,
    )
    await session.flush()
    return region


async def place_municipality(
    session: AsyncSession,
    municipality: Municipality,
    region: Region,
    county: str | None,
    actor_telegram_id: int | None,
) -> None:
    """Put a municipality in its region and county (powiat)."""
    municipality.region_id = region.id
    if county is not None:
        municipality.county = clean_name(county, max_length=120) if county.strip() else None
    audit.record(
        session,
        "municipality.place",
        actor_telegram_id=actor_telegram_id,
        municipality_id=municipality.id,
        region_id=region.id,
        county=municipality.county,
    )
    await session.flush()


async def appoint(
    session: AsyncSession, telegram_id: int, region: Region | None, by: int | None
) -> bool:
    """Make someone an admin of a region (None: of every region). False when they already are."""
    region_id = region.id if region else None
    existing = await session.scalars(
        select(RegionAdmin).where(RegionAdmin.telegram_id == telegram_id)
    )
    if any(row.region_id == region_id for row in existing):
        return False
    session.add(RegionAdmin(telegram_id=telegram_id, region_id=region_id, appointed_by=by))
    audit.record(
        session, "region.appoint", actor_telegram_id=by, admin=telegram_id, region_id=region_id
    )
    await session.flush()
    return True


async def dismiss(
    session: AsyncSession, telegram_id: int, region: Region | None, by: int | None
) -> bool:
    """End an appointment; False when there was none."""
    region_id = region.id if region else None
    rows = [
        row
        for row in await session.scalars(
            select(RegionAdmin).where(RegionAdmin.telegram_id == telegram_id)
        )
        if row.region_id == region_id
    ]
    for row in rows:
        await session.delete(row)
    if rows:
        audit.record(
            session, "region.dismiss", actor_telegram_id=by, admin=telegram_id, region_id=region_id
        )
    await session.flush()
    return bool(rows)


async def admins(session: AsyncSession) -> Sequence[RegionAdmin]:
    return (
        await session.scalars(
            select(RegionAdmin).order_by(RegionAdmin.region_id, RegionAdmin.telegram_id)
        )
    ).all()


async def team_ids_within(session: AsyncSession, reach: Reach) -> set[int] | None:
    """The teams an admin's reach covers; None: every team."""
    if reach.everywhere:
        return None
    if not reach.regions:
        return set()
    return set(
        await session.scalars(
            select(Team.id)
            .join(Municipality, Team.municipality_id == Municipality.id)
            .where(Municipality.region_id.in_(reach.regions))
        )
    )


async def municipalities_of(session: AsyncSession, region_id: int) -> list[Municipality]:
    found = await session.scalars(select(Municipality).where(Municipality.region_id == region_id))
    return sorted(found, key=lambda m: sort_key(m.name))
