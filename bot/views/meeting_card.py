"""A meeting's card (its text and the answer buttons) and the day-before summary: drawn by
handlers and by the scheduler alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import get_day_names
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import format_when
from bot.dates.formatting import format_span
from bot.i18n import Translator
from bot.permissions import Action, Actor, allowed
from bot.render import esc
from bot.views import buttons
from bot.views.labels import kind_label
from storage import events, meetings
from storage.models import Answer, EventKind, Meeting, MeetingStatus
from storage.recurrence import LOCAL_FORMAT, Preset

ANSWER_CODES = {"y": Answer.YES, "m": Answer.MAYBE, "n": Answer.NO}


def answer_label(t: Translator, answer: Answer) -> str:
    return {
        Answer.YES: t._("I'll come"),
        Answer.MAYBE: t._("Maybe"),
        Answer.NO: t._("I can't come"),
    }[answer]


def repeat_label(t: Translator, rule: str, weekday: int) -> str:
    day = get_day_names("wide", locale=t.language)[weekday]
    if "INTERVAL=2" in rule:
        return t._("every two weeks")
    if rule == "FREQ=WEEKLY":
        return t._("every week")
    if "+1" in rule and "+3" in rule:
        return t._("1st and 3rd {weekday} of the month").format(weekday=day)
    if "+2" in rule and "+4" in rule:
        return t._("2nd and 4th {weekday} of the month").format(weekday=day)
    return t._("every month")


def preset_label(t: Translator, preset: Preset, weekday: int) -> str:
    day = get_day_names("wide", locale=t.language)[weekday]
    return {
        Preset.WEEKLY: t._("every week"),
        Preset.BIWEEKLY: t._("every two weeks"),
        Preset.FIRST_THIRD: t._("1st and 3rd {weekday} of the month").format(weekday=day),
        Preset.SECOND_FOURTH: t._("2nd and 4th {weekday} of the month").format(weekday=day),
        Preset.MONTHLY: t._("every month"),
    }[preset]


@dataclass(frozen=True)
class CardState:
    meeting: Meeting
    counts: meetings.Counts
    mine: Answer | None = None  # the viewer's answer, on a private card
    can_manage: bool = False
    answers_reset: bool = False  # the time has just changed: everyone is asked again
    carried: bool = False  # `mine` came from the viewer's vote in the date poll


def series_weekday(meeting: Meeting) -> int:
    """The series' own weekday: a moved occurrence of "2. i 4. wtorek" stays a Tuesday one."""
    assert meeting.series is not None
    return datetime.strptime(meeting.series.local_start, LOCAL_FORMAT).weekday()


