"""Municipalities, institutions, teams and their members."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, invitations, regions
from storage.errors import DomainError, Problem
from storage.models import (
    Institution,
    Invitation,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Municipality,
    Region,
    Role,
    Sector,
    Team,
    TeamKind,
)
from storage.text import clean_name, same_name, sort_key


async def get_or_create_municipality(
    session: AsyncSession,
    name: str,
    timezone: str = "Europe/Warsaw",
    region: Region | None = None,
) -> Municipality:
    """An existing one stays where it is; a new one goes into `region` (or the first one)."""
    name = clean_name(name, max_length=120)
    # Compared in Python: SQLite's lower() leaves Polish letters (Ł, Ś, ...) as they are.
    found = next(
        (m for m in await session.scalars(select(Municipality)) if same_name(m.name, name)), None
    )
    if found:
        return found
    region = region or await regions.default_region(session)
    municipality = Municipality(name=name, timezone=timezone, region_id=region.id)
    session.add(municipality)
    await session.flush()
    return municipality


async def add_team(
    session: AsyncSession,
    municipality: str,
    kind: TeamKind,
    name: str | None = None,
    *,
    actor_telegram_id: int | None = None,
    timezone: str = "Europe/Warsaw",
) -> Team:
    place = await get_or_create_municipality(session, municipality, timezone)
    team_name = clean_name(name or f"{kind.value} {place.name}")
    siblings = await session.scalars(select(Team).where(Team.municipality_id == place.id))
    if any(same_name(t.name, team_name) for t in siblings):
        raise DomainError(Problem.ALREADY_EXISTS, name=team_name)
    team = Team(municipality_id=place.id, kind=kind, name=team_name)
    session.add(team)
    await session.flush()
    audit.record(
        session,
        "team.add",
        actor_telegram_id=actor_telegram_id,
        team_id=team.id,
        name=team_name,
        kind=kind.value,
        municipality=place.name,
    )
    return team


async def free_team_name(session: AsyncSession, municipality_id: int, kind: TeamKind) -> str:
    """ "ZZK Łódź", or "ZZK Łódź 2", 3... when that name is taken in the municipality."""
    place = await get_municipality(session, municipality_id)
    taken = [t.name for t in await teams_of(session, municipality_id)]
    base, number = f"{kind.value} {place.name}", 1
    name = base
    while any(same_name(name, other) for other in taken):
        number += 1
        name = f"{base} {number}"
    return name


async def create_team(
    session: AsyncSession,
    municipality_id: int,
    kind: TeamKind,
    name: str,
    *,
    coordinator: Member | None,
    actor_telegram_id: int,
) -> Team:
    """A team made in the chat (/nowy_zespol); the one who made it, when given, coordinates
    it. A name taken in the municipality is refused (ALREADY_EXISTS)."""
    place = await get_municipality(session, municipality_id)
    team = await add_team(session, place.name, kind, name, actor_telegram_id=actor_telegram_id)
    if coordinator is not None:
        session.add(Membership(team_id=team.id, member_id=coordinator.id, role=Role.COORDINATOR))
        await session.flush()
        audit.record(
            session,
            "member.role",
            actor_telegram_id=actor_telegram_id,
            team_id=team.id,
            member_id=coordinator.id,
            role=Role.COORDINATOR.value,
        )
    return await get_team(session, team.id)


async def list_municipalities(session: AsyncSession) -> list[Municipality]:
    return sorted(await session.scalars(select(Municipality)), key=lambda m: sort_key(m.name))


async def teams_of(session: AsyncSession, municipality_id: int) -> list[Team]:
    found = await session.scalars(
        select(Team)
        .where(Team.municipality_id == municipality_id)
        .options(selectinload(Team.municipality))
    )
    return sorted(found, key=lambda t: (t.kind, sort_key(t.name)))


async def upcoming_meetings(
    session: AsyncSession, team_ids: Collection[int], now: datetime, offset: int, limit: int
) -> tuple[list[Meeting], int]:
    """Upcoming meetings of these teams (a municipality's, for an admin outside them), one
    page of them, and how many there are."""
    where = [
        Meeting.team_id.in_(list(team_ids)),
        Meeting.starts_at > now,
        Meeting.status == MeetingStatus.SCHEDULED,
    ]
    total = await session.scalar(select(func.count()).select_from(Meeting).where(*where)) or 0
    found = await session.scalars(
        select(Meeting)
        .where(*where)
        .options(selectinload(Meeting.team).selectinload(Team.municipality))
        .order_by(Meeting.starts_at, Meeting.id)
        .offset(offset)
        .limit(limit)
    )
    return list(found), total


async def list_teams(session: AsyncSession) -> Sequence[Team]:
    found = await session.scalars(
        select(Team).options(selectinload(Team.municipality), selectinload(Team.memberships))
    )
    return sorted(found, key=lambda t: (sort_key(t.municipality.name), t.kind, sort_key(t.name)))


async def get_municipality(session: AsyncSession, municipality_id: int) -> Municipality:
    place = await session.get(Municipality, municipality_id)
    if place is None:
        raise DomainError(Problem.TEAM_UNKNOWN)
    return place


async def get_team(session: AsyncSession, team_id: int) -> Team:
    team = await session.scalar(
        select(Team).where(Team.id == team_id).options(selectinload(Team.municipality))
    )
    if team is None:
        raise DomainError(Problem.TEAM_UNKNOWN)
    return team


async def find_team(session: AsyncSession, reference: str) -> Team:
    """A team by id or by (case-insensitive) name, as typed on the command line."""
    if reference.isdigit():
        return await get_team(session, int(reference))
    everyone = await session.scalars(select(Team).options(selectinload(Team.municipality)))
    team = next((t for t in everyone if same_name(t.name, reference)), None)
    if team is None:
        raise DomainError(Problem.TEAM_UNKNOWN)
    return team


async def team_for_chat(session: AsyncSession, chat_id: int) -> Team | None:
    return await session.scalar(
        select(Team).where(Team.chat_id == chat_id).options(selectinload(Team.municipality))
    )


async def institutions_of(session: AsyncSession, municipality_id: int) -> Sequence[Institution]:
    found = await session.scalars(
        select(Institution).where(Institution.municipality_id == municipality_id)
    )
    return sorted(found, key=lambda i: sort_key(i.name))


async def get_or_create_institution(
    session: AsyncSession, municipality_id: int, name: str, sector: Sector
) -> Institution:
    name = clean_name(name)
    found = next(
        (i for i in await institutions_of(session, municipality_id) if same_name(i.name, name)),
        None,
    )
    if found:
        return found
    institution = Institution(municipality_id=municipality_id, name=name, sector=sector)
    session.add(institution)
    await session.flush()
    return institution


@dataclass(frozen=True)
class RosterEntry:
    membership_id: int
    member_id: int
    name: str
    username: str | None
    role: Role
    unreachable: bool = False


@dataclass(frozen=True)
class InstitutionGroup:
    institution: str | None
    sector: Sector | None
    members: list[RosterEntry]


@dataclass(frozen=True)
class Roster:
    team: Team
    groups: list[InstitutionGroup]

    @property
    def size(self) -> int:
        return sum(len(g.members) for g in self.groups)


async def roster(session: AsyncSession, team_id: int) -> Roster:
    """The team's members grouped by institution; coordinators first within each group."""
    team = await get_team(session, team_id)
    rows = (
        await session.execute(
            select(Membership, Member, Institution)
            .join(Member, Membership.member_id == Member.id)
            .outerjoin(Institution, Member.institution_id == Institution.id)
            .where(Membership.team_id == team_id)
        )
    ).all()
    grouped: dict[int | None, tuple[Institution | None, list[RosterEntry]]] = {}
    for membership, member, institution in rows:
        key = institution.id if institution else None
        grouped.setdefault(key, (institution, []))[1].append(
            RosterEntry(
                membership.id,
                member.id,
                member.name,
                member.username,
                membership.role,
                member.unreachable_since is not None,
            )
        )
    groups = [
        InstitutionGroup(
            institution.name if institution else None,
            institution.sector if institution else None,
            sorted(entries, key=lambda e: (e.role != Role.COORDINATOR, sort_key(e.name))),
        )
        for institution, entries in grouped.values()
    ]
    # Members without an institution go last.
    groups.sort(key=lambda g: (g.institution is None, sort_key(g.institution or "")))
    return Roster(team, groups)


async def get_membership(session: AsyncSession, membership_id: int) -> Membership:
    membership = await session.scalar(
        select(Membership)
        .where(Membership.id == membership_id)
        .options(
            selectinload(Membership.member).selectinload(Member.institution),
            selectinload(Membership.team),
        )
    )
    if membership is None:
        raise DomainError(Problem.MEMBER_UNKNOWN)
    return membership


async def coordinators(session: AsyncSession, team_id: int) -> Sequence[Member]:
    """The team's coordinators who can be written to (erased people have no chat)."""
    return (
        await session.scalars(
            select(Member)
            .join(Membership, Membership.member_id == Member.id)
            .where(
                Membership.team_id == team_id,
                Membership.role == Role.COORDINATOR,
                Member.telegram_id.is_not(None),
            )
        )
    ).all()


async def _coordinator_count(session: AsyncSession, team_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.team_id == team_id, Membership.role == Role.COORDINATOR)
        )
        or 0
    )


