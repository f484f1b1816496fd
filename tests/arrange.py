"""Data set-up for tests, through the same domain functions the bot uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import invitations, members, teams
from storage.models import Role, Sector, TeamKind


@dataclass(frozen=True)
class TeamIds:
    team_id: int
    municipality_id: int
    institution_ids: dict[str, int]


async def team(
    session: AsyncSession,
    town: str = "Zduńska Wola",
    kind: TeamKind = TeamKind.PZK,
    institutions: tuple[tuple[str, Sector], ...] = (
        ("MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli", Sector.SOCIAL_ASSISTANCE),
        ("Komenda Powiatowa Policji w Zduńskiej Woli", Sector.POLICE),
    ),
) -> TeamIds:
    created = await teams.add_team(session, town, kind)
    ids = {}
    for name, sector in institutions:
        institution = await teams.get_or_create_institution(
            session, created.municipality_id, name, sector
        )
        ids[name] = institution.id
    return TeamIds(created.id, created.municipality_id, ids)


async def invitation(
    session: AsyncSession,
    team_id: int,
    role: Role = Role.MEMBER,
    *,
    ttl: timedelta = timedelta(days=14),
    max_uses: int = 50,
) -> str:
    found = await teams.get_team(session, team_id)
    made = await invitations.create_invitation(
        session, found, role=role, ttl=ttl, max_uses=max_uses
    )
    return made.token


async def person(
    session: AsyncSession,
    team_id: int,
    telegram_id: int,
    name: str,
    role: Role = Role.MEMBER,
    institution_id: int | None = None,
) -> int:
    """A member already in the team; returns the membership id."""
    member = await members.ensure_member(session, telegram_id, name, None)
    member.institution_id = institution_id
    token = await invitation(session, team_id, role)
    await invitations.join_team(session, member, token)
    roster = await teams.roster(session, team_id)
    return next(
        e.membership_id for g in roster.groups for e in g.members if e.member_id == member.id
    )