def render_card(t: Translator, state: CardState) -> tuple[str, list[list[tuple[str, str]]]]:
    meeting = state.meeting
    zone = meetings.zone_of(meeting)
    local = meeting.starts_at.astimezone(zone)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    heading = t._("Meeting of {team}").format(team=f"<b>{esc(meeting.team.name)}</b>")
    if meeting.kind != events.team_default(meeting.team.kind):
        heading = f"<b>{kind_label(t, meeting.kind)}</b> · {esc(meeting.team.name)}"
    cancelled_mark = t._("CANCELLED")
    lines = [f"❌ <b>{cancelled_mark}</b> — {heading}" if cancelled else heading]
    end = local + timedelta(minutes=meeting.duration_minutes)
    lines.append(f"🗓 {format_span(local, end, t.language)}")
    lines.append(f"📍 {esc(meeting.place)}")
    coached = coached_names(meeting)
    if coached:
        lines.append("🎯 " + t._("Coached: {names}").format(names=", ".join(map(esc, coached))))
    invited = invited_names(meeting)
    if invited:
        lines.append(
            "👥 " + t._("Invited teams: {names}").format(names=", ".join(map(esc, invited)))
        )
    if meeting.agenda:
        lines.append(f"📝 {esc(meeting.agenda)}")
    if meeting.series is not None:
        lines.append("🔁 " + repeat_label(t, meeting.series.rule, series_weekday(meeting)))
        original = meetings.moved_from(meeting)
        if original is not None:
            lines.append(
                "↪ "
                + t._("moved from {day}").format(
                    day=format_when(original, t.language, with_time=False)
                )
            )
    if meeting.holiday:
        lines.append("⚠️ " + t._("Public holiday: {name}").format(name=esc(meeting.holiday)))
    if meeting.created_by is not None:
        lines.append(t._("Called by: {name}").format(name=esc(meeting.created_by.name)))
    c = state.counts
    lines.append(f"✅ {c.yes} · ❔ {c.maybe} · ❌ {c.no}")
    if state.answers_reset and not cancelled:
        lines.append("🔄 " + t._("Answers were reset after the change: please answer again."))
    if c.open_task_count and not cancelled:
        lines.append("📌 " + t._("Open tasks of the team ({n}):").format(n=c.open_task_count))
        lines += [f"• {esc(task)}" for task in c.open_tasks]
        if c.open_task_count > len(c.open_tasks):
            lines.append("• … /zadania")
    if state.mine is not None:
        answer = answer_label(t, state.mine)
        if state.carried:
            answer = t._("{answer} (from the poll)").format(answer=answer)
        lines.append(t._("Your answer: {answer}").format(answer=answer))
    if cancelled:
        return "\n".join(lines), []
    answer_row = [
        (
            ("✓ " if state.mine == answer else "") + answer_label(t, answer),
            # The version: a button of an earlier state of the meeting changes nothing.
            buttons.AnswerButton(meeting.id, code, meeting.sequence).pack(),
        )
        for code, answer in ANSWER_CODES.items()
    ]
    rows = [
        answer_row,
        [
            (t._("Add to calendar"), buttons.CalendarButton(meeting.id).pack()),
            (t._("Who's coming"), buttons.AttendeesButton(meeting.id).pack()),
        ],
    ]
    if state.can_manage:
        rows.append([(t._("Manage"), buttons.ManageButton(meeting.id).pack())])
    return "\n".join(lines), rows


def coached_names(meeting: Meeting) -> list[str]:
    """Who a coaching session is for, when loaded with it (storage.meetings.load_meeting)."""
    if meeting.kind != EventKind.COACHING or "coached" in inspect(meeting).unloaded:
        return []
    return [worker.member.name for worker in meeting.coached if worker.member is not None]


def invited_names(meeting: Meeting) -> list[str]:
    """The further teams an event invites, when loaded with it (storage.meetings.load_meeting)."""
    if "invited" in inspect(meeting).unloaded:
        return []
    return sorted(invited.team.name for invited in meeting.invited)


def may_change(actor: Actor, meeting: Meeting) -> bool:
    author = meeting.created_by.telegram_id if meeting.created_by else None
    return allowed(actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)


async def day_before_summary(
    session: AsyncSession, meeting: Meeting, chat_id: int, t: Translator
) -> tuple[str, list[list[tuple[str, str]]]]:
    """The caller's and coordinators' summary the day before: who comes, by institution, and
    who has not answered, with the one-tap nudge (which never reaches the reader)."""
    found = await meetings.attendance(session, meeting)
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    heading = t._("Tomorrow: {team}").format(team=esc(meeting.team.name))
    lines = [f"📋 <b>{heading}</b>", f"🗓 {format_when(local, t.language)} · {esc(meeting.place)}"]
    for answer in (Answer.YES, Answer.MAYBE):
        groups = found.by_answer.get(answer, {})
        total = sum(len(names) for names in groups.values())
        lines += ["", f"<b>{answer_label(t, answer)}</b> ({total})"]
        for institution in sorted(groups, key=lambda i: (i is None, i or "")):
            label = esc(institution) if institution else t._("Institution not given")
            names = ", ".join(esc(n) for n in sorted(groups[institution]))
            lines.append(f"<i>{label}</i>: {names}")
    declined = sum(len(names) for names in found.by_answer.get(Answer.NO, {}).values())
    lines += ["", f"<b>{answer_label(t, Answer.NO)}</b> ({declined})"]
    silent = sorted(name for tg, name in found.silent if tg != chat_id)
    lines += ["", "<b>" + t._("No answer yet") + f"</b> ({len(silent)})"]
    if silent:
        lines.append(", ".join(esc(n) for n in silent))
    rows = []
    if silent:
        rows = [
            [(t._("Remind those who have not answered"), buttons.NudgeButton(meeting.id).pack())]
        ]
    return "\n".join(lines), rows
