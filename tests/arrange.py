"""Data set-up for tests, through the same domain functions the bot uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from storage import attendance, invitations, meetings, members, teams
from storage.models import Answer, Role, Sector, TeamKind

if TYPE_CHECKING:  # conftest imports the bot; arrange stays importable on its own
    from botapi_emulator import BotApiEmulator
    from storage.db import Database
    from tests.conftest import Harness

MOPS = "MOPS – Centrum Opieki Socjalnej w Zduńskiej Woli"
POLICE = "Komenda Powiatowa Policji w Zduńskiej Woli"
INSTITUTIONS: tuple[tuple[str, Sector], ...] = (
    (MOPS, Sector.SOCIAL_ASSISTANCE),
    (POLICE, Sector.POLICE),
)


@dataclass(frozen=True)
class TeamIds:
    team_id: int
    municipality_id: int
    institution_ids: dict[str, int]


async def team(
    session: AsyncSession,
    town: str = "Zduńska Wola",
    kind: TeamKind = TeamKind.PZK,
    institutions: tuple[tuple[str, Sector], ...] = INSTITUTIONS,
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


@dataclass(frozen=True)
class Person:
    """Someone to put in a team: the name in the roster, the role, the institution's name."""

    telegram_id: int
    name: str
    role: Role = Role.MEMBER
    institution: str | None = None

    @property
    def first_name(self) -> str:
        """As Telegram shows them: the roster name's first word."""
        return self.name.split()[0]


def three(
    kasia: int,
    marek: int,
    ola: int,
    *,
    institutions: bool = True,
    marek_name: str = "Marek Wiśniewski",
) -> tuple[Person, Person, Person]:
    """The usual team: Kasia coordinates; Marek and Ola are members. With institutions: Kasia
    and Ola of the MOPS, Marek of the police."""
    return (
        Person(kasia, "Katarzyna Nowak", Role.COORDINATOR, MOPS if institutions else None),
        Person(marek, marek_name, Role.MEMBER, POLICE if institutions else None),
        Person(ola, "Aleksandra Zielińska", Role.MEMBER, MOPS if institutions else None),
    )


async def team_of(
    session: AsyncSession,
    people: Sequence[Person],
    *,
    group: int | None = None,
    institutions: tuple[tuple[str, Sector], ...] = INSTITUTIONS,
) -> TeamIds:
    """A PZK (see team()) with these people in it, in this order; `group` its linked chat."""
    ids = await team(session, institutions=institutions)
    for someone in people:
        institution = ids.institution_ids[someone.institution] if someone.institution else None
        await person(
            session, ids.team_id, someone.telegram_id, someone.name, someone.role, institution
        )
    if group is not None:
        (await teams.get_team(session, ids.team_id)).chat_id = group
    return ids


def in_telegram(
    harness: Harness,
    people: Sequence[Person],
    *,
    group: int | None = None,
    title: str = "PZK Zduńska Wola",
    usernames: bool = False,
) -> None:
    """The people as Telegram users; with `group`: that group with them all in it, the bot
    added by the first of them (it greets the group: see linked_team)."""
    for someone in people:
        extra = {"username": someone.first_name.lower()} if usernames else {}
        harness.user(someone.telegram_id, someone.first_name, **extra)
    if group is None:
        return
    harness.emu.add_group(group, title)
    for someone in people:
        harness.emu.set_member(group, someone.telegram_id, status="member")
    harness.emu.add_bot_to_group(group, by_user_id=people[0].telegram_id)


async def linked_team(
    harness: Harness,
    people: Sequence[Person],
    *,
    clock: datetime,
    group: int | None = None,
) -> TeamIds:
    """The clock set, the team in the database and its people in Telegram; with `group`, the
    bot's greeting there already read, so a test starts with an empty group."""
    harness.set_clock(clock)
    async with harness.session() as session:
        ids = await team_of(session, people, group=group)
    in_telegram(harness, people, group=group)
    if group is not None:
        await harness.emu.next_message(group)
    return ids


async def marek_with_data(
    harness: Harness, kasia: int, marek: int, now: datetime, language: str | None = None
) -> None:
    """Personal data to export or erase: Marek ("Marek <Wiśniewski>", police) said yes to
    Kasia's meeting that began 13 hours before `now`, came, then wrote a decision and a task.
    `language`: Marek's, stored and in Telegram (else none stored, Telegram's "pl")."""
    harness.set_clock(now)
    async with harness.session() as session:
        ids = await team(session)
        await person(session, ids.team_id, kasia, "Katarzyna Nowak", Role.COORDINATOR)
        await person(
            session,
            ids.team_id,
            marek,
            "Marek <Wiśniewski>",
            Role.MEMBER,
            ids.institution_ids[POLICE],
        )
        found = await teams.get_team(session, ids.team_id)
        coordinator = await members.find_member(session, kasia)
        member = await members.find_member(session, marek)
        assert coordinator is not None and member is not None
        if language is not None:
            member.language = language
        started = now - timedelta(hours=13)
        meeting = await meetings.schedule(
            session,
            found,
            started.astimezone(UTC),
            "MOPS",
            None,
            coordinator,
            now=started - timedelta(days=1),
        )
        await meetings.answer(session, meeting, member, Answer.YES, started - timedelta(hours=2))
        await attendance.mark(session, meeting, member.id, True, coordinator, now)
    harness.user(marek, "Marek", language_code=language or "pl")
    await harness.say(marek, "/decyzja Policja dyżuruje w ferie")
    await harness.say(marek, "/zadanie Marek do piątku: lista dyżurów")


async def fuzz_person(
    harness: Harness, team_id: int, user_id: int, role: Role | None, name: str
) -> int:
    """A Telegram user "Osoba" for the fuzz tests; with a role, also `name` in the team."""
    if role is not None:
        async with harness.session() as session:
            await person(session, team_id, user_id, name, role)
    harness.user(user_id, "Osoba")
    return user_id


async def crowd(db: Database, emu: BotApiEmulator, users: Sequence[int]) -> int:
    """A PZK of many members, each "Osoba <id>" in the roster and in the emulator: the load of
    the crash tests and of bench.crash. Returns the team's id."""
    people = [Person(user, f"Osoba {user}") for user in users]
    async with db.session() as session:
        ids = await team_of(session, people, institutions=())
    for user in users:
        emu.add_user(user, f"Osoba {user}")
    return ids.team_id
