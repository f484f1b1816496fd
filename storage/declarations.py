"""Declarations of accession: institutions join a PZK by accepting its framework rules
("Ramowy Regulamin Partnerskiego Zespołu Kooperacyjnego").

A coordinator uploads the rules (PDF or DOCX); each upload is a new version. A member who
represents an institution accepts them on its behalf, once per institution and version. A new
version asks every institution again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit
from storage.errors import DomainError, Problem
from storage.models import (
    Declaration,
    Institution,
    Member,
    Membership,
    Team,
    TeamRules,
    utcnow,
)
from storage.privacy import refuse_client_data
from storage.text import clean_name

RULES_SUFFIXES = (".pdf", ".docx")
RULES_MAX_BYTES = 10 * 1024 * 1024  # a scanned regulamin of a few pages fits many times over
ROLE_MAX = 200


async def upload_rules(
    session: AsyncSession, team: Team, file_name: str, content: bytes, by: Member | None
) -> TeamRules:
    """Keep a new version of the team's rules; earlier declarations stay, for the old one."""
    if PurePath(file_name).suffix.lower() not in RULES_SUFFIXES or not content:
        raise DomainError(Problem.RULES_FILE_INVALID, name=file_name)
    if len(content) > RULES_MAX_BYTES:
        raise DomainError(Problem.RULES_FILE_INVALID, name=file_name, size=len(content))
    newest = await session.scalar(
        select(func.max(TeamRules.version)).where(TeamRules.team_id == team.id)
    )
    rules = TeamRules(
        team_id=team.id,
        version=(newest or 0) + 1,
        file_name=PurePath(file_name).name[-200:],
        content=content,
        uploaded_by_id=by.id if by else None,
    )
    session.add(rules)
    await session.flush()
    audit.record(
        session,
        "rules.upload",
        actor_telegram_id=by.telegram_id if by else None,
        team_id=team.id,
        version=rules.version,
    )
    return rules


async def current_rules(session: AsyncSession, team_id: int) -> TeamRules | None:
    return await session.scalar(
        select(TeamRules)
        .where(TeamRules.team_id == team_id)
        .order_by(TeamRules.version.desc())
        .limit(1)
    )


async def _declared(
    session: AsyncSession, team_id: int, institution_id: int, version: int
) -> Declaration | None:
    return await session.scalar(
        select(Declaration).where(
            Declaration.team_id == team_id,
            Declaration.institution_id == institution_id,
            Declaration.rules_version == version,
        )
    )


async def to_declare(session: AsyncSession, team_id: int, member: Member) -> TeamRules | None:
    """The rules this member could accept for their institution now, if anyone must."""
    if member.institution_id is None:
        return None
    rules = await current_rules(session, team_id)
    if rules is None or await _declared(session, team_id, member.institution_id, rules.version):
        return None
    return rules


async def declare(
    session: AsyncSession,
    team: Team,
    member: Member,
    signer_role: str,
    version: int,
    now: datetime | None = None,
) -> Declaration:
    """Accept version `version` of the rules on behalf of the member's institution.

    The version is the one shown to them: a newer upload meanwhile means they read another
    text, so they are asked again rather than bound to one they have not seen."""
    in_team = await session.scalar(
        select(Membership.id).where(
            Membership.team_id == team.id, Membership.member_id == member.id
        )
    )
    if in_team is None:
        raise DomainError(Problem.NOT_IN_TEAM)
    if member.institution_id is None:
        raise DomainError(Problem.INSTITUTION_MISSING)
    rules = await current_rules(session, team.id)
    if rules is None:
        raise DomainError(Problem.RULES_MISSING)
    if rules.version != version:
        raise DomainError(Problem.STALE_BUTTON)
    refuse_client_data(signer_role)
    role = clean_name(signer_role, max_length=ROLE_MAX)
    earlier = await _declared(session, team.id, member.institution_id, rules.version)
    if earlier is not None:
        raise DomainError(
            Problem.ALREADY_DECLARED,
            name=earlier.signer_name or "",
            at=earlier.accepted_at,
        )
    declaration = Declaration(
        team_id=team.id,
        institution_id=member.institution_id,
        rules_version=rules.version,
        member_id=member.id,
        signer_name=member.name,
        signer_role=role,
        accepted_at=now or utcnow(),
    )
    session.add(declaration)
    await session.flush()
    audit.record(
        session,
        "rules.declare",
        actor_telegram_id=member.telegram_id,
        team_id=team.id,
        institution_id=member.institution_id,
        version=rules.version,
    )
    return declaration


