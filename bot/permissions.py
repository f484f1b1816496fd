"""The one place that decides who may do what.

Handlers build an `Actor` from the database and ask `allowed()`; nothing else checks roles.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from storage import regions
from storage.models import Audience, Member, Role, TeamKind


class Action(enum.StrEnum):
    VIEW_TEAM = "view_team"
    INVITE = "invite"
    INVITE_COORDINATOR = "invite_coordinator"
    MANAGE_MEMBERS = "manage_members"
    LINK_GROUP = "link_group"
    ADMINISTER = "administer"
    ANSWER_MEETING = "answer_meeting"
    # Depends on the team's choice (`meetings_by`): every member, or coordinators only.
    CALL_MEETING = "call_meeting"
    # The one who called the meeting, or a coordinator.
    CHANGE_MEETING = "change_meeting"
    # Who calls meetings; whether messages about the team may be forwarded.
    CHANGE_TEAM_SETTINGS = "change_team_settings"
    # The service basket of the team's municipality.
    MANAGE_BASKET = "manage_basket"
    # An announcement to the team; coordinators of a PZK also to every team of its
    # municipality, admins to the whole region (see `require_audience`).
    ANNOUNCE = "announce"
    # Mark who came to a meeting, add guests, close and reopen the register, export it.
    KEEP_REGISTER = "keep_register"
    # Add decisions and tasks to the minutes of the team's meetings.
    WRITE_MINUTES = "write_minutes"
    # Close or drop any task of the team (owners always may close their own).
    MANAGE_TASKS = "manage_tasks"
    # Propose dates and turn the best one into a meeting; members vote (ANSWER_MEETING).
    RUN_POLL = "run_poll"
    # The programme's figures of the team (admins: of the whole region).
    VIEW_REPORT = "view_report"
    # A new team of a municipality: a ZZK by the coordinators of its PZK, any kind by admins
    # (see `may_create_team`; no team role grants it by itself).
    CREATE_TEAM = "create_team"
    # The upcoming meetings of a whole municipality, of teams one is not in: admins.
    VIEW_MUNICIPALITY = "view_municipality"
    # Send the team's framework rules (a new version) and export the register of declarations.
    MANAGE_RULES = "manage_rules"
    # Accept the team's framework rules on behalf of one's own institution.
    DECLARE_ACCESSION = "declare_accession"
    # Appoint and dismiss region admins (/region): admins of everything; region admins only
    # look at their own regions.
    MANAGE_REGIONS = "manage_regions"
    # Invite further teams to an event of the region (see `may_invite_team` for whose).
    INVITE_TEAMS = "invite_teams"


# Which team role grants which action; admins may do everything.
_ROLE_GRANTS: Mapping[Role, frozenset[Action]] = {
    Role.MEMBER: frozenset(
        {
            Action.VIEW_TEAM,
            Action.ANSWER_MEETING,
            Action.WRITE_MINUTES,
            Action.DECLARE_ACCESSION,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Action.VIEW_TEAM,
            Action.ANSWER_MEETING,
            Action.WRITE_MINUTES,
            Action.KEEP_REGISTER,
            Action.MANAGE_TASKS,
            Action.RUN_POLL,
            Action.VIEW_REPORT,
            Action.CALL_MEETING,
            Action.CHANGE_MEETING,
            Action.CHANGE_TEAM_SETTINGS,
            Action.MANAGE_BASKET,
            Action.ANNOUNCE,
            Action.INVITE,
            Action.INVITE_COORDINATOR,
            Action.MANAGE_MEMBERS,
            Action.LINK_GROUP,
            Action.MANAGE_RULES,
            Action.DECLARE_ACCESSION,
            Action.INVITE_TEAMS,
        }
    ),
}


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    is_admin: bool = False  # of everything: BOT_ADMIN_IDS, or appointed to every region
    roles: Mapping[int, Role] = field(default_factory=dict)  # team id -> role
    # An admin of some regions: those regions, and the teams of their municipalities.
    regions: frozenset[int] = frozenset()
    region_teams: frozenset[int] = frozenset()

    @classmethod
    def of(cls, telegram_id: int, member: Member | None, admin_ids: frozenset[int]) -> Actor:
        """Without region appointments: for cards and jobs, which only ask about teams one
        belongs to. Updates build theirs with `actor_for`."""
        roles = {m.team_id: m.role for m in member.memberships} if member else {}
        return cls(telegram_id, telegram_id in admin_ids, roles)

    @property
    def is_region_admin(self) -> bool:
        """An admin of everything or of some regions: may pick teams and municipalities of
        its reach, announce to and count its regions."""
        return self.is_admin or bool(self.regions)

    def covers_region(self, region_id: int | None) -> bool:
        return self.is_admin or (region_id is not None and region_id in self.regions)

    def teams_where(self, action: Action) -> set[int]:
        return {team_id for team_id in self.roles if allowed(self, action, team_id)}


def allowed(
    actor: Actor,
    action: Action,
    team_id: int | None = None,
    *,
    meetings_by: Role = Role.MEMBER,
    author_telegram_id: int | None = None,
) -> bool:
    """May the actor do this in this team? `meetings_by` is the team's policy for calling
    meetings; `author_telegram_id` who called the meeting being changed, or owns the task."""
    if actor.is_admin:
        return True
    if team_id is None:
        return False
    if team_id in actor.region_teams:
        return True  # a region admin may do in the region's teams what admins may
    role = actor.roles.get(team_id)
    if role is None:
        return False
    if action == Action.CALL_MEETING and meetings_by == Role.MEMBER:
        return True
    # The one who called the meeting changes it; the owner of a task closes it.
    if (
        action in (Action.CHANGE_MEETING, Action.MANAGE_TASKS)
        and author_telegram_id == actor.telegram_id
    ):
        return True
    return action in _ROLE_GRANTS[role]


def allowed_in_any(actor: Actor, action: Action, team_ids: Collection[int]) -> bool:
    """May the actor do this in one of these teams: answering or looking at an event that
    invites several teams (storage/audience.py `invited_team_ids`) needs a seat in one."""
    return any(allowed(actor, action, team_id) for team_id in team_ids)


def require_in_any(actor: Actor, action: Action, team_ids: Collection[int]) -> None:
    if not allowed_in_any(actor, action, team_ids):
        raise PermissionDenied(action)


def may_invite_team(
    actor: Actor, own_team_id: int, own_municipality_id: int, team_id: int, municipality_id: int
) -> bool:
    """Invite the team `team_id` (of `municipality_id`) to an event of the team `own_team_id`:
    admins of everything any team, region admins any team of their regions, coordinators of
    the calling team the teams of its own municipality."""
    if actor.is_admin or team_id in actor.region_teams:
        return True
    return (
        allowed(actor, Action.INVITE_TEAMS, own_team_id) and municipality_id == own_municipality_id
    )


def may_announce_to(
    actor: Actor, audience: Audience, audience_id: int | None, pzk_team_ids: Collection[int] = ()
) -> bool:
    """`pzk_team_ids`: for a municipality, its partnership teams (whose coordinators may
    address all of its teams)."""
    if audience == Audience.TEAM:
        return allowed(actor, Action.ANNOUNCE, audience_id)
    if audience == Audience.MUNICIPALITY:
        return actor.is_admin or any(allowed(actor, Action.ANNOUNCE, t) for t in pzk_team_ids)
    # A region (audience_id None: every region).
    return actor.is_admin if audience_id is None else actor.covers_region(audience_id)


def may_announce_anywhere(actor: Actor) -> bool:
    """Region admins pick any team or municipality of their regions, with or without a team
    of their own."""
    return actor.is_region_admin


def may_create_team(actor: Actor, kind: TeamKind, pzk_team_ids: Collection[int] = ()) -> bool:
    """A new team in a municipality whose partnership teams are `pzk_team_ids`: admins any
    kind, coordinators of one of those PZKs a task team (ZZK)."""
    if actor.is_admin:
        return True
    return kind == TeamKind.ZZK and any(
        actor.roles.get(team_id) == Role.COORDINATOR for team_id in pzk_team_ids
    )


def may_view_municipality(actor: Actor) -> bool:
    """List the meetings of every team of a municipality, members or not."""
    return allowed(actor, Action.VIEW_MUNICIPALITY)


def may_manage_regions(actor: Actor) -> bool:
    """Appoint and dismiss region admins, look at every region."""
    return actor.is_admin


def may_view_region(actor: Actor, region_id: int) -> bool:
    return actor.covers_region(region_id)


def report_teams(actor: Actor) -> set[int] | None:
    """Whose figures the actor sees (None: every team): coordinators their teams, region
    admins also every team of their regions."""
    if actor.is_admin:
        return None
    return set(actor.region_teams) | actor.teams_where(Action.VIEW_REPORT)


class PermissionDenied(Exception):
    def __init__(self, action: Action) -> None:
        super().__init__(action.value)
        self.action = action


def require(
    actor: Actor,
    action: Action,
    team_id: int | None = None,
    *,
    meetings_by: Role = Role.MEMBER,
    author_telegram_id: int | None = None,
) -> None:
    if not allowed(
        actor, action, team_id, meetings_by=meetings_by, author_telegram_id=author_telegram_id
    ):
        raise PermissionDenied(action)


async def actor_for(
    session: AsyncSession, telegram_id: int, member: Member | None, admin_ids: frozenset[int]
) -> Actor:
    """The actor of an update: team roles, and where they are an admin (looked up unless the
    member's row, loaded with `appointed`, rules it out; the region's teams only for a region
    admin)."""
    actor = Actor.of(telegram_id, member, admin_ids)
    if actor.is_admin or (member is not None and member.appointed is False):
        return actor
    reach = await regions.reach_of(session, telegram_id, admin_ids)
    if reach.everywhere:
        return replace(actor, is_admin=True)
    if not reach.regions:
        return actor
    teams = await regions.team_ids_within(session, reach) or set()
    return replace(actor, regions=reach.regions, region_teams=frozenset(teams))
