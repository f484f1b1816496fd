"""Demo data: the eight municipalities of the Łódź region in Kooperacje 3D (public facts)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.basket.demo import load_demo_basket
from storage.demo_institutions import EXTRA_PARTNERS, LODZ_PZK, SOCIAL_CENTRES
from storage.models import Sector, Team, TeamKind
from storage.regions import get_or_create_region, place_municipality
from storage.teams import add_team, get_or_create_institution, get_or_create_municipality

REGION, REGIONAL_CENTRE = "łódzkie", "Regionalne Centrum Polityki Społecznej w Łodzi"
# The county (powiat) of each town; Łódź and Piotrków are cities with county rights.
COUNTIES = {
    "Łódź": "Łódź",
    "Piotrków Trybunalski": "Piotrków Trybunalski",
    "Łowicz": "łowicki",
    "Zgierz": "zgierski",
    "Zduńska Wola": "zduńskowolski",
    "Sieradz": "sieradzki",
    "Tomaszów Mazowiecki": "tomaszowski",
    "Radomsko": "radomszczański",
}


async def load_demo_data(session: AsyncSession, timezone: str = "Europe/Warsaw") -> int:
    """Create what is missing; running it twice changes nothing. Returns teams created."""
    created = 0
    region = await get_or_create_region(session, REGION, REGIONAL_CENTRE)
    for town, centre in SOCIAL_CENTRES.items():
        place = await get_or_create_municipality(session, town, timezone, region)
        if place.county is None:
            await place_municipality(session, place, region, COUNTIES.get(town), None)
        await get_or_create_institution(session, place.id, centre, Sector.SOCIAL_ASSISTANCE)
        partners = LODZ_PZK if town == "Łódź" else EXTRA_PARTNERS.get(town, [])
        for name, sector in partners:
            await get_or_create_institution(session, place.id, name, sector)
        for kind in TeamKind:
            name = f"{kind.value} {town}"
            exists = await session.scalar(
                select(Team.id).where(Team.municipality_id == place.id, Team.name == name)
            )
            if not exists:
                await add_team(session, town, kind, name, timezone=timezone)
                created += 1
    await load_demo_basket(session)
    return created
