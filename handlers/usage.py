"""/pomoc: the commands this person can use."""

from __future__ import annotations

from bot.permissions import Action, may_create_team
from handlers.base import Ctx
from storage.models import TeamKind


async def show_help(ctx: Ctx) -> None:
    t = ctx.t
    lines = [
        t._("<b>What I can do</b>"),
        "/nowe (/new) — " + t._("call a meeting"),
        "/spotkania (/meetings) — " + t._("your upcoming meetings and answers"),
        "/kalendarz (/calendar) — " + t._("all your meetings as a calendar file"),
        "/zadanie (/task) — " + t._("a task from a meeting: /zadanie @osoba do piątku: tekst"),
        "/decyzja (/decision) — " + t._("a decision, into the minutes of the latest meeting"),
        "/zadania (/tasks) — " + t._("your open tasks and your teams'"),
        "/protokol (/minutes) — " + t._("the minutes of a meeting as a Word document"),
        "/przypomnienia (/reminders) — " + t._("when reminders come; mute them"),
        "/koszyk (/services) — " + t._("local service basket: search or browse"),
        "/zespol (/team) — " + t._("your teams and their members"),
        "/jezyk (/language) — " + t._("Polish or English"),
        "/moje_dane (/mydata) — " + t._("everything the bot holds about you, as a file"),
        "/usun_dane (/deletedata) — " + t._("erase your data"),
        "/pomoc (/help) — " + t._("this help"),
    ]
    if ctx.actor.is_admin or ctx.actor.teams_where(Action.INVITE):
        lines += [
            "",
            t._("<b>For coordinators</b>"),
            "/zaproszenie (/invite) — " + t._("an invitation link to your team"),
            "/obecnosc (/attendance) — " + t._("who came: the register of a meeting, XLSX/CSV"),
            "/termin (/poll) — " + t._("a date poll: find the date that suits most"),
            "/polacz (/link) — " + t._("sent in a group chat: links it to your team"),
            "/koszyk_szablon — " + t._("the basket file template; send the filled file back"),
            "/ogloszenie (/announce) — " + t._("an announcement to your team or municipality"),
            "/ogloszenia (/announcements) — " + t._("announcements sent: delivered, read"),
            "/raport (/report) — " + t._("figures: meetings, participants, tasks; a spreadsheet"),
        ]
    memberships = ctx.member.memberships if ctx.member else []
    pzk_ids = [m.team_id for m in memberships if m.team.kind == TeamKind.PZK]
    if may_create_team(ctx.actor, TeamKind.ZZK, pzk_ids):
        lines.append("/nowy_zespol (/new_team) — " + t._("a new task team (ZZK) of a municipality"))
    if not ctx.member:
        lines += ["", t._("To join a team, open the invitation link from its coordinator.")]
    ctx.reply("\n".join(lines))
