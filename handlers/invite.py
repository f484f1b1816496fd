"""/zaproszenie: coordinators and admins create, list and revoke invitation links."""

from __future__ import annotations

from babel.dates import format_date

from bot.permissions import Action, require
from bot.render import esc
from bot.views import buttons
from bot.views.keyboard import Keyboard
from handlers.base import Ctx
from storage import invitations, teams
from storage.invitations import ActiveLink
from storage.models import Invitation, Role, Team

# One message: each link takes about 300 characters, Telegram allows 4,096.
MAX_LINKS_SHOWN = 10
MAX_NAMES_SHOWN = 8


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
    ctx.reply(t._("Which team is the invitation for?"), _team_rows(options, 0))


def _team_rows(options: list[Team], page: int) -> Keyboard:
    """Five teams a page, `iv:p:<page>` to turn (an admin chooses among all teams)."""
    choices = [(team.name, buttons.InviteButton("t", team.id).pack()) for team in options]
    return buttons.paged(choices, page, lambda p: buttons.InviteButton("p", p).pack())


def _role_question(ctx: Ctx, team: Team) -> tuple[str, Keyboard]:
    t = ctx.t
    return (
        t._("Invitation to {team}: who is it for?").format(team=f"<b>{esc(team.name)}</b>"),
        [
            [(t._("Members"), buttons.InviteButton("r", team.id, "m").pack())],
            [(t._("Coordinators"), buttons.InviteButton("r", team.id, "c").pack())],
            [(t._("Active links"), buttons.InviteButton("l", team.id).pack())],
        ],
    )


async def on_invite_button(ctx: Ctx) -> None:
    """`iv:t:<team>` picks the team, `iv:r:<team>:<m|c>` creates a link, `iv:l:<team>`
    lists the team's active links, `iv:x:<invitation>` revokes one, `iv:X:<team>` all,
    `iv:p:<page>` turns the page of the team choice."""
    button = buttons.InviteButton.unpack(ctx.query.data if ctx.query else None)
    action = button.action
    if action == "x":
        await _revoke(ctx, button.target_id)
        return
    if action == "p":
        options = await _invitable_teams(ctx)
        if not options:
            require(ctx.actor, Action.INVITE)
        ctx.edit(
            ctx.t._("Which team is the invitation for?"),
            _team_rows(options, button.target_id),
        )
        return
    team = await teams.get_team(ctx.session, button.target_id)
    require(ctx.actor, Action.INVITE, team.id)
    if action == "t":
        ctx.edit(*_role_question(ctx, team))
    elif action == "X":
        await _revoke_all(ctx, team)
    elif action == "l":
        ctx.edit(*await _links_view(ctx, team))
    else:
        await _create(
            ctx, team, Role.COORDINATOR if buttons.given(button.role) == "c" else Role.MEMBER
        )


def _link(ctx: Ctx, invitation: Invitation) -> str:
    return f"https://t.me/{ctx.bot_username}?start={invitation.token}"


def _date(ctx: Ctx, invitation: Invitation, moment_of: str) -> str:
    moment = getattr(invitation, moment_of)
    return format_date(
        moment.astimezone(ctx.settings.timezone), format="long", locale=ctx.t.language
    )


async def _create(ctx: Ctx, team: Team, role: Role) -> None:
    if role == Role.COORDINATOR:
        require(ctx.actor, Action.INVITE_COORDINATOR, team.id)
    invitation = await invitations.create_invitation(
        ctx.session, team, role=role, created_by=ctx.member, actor_telegram_id=ctx.user.id
    )
    t = ctx.t
    team_name = f"<b>{esc(team.name)}</b>"
    heading = (
        t._("Invitation link for coordinators of {team}:")
        if role == Role.COORDINATOR
        else t._("Invitation link for members of {team}:")
    ).format(team=team_name)
    ctx.edit(
        heading
        + f"\n{_link(ctx, invitation)}\n\n"
        + t.n_(
            "Valid until {date}, for up to {n} person.",
            "Valid until {date}, for up to {n} people.",
            invitation.max_uses,
        ).format(date=_date(ctx, invitation, "expires_at"))
        + "\n"
        + t._("Send it only to the people it is meant for.")
        + " "
        + t._("You can revoke it at any time under Active links."),
        [[(t._("Active links"), buttons.InviteButton("l", team.id).pack())]],
    )


