"""/start: what the bot is, and joining a team with an invitation link."""

from __future__ import annotations

from bot.render import esc
from bot.views import buttons
from bot.views.labels import role_label, sector_label
from handlers import accession
from handlers.base import Ctx
from storage import conversations, invitations, members, teams
from storage.errors import DomainError, Problem
from storage.models import Role, Sector
from storage.text import clean_name

JOIN = "join"  # waiting for an institution button
JOIN_INSTITUTION_NAME = "join.institution_name"  # waiting for a typed institution name
JOIN_SECTOR = "join.sector"  # waiting for a sector button
# Institutions a page: with the ‹ › row and "not on the list", 6 rows at most.
INSTITUTIONS_PAGE = 4


async def start(ctx: Ctx) -> None:
    if ctx.args:
        await _begin_join(ctx, ctx.args[0])
        return
    t = ctx.t
    # Only in private: a group (perhaps a stranger's) must not learn who is in which team.
    if ctx.member and ctx.member.memberships and ctx.is_private:
        names = ", ".join(f"<b>{esc(m.team.name)}</b>" for m in ctx.member.memberships)
        ctx.reply(
            t._("Hello again, {name}! Your teams: {teams}.").format(
                name=esc(ctx.member.name), teams=names
            )
            + "\n\n"
            + t._("See your team with /zespol, all commands with /pomoc.")
            + "\n\n"
            + short_privacy_notice(ctx),
            privacy_rows(ctx),
        )
        return
    ctx.reply(
        t._(
            "Hello! I am the assistant of the <b>Kooperacje 3D</b> cooperation teams "
            "(PZK and ZZK) of your municipality: meetings, attendance, announcements and the "
            "local service basket."
        )
        + "\n\n"
        + t._(
            "To join your team, ask its coordinator for an invitation link and open it. "
            "Coordinators create links with /zaproszenie."
        )
        + "\n\n"
        + t._("Please do not send me any data of clients (names, PESEL, addresses, cases).")
        + "\n\n"
        + short_privacy_notice(ctx),
        privacy_rows(ctx),
    )


def short_privacy_notice(ctx: Ctx) -> str:
    """Two or three lines on a phone; the full notice is one button away (`hp:p`)."""
    return "<i>{}</i>".format(
        ctx.t._(
            "Privacy: only what the teams' work needs. Your data: /moje_dane, erase it: /usun_dane."
        )
    )


def privacy_rows(ctx: Ctx) -> list[list[tuple[str, str]]]:
    return [[(ctx.t._("Privacy: the full text"), buttons.HelpButton("p").pack())]]


def privacy_notice(ctx: Ctx) -> str:
    """What is stored, why, for how long, and who the controller is (RODO, art. 13)."""
    settings = ctx.settings
    stored = ctx.t._(
        "Privacy: when you join a team I store your name, Telegram username and id, "
        "institution, teams and answers, only to coordinate the teams' work. Data of "
        "members inactive for {members} months and meetings older than {meetings} months "
        "are deleted. Controller: {controller}. Your data: /moje_dane; erase it: /usun_dane."
    ).format(
        members=settings.retention_inactive_months,
        meetings=settings.retention_meeting_months,
        controller=esc(
            settings.privacy_controller
            or ctx.t._("the institution that runs this bot for the region")
        ),
    )
    feeds = ctx.t._(
        "A calendar link (/kalendarz) shows your meetings to whoever has it: a new link "
        "stops the old one, and erasing your data stops it too."
    )
    return f"<i>{stored} {feeds}</i>"


async def _begin_join(ctx: Ctx, token: str) -> None:
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please open the invitation link in a private chat with me."))
        return
    invitation = await invitations.usable_invitation(ctx.session, token, member=ctx.member)
    if (
        ctx.member
        and ctx.member.institution
        and (ctx.member.institution.municipality_id == invitation.team.municipality_id)
    ):
        await _finish_join(ctx, token)
        return
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, JOIN, {"token": token})
    ctx.reply(
        *await _institution_question(ctx, invitation.team.municipality_id, invitation.team.name)
    )


