"""The programme's year, per region and per municipality, in the terms of its yearly letters:
events by kind (participants total and unique), coaching workers and hours, the ZZK of each
municipality, the institutions that declared accession.

Counted from closed registers only: a held event whose register a coordinator has not closed
is listed apart (`unclosed`), so that a letter never reports a half-kept register.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import figures
from storage.figures import Period, Tally
from storage.models import (
    Declaration,
    EventKind,
    Institution,
    Meeting,
    MeetingStatus,
    Municipality,
    Region,
    Team,
    TeamKind,
)
from storage.text import sort_key


@dataclass(frozen=True)
class Unclosed:
    team: str
    municipality: str
    starts_at: datetime
    kind: EventKind


@dataclass
class MunicipalityYear:
    name: str
    county: str | None
    tally: Tally
    zzk_teams: list[str]  # the municipality's task teams, by name
    declared: list[str]  # institutions that declared accession to one of its teams


@dataclass
class RegionYear:
    name: str
    centre: str | None
    tally: Tally
    municipalities: list[MunicipalityYear]
    unclosed: list[Unclosed]

    @property
    def declared(self) -> int:
        return sum(len(m.declared) for m in self.municipalities)

    @property
    def with_zzk(self) -> int:
        return sum(1 for m in self.municipalities if m.zzk_teams)


@dataclass
class AnnualReport:
    year: int
    regions: list[RegionYear]

    @property
    def empty(self) -> bool:
        return all(r.tally.meetings_held == 0 and not r.unclosed for r in self.regions)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


async def annual(
    session: AsyncSession, year: int, region_ids: Collection[int] | None, now: datetime
) -> AnnualReport:
    """The year of these regions (None: all of them)."""
    period = year_period(year)
    since, until = period.bounds()
    query = select(Region)
    if region_ids is not None:
        query = query.where(Region.id.in_(list(region_ids)))
    found = []
    # Sorted as Polish readers expect ("łódzkie" before "opolskie"), not by code points.
    for region in sorted(await session.scalars(query), key=lambda r: sort_key(r.name)):
        towns = (
            await session.scalars(select(Municipality).where(Municipality.region_id == region.id))
        ).all()
        if not towns:
            continue  # a region with no municipality yet has nothing to report
        team_rows = (
            await session.execute(
                select(Team.id, Team.name, Team.kind, Team.municipality_id).where(
                    Team.municipality_id.in_([m.id for m in towns]), Team.created_at < until
                )
            )
        ).all()
        counted = await figures.compute(
            session, [row.id for row in team_rows], period, now, closed_only=True
        )
        by_town = {m.municipality_id: m.tally for m in counted.municipalities}
        declared = await _declared(session, [row.id for row in team_rows], until)
        municipalities = [
            MunicipalityYear(
                town.name,
                town.county,
                by_town.get(town.id, Tally()),
                sorted(
                    (
                        r.name
                        for r in team_rows
                        if r.municipality_id == town.id and r.kind == TeamKind.ZZK
                    ),
                    key=sort_key,
                ),
                sorted(declared.get(town.id, set()), key=sort_key),
            )
            for town in towns
        ]
        municipalities.sort(key=lambda m: sort_key(m.name))
        unclosed = await _unclosed(session, [row.id for row in team_rows], since, min(until, now))
        found.append(
            RegionYear(region.name, region.centre, counted.total, municipalities, unclosed)
        )
    return AnnualReport(year, found)


async def _declared(
    session: AsyncSession, team_ids: list[int], until: datetime
) -> dict[int, set[str]]:
    rows = await session.execute(
        select(Team.municipality_id, Institution.name)
        .join(Declaration, Declaration.team_id == Team.id)
        .join(Institution, Institution.id == Declaration.institution_id)
        .where(Team.id.in_(team_ids), Declaration.accepted_at < until)
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for town_id, name in rows:
        found.setdefault(town_id, set()).add(name)
    return found


async def _unclosed(
    session: AsyncSession, team_ids: list[int], since: datetime, before: datetime
) -> list[Unclosed]:
    rows = await session.execute(
        select(Team.name, Municipality.name, Meeting.starts_at, Meeting.kind)
        .join(Team, Team.id == Meeting.team_id)
        .join(Municipality, Municipality.id == Team.municipality_id)
        .where(
            Meeting.team_id.in_(team_ids),
            Meeting.starts_at >= since,
            Meeting.starts_at < before,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.register_closed_at.is_(None),
        )
        .order_by(Meeting.starts_at)
    )
    return [Unclosed(team, town, at, kind) for team, town, at, kind in rows]