def _describe(ctx: Ctx, number: int, link: ActiveLink) -> str:
    t = ctx.t
    invitation = link.invitation
    who = t._("coordinators") if invitation.role == Role.COORDINATOR else t._("members")
    made = t._("made by {name} on {date}").format(
        name=esc(link.created_by) if link.created_by else t._("an administrator"),
        date=_date(ctx, invitation, "created_at"),
    )
    lines = [
        f"<b>{number}.</b> " + t._("For {who}").format(who=who) + f" · {made}",
        t._("Valid until {date}; used {uses} of {max} times.").format(
            date=_date(ctx, invitation, "expires_at"),
            uses=invitation.uses,
            max=invitation.max_uses,
        ),
    ]
    if link.joined:
        names = ", ".join(esc(name) for name in link.joined[:MAX_NAMES_SHOWN])
        if len(link.joined) > MAX_NAMES_SHOWN:
            more = len(link.joined) - MAX_NAMES_SHOWN
            names += " " + t.n_("and {n} more", "and {n} more", more)
        lines.append(t._("Joined through it: {names}").format(names=names))
    lines.append(_link(ctx, invitation))
    return "\n".join(lines)


async def _links_view(ctx: Ctx, team: Team, notice: str | None = None) -> tuple[str, Keyboard]:
    t = ctx.t
    links = await invitations.active_links(ctx.session, team.id)
    shown = links[:MAX_LINKS_SHOWN]
    parts = [t._("Active invitation links of {team}").format(team=f"<b>{esc(team.name)}</b>")]
    if notice:
        parts.insert(0, notice)
    if not links:
        parts.append(t._("There are no active links. Nobody can join with an old link."))
    parts.extend(_describe(ctx, number, link) for number, link in enumerate(shown, start=1))
    if len(links) > len(shown):
        parts.append(
            t._("…and {n} older links; “Revoke all” revokes them too.").format(
                n=len(links) - len(shown)
            )
        )
    revokes = [
        (
            t._("Revoke link {number}").format(number=number),
            buttons.InviteButton("x", link.invitation.id).pack(),
        )
        for number, link in enumerate(shown, start=1)
    ]
    # Two to a row and the last row shared: at most six rows on a phone.
    rows = buttons.grid(revokes, 2)
    last = (
        [(t._("Revoke all"), buttons.InviteButton("X", team.id).pack())] if len(links) > 1 else []
    )
    rows.append(last + [(t._("New link"), buttons.InviteButton("t", team.id).pack())])
    return "\n\n".join(parts), rows


async def _revoke(ctx: Ctx, invitation_id: int) -> None:
    invitation = await invitations.get_invitation(ctx.session, invitation_id)
    require(
        ctx.actor,
        Action.INVITE_COORDINATOR if invitation.role == Role.COORDINATOR else Action.INVITE,
        invitation.team_id,
    )
    t = ctx.t
    revoked = await invitations.revoke(ctx.session, invitation, actor_telegram_id=ctx.user.id)
    ctx.notice(t._("Link revoked.") if revoked else t._("This link was already revoked."))
    notice = t._("The link made on {date} no longer works.").format(
        date=_date(ctx, invitation, "created_at")
    )
    ctx.edit(*await _links_view(ctx, invitation.team, notice))


async def _revoke_all(ctx: Ctx, team: Team) -> None:
    require(ctx.actor, Action.INVITE_COORDINATOR, team.id)
    links = await invitations.active_links(ctx.session, team.id)
    for link in links:
        await invitations.revoke(ctx.session, link.invitation, actor_telegram_id=ctx.user.id)
    t = ctx.t
    ctx.notice(t._("Links revoked: {n}.").format(n=len(links)))
    ctx.edit(*await _links_view(ctx, team, t._("Links revoked: {n}.").format(n=len(links))))
