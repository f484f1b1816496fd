"""/nowy_zespol (/new_team): a new team of a municipality, made in the chat.

Coordinators of a municipality's PZK make its task teams (ZZK) and coordinate them; admins
make a PZK or ZZK of any municipality and get a coordinators' invitation link for it.
Callback data `nz:p:<page>` (admins: municipalities), `nz:m:<municipality>` (admins: the
kind), `nz:k:<municipality>:<PZK|ZZK>` (ask the name), `nz:d` (take the suggested name).
"""

from __future__ import annotations

from bot.permissions import Action, PermissionDenied, may_create_team
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from storage import conversations, invitations, teams
from storage.errors import DomainError, Problem
from storage.models import Municipality, Role, TeamKind

NAME = "team.name"  # waiting for the new team's name
PAGE = 8


async def _pzk_ids(ctx: Ctx, municipality_id: int) -> list[int]:
    found = await teams.teams_of(ctx.session, municipality_id)
    return [team.id for team in found if team.kind == TeamKind.PZK]


async def _coordinated_places(ctx: Ctx) -> list[Municipality]:
    """Municipalities where this person may make a task team (as a coordinator of its PZK)."""
    memberships = ctx.member.memberships if ctx.member else []
    places = {m.team.municipality_id for m in memberships if m.team.kind == TeamKind.PZK}
    found = []
    for place_id in sorted(places):
        if may_create_team(ctx.actor, TeamKind.ZZK, await _pzk_ids(ctx, place_id)):
            found.append(await teams.get_municipality(ctx.session, place_id))
    return found


async def new_team(ctx: Ctx) -> None:
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please create teams in a private chat with me."))
        return
    if may_create_team(ctx.actor, TeamKind.PZK):
        # Whoever may make a PZK without being in one may make any team anywhere: admins.
        await _choose_place(ctx, 0)
        return
    places = await _coordinated_places(ctx)
    if not places:
        ctx.reply(
            t._(
                "New task teams (ZZK) are created by the coordinators of the municipality's "
                "PZK and by admins."
            )
        )
        return
    if len(places) == 1:
        await _ask_name(ctx, places[0], TeamKind.ZZK)
        return
    rows = [
        [(p.name[:60], buttons.TeamKindChoice(p.id, TeamKind.ZZK.value).pack())] for p in places
    ]
    ctx.reply(t._("In which municipality?"), rows)


async def _choose_place(ctx: Ctx, page: int) -> None:
    """Admins: any municipality, a page at a time."""
    places = await teams.list_municipalities(ctx.session)
    t = ctx.t
    if not places:
        ctx.reply(t._("There are no municipalities yet: add the first team on the command line."))
        return
    page = max(0, min(page, (len(places) - 1) // PAGE))
    shown = places[page * PAGE : (page + 1) * PAGE]
    rows = [[(p.name[:60], buttons.NewTeamButton("m", p.id).pack())] for p in shown]
    nav = []
    if page > 0:
        nav.append(("◀", buttons.NewTeamButton("p", page - 1).pack()))
    if (page + 1) * PAGE < len(places):
        nav.append(("▶", buttons.NewTeamButton("p", page + 1).pack()))
    if nav:
        rows.append(nav)
    text = t._("A new team: in which municipality?")
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)


async def _ask_name(ctx: Ctx, place: Municipality, kind: TeamKind) -> None:
    await conversations.set_pending(
        ctx.session,
        ctx.chat.id,
        ctx.user.id,
        NAME,
        {"municipality_id": place.id, "kind": kind.value},
    )
    suggested = await teams.free_team_name(ctx.session, place.id, kind)
    text = ctx.t._("A new {kind} of {place}. Type its name, or take this one:").format(
        kind=kind.value, place=f"<b>{esc(place.name)}</b>"
    )
    rows = [[(suggested[:60], buttons.NewTeamButton("d").pack())]]
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)


async def _require_create(ctx: Ctx, municipality_id: int, kind: TeamKind) -> None:
    # Checked at each step: the buttons can be forged, and roles change in between.
    if not may_create_team(ctx.actor, kind, await _pzk_ids(ctx, municipality_id)):
        raise PermissionDenied(Action.CREATE_TEAM)


async def on_button(ctx: Ctx) -> None:
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(raw, buttons.TeamKindChoice, buttons.NewTeamButton)
    if isinstance(button, buttons.TeamKindChoice):
        try:
            kind = TeamKind(button.kind)
        except ValueError:
            raise DomainError(Problem.STALE_BUTTON) from None
        place = await teams.get_municipality(ctx.session, button.municipality_id)
        await _require_create(ctx, place.id, kind)
        await _ask_name(ctx, place, kind)
        return
    action = button.action
    if action == "d":
        pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
        if pending is None or pending.name != NAME:
            raise DomainError(Problem.STALE_BUTTON)
        place_id, kind = int(pending.data["municipality_id"]), TeamKind(pending.data["kind"])
        await _create(ctx, place_id, kind, await teams.free_team_name(ctx.session, place_id, kind))
        return
    if not may_create_team(ctx.actor, TeamKind.PZK):
        raise PermissionDenied(Action.CREATE_TEAM)
    if action == "p":
        await _choose_place(ctx, buttons.given(button.number))
    elif action == "m":
        place = await teams.get_municipality(ctx.session, buttons.given(button.number))
        rows = [
            [(kind.value, buttons.TeamKindChoice(place.id, kind.value).pack())]
            for kind in (TeamKind.PZK, TeamKind.ZZK)
        ]
        ctx.edit(
            ctx.t._("A new team of {place}: which kind?").format(place=f"<b>{esc(place.name)}</b>"),
            rows,
        )
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def on_name(ctx: Ctx, text: str) -> None:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != NAME:
        raise DomainError(Problem.STALE_BUTTON)
    await _create(ctx, int(pending.data["municipality_id"]), TeamKind(pending.data["kind"]), text)


async def _create(ctx: Ctx, municipality_id: int, kind: TeamKind, name: str) -> None:
    await _require_create(ctx, municipality_id, kind)
    t = ctx.t
    try:
        # The one who makes it coordinates it; an admin outside every team invites one.
        team = await teams.create_team(
            ctx.session,
            municipality_id,
            kind,
            name,
            coordinator=ctx.member,
            actor_telegram_id=ctx.user.id,
        )
    except DomainError as refusal:
        if refusal.problem != Problem.ALREADY_EXISTS:
            raise
        ctx.reply(
            t._(
                "A team called {team} already exists in this municipality. Type another name."
            ).format(team=f"<b>{esc(str(refusal.details.get('name', name)))}</b>")
        )
        return
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    text = t._("Team {team} created ({place}).").format(
        team=f"<b>{esc(team.name)}</b>", place=esc(team.municipality.name)
    )
    if ctx.member is not None:
        text += "\n" + t._("You are its coordinator. Invite its members with /zaproszenie.")
    else:
        invitation = await invitations.create_invitation(
            ctx.session, team, role=Role.COORDINATOR, actor_telegram_id=ctx.user.id, now=ctx.now()
        )
        link = f"https://t.me/{ctx.bot_username}?start={invitation.token}"
        text += "\n" + t._("Send this link to its first coordinator: {link}").format(link=link)
    ctx.edit(text) if ctx.query else ctx.reply(text)
