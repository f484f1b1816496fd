"""The people of the sandbox: members of the Łódź PZK, a newcomer and the region's admin."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from botapi_emulator import BotApiEmulator
from storage import invitations, members, teams
from storage.basket.text import fold
from storage.demo import LODZ_PZK, SOCIAL_CENTRES
from storage.models import Role, Sector, Team

TEAM = "PZK Łódź"
# The team's Telegram group in the emulator, linked to the team as /polacz links one.
GROUP_ID = -1001000000777
# A readable, fixed invitation: the newcomer's way in is typed, not copied from a log.
INVITATION = "demo-pzk-lodz"


@dataclass(frozen=True)
class Person:
    telegram_id: int
    first_name: str
    last_name: str
    institution: str
    role: Role | None  # None: not in the team yet (joins with the invitation)
    admin: bool = False
    language: str = "pl"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def describe(self) -> str:
        if self.admin:
            return "administratorka regionu (wszystkie zespoły, ogłoszenia do regionu)"
        if self.role is None:
            return f"{self.institution}; jeszcze nie w zespole: /start {INVITATION}"
        role = "koordynatorka" if self.role == Role.COORDINATOR else "członek"
        return f"{self.institution}; {role} {TEAM}"


_POLICE, _COURT, _SCHOOL, _NGO = (LODZ_PZK[i][0] for i in (1, 0, 6, 7))
CAST = (
    Person(1001, "Anna", "Kowalska", SOCIAL_CENTRES["Łódź"], Role.COORDINATOR),
    Person(1002, "Piotr", "Nowak", _POLICE, Role.MEMBER),
    Person(1003, "Ewa", "Wiśniewska", _SCHOOL, Role.MEMBER),
    Person(1004, "Jan", "Mazur", _COURT, Role.MEMBER, language="en"),
    Person(1005, "Marta", "Zielińska", _NGO, None),
    Person(1006, "Barbara", "Wójcik", SOCIAL_CENTRES["Łódź"], None, admin=True),
)


def find(reference: str) -> Person | None:
    """A person by number on /osoby, first name, last name or full name (any case, no
    diacritics needed)."""
    wanted = fold(reference.strip())
    if wanted.isdigit() and 1 <= int(wanted) <= len(CAST):
        return CAST[int(wanted) - 1]
    for person in CAST:
        names = (person.first_name, person.last_name, person.name)
        if wanted and any(fold(name).startswith(wanted) for name in names):
            return person
    return None


async def seed(session: AsyncSession) -> None:
    """The team's members join through invitations, as in real use (after demo data)."""
    team = await session.scalar(select(Team).where(Team.name == TEAM))
    assert team is not None, "load the demo data first"
    newcomers = await invitations.create_invitation(session, team, max_uses=10)
    newcomers.token = INVITATION
    for person in CAST:
        if person.role is None:
            continue
        member = await members.ensure_member(session, person.telegram_id, person.name, None)
        institution = await teams.get_or_create_institution(
            session, team.municipality_id, person.institution, _sector(person)
        )
        member.institution_id = institution.id
        made = await invitations.create_invitation(session, team, role=person.role, max_uses=1)
        await invitations.join_team(session, member, made.token)
    coordinator = next(p for p in CAST if p.role == Role.COORDINATOR)
    await teams.link_chat(session, team, GROUP_ID, actor_telegram_id=coordinator.telegram_id)


def open_group(emulator: BotApiEmulator) -> None:
    """The team's group: everyone of the sandbox in it (so anyone can be tried there), the bot
    put in without a join update, since the group is linked already and needs no greeting."""
    emulator.add_group(GROUP_ID, TEAM)
    for person in CAST:
        status = "creator" if person.role == Role.COORDINATOR else "member"
        emulator.set_member(GROUP_ID, person.telegram_id, status)
    emulator.set_member(GROUP_ID, emulator.bot.id, "member")


def _sector(person: Person) -> Sector:
    return dict(LODZ_PZK).get(person.institution, Sector.SOCIAL_ASSISTANCE)