@dataclass(frozen=True)
class InstitutionStatus:
    institution: str
    declaration: Declaration | None  # for the current version
    earlier_version: int | None  # the newest version declared before, when not the current


@dataclass(frozen=True)
class Status:
    rules: TeamRules | None
    institutions: list[InstitutionStatus]

    @property
    def declared(self) -> int:
        return sum(1 for i in self.institutions if i.declaration is not None)


async def status(session: AsyncSession, team_id: int) -> Status:
    """Each institution of the team's members, and every institution that declared: whether
    it has accepted the current rules."""
    rules = await current_rules(session, team_id)
    declarations = (
        await session.scalars(
            select(Declaration)
            .where(Declaration.team_id == team_id)
            .options(selectinload(Declaration.institution))
        )
    ).all()
    of_members = (
        await session.scalars(
            select(Institution)
            .join(Member, Member.institution_id == Institution.id)
            .join(Membership, Membership.member_id == Member.id)
            .where(Membership.team_id == team_id)
            .distinct()
        )
    ).all()
    names = {i.id: i.name for i in of_members}
    names.update({d.institution_id: d.institution.name for d in declarations})
    found = []
    for institution_id, name in names.items():
        mine = [d for d in declarations if d.institution_id == institution_id]
        current = next(
            (d for d in mine if rules is not None and d.rules_version == rules.version), None
        )
        older = max((d.rules_version for d in mine if d is not current), default=None)
        found.append(InstitutionStatus(name, current, older if current is None else None))
    found.sort(key=lambda s: (s.declaration is None, s.institution.casefold()))
    return Status(rules, found)


async def register(session: AsyncSession, team_id: int) -> Sequence[Declaration]:
    """Every declaration of the team, oldest first: the register coordinators export."""
    return (
        await session.scalars(
            select(Declaration)
            .where(Declaration.team_id == team_id)
            .options(selectinload(Declaration.institution))
            .order_by(Declaration.accepted_at, Declaration.id)
        )
    ).all()


async def declared(
    session: AsyncSession, team_id: int, institution_id: int, version: int
) -> Declaration | None:
    """The institution's declaration of this version, if it has made one."""
    return await _declared(session, team_id, institution_id, version)


@dataclass(frozen=True)
class Asked:
    """A member to ask to accept the rules, and the institution they would accept them for."""

    telegram_id: int
    language: str | None
    institution: str


async def to_ask(
    session: AsyncSession, team_id: int, rules: TeamRules, member_id: int | None = None
) -> list[Asked]:
    """Members of the team (or only `member_id`) whose institution has not accepted this
    version of the rules: whom the bot asks."""
    query = (
        select(Member.telegram_id, Member.language, Institution.name)
        .join(Membership, Membership.member_id == Member.id)
        .join(Institution, Institution.id == Member.institution_id)
        .where(
            Membership.team_id == team_id,
            ~select(Declaration.id)
            .where(
                Declaration.team_id == team_id,
                Declaration.institution_id == Member.institution_id,
                Declaration.rules_version == rules.version,
            )
            .exists(),
        )
        .order_by(Member.id)
    )
    if member_id is not None:
        query = query.where(Member.id == member_id)
    return [Asked(*row) for row in (await session.execute(query)).all()]
