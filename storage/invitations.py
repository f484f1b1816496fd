"""Invitation links: a token that lets a person join one team with one role.

A link can be revoked; removing or demoting a member revokes the links they made and the
one they came by. Opening a link never changes the role of someone already in the team (a
role changes only by a coordinator's action), and a removed member needs a link made after
the removal.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, reminders
from storage.db import rowcount
from storage.errors import DomainError, Problem
from storage.models import Invitation, Member, Membership, Removal, Role, Team, utcnow

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
        created_at=now or utcnow(),
    )
    session.add(invitation)
    await session.flush()
    audit.record(
        session,
        "invitation.create",
        actor_telegram_id=actor_telegram_id,
        team_id=team.id,
        invitation_id=invitation.id,
        role=role.value,
        max_uses=invitation.max_uses,
        expires_at=invitation.expires_at.isoformat(),
    )
    return invitation


async def usable_invitation(
    session: AsyncSession, token: str, now: datetime | None = None, member: Member | None = None
) -> Invitation:
    """The invitation behind a token, or the reason it cannot be used (by this member)."""
    invitation = await session.scalar(
        select(Invitation)
        .where(Invitation.token == token)
        .options(selectinload(Invitation.team).selectinload(Team.municipality))
    )
    if invitation is None:
        raise DomainError(Problem.INVITATION_UNKNOWN)
    if invitation.revoked_at is not None:
        raise DomainError(Problem.INVITATION_REVOKED)
    if invitation.expires_at <= (now or utcnow()):
        raise DomainError(Problem.INVITATION_EXPIRED)
    if invitation.uses >= invitation.max_uses:
        raise DomainError(Problem.INVITATION_USED_UP)
    if member is not None and member.id is not None:
        removed_at = await session.scalar(
            select(Removal.removed_at).where(
                Removal.team_id == invitation.team_id, Removal.member_id == member.id
            )
        )
        # Only a link made after the removal lets the person back.
        if removed_at is not None and invitation.created_at <= removed_at:
            raise DomainError(Problem.INVITATION_BEFORE_REMOVAL)
    return invitation


@dataclass(frozen=True)
class JoinOutcome:
    team: Team
    role: Role
    already_member: bool


async def join_team(
    session: AsyncSession, member: Member, token: str, now: datetime | None = None
) -> JoinOutcome:
    """Redeem the invitation for this member. Someone already in the team keeps their role
    and uses nothing up."""
    invitation = await usable_invitation(session, token, now, member)
    team = invitation.team
    existing = await session.scalar(
        select(Membership).where(Membership.team_id == team.id, Membership.member_id == member.id)
    )
    if existing is not None:
        return JoinOutcome(team, existing.role, already_member=True)
    await _consume(session, invitation)
    session.add(
        Membership(
            team_id=team.id, member_id=member.id, role=invitation.role, invitation_id=invitation.id
        )
    )
    await session.flush()
    audit.record(
        session,
        "invitation.use",
        actor_telegram_id=member.telegram_id,
        team_id=team.id,
        invitation_id=invitation.id,
        member_id=member.id,
        role=invitation.role.value,
    )
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
    if rowcount(result) != 1:
        raise DomainError(Problem.INVITATION_USED_UP)
    await session.refresh(invitation)


@dataclass(frozen=True)
class ActiveLink:
    invitation: Invitation
    created_by: str | None  # the creator's name; None when made from the command line
    joined: list[str]  # names of the current members who came by this link


async def active_links(
    session: AsyncSession, team_id: int | None = None, now: datetime | None = None
) -> list[ActiveLink]:
    """Links that still let people in (of one team, or of all), newest first."""
    moment = now or utcnow()
    query = (
        select(Invitation)
        .where(
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > moment,
            Invitation.uses < Invitation.max_uses,
        )
        .options(selectinload(Invitation.created_by), selectinload(Invitation.team))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    if team_id is not None:
        query = query.where(Invitation.team_id == team_id)
    links = list(await session.scalars(query))
    joined: dict[int, list[str]] = {link.id: [] for link in links}
    if links:
        rows = await session.execute(
            select(Membership.invitation_id, Member.name)
            .join(Member, Member.id == Membership.member_id)
            .where(Membership.invitation_id.in_(joined))
            .order_by(Membership.joined_at)
        )
        for invitation_id, name in rows:
            joined[invitation_id].append(name)
    return [
        ActiveLink(link, link.created_by.name if link.created_by else None, joined[link.id])
        for link in links
    ]


async def get_invitation(session: AsyncSession, reference: str | int) -> Invitation:
    """By id, or by token (as printed in a link)."""
    condition = (
        Invitation.id == int(reference)
        if str(reference).isdigit()
        else Invitation.token == str(reference).rsplit("start=", 1)[-1]
    )
    invitation = await session.scalar(
        select(Invitation).where(condition).options(selectinload(Invitation.team))
    )
    if invitation is None:
        raise DomainError(Problem.INVITATION_UNKNOWN)
    return invitation


async def revoke(
    session: AsyncSession,
    invitation: Invitation,
    *,
    actor_telegram_id: int | None,
    reason: str = "revoked",
    now: datetime | None = None,
) -> bool:
    """Stop the link from letting anyone in; False when it was revoked already."""
    if invitation.revoked_at is not None:
        return False
    invitation.revoked_at = now or utcnow()
    audit.record(
        session,
        "invitation.revoke",
        actor_telegram_id=actor_telegram_id,
        team_id=invitation.team_id,
        invitation_id=invitation.id,
        reason=reason,
    )
    await session.flush()
    return True


async def revoke_links_of(
    session: AsyncSession,
    membership: Membership,
    *,
    actor_telegram_id: int | None,
    reason: str,
    now: datetime | None = None,
) -> Sequence[Invitation]:
    """Revoke the team's links the member made and the one they joined by."""
    made_or_used = [Invitation.created_by_id == membership.member_id]
    if membership.invitation_id is not None:
        made_or_used.append(Invitation.id == membership.invitation_id)
    links = list(
        await session.scalars(
            select(Invitation).where(
                Invitation.team_id == membership.team_id,
                Invitation.revoked_at.is_(None),
                or_(*made_or_used),
            )
        )
    )
    for link in links:
        await revoke(session, link, actor_telegram_id=actor_telegram_id, reason=reason, now=now)
    return links


async def record_removal(
    session: AsyncSession, team_id: int, member_id: int, now: datetime | None = None
) -> None:
    """Remember when the member left, so that older links cannot bring them back."""
    moment = now or utcnow()
    removal = await session.scalar(
        select(Removal).where(Removal.team_id == team_id, Removal.member_id == member_id)
    )
    if removal is None:
        session.add(Removal(team_id=team_id, member_id=member_id, removed_at=moment))
    else:
        removal.removed_at = moment
