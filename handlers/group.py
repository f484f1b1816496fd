"""/polacz: a coordinator links the group chat where it is sent to one of their teams."""

from __future__ import annotations

from bot.permissions import Action, require
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from storage import teams
from storage.models import Team


async def _options(ctx: Ctx) -> list[Team]:
    if ctx.actor.is_admin:
        return list(await teams.list_teams(ctx.session))
    ids = ctx.actor.teams_where(Action.LINK_GROUP)
    return [m.team for m in ctx.member.memberships if m.team_id in ids] if ctx.member else []


def _team_rows(options: list[Team], page: int) -> list[list[tuple[str, str]]]:
    """Five teams a page, `ln:p:<page>` to turn."""
    return buttons.paged(
        [(team.name, buttons.LinkButton(team.id).pack()) for team in options],
        page,
        lambda p: buttons.LinkPage(p).pack(),
    )


async def link_group(ctx: Ctx) -> None:
    t = ctx.t
    if ctx.is_private:
        ctx.reply(t._("Add me to your team's group chat and send /polacz there."))
        return
    options = await _options(ctx)
    if not options:
        ctx.reply(t._("Only a team coordinator can link this group to a team."))
        return
    if len(options) == 1:
        await _link(ctx, options[0])
        return
    ctx.reply(t._("Which team should this group belong to?"), _team_rows(options, 0))


async def on_link_button(ctx: Ctx) -> None:
    """`ln:<team>`: checked again on press: anyone in the group can press it; `ln:p:<page>`
    turns the page of the presser's own choice."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(raw, buttons.LinkPage, buttons.LinkButton)
    if isinstance(button, buttons.LinkPage):
        options = await _options(ctx)
        if not options:
            require(ctx.actor, Action.LINK_GROUP)
        rows = _team_rows(options, button.page)
        ctx.edit(ctx.t._("Which team should this group belong to?"), rows)
        return
    team = await teams.get_team(ctx.session, button.team_id)
    await _link(ctx, team)


async def _link(ctx: Ctx, team: Team) -> None:
    require(ctx.actor, Action.LINK_GROUP, team.id)
    await teams.link_chat(ctx.session, team, ctx.chat.id, actor_telegram_id=ctx.user.id)
    text = ctx.t._(
        "This group is now the group chat of {team}. Meeting reminders and "
        "announcements of the team will appear here."
    ).format(team=f"<b>{esc(team.name)}</b>")
    if ctx.query:
        ctx.edit(text)
    else:
        ctx.reply(text)
