"""Invitation links: a token that lets a person join one team with one role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, reminders
from storage.errors import DomainError, Problem
from storage.models import Invitation, Member, Membership, Role, Team, utcnow

DEFAULT_TTL = timedelta(days=14)
DEFAULT_MAX_USES = 50


async def create_invitation(
    session: AsyncSession,
    team: Team,
    *,
    role: Role = Role.MEMBER,
    created_by: Member | None = None,
    actor_telegram_id: int | None = None,
    ttl: timedelta = DEFAULT_TTL,
    max_uses: int = DEFAULT_MAX_USES,
    now: datetime | None = None,
) -> Invitation:
    # 16 random bytes: unguessable, and within Telegram's 64-character /start payload.
    invitation = Invitation(
        token=secrets.token_urlsafe(16),
        team_id=team.id,
        role=role,
        expires_at=(now or utcnow()) + ttl,
        max_uses=max(1, max_uses),
        created_by_id=created_by.id if created_by else None,
    )
    session.add(invitation)
    await session.flush()
    audit.record(
        session,
        "invitation.create",
        actor_telegram_id=actor_telegram_id,
        team_id=team.id,
        role=role.value,
        max_uses=invitation.max_uses,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation


async def usable_invitation(
    session: AsyncSession, token: str, now: datetime | None = None
) -> Invitation:
    """The invitation behind a token, or the reason it cannot be used."""
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.token == token)
        .options(selectinload(Invitation.team).selectinload(Team.municipality))
    )
    if invitation is None:
        raise DomainError(Problem.INVITATION_UNKNOWN)
    if invitation.expires_at <= (now or utcnow()):
        raise DomainError(Problem.INVITATION_EXPIRED)
    if invitation.uses >= invitation.max_uses:
        raise DomainError(Problem.INVITATION_USED_UP)
    return invitation


@dataclass(frozen=True)
class JoinOutcome:
    team: Team
    role: Role
    already_member: bool


async def join_team(
    session: AsyncSession, member: Member, token: str, now: datetime | None = None
) -> JoinOutcome:
    """Redeem the invitation for this member. A repeated join uses nothing up."""
    invitation = await usable_invitation(session, token, now)
    team = invitation.team
    existing = await session.scalar(
        select(Membership).where(Membership.team_id == team.id, Membership.member_id == member.id)
    )
    if existing is not None:
        # A coordinator invitation promotes an existing member; it never demotes.
        if invitation.role == Role.COORDINATOR and existing.role != Role.COORDINATOR:
            await _consume(session, invitation)
            existing.role = Role.COORDINATOR
            audit.record(
                session,
                "member.role",
                actor_telegram_id=member.telegram_id,
                team_id=team.id,
                member_id=member.id,
                role=Role.COORDINATOR.value,
                via="invitation",
            )
            return JoinOutcome(team, Role.COORDINATOR, already_member=False)
        return JoinOutcome(team, existing.role, already_member=True)
    await _consume(session, invitation)
    session.add(Membership(team_id=team.id, member_id=member.id, role=invitation.role))
    await session.flush()
    await reminders.plan_new_member(session, team.id, member, now)
    return JoinOutcome(team, invitation.role, already_member=False)


async def _consume(session: AsyncSession, invitation: Invitation) -> None:
    # Conditional update: two people racing for the last use cannot both get it.
    result = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.uses < Invitation.max_uses)
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(Problem.INVITATION_USED_UP)
    await session.refresh(invitation)
