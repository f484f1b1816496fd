"""/decyzja, /zadanie, /zadania, /protokol: the minutes of meetings and the team's tasks.

Callback data `mn:<action>:...`. A task is drafted in the conversation state while its owner
(buttons) or due day (typed) is asked for, so a restart in between loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.dates import WhenStatus, find_when
from bot.dates.due import DueDateError, parse_due
from bot.documents import file_stem, minutes_docx, task_state_label
from bot.i18n import Translator, translator
from bot.permissions import Action, allowed, require
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from handlers.register import meeting_choice
from storage import attendance, conversations, meetings, minutes, teams
from storage.errors import DomainError, Problem
from storage.models import Meeting, Member, Task, TaskState

OWNER = "task.owner"  # waiting for an owner button
DUE = "task.due"  # waiting for a typed due day
SHOWN_TASKS = 30
OWNER_BUTTONS = 60
OWNER_ROWS = 5  # of two people each, then ‹ ›: six rows on a phone


def _teams(ctx: Ctx, action: Action) -> set[int]:
    """The team of this group chat, or in a private chat every team where the actor may."""
    here = ctx.teams_here()
    if here is None:
        return ctx.actor.teams_where(action)
    return {team_id for team_id in here if allowed(ctx.actor, action, team_id)}


def _writable(ctx: Ctx) -> set[int]:
    """Teams whose minutes the actor may write here; none is a refusal."""
    teams = _teams(ctx, Action.WRITE_MINUTES)
    if not teams:
        require(ctx.actor, Action.WRITE_MINUTES)
    return teams


def _when(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    return local.strftime("%d.%m %H:%M")


async def add_decision(ctx: Ctx) -> None:
    t = ctx.t
    text = " ".join(ctx.args)
    if not text:
        ctx.reply(
            t._(
                "Type the decision after the command, e.g. "
                "<i>/decyzja Dyżury w ferie: MOPS i policja</i>."
            )
        )
        return
    meeting = await minutes.latest_meeting(ctx.session, _writable(ctx), ctx.now())
    decision = await minutes.add_decision(ctx.session, meeting, text, ctx.member)
    ctx.reply(
        t._("Decision added to the minutes of {team} ({day}):").format(
            team=f"<b>{esc(meeting.team.name)}</b>", day=_when(meeting)
        )
        + f"\n„{esc(decision.text)}”",
        [[(t._("Undo"), buttons.MinutesButton("ud", decision.id).pack())]],
    )


async def add_task(ctx: Ctx) -> None:
    """`/zadanie [@osoba | Imię] [do <kiedy>]: tekst`; what is missing is asked for."""
    t = ctx.t
    line = " ".join(ctx.args)
    if not line:
        ctx.reply(
            t._(
                "Write the task after the command: <i>/zadanie @ania do piątku: wysłać "
                "zaproszenia</i>. Without a person I'll show the team to pick from; without "
                "a day I'll ask for it."
            )
        )
        return
    teams = _writable(ctx)
    parsed = minutes.parse_task_line(line)
    meeting: Meeting | None
    try:
        meeting = await minutes.latest_meeting(ctx.session, teams, ctx.now())
        team_id = meeting.team_id
    except DomainError:
        if len(teams) != 1:
            raise
        meeting, team_id = None, next(iter(teams))  # a task between meetings
    draft: dict[str, object] = {
        "team_id": team_id,
        "meeting_id": meeting.id if meeting else None,
        "text": parsed.text,
    }
    if parsed.owner is None and parsed.due is None:
        # No "kto do kiedy:" header: the person and the day are read wherever they stand.
        parsed = await _free_order(ctx, team_id, parsed.text)
        draft["text"] = parsed.text
    if parsed.owner:
        draft["owner_id"] = (await minutes.find_owner(ctx.session, team_id, parsed.owner)).id
    if parsed.due:
        draft["due"] = (await _due(ctx, parsed.due, team_id)).isoformat()
    await _continue(ctx, draft)


async def _free_order(ctx: Ctx, team_id: int, text: str) -> minutes.TaskLine:
    """`/zadanie wysłać zaproszenia @ania do piątku`, `/zadanie Marek piątek raport`: one
    @person anywhere (or a member's name first) and one day anywhere; two of either are
    ambiguous and asked for instead."""
    owner, text = await _owner_in(ctx, team_id, text)
    due, text = await _due_in(ctx, team_id, text)
    return minutes.TaskLine(owner, due, minutes.check_text(text))


async def _owner_in(ctx: Ctx, team_id: int, text: str) -> tuple[str | None, str]:
    mentions = re.findall(r"(?<!\S)@\w+", text)
    if len(mentions) == 1:
        return mentions[0], " ".join(text.replace(mentions[0], " ", 1).split())
    if mentions:
        return None, text
    words = text.split()
    for count in (2, 1):  # "Marek Wiśniewski raport", "Marek raport"
        if len(words) > count:
            name = " ".join(words[:count])
            try:
                await minutes.find_owner(ctx.session, team_id, name)
            except DomainError:
                continue
            return name, " ".join(words[count:])
    return None, text


async def _due_in(ctx: Ctx, team_id: int, text: str) -> tuple[str | None, str]:
    """A day without an hour found in the text (with its "do"), if there is only one."""
    team = await teams.get_team(ctx.session, team_id)
    now = ctx.now().astimezone(meetings.zone_of(team))
    found = find_when(text, now)  # Polish, as parse_due reads it
    if found.status != WhenStatus.NEEDS_TIME or not found.source:
        return None, text
    before, _, after = text.partition(found.source)
    span = found.source
    if before.rstrip().casefold().endswith("do") and before.rstrip()[-3:-2] in ("", " "):
        before, span = before.rstrip()[:-2], "do " + span
    rest = " ".join(f"{before} {after}".split()).strip(" ,.-–")
    other = find_when(rest, now)
    if other.status != WhenStatus.INVALID:
        return None, text  # two days: which one is meant is asked
    return span, rest


async def _due(ctx: Ctx, text: str, team_id: int) -> date:
    team = await teams.get_team(ctx.session, team_id)
    try:
        return parse_due(text, ctx.now().astimezone(meetings.zone_of(team)))
    except DueDateError as error:
        raise DomainError(
            Problem.DUE_DATE_PAST if error.past else Problem.DUE_DATE_INVALID
        ) from None


async def _continue(ctx: Ctx, draft: dict[str, object]) -> None:
    """Ask for what the draft lacks, or create the task."""
    t = ctx.t
    if "owner_id" not in draft:
        people = await meetings.team_members(ctx.session, int(str(draft["team_id"])))
        if len(people) > OWNER_BUTTONS:
            # Telegram refuses keyboards much larger than this; a big team names the person.
            ctx.reply(
                t._(
                    "Your team is large: please name the person in the command, e.g. "
                    "<i>/zadanie @ania do piątku: wysłać zaproszenia</i>."
                )
            )
            return
        await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, OWNER, draft)
        ctx.reply(*_owner_question(ctx, draft, people, 0))
        return
    if "due" not in draft:
        await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, DUE, draft)
        ctx.reply(
            t._("By when? Type the day, e.g. <i>piątek</i>, <i>15 grudnia</i>, <i>za tydzień</i>.")
        )
        return
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    owner = await ctx.session.get(Member, int(str(draft["owner_id"])))
    if owner is None:
        raise DomainError(Problem.OWNER_UNKNOWN, name="")
    meeting_id = draft.get("meeting_id")
    task = await minutes.add_task(
        ctx.session,
        int(str(draft["team_id"])),
        int(str(meeting_id)) if meeting_id is not None else None,
        str(draft["text"]),
        owner,
        date.fromisoformat(str(draft["due"])),
        ctx.member,
        ctx.now(),
    )
    ctx.reply(
        t._("Task for {owner}, due {day}:").format(
            owner=f"<b>{esc(owner.name)}</b>", day=task.due_on.strftime("%d.%m.%Y")
        )
        + f"\n„{esc(task.text)}”"
    )
    if ctx.member is None or owner.id != ctx.member.id:
        owner_t = translator(owner.language)
        ctx.reply(
            owner_t._("{author} gave you a task, due {day}:").format(
                author=esc(ctx.member.name if ctx.member else ""),
                day=task.due_on.strftime("%d.%m.%Y"),
            )
            + f"\n„{esc(task.text)}”",
            [[(owner_t._("Done"), buttons.MinutesButton("d", task.id).pack())]],
            chat_id=owner.telegram_id,
        )


def _owner_question(
    ctx: Ctx, draft: dict[str, object], people: Sequence[Member], page: int
) -> tuple[str, list[list[tuple[str, str]]]]:
    """Who will do the task: ten people a page, two to a row, `mn:op:<page>` to turn."""
    choices = [(person.name, buttons.MinutesButton("o", person.id).pack()) for person in people]
    rows = buttons.paged(
        choices,
        page,
        lambda p: buttons.MinutesButton("op", p).pack(),
        per_row=2,
        rows=OWNER_ROWS,
    )
    return ctx.t._("Who will do it?") + f"\n„{esc(str(draft['text']))}”", rows


async def on_due_text(ctx: Ctx, text: str) -> None:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != DUE:
        raise DomainError(Problem.STALE_BUTTON)
    due = await _due(ctx, text, int(pending.data["team_id"]))
    await _continue(ctx, {**pending.data, "due": due.isoformat()})


def _task_line(t: Translator, task: Task, today: date, with_owner: bool) -> str:
    late = "⚠️ " if task.due_on < today else ""
    line = f"{late}{task.due_on.strftime('%d.%m')} — {esc(task.text)}"
    if with_owner:
        line += " · " + esc(task.owner.name if task.owner else t._("(nobody)"))
    return line


async def show_tasks(ctx: Ctx) -> None:
    """/zadania: my open tasks (with a Done button each), then the rest of my teams'; in the
    team's own group, that team's tasks (whose they are is no one's private view there)."""
    if ctx.member is None or not ctx.member.memberships:
        ctx.reply(
            ctx.t._(
                "You are not in any team yet. Ask your team's coordinator for an invitation link."
            )
        )
        return
    if not _teams(ctx, Action.VIEW_TEAM):
        ctx.reply(
            ctx.t._("Your tasks in a private chat with me, please: this group is not your team's.")
        )
        return
    ctx.reply(*await _tasks_view(ctx))


async def _tasks_view(ctx: Ctx) -> tuple[str, list[list[tuple[str, str]]]]:
    t = ctx.t
    today = ctx.now().date()
    found = await minutes.open_tasks(ctx.session, _teams(ctx, Action.VIEW_TEAM))
    if not found:
        return t._("No open tasks. Add one with <i>/zadanie @osoba do piątku: tekst</i>."), []
    # In a group the Done buttons would be refused (GROUP_CALLBACKS): one list, by team.
    mine = [
        task for task in found if ctx.is_private and ctx.member and task.owner_id == ctx.member.id
    ]
    heading = t._("Your open tasks")
    lines = [f"<b>{heading}</b>"] if mine else []
    lines += [_task_line(t, task, today, False) for task in mine[:SHOWN_TASKS]]
    by_team: dict[str, list[Task]] = {}
    for task in found:
        if task not in mine:
            by_team.setdefault(task.team.name, []).append(task)
    for name, tasks in sorted(by_team.items()):
        lines.append(f"\n<b>{esc(name)}</b>")
        lines += [_task_line(t, task, today, True) for task in tasks[:SHOWN_TASKS]]
    rows = [
        [("✅ " + _clip(task.text), buttons.MinutesButton("d", task.id, "l").pack())]
        for task in mine[:SHOWN_TASKS]
    ]
    return "\n".join(lines), rows


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def send_minutes(ctx: Ctx) -> None:
    """/protokol: the minutes of a recent meeting as a Word document."""
    t = ctx.t
    teams = _teams(ctx, Action.VIEW_TEAM)
    if not teams:
        require(ctx.actor, Action.VIEW_TEAM)
    recent = await attendance.recent_meetings(ctx.session, teams, ctx.now(), buttons.MAX_ROWS)
    if not recent:
        ctx.reply(
            t._("No meeting of your teams has started in the last {days} days.").format(
                days=attendance.RECENT.days
            )
        )
        return
    if len(recent) == 1:
        await _send_minutes(ctx, recent[0])
        return
    ctx.reply(
        t._("Minutes of which meeting?"),
        meeting_choice(recent, lambda meeting_id: buttons.MinutesButton("p", meeting_id).pack()),
    )


async def _send_minutes(ctx: Ctx, meeting: Meeting) -> None:
    require(ctx.actor, Action.VIEW_TEAM, meeting.team_id)
    ctx.protect = meeting.team.protect_content
    attendance.ensure_started(meeting, ctx.now())
    register = await attendance.load_register(ctx.session, meeting)
    found = await minutes.minutes_of(ctx.session, meeting.id)
    carried = [
        task
        for task in await minutes.open_tasks(ctx.session, {meeting.team_id})
        if task.meeting_id != meeting.id
    ]
    content = minutes_docx(ctx.t, register, found, carried, ctx.now().date())
    name = ctx.t._("minutes") + "-" + file_stem(meeting) + ".docx"
    ctx.send_file(name, content, esc(meeting.team.name))


async def on_button(ctx: Ctx) -> None:
    """`mn:o:<member>` (owner of the draft), `mn:d|x:<task>` (done, dropped),
    `mn:ud:<decision>` (undo), `mn:p:<meeting>` (minutes), `mn:op:<page>` (owners' page)."""
    button = buttons.MinutesButton.unpack(ctx.query.data if ctx.query else None)
    action = button.action
    t = ctx.t
    if action == "o":
        pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
        if pending is None or pending.name != OWNER:
            raise DomainError(Problem.STALE_BUTTON)
        team_id = int(pending.data["team_id"])
        owner_id = button.target_id
        member_ids = {person.id for person in await meetings.team_members(ctx.session, team_id)}
        if owner_id not in member_ids:
            raise DomainError(Problem.MEMBER_UNKNOWN)
        await _continue(ctx, {**pending.data, "owner_id": owner_id})
    elif action == "op":
        pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
        if pending is None or pending.name != OWNER:
            raise DomainError(Problem.STALE_BUTTON)
        people = await meetings.team_members(ctx.session, int(pending.data["team_id"]))
        ctx.edit(*_owner_question(ctx, pending.data, people, button.target_id))
    elif action in ("d", "x"):
        task = await minutes.load_task(ctx.session, button.target_id)
        owner = task.owner.telegram_id if task.owner else None
        require(ctx.actor, Action.MANAGE_TASKS, task.team_id, author_telegram_id=owner)
        state = TaskState.DONE if action == "d" else TaskState.DROPPED
        await minutes.close_task(ctx.session, task, state, ctx.member, ctx.now())
        ctx.notice(t._("Task closed: {state}").format(state=task_state_label(t, state)))
        if button.where == "l":
            ctx.edit(*await _tasks_view(ctx))  # pressed in the /zadania list
        else:
            ctx.edit(f"✅ <s>{esc(task.text)}</s>")
    elif action == "ud":
        await minutes.undo_decision(ctx.session, button.target_id, ctx.member)
        ctx.edit(t._("Decision removed from the minutes."))
    elif action == "p":
        meeting = await meetings.load_meeting(ctx.session, button.target_id)
        await _send_minutes(ctx, meeting)
    else:
        raise DomainError(Problem.STALE_BUTTON)