async def _institution_question(
    ctx: Ctx, municipality_id: int, team_name: str, page: int = 0
) -> tuple[str, list[list[tuple[str, str]]]]:
    t = ctx.t
    options = await teams.institutions_of(ctx.session, municipality_id)
    size = INSTITUTIONS_PAGE
    page = min(max(page, 0), max(0, (len(options) - 1) // size))
    shown = options[page * size : (page + 1) * size]
    rows = [[(i.name, buttons.JoinButton("i", i.id).pack())] for i in shown]
    nav = buttons.page_row(len(options), size, page, lambda p: buttons.JoinButton("pg", p).pack())
    rows += [nav] if nav else []
    rows.append([(t._("My institution is not on the list"), buttons.JoinButton("new").pack())])
    text = t._("You are joining {team}. Which institution do you work for?").format(
        team=f"<b>{esc(team_name)}</b>"
    )
    return text, rows


async def _pending_token(ctx: Ctx, expected: str) -> str:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != expected:
        raise DomainError(Problem.STALE_BUTTON)
    return str(pending.data["token"])


async def on_join_button(ctx: Ctx) -> None:
    """Buttons `j:i:<institution>`, `j:pg:<page>`, `j:new` and `j:s:<sector>` of the join
    dialogue."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(raw, buttons.SectorChoice, buttons.JoinButton)
    if isinstance(button, buttons.SectorChoice):
        pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
        if pending is None or pending.name != JOIN_SECTOR:
            raise DomainError(Problem.STALE_BUTTON)
        try:
            sector = Sector(button.sector)
        except ValueError:
            raise DomainError(Problem.STALE_BUTTON) from None
        token = str(pending.data["token"])
        invitation = await invitations.usable_invitation(ctx.session, token)
        institution = await teams.get_or_create_institution(
            ctx.session, invitation.team.municipality_id, str(pending.data["name"]), sector
        )
        await _finish_join(ctx, token, institution_id=institution.id)
        return
    action = button.action
    if action == "pg":
        invitation = await invitations.usable_invitation(
            ctx.session, await _pending_token(ctx, JOIN)
        )
        team = invitation.team
        page = buttons.given(button.number)
        ctx.edit(*await _institution_question(ctx, team.municipality_id, team.name, page))
    elif action == "i":
        token = await _pending_token(ctx, JOIN)
        invitation = await invitations.usable_invitation(ctx.session, token)
        institution_id = buttons.given(button.number)
        options = await teams.institutions_of(ctx.session, invitation.team.municipality_id)
        chosen = next((i for i in options if i.id == institution_id), None)
        if chosen is None:  # forged: an institution of another municipality
            raise DomainError(Problem.STALE_BUTTON)
        await _finish_join(ctx, token, institution_id=chosen.id)
    elif action == "new":
        token = await _pending_token(ctx, JOIN)
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, JOIN_INSTITUTION_NAME, {"token": token}
        )
        ctx.edit(
            ctx.t._(
                "Please type the full name of your institution, "
                "e.g. <i>Powiatowy Urząd Pracy w Łodzi</i>."
            )
        )
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def on_institution_name(ctx: Ctx, text: str) -> None:
    """The typed name of a new institution: reuse a known one, or ask for its sector."""
    token = await _pending_token(ctx, JOIN_INSTITUTION_NAME)
    invitation = await invitations.usable_invitation(ctx.session, token)
    name = clean_name(text)
    known = {
        i.name.casefold(): i
        for i in await teams.institutions_of(ctx.session, invitation.team.municipality_id)
    }
    if name.casefold() in known:
        await _finish_join(ctx, token, institution_id=known[name.casefold()].id)
        return
    await conversations.set_pending(
        ctx.session, ctx.chat.id, ctx.user.id, JOIN_SECTOR, {"token": token, "name": name}
    )
    # Two a row: every sector fits a phone screen.
    rows = buttons.grid(
        [(sector_label(ctx.t, s), buttons.SectorChoice(s.value).pack()) for s in Sector], 2
    )
    ctx.reply(ctx.t._("Which sector is {name} in?").format(name=f"<b>{esc(name)}</b>"), rows)


async def _finish_join(ctx: Ctx, token: str, institution_id: int | None = None) -> None:
    first_join = ctx.member is None
    member = await members.ensure_member(
        ctx.session, ctx.user.id, ctx.user.full_name, ctx.user.username, ctx.t.language
    )
    if institution_id is not None:
        member.institution_id = institution_id
    outcome = await invitations.join_team(ctx.session, member, token)
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    t = ctx.t
    team = f"<b>{esc(outcome.team.name)}</b>"
    if outcome.already_member:
        text = t._("You are already in {team}.").format(team=team)
    else:
        text = t._("Welcome to {team}! You joined as {role}.").format(
            team=team, role=role_label(t, outcome.role)
        )
    text += "\n" + t._("See the team with /zespol.")
    if first_join:
        text += "\n" + t._("I will write to you in English; /jezyk changes the language.")
    if outcome.role == Role.COORDINATOR:
        text += "\n" + t._(
            "As a coordinator you can invite people with /zaproszenie "
            "and link the team's group chat with /polacz."
        )
    if ctx.query:
        ctx.edit(text)
    else:
        ctx.reply(text)
    # The team's framework rules, when their institution has not accepted them yet.
    await accession.ask_after_join(ctx, outcome.team, member)
