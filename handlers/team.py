"""/zespol: my teams with their members by institution; coordinators manage members."""

from __future__ import annotations

from bot.i18n import LANGUAGE_NAMES, translator
from bot.permissions import Action, allowed, require
from bot.render import esc
from bot.views import buttons
from bot.views.labels import role_label, sector_label
from handlers import accession
from handlers.base import Ctx
from storage import declarations, teams
from storage.declarations import Status
from storage.errors import DomainError, Problem
from storage.models import Role
from storage.teams import Roster


def render_roster(ctx: Ctx, roster: Roster, rules: Status | None = None) -> str:
    """The members by institution; with `rules`, which institutions accepted the team's
    framework rules."""
    t = ctx.t
    show_reach = allowed(ctx.actor, Action.MANAGE_MEMBERS, roster.team.id)
    team = roster.team
    lines = [
        f"<b>{esc(team.name)}</b> · {esc(team.municipality.name)} · "
        + t.n_("{n} member", "{n} members", roster.size)
    ]
    for group in roster.groups:
        if group.institution is None:
            heading = t._("Institution not given")
        else:
            heading = (
                f"{esc(group.institution)} ({sector_label(t, group.sector)})"
                if group.sector
                else esc(group.institution)
            )
        lines.append("")
        lines.append(f"<i>{heading}</i>")
        for entry in group.members:
            suffix = f" — {role_label(t, entry.role)}" if entry.role == Role.COORDINATOR else ""
            if show_reach and entry.unreachable:
                suffix += " ⚠️ " + t._("not reachable: has not opened a chat with the bot")
            lines.append(f"• {esc(entry.name)}{suffix}")
    if roster.size == 0:
        lines.append(t._("No members yet. Coordinators invite people with /zaproszenie."))
    if rules is not None:
        lines += accession.status_lines(t, team, rules)
    return "\n".join(lines)


async def _team_view(ctx: Ctx, team_id: int) -> tuple[str, list[buttons.Row] | None]:
    """The roster with the rules' declarations, and the buttons of the private /zespol."""
    roster = await teams.roster(ctx.session, team_id)
    rules = await declarations.status(ctx.session, team_id)
    rows = (_coordinator_rows(ctx, roster) or []) + await accession.team_rows(
        ctx, roster.team, rules.rules
    )
    return render_roster(ctx, roster, rules), rows or None


async def show_teams(ctx: Ctx) -> None:
    t = ctx.t
    if not ctx.is_private:
        linked = await teams.team_for_chat(ctx.session, ctx.chat.id)
        if linked is None:
            ctx.reply(
                t._("This group is not linked to any team. A coordinator can link it with /polacz.")
            )
            return
        require(ctx.actor, Action.VIEW_TEAM, linked.id)
        roster = await teams.roster(ctx.session, linked.id)
        ctx.reply(render_roster(ctx, roster, await declarations.status(ctx.session, linked.id)))
        return
    if not ctx.member or not ctx.member.memberships:
        ctx.reply(
            t._("You are not in any team yet. Ask your team's coordinator for an invitation link.")
        )
        return
    for membership in sorted(ctx.member.memberships, key=lambda m: m.team.name):
        ctx.protect = membership.team.protect_content
        ctx.reply(*await _team_view(ctx, membership.team_id))


def _coordinator_rows(ctx: Ctx, roster: Roster) -> list[list[tuple[str, str]]] | None:
    team = roster.team
    if not allowed(ctx.actor, Action.MANAGE_MEMBERS, team.id):
        return None
    t = ctx.t
    who = t._("everyone") if team.meetings_by == Role.MEMBER else t._("coordinators only")
    forwarding = t._("blocked") if team.protect_content else t._("allowed")
    return [
        [
            (t._("Manage members"), buttons.TeamMembers(team.id).pack()),
            ("📅 " + t._("Team calendar link"), buttons.FeedLink(team.id, 0).pack()),
        ],
        [(t._("Who calls meetings: {who}").format(who=who), buttons.TeamPolicy(team.id).pack())],
        [
            (
                t._("🔒 Forwarding of the team's messages: {state}").format(state=forwarding),
                buttons.TeamPolicy(team.id, "f").pack(),
            )
        ],
        [
            (
                t._("💬 Language in the team's group: {language}").format(
                    language=LANGUAGE_NAMES.get(team.language, team.language)
                ),
                buttons.TeamPolicy(team.id, "l").pack(),
            )
        ],
    ]