async def set_role(
    session: AsyncSession, membership: Membership, role: Role, *, actor_telegram_id: int
) -> Sequence[Invitation]:
    """Change a member's role; a demotion revokes the links they made and came by (returned)."""
    if membership.role == role:
        return []
    if (
        membership.role == Role.COORDINATOR
        and await _coordinator_count(session, membership.team_id) <= 1
    ):
        raise DomainError(Problem.LAST_COORDINATOR)
    membership.role = role
    audit.record(
        session,
        "member.role",
        actor_telegram_id=actor_telegram_id,
        team_id=membership.team_id,
        member_id=membership.member_id,
        role=role.value,
    )
    await session.flush()
    if role == Role.MEMBER:
        return await invitations.revoke_links_of(
            session, membership, actor_telegram_id=actor_telegram_id, reason="member.demoted"
        )
    return []


async def remove_membership(
    session: AsyncSession, membership: Membership, *, actor_telegram_id: int
) -> Sequence[Invitation]:
    """Remove a member; the links they made and came by are revoked (returned), and only a
    link made after this brings them back."""
    if (
        membership.role == Role.COORDINATOR
        and await _coordinator_count(session, membership.team_id) <= 1
    ):
        raise DomainError(Problem.LAST_COORDINATOR)
    audit.record(
        session,
        "member.remove",
        actor_telegram_id=actor_telegram_id,
        team_id=membership.team_id,
        member_id=membership.member_id,
    )
    revoked = await invitations.revoke_links_of(
        session, membership, actor_telegram_id=actor_telegram_id, reason="member.removed"
    )
    await invitations.record_removal(session, membership.team_id, membership.member_id)
    await session.delete(membership)
    await session.flush()
    return revoked


