"""/zaproszenie: coordinators and admins create invitation links."""

from __future__ import annotations

from babel.dates import format_date

from bot.permissions import Action, require
from bot.render import esc
from handlers import buttons
from handlers.base import Ctx
from storage import invitations, teams
from storage.models import Role, Team


async def _invitable_teams(ctx: Ctx) -> list[Team]:
    if ctx.actor.is_admin:
        return list(await teams.list_teams(ctx.session))
    ids = ctx.actor.teams_where(Action.INVITE)
    return [m.team for m in ctx.member.memberships if m.team_id in ids] if ctx.member else []


async def invite(ctx: Ctx) -> None:
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please ask me for invitation links in a private chat."))
        return
    options = await _invitable_teams(ctx)
    if not options:
        ctx.reply(
            t._(
                "Only team coordinators can create invitation links. "
                "Ask your coordinator to invite people."
            )
        )
        return
    if len(options) == 1:
        ctx.reply(*_role_question(ctx, options[0]))
        return
    rows = [[(team.name, buttons.data("iv", "t", team.id))] for team in options]
    ctx.reply(t._("Which team is the invitation for?"), rows)


def _role_question(ctx: Ctx, team: Team) -> tuple[str, list[list[tuple[str, str]]]]:
    t = ctx.t
    return (
        t._("Invitation to {team}: who is it for?").format(team=f"<b>{esc(team.name)}</b>"),
        [
            [(t._("Members"), buttons.data("iv", "r", team.id, "m"))],
            [(t._("Coordinators"), buttons.data("iv", "r", team.id, "c"))],
        ],
    )


async def on_invite_button(ctx: Ctx) -> None:
    """`iv:t:<team>` picks the team, `iv:r:<team>:<m|c>` creates the link."""
    raw = ctx.query.data if ctx.query else None
    team = await teams.get_team(ctx.session, buttons.int_part(raw, 2))
    if buttons.str_part(raw, 1) == "t":
        require(ctx.actor, Action.INVITE, team.id)
        ctx.edit(*_role_question(ctx, team))
        return
    role = Role.COORDINATOR if buttons.str_part(raw, 3) == "c" else Role.MEMBER
    require(
        ctx.actor, Action.INVITE_COORDINATOR if role == Role.COORDINATOR else Action.INVITE, team.id
    )
    invitation = await invitations.create_invitation(
        ctx.session, team, role=role, created_by=ctx.member, actor_telegram_id=ctx.user.id
    )
    t = ctx.t
    link = f"https://t.me/{ctx.bot_username}?start={invitation.token}"
    expires = format_date(
        invitation.expires_at.astimezone(ctx.settings.timezone), format="long", locale=t.language
    )
    team_name = f"<b>{esc(team.name)}</b>"
    heading = (
        t._("Invitation link for coordinators of {team}:")
        if role == Role.COORDINATOR
        else t._("Invitation link for members of {team}:")
    ).format(team=team_name)
    ctx.edit(
        heading
        + f"\n{link}\n\n"
        + t.n_(
            "Valid until {date}, for up to {n} person.",
            "Valid until {date}, for up to {n} people.",
            invitation.max_uses,
        ).format(date=expires)
        + "\n"
        + t._("Send it only to the people it is meant for.")
    )
