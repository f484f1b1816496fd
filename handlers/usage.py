"""/pomoc: the commands this person can use, one phone screen at a time.

The first screen names the everyday commands; topic buttons edit the message into the rest
(`hp:t:<topic>`, `hp:b` back). The same prefix carries the full privacy notice of /start
(`hp:p`) and the "start over" button of an unanswered question (`hp:x`).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import Translator
from bot.permissions import Action, may_create_team
from bot.views import buttons
from handlers.base import Ctx
from handlers.start import privacy_notice
from storage import conversations
from storage.errors import DomainError, Problem
from storage.models import TeamKind

Rows = list[list[tuple[str, str]]]
MAX_LINES = 12  # one phone screen


def _is_coordinator(ctx: Ctx) -> bool:
    return bool(ctx.actor.is_region_admin or ctx.actor.teams_where(Action.INVITE))


def _may_create_team(ctx: Ctx) -> bool:
    memberships = ctx.member.memberships if ctx.member else []
    pzk_ids = [m.team_id for m in memberships if m.team.kind == TeamKind.PZK]
    return may_create_team(ctx.actor, TeamKind.ZZK, pzk_ids)


def _main(ctx: Ctx) -> list[str]:
    t = ctx.t
    lines = [
        t._("<b>What I can do</b>"),
        "/nowe (/new) — " + t._("call a meeting"),
        "/spotkania (/meetings) — " + t._("your upcoming meetings and answers"),
        "/zadania (/tasks) — " + t._("your open tasks and your teams'"),
        "/koszyk (/services) — " + t._("local service basket: search or browse"),
        "/zespol (/team) — " + t._("your teams and their members"),
        "/jezyk (/language) — " + t._("Polish or English"),
    ]
    if not ctx.member:
        lines += ["", t._("To join a team, open the invitation link from its coordinator.")]
    return lines + ["", t._("More in the topics below.")]


def _meetings(ctx: Ctx) -> list[str]:
    t = ctx.t
    lines = [
        "<b>" + t._("Meetings") + "</b>",
        "/nowe (/new) — " + t._("call a meeting, a training, a workshop, coaching or a conference"),
        "/spotkania (/meetings) — " + t._("your upcoming meetings and answers"),
        "/kalendarz (/calendar) — " + t._("all your meetings as a calendar file"),
        "/przypomnienia (/reminders) — " + t._("when reminders come; mute them"),
    ]
    if _is_coordinator(ctx):
        lines.append("/termin (/poll) — " + t._("a date poll: find the date that suits most"))
    return lines


def _minutes(ctx: Ctx) -> list[str]:
    t = ctx.t
    lines = [
        "<b>" + t._("Attendance and minutes") + "</b>",
        "/decyzja (/decision) — " + t._("a decision, into the minutes of the latest meeting"),
        "/zadanie (/task) — " + t._("a task from a meeting: /zadanie @osoba do piątku: tekst"),
        "/zadania (/tasks) — " + t._("your open tasks and your teams'"),
        "/protokol (/minutes) — " + t._("the minutes of a meeting as a Word document"),
    ]
    if _is_coordinator(ctx):
        lines += [
            "/obecnosc (/attendance) — " + t._("who came: the register of a meeting, XLSX/CSV"),
            "/raport (/report) — " + t._("figures: meetings, participants, tasks; a spreadsheet"),
        ]
    if ctx.actor.is_region_admin:
        lines += [
            "/raport 2026 — " + t._("the annual letter of a year: text, Word and XLSX"),
            "/region — " + t._("regions: their municipalities and admins"),
        ]
    return lines


def _basket(ctx: Ctx) -> list[str]:
    t = ctx.t
    lines = [
        "<b>" + t._("Service basket") + "</b>",
        "/koszyk (/services) — " + t._("local service basket: search or browse"),
        f"@{ctx.bot_username} przemoc — " + t._("share a service of the basket in any chat"),
    ]
    if _is_coordinator(ctx):
        lines.append(
            "/koszyk_szablon — " + t._("the basket file template; send the filled file back")
        )
    return lines


def _announcements(ctx: Ctx) -> list[str]:
    t = ctx.t
    return [
        "<b>" + t._("Announcements") + "</b>",
        "/ogloszenie (/announce) — " + t._("an announcement to your team or municipality"),
        "/ogloszenia (/announcements) — " + t._("announcements sent: delivered, read"),
    ]


def _team(ctx: Ctx) -> list[str]:
    t = ctx.t
    lines = [
        "<b>" + t._("Team and invitations") + "</b>",
        "/zespol (/team) — " + t._("your teams and their members"),
        "/jezyk (/language) — " + t._("Polish or English"),
    ]
    if _is_coordinator(ctx):
        lines += [
            "/zaproszenie (/invite) — " + t._("an invitation link to your team"),
            "/polacz (/link) — " + t._("sent in a group chat: links it to your team"),
            "/zespol (/team) — " + t._("also: the framework rules and who accepted them"),
        ]
    if _may_create_team(ctx):
        lines.append("/nowy_zespol (/new_team) — " + t._("a new task team (ZZK) of a municipality"))
    if not ctx.member:
        lines.append(t._("To join a team, open the invitation link from its coordinator."))
    return lines


def _privacy(ctx: Ctx) -> list[str]:
    t = ctx.t
    return [
        "<b>" + t._("Privacy") + "</b>",
        "/moje_dane (/mydata) — " + t._("everything the bot holds about you, as a file"),
        "/usun_dane (/deletedata) — " + t._("erase your data"),
        "/kalendarz (/calendar) — "
        + t._(
            "your calendar subscription link: whoever has it sees your teams' meetings; the bot "
            "keeps only its fingerprint, a new link stops the old one, and erasing your data "
            "stops it at once"
        ),
        "",
        privacy_notice(ctx),
    ]


# topic code -> (button label, the topic's lines, shown only to coordinators)
Topic = tuple[Callable[[Translator], str], Callable[[Ctx], list[str]], bool]
TOPICS: dict[str, Topic] = {
    "m": (lambda t: t._("Meetings"), _meetings, False),
    "a": (lambda t: t._("Attendance and minutes"), _minutes, False),
    "k": (lambda t: t._("Service basket"), _basket, False),
    "o": (lambda t: t._("Announcements"), _announcements, True),
    "z": (lambda t: t._("Team and invitations"), _team, False),
    "p": (lambda t: t._("Privacy"), _privacy, False),
}


def _topic_rows(ctx: Ctx) -> Rows:
    shown = [
        (label(ctx.t), buttons.HelpButton("t", code).pack())
        for code, (label, _, coordinators) in TOPICS.items()
        if not coordinators or _is_coordinator(ctx)
    ]
    return [shown[i : i + 2] for i in range(0, len(shown), 2)]


def back_rows(ctx: Ctx) -> Rows:
    return [[(ctx.t._("↩ Back"), buttons.HelpButton("b").pack())]]


def start_over_rows(ctx: Ctx) -> Rows:
    """The button under "answer with a button above": forgets the question asked."""
    return [[(ctx.t._("Start over"), buttons.HelpButton("x").pack())]]


async def show_help(ctx: Ctx) -> None:
    ctx.reply("\n".join(_main(ctx)), _topic_rows(ctx))


async def on_button(ctx: Ctx) -> None:
    """`hp:t:<topic>` a topic, `hp:b` back to the first screen, `hp:p` the full privacy
    notice, `hp:x` start over (forget the question asked)."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.HelpButton.unpack(raw)
    action = button.action
    if action == "t":
        topic = TOPICS.get(buttons.given(button.topic))
        if topic is None or (topic[2] and not _is_coordinator(ctx)):
            raise DomainError(Problem.STALE_BUTTON)
        ctx.edit("\n".join(topic[1](ctx)), back_rows(ctx))
    elif action == "b":
        ctx.edit("\n".join(_main(ctx)), _topic_rows(ctx))
    elif action == "p":
        ctx.reply(privacy_notice(ctx))
    elif action == "x":
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        ctx.edit(ctx.t._("Cancelled. Start again with any command, e.g. /pomoc."))
    else:
        raise DomainError(Problem.STALE_BUTTON)