async def link_chat(
    session: AsyncSession, team: Team, chat_id: int, *, actor_telegram_id: int
) -> None:
    """Link a Telegram group to the team; a group serves one team at a time."""
    other = await team_for_chat(session, chat_id)
    if other is not None and other.id != team.id:
        raise DomainError(Problem.GROUP_LINKED_ELSEWHERE, team=other.name)
    team.chat_id = chat_id
    audit.record(
        session,
        "team.link_chat",
        actor_telegram_id=actor_telegram_id,
        team_id=team.id,
        chat_id=chat_id,
    )
    await session.flush()


async def _change_setting(
    session: AsyncSession, team: Team, field: str, value: Any, actor_telegram_id: int, **logged: Any
) -> None:
    """One team setting changed, with its audit entry ("team.<field>")."""
    setattr(team, field, value)
    audit.record(
        session, f"team.{field}", actor_telegram_id=actor_telegram_id, team_id=team.id, **logged
    )
    await session.flush()


async def set_protect_content(
    session: AsyncSession, team: Team, protect: bool, *, actor_telegram_id: int
) -> None:
    """Whether what the bot sends about the team can be forwarded or saved."""
    await _change_setting(
        session, team, "protect_content", protect, actor_telegram_id, protect=protect
    )


async def set_language(
    session: AsyncSession, team: Team, language: str, *, actor_telegram_id: int
) -> None:
    """The language of what the bot writes in the team's group."""
    await _change_setting(session, team, "language", language, actor_telegram_id, language=language)


async def set_meeting_policy(
    session: AsyncSession, team: Team, who: Role, *, actor_telegram_id: int
) -> None:
    """Who may call the team's meetings: every member, or coordinators only."""
    await _change_setting(session, team, "meetings_by", who, actor_telegram_id, who=who.value)