async def on_policy_button(ctx: Ctx) -> None:
    """`tp:<team>`: switch who may call meetings (every member or coordinators only);
    `tp:<team>:f`: switch protection of the team's messages from forwarding;
    `tp:<team>:l`: switch the language the bot writes in the team's group."""
    button = buttons.TeamPolicy.unpack(ctx.query.data if ctx.query else None)
    team = await teams.get_team(ctx.session, button.team_id)
    require(ctx.actor, Action.CHANGE_TEAM_SETTINGS, team.id)
    setting = button.setting
    if setting == "l":
        other = "en" if team.language == "pl" else "pl"
        await teams.set_language(ctx.session, team, other, actor_telegram_id=ctx.user.id)
    elif setting == "f":
        await teams.set_protect_content(
            ctx.session, team, not team.protect_content, actor_telegram_id=ctx.user.id
        )
    else:
        await teams.set_meeting_policy(
            ctx.session,
            team,
            Role.COORDINATOR if team.meetings_by == Role.MEMBER else Role.MEMBER,
            actor_telegram_id=ctx.user.id,
        )
    ctx.edit(*await _team_view(ctx, team.id))


async def on_manage_button(ctx: Ctx) -> None:
    """`tm:<team>`: one button per member of the team."""
    team_id = buttons.TeamMembers.unpack(ctx.query.data if ctx.query else None).team_id
    require(ctx.actor, Action.MANAGE_MEMBERS, team_id)
    roster = await teams.roster(ctx.session, team_id)
    rows = [
        [
            (
                f"{entry.name} · {role_label(ctx.t, entry.role)}"[:60],
                buttons.MemberButton("v", entry.membership_id).pack(),
            )
        ]
        for group in roster.groups
        for entry in group.members
    ]
    ctx.edit(
        ctx.t._("{team}: choose a member.").format(team=f"<b>{esc(roster.team.name)}</b>"), rows
    )


async def on_member_button(ctx: Ctx) -> None:
    """`mb:<action>:<membership>`: view, promote, demote, ask to remove, remove."""
    button = buttons.MemberButton.unpack(ctx.query.data if ctx.query else None)
    action = button.action
    membership = await teams.get_membership(ctx.session, button.membership_id)
    require(ctx.actor, Action.MANAGE_MEMBERS, membership.team_id)
    t = ctx.t
    name = f"<b>{esc(membership.member.name)}</b>"
    if action == "c":
        await teams.set_role(
            ctx.session, membership, Role.COORDINATOR, actor_telegram_id=ctx.user.id
        )
        ctx.notice(t._("Done."))
    elif action == "m":
        revoked = await teams.set_role(
            ctx.session, membership, Role.MEMBER, actor_telegram_id=ctx.user.id
        )
        ctx.notice(_done(ctx, len(revoked)))
    elif action == "r":
        ctx.edit(
            t._("Remove {name} from {team}?").format(
                name=name, team=f"<b>{esc(membership.team.name)}</b>"
            ),
            [
                [
                    (t._("Yes, remove"), buttons.MemberButton("rx", membership.id).pack()),
                    (t._("Cancel"), buttons.MemberButton("v", membership.id).pack()),
                ]
            ],
        )
        return
    elif action == "rx":
        team_id = membership.team_id
        removed, team_name = membership.member, membership.team.name
        revoked = await teams.remove_membership(
            ctx.session, membership, actor_telegram_id=ctx.user.id
        )
        _tell_removed(ctx, removed.telegram_id, removed.language, team_name)
        ctx.edit(
            t._("{name} was removed from the team.").format(name=name)
            + "\n"
            + t._("Only a new invitation link can bring them back.")
            + (f"\n{_revoked(ctx, len(revoked))}" if revoked else ""),
            [[(t._("Back to members"), buttons.TeamMembers(team_id).pack())]],
        )
        return
    elif action != "v":
        raise DomainError(Problem.STALE_BUTTON)
    role = role_label(t, membership.role)
    institution = membership.member.institution
    details = f"{name} — {role}"
    if institution is not None:
        details += f"\n{esc(institution.name)}"
    toggle = (
        (t._("Make member"), buttons.MemberButton("m", membership.id).pack())
        if membership.role == Role.COORDINATOR
        else (t._("Make coordinator"), buttons.MemberButton("c", membership.id).pack())
    )
    ctx.edit(
        details,
        [
            [toggle],
            [(t._("Remove from team"), buttons.MemberButton("r", membership.id).pack())],
            [(t._("Back to members"), buttons.TeamMembers(membership.team_id).pack())],
        ],
    )


def _done(ctx: Ctx, revoked: int) -> str:
    done = ctx.t._("Done.")
    return f"{done} {_revoked(ctx, revoked)}" if revoked else done


def _revoked(ctx: Ctx, revoked: int) -> str:
    return ctx.t.n_(
        "{n} invitation link they made or joined by was revoked.",
        "{n} invitation links they made or joined by were revoked.",
        revoked,
    )


def _tell_removed(ctx: Ctx, telegram_id: int, language: str | None, team_name: str) -> None:
    """One polite message to the person removed: from which team, and by whom."""
    t = translator(language)
    by = ctx.member.name if ctx.member else ctx.user.full_name
    ctx.reply(
        t._("You are no longer in {team}. Removed by: {name}.").format(
            team=f"<b>{esc(team_name)}</b>", name=esc(by)
        )
        + "\n"
        + t._("If this is a mistake, ask the team's coordinator for a new invitation link."),
        chat_id=telegram_id,
    )
