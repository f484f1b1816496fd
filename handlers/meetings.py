"""/nowe: calling a meeting step by step (or in one line); answers, lists and changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dates import When, WhenStatus, format_when, parse_when
from bot.dates.series import SeriesWhen, parse_series
from bot.i18n import pick_language, translator
from bot.permissions import Action, allowed, require
from bot.render import esc
from handlers import buttons, typed_when
from handlers.base import Ctx
from handlers.calendar import my_upcoming, send_meeting_ics
from handlers.meeting_card import (
    ANSWER_CODES,
    CardState,
    answer_label,
    card_for,
    may_change,
    post_cards,
    preset_label,
    refresh_cards,
    remember,
    render_card,
)
from storage import conversations, meetings, teams
from storage.errors import DomainError, Problem
from storage.members import find_member
from storage.models import DEFAULT_DURATION_MINUTES, Answer, Meeting, MeetingStatus, Team
from storage.recurrence import Preset, holiday_name, next_working_day

WHEN = "meet.when"  # waiting for a typed date and time
WHEN_CONFIRM = "meet.when_confirm"  # waiting for "Zgadza się" / "Zmień"
TIME = "meet.time"  # a date was given; waiting for the hour
PLACE = "meet.place"
AGENDA = "meet.agenda"
REPEAT = "meet.repeat"  # waiting for a repeat button
EDIT_WHEN = "meet.edit_when"
EDIT_PLACE = "meet.edit_place"
EDIT_AGENDA = "meet.edit_agenda"
PAGE = 5


def _zone(team: Team) -> ZoneInfo:
    return ZoneInfo(team.municipality.timezone)


def _examples(ctx: Ctx) -> str:
    return typed_when.examples_text(ctx)


async def _callable_teams(ctx: Ctx) -> list[Team]:
    if ctx.member is None:
        return []
    found = []
    for membership in ctx.member.memberships:
        team = await teams.get_team(ctx.session, membership.team_id)
        if _may_call(ctx, team):
            found.append(team)
    return sorted(found, key=lambda t: t.name)


def _may_call(ctx: Ctx, team: Team) -> bool:
    return allowed(ctx.actor, Action.CALL_MEETING, team.id, meetings_by=team.meetings_by)


async def new_meeting(ctx: Ctx) -> None:
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please call meetings in a private chat with me."))
        return
    if ctx.member is None or not ctx.member.memberships:
        ctx.reply(
            t._("You are not in any team yet. Ask your team's coordinator for an invitation link.")
        )
        return
    options = await _callable_teams(ctx)
    if not options:
        ctx.reply(t._("In this team only coordinators call meetings."))
        return
    line = " ".join(ctx.args)
    if line and len(options) == 1:
        # "wtorek 14:30; MOPS sala 12; budżet", or the time alone: the rest is asked.
        await _one_line(ctx, options[0], line)
        return
    if len(options) == 1:
        await _ask_when(ctx, options[0])
        return
    rows = [[(team.name, buttons.data("nm", "t", team.id))] for team in options]
    ctx.reply(t._("Which team is the meeting for?"), rows)


async def _ask_when(ctx: Ctx, team: Team, edit: bool = False) -> None:
    await conversations.set_pending(
        ctx.session, ctx.chat.id, ctx.user.id, WHEN, {"team_id": team.id}
    )
    text = (
        ctx.t._("Meeting of {team}. When? Type the day and time.").format(
            team=f"<b>{esc(team.name)}</b>"
        )
        + "\n"
        + _examples(ctx)
    )
    ctx.edit(text) if edit else ctx.reply(text)


def _now(ctx: Ctx, zone: ZoneInfo) -> datetime:
    return ctx.now().astimezone(zone)


async def _one_line(ctx: Ctx, team: Team, line: str) -> None:
    """`/nowe wtorek 14:30; MOPS sala 12; budżet 2027`: when; place; optional agenda. What is
    missing is asked next, as in the guided form."""
    parts = [p.strip() for p in line.split(";")]
    pending: dict[str, object] = {"team_id": team.id}
    if len(parts) > 1:
        pending |= {"place": parts[1], "agenda": ";".join(parts[2:]) or None}
    await _take_when(ctx, team, pending, parts[0])


async def on_when(ctx: Ctx, text: str) -> None:
    pending = await _pending(ctx, WHEN)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    await _take_when(ctx, team, pending, text)


async def _take_when(ctx: Ctx, team: Team, pending: dict[str, object], text: str) -> None:
    """A typed time (one meeting, a range or a series), confirmed when there is anything to
    confirm: words found in a longer message, an hour read as the afternoon, a weekday that
    is not the date's."""
    now = _now(ctx, _zone(team))
    series = parse_series(text, now, ctx.t.language)
    if series is not None:
        when = _first_of(series)
        if when.status == WhenStatus.OK and series.preset is not None:
            pending = {**pending, "preset": series.preset.value}
    else:
        when = typed_when.read(ctx, text, now)
    if when.status == WhenStatus.NEEDS_TIME and when.value is not None and series is None:
        await conversations.set_pending(
            ctx.session,
            ctx.chat.id,
            ctx.user.id,
            TIME,
            {**pending, "date": when.value.date().isoformat()},
        )
        ctx.reply(
            ctx.t._("{day} — at what time?").format(
                day=format_when(when.value, ctx.t.language, with_time=False)
            )
        )
        return
    if when.status not in (WhenStatus.OK, WhenStatus.CONFLICT) or when.value is None:
        await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, WHEN, pending)
        ctx.reply(typed_when.refusal(ctx, when))
        return
    await _confirm_when(ctx, pending, when)


async def on_time(ctx: Ctx, text: str) -> None:
    pending = await _pending(ctx, TIME)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    day = date.fromisoformat(str(pending["date"]))
    when = parse_when(
        f"{day.day}.{day.month}.{day.year} {text}", _now(ctx, _zone(team)), ctx.t.language
    )
    if when.status != WhenStatus.OK or when.value is None:
        ctx.reply(
            typed_when.refusal(ctx, when)
            if when.status != WhenStatus.NEEDS_TIME
            else ctx.t._("Please type the hour, e.g. <i>10</i> or <i>14:30</i>.")
        )
        return
    await _confirm_when(ctx, pending, when)


def _first_of(series: SeriesWhen) -> When:
    """A series' first occurrence, confirmed like a single meeting."""
    first = series.first
    end = (
        first + timedelta(minutes=series.duration_minutes)
        if first and series.duration_minutes
        else None
    )
    return When(
        series.status,
        first,
        series.reason,
        end=end,
        alternative=series.alternative,
        reading=series.reading,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def _confirm_when(ctx: Ctx, pending: dict[str, object], when: When) -> None:
    assert when.value is not None
    other = when.alternative
    shift = other - when.value if other is not None else None
    pending = {
        **pending,
        "at": when.value.isoformat(),
        "end": _iso(when.end),
        "alt": _iso(other),
        "alt_end": _iso(when.end + shift if when.end and shift is not None else None),
    }
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, WHEN_CONFIRM, pending)
    plain = not when.source and other is None and when.status == WhenStatus.OK
    if plain and "place" in pending:
        await _accept_when(ctx, pending)  # the one-line form, nothing to ask
        return
    t = ctx.t
    holiday = holiday_name(when.value.date())
    if when.status == WhenStatus.CONFLICT:
        text = t._("The weekday and the date you typed are different days. Which one is it?")
        rows = [
            [(format_when(when.value, t.language), buttons.data("nm", "ok"))],
            [(typed_when.other_reading_label(ctx, when) or "", buttons.data("nm", "alt"))],
            [(t._("Change"), buttons.data("nm", "chg"))],
        ]
        ctx.reply(text, rows)
        return
    text = typed_when.described(ctx, when)
    if "preset" in pending:
        text += "\n🔁 " + preset_label(t, Preset(str(pending["preset"])), when.value.weekday())
    if holiday:
        text += "\n⚠️ " + t._("Public holiday: {name}").format(name=esc(holiday))
    rows = [[(t._("That's right"), buttons.data("nm", "ok"))]]
    label = typed_when.other_reading_label(ctx, when)
    if label:
        rows.append([(label, buttons.data("nm", "alt"))])
    rows.append([(t._("Change"), buttons.data("nm", "chg"))])
    ctx.reply(text, rows)


async def _accept_when(ctx: Ctx, pending: dict[str, object]) -> None:
    """The time is settled: ask what is still missing, or call the meeting."""
    t = ctx.t
    if "place" not in pending:
        await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, PLACE, pending)
        ctx.edit(
            f"<b>{format_when(datetime.fromisoformat(str(pending['at'])), t.language)}</b>"
            + "\n"
            + t._("Where? Type the place or paste the link of an online meeting.")
        )
        return
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    require(ctx.actor, Action.CALL_MEETING, team.id, meetings_by=team.meetings_by)
    preset = Preset(str(pending["preset"])) if pending.get("preset") else None
    meeting = await meetings.schedule(
        ctx.session,
        team,
        datetime.fromisoformat(str(pending["at"])),
        str(pending["place"]),
        pending.get("agenda") and str(pending["agenda"]),
        ctx.member,
        preset=preset,
        duration_minutes=_duration(pending),
        now=ctx.now(),
    )
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    await _created(ctx, meeting, edit=ctx.query is not None)


def _duration(pending: dict[str, object]) -> int:
    if not pending.get("end"):
        return DEFAULT_DURATION_MINUTES
    start = datetime.fromisoformat(str(pending["at"]))
    end = datetime.fromisoformat(str(pending["end"]))
    return int((end - start).total_seconds() // 60)


async def _pending(ctx: Ctx, expected: str) -> dict[str, object]:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != expected:
        raise DomainError(Problem.STALE_BUTTON)
    return pending.data


async def on_place(ctx: Ctx, text: str) -> None:
    pending = await _pending(ctx, PLACE)
    place = meetings.check_place(text)
    await conversations.set_pending(
        ctx.session, ctx.chat.id, ctx.user.id, AGENDA, {**pending, "place": place}
    )
    ctx.reply(
        ctx.t._("What is on the agenda? Type it, or skip."),
        [[(ctx.t._("No agenda"), buttons.data("nm", "na"))]],
    )


async def on_agenda(ctx: Ctx, text: str | None) -> None:
    pending = await _pending(ctx, AGENDA)
    agenda = meetings.check_agenda(text)
    if pending.get("preset"):  # the series was typed with the time ("co drugi wtorek o 10")
        await _accept_when(ctx, {**pending, "agenda": agenda})
        return
    await conversations.set_pending(
        ctx.session, ctx.chat.id, ctx.user.id, REPEAT, {**pending, "agenda": agenda}
    )
    t = ctx.t
    weekday = datetime.fromisoformat(str(pending["at"])).weekday()
    rows = [[(t._("Only once"), buttons.data("nm", "r", "once"))]] + [
        [(preset_label(t, preset, weekday), buttons.data("nm", "r", preset.value))]
        for preset in Preset
    ]
    question = t._("Does the meeting repeat?")
    ctx.edit(question, rows) if ctx.query else ctx.reply(question, rows)


async def on_new_meeting_button(ctx: Ctx) -> None:
    """`nm:t:<team>`, `nm:ok`, `nm:chg`, `nm:na`, `nm:r:<once|preset>`."""
    raw = ctx.query.data if ctx.query else None
    action = buttons.str_part(raw, 1)
    if action == "t":
        team = await teams.get_team(ctx.session, buttons.int_part(raw, 2))
        require(ctx.actor, Action.CALL_MEETING, team.id, meetings_by=team.meetings_by)
        await _ask_when(ctx, team, edit=True)
    elif action == "ok":
        await _accept_when(ctx, await _pending(ctx, WHEN_CONFIRM))
    elif action == "alt":
        # The reading not taken: the morning hour, or the weekday's day.
        pending = await _pending(ctx, WHEN_CONFIRM)
        if not pending.get("alt"):
            raise DomainError(Problem.STALE_BUTTON)
        pending = {**pending, "at": pending["alt"], "end": pending.get("alt_end")}
        await _accept_when(ctx, pending)
    elif action == "chg":
        pending = await _pending(ctx, WHEN_CONFIRM)
        team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
        await _ask_when(ctx, team, edit=True)
    elif action == "na":
        await on_agenda(ctx, None)
    elif action == "r":
        pending = await _pending(ctx, REPEAT)
        choice = buttons.str_part(raw, 2)
        try:
            preset = None if choice == "once" else Preset(choice)
        except ValueError:
            raise DomainError(Problem.STALE_BUTTON) from None
        await _accept_when(ctx, {**pending, "preset": preset and preset.value})
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def _created(ctx: Ctx, meeting: Meeting, edit: bool = False) -> None:
    meeting = await meetings.load_meeting(ctx.session, meeting.id)
    t = ctx.t
    text = t._("Meeting called. I am sending the card to the team.")
    if meeting.series is not None:
        upcoming = await meetings.series_occurrences(ctx.session, meeting.series.id, limit=4)
        zone = meetings.zone_of(meeting)
        text += "\n" + t._("Next dates: {dates}").format(
            dates="; ".join(format_when(m.starts_at.astimezone(zone), t.language) for m in upcoming)
        )
        flagged = [
            m
            for m in await meetings.series_occurrences(ctx.session, meeting.series.id, limit=50)
            if m.holiday
        ]
        for m in flagged[:3]:
            local = m.starts_at.astimezone(zone)
            text += "\n⚠️ " + t._("{day} is a public holiday ({name}).").format(
                day=format_when(local, t.language, with_time=False), name=esc(m.holiday or "")
            )
        rows = [
            [
                (
                    t._("Move {day} to {other}").format(
                        day=m.starts_at.astimezone(zone).strftime("%d.%m"),
                        other=next_working_day(m.starts_at.astimezone(zone).date()).strftime(
                            "%d.%m"
                        ),
                    ),
                    buttons.data("mg", m.id, "wd"),
                )
            ]
            for m in flagged[:3]
        ]
    else:
        rows = []
        if meeting.holiday:
            local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
            rows = [
                [
                    (
                        t._("Move to {other}").format(
                            other=next_working_day(local.date()).strftime("%d.%m")
                        ),
                        buttons.data("mg", meeting.id, "wd"),
                    )
                ]
            ]
    ctx.edit(text, rows) if edit else ctx.reply(text, rows)
    await post_cards(ctx, meeting)


async def on_answer_button(ctx: Ctx) -> None:
    """`rv:<meeting>:<y|m|n>`: the member's answer; the pressed card and group cards update."""
    raw = ctx.query.data if ctx.query else None
    meeting = await meetings.load_meeting(ctx.session, buttons.int_part(raw, 1))
    answer = ANSWER_CODES.get(buttons.str_part(raw, 2))
    if answer is None:
        raise DomainError(Problem.STALE_BUTTON)
    require(ctx.actor, Action.ANSWER_MEETING, meeting.team_id)
    ctx.ensure_team_chat(meeting.team.chat_id)
    changed = await meetings.answer(ctx.session, meeting, ctx.member, answer, now=ctx.now())
    ctx.notice(ctx.t._("Saved: {answer}").format(answer=answer_label(ctx.t, answer)))
    if not changed:
        return
    private = ctx.is_private
    message = ctx.query.message if ctx.query else None
    if private:
        ctx.edit(*await card_for(ctx, meeting, private=True))
    skip = (message.chat.id, message.message_id) if message else None
    if not private and message is not None:
        ctx.edit(*await card_for(ctx, meeting, private=False))
    await refresh_cards(ctx, meeting, skip_message=skip, groups_only=True)


async def on_attendees_button(ctx: Ctx) -> None:
    """`at:<meeting>`: who comes, by institution, and who has not answered."""
    meeting = await meetings.load_meeting(
        ctx.session, buttons.int_part(ctx.query.data if ctx.query else None, 1)
    )
    require(ctx.actor, Action.VIEW_TEAM, meeting.team_id)
    ctx.ensure_team_chat(meeting.team.chat_id)
    ctx.protect = meeting.team.protect_content
    t = ctx.t
    attendance = await meetings.attendance(ctx.session, meeting)
    zone = meetings.zone_of(meeting)
    lines = [
        f"<b>{esc(meeting.team.name)}</b> · "
        f"{format_when(meeting.starts_at.astimezone(zone), t.language)}"
    ]
    for answer in (Answer.YES, Answer.MAYBE, Answer.NO):
        groups = attendance.by_answer.get(answer, {})
        total = sum(len(v) for v in groups.values())
        lines += ["", f"<b>{answer_label(t, answer)}</b> ({total})"]
        for institution in sorted(groups, key=lambda i: (i is None, i or "")):
            names = ", ".join(esc(n) for n in sorted(groups[institution]))
            label = esc(institution) if institution else t._("Institution not given")
            lines.append(f"<i>{label}</i>: {names}")
    silent = sorted(name for _, name in attendance.silent)
    lines += ["", "<b>" + t._("No answer yet") + f"</b> ({len(silent)})"]
    if silent:
        lines.append(", ".join(esc(n) for n in silent))
    rows = []
    if silent and may_change(ctx.actor, meeting) and meeting.status == MeetingStatus.SCHEDULED:
        rows = [[(t._("Remind those who have not answered"), buttons.data("nd", meeting.id))]]
    ctx.reply("\n".join(lines), rows)


async def on_nudge_button(ctx: Ctx) -> None:
    """`nd:<meeting>`: send the card again to members who have not answered."""
    meeting = await meetings.load_meeting(
        ctx.session, buttons.int_part(ctx.query.data if ctx.query else None, 1)
    )
    require(
        ctx.actor,
        Action.CHANGE_MEETING,
        meeting.team_id,
        author_telegram_id=meeting.created_by.telegram_id if meeting.created_by else None,
    )
    meetings.ensure_open(meeting, ctx.now())
    attendance = await meetings.attendance(ctx.session, meeting)
    silent_ids = {tg for tg, _ in attendance.silent}
    counts = await meetings.counts(ctx.session, meeting.id)
    for telegram_id in silent_ids:
        owner = await find_member(ctx.session, telegram_id)
        t = translator(pick_language(owner.language if owner else None, None))
        text, rows = render_card(t, CardState(meeting, counts))
        ctx.reply(t._("Please answer: will you come?") + "\n\n" + text, rows, chat_id=telegram_id)
    ctx.notice(ctx.t.n_("Reminded {n} person.", "Reminded {n} people.", len(silent_ids)))


async def on_calendar_button(ctx: Ctx) -> None:
    meeting = await meetings.load_meeting(
        ctx.session, buttons.int_part(ctx.query.data if ctx.query else None, 1)
    )
    require(ctx.actor, Action.VIEW_TEAM, meeting.team_id)
    ctx.ensure_team_chat(meeting.team.chat_id)
    ctx.protect = meeting.team.protect_content
    await send_meeting_ics(ctx, meeting)


async def list_meetings(ctx: Ctx, offset: int = 0) -> None:
    upcoming = await my_upcoming(ctx, offset, PAGE)
    if upcoming is None:
        return
    found, total = upcoming
    t = ctx.t
    lines = [t.n_("{n} upcoming meeting", "{n} upcoming meetings", total)]
    rows: list[list[tuple[str, str]]] = []
    for index, (meeting, answer) in enumerate(found, start=offset + 1):
        local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
        mine = answer_label(t, answer) if answer else t._("no answer yet")
        you = t._("Your answer: {answer}").format(answer=mine)
        lines.append(
            f"\n{index}. <b>{format_when(local, t.language)}</b>\n"
            f"{esc(meeting.team.name)} · {esc(meeting.place)}\n{you}"
        )
        rows.append(
            [
                (
                    f"{index}. {local.strftime('%d.%m %H:%M')} · {meeting.team.name}"[:60],
                    buttons.data("mt", meeting.id),
                )
            ]
        )
    nav = []
    if offset > 0:
        nav.append(("◀", buttons.data("sp", max(0, offset - PAGE))))
    if offset + PAGE < total:
        nav.append(("▶", buttons.data("sp", offset + PAGE)))
    if nav:
        rows.append(nav)
    text = "\n".join(lines)
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)


async def show_meetings(ctx: Ctx) -> None:
    await list_meetings(ctx)


async def on_page_button(ctx: Ctx) -> None:
    await list_meetings(ctx, max(0, buttons.int_part(ctx.query.data if ctx.query else None, 1)))


async def on_meeting_button(ctx: Ctx) -> None:
    """`mt:<meeting>`: the card of one meeting from the list."""
    meeting = await meetings.load_meeting(
        ctx.session, buttons.int_part(ctx.query.data if ctx.query else None, 1)
    )
    require(ctx.actor, Action.VIEW_TEAM, meeting.team_id)
    ctx.ensure_team_chat(meeting.team.chat_id)
    ctx.protect = meeting.team.protect_content
    text, rows = await card_for(ctx, meeting, private=ctx.is_private)
    ctx.reply(text, rows)
    if ctx.is_private:
        message_out = ctx.outbox[-1]
        ctx.outbox[-1] = _remembered(ctx, meeting.id, message_out)


def _remembered(ctx: Ctx, meeting_id: int, send):  # type: ignore[no-untyped-def]
    async def run() -> None:
        await remember(ctx.context, meeting_id, await send())

    return run


async def on_manage_button(ctx: Ctx) -> None:
    """`mg:<meeting>[:action]`: change time, place or agenda, cancel, end the series."""
    raw = ctx.query.data if ctx.query else None
    meeting = await meetings.load_meeting(ctx.session, buttons.int_part(raw, 1))
    author = meeting.created_by.telegram_id if meeting.created_by else None
    require(ctx.actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)
    meetings.ensure_open(meeting, ctx.now())
    parts = buttons.parts(raw)
    action = parts[2] if len(parts) > 2 else ""
    t = ctx.t
    if action == "":
        rows = [
            [(t._("Change time"), buttons.data("mg", meeting.id, "t"))],
            [(t._("Change place"), buttons.data("mg", meeting.id, "p"))],
            [(t._("Change agenda"), buttons.data("mg", meeting.id, "a"))],
            [(t._("Cancel this meeting"), buttons.data("mg", meeting.id, "c"))],
        ]
        if meeting.series_id is not None:
            rows.append([(t._("End the series"), buttons.data("mg", meeting.id, "e"))])
        ctx.reply(t._("What do you want to change?"), rows)
        return
    states = {"t": EDIT_WHEN, "p": EDIT_PLACE, "a": EDIT_AGENDA}
    if action in states:
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, states[action], {"meeting_id": meeting.id}
        )
        ctx.edit(
            {
                "t": t._("Type the new day and time.") + "\n" + _examples(ctx),
                "p": t._("Type the new place or link."),
                "a": t._("Type the new agenda."),
            }[action]
        )
        return
    if action == "c":
        ctx.edit(
            t._("Cancel the meeting of {when}?").format(
                when=format_when(
                    meeting.starts_at.astimezone(meetings.zone_of(meeting)), t.language
                )
            ),
            [
                [
                    (t._("Yes, cancel it"), buttons.data("mg", meeting.id, "cx")),
                    (t._("No"), buttons.data("mg", meeting.id)),
                ]
            ],
        )
        return
    if action == "cx":
        await meetings.cancel(ctx.session, meeting, actor_telegram_id=ctx.user.id, now=ctx.now())
        ctx.edit(t._("The meeting is cancelled. I am letting the team know."))
        await _announce_change(ctx, meeting, cancelled=True)
        return
    if action == "e":
        series = meeting.series
        if series is None:
            raise DomainError(Problem.STALE_BUTTON)
        count = await meetings.end_series(
            ctx.session, series, actor_telegram_id=ctx.user.id, now=ctx.now()
        )
        ctx.edit(
            t.n_(
                "The series has ended: {n} future meeting cancelled.",
                "The series has ended: {n} future meetings cancelled.",
                count,
            )
        )
        return
    if action == "wd":
        zone = meetings.zone_of(meeting)
        local = meeting.starts_at.astimezone(zone)
        moved = datetime.combine(next_working_day(local.date()), local.time(), tzinfo=zone)
        await meetings.reschedule(
            ctx.session, meeting, starts_at=moved, actor_telegram_id=ctx.user.id, now=ctx.now()
        )
        ctx.edit(t._("Moved to {when}.").format(when=format_when(moved, t.language)))
        await _announce_change(ctx, meeting)
        return
    raise DomainError(Problem.STALE_BUTTON)


async def _edited_meeting(ctx: Ctx, expected: str) -> Meeting:
    pending = await _pending(ctx, expected)
    meeting = await meetings.load_meeting(ctx.session, int(str(pending["meeting_id"])))
    author = meeting.created_by.telegram_id if meeting.created_by else None
    require(ctx.actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)
    return meeting


async def on_edit_when(ctx: Ctx, text: str) -> None:
    meeting = await _edited_meeting(ctx, EDIT_WHEN)
    when = typed_when.read(ctx, text, _now(ctx, meetings.zone_of(meeting)))
    if when.status != WhenStatus.OK or when.value is None:
        # A weekday that is not the date's is asked again rather than guessed.
        ctx.reply(
            typed_when.refusal(ctx, when)
            if when.status != WhenStatus.CONFLICT
            else ctx.t._(
                "The weekday and the date you typed are different days. Please type the day again."
            )
        )
        return
    await meetings.reschedule(
        ctx.session, meeting, starts_at=when.value, actor_telegram_id=ctx.user.id, now=ctx.now()
    )
    await _finish_edit(ctx, meeting)


async def on_edit_place(ctx: Ctx, text: str) -> None:
    meeting = await _edited_meeting(ctx, EDIT_PLACE)
    await meetings.reschedule(
        ctx.session, meeting, place=text, actor_telegram_id=ctx.user.id, now=ctx.now()
    )
    await _finish_edit(ctx, meeting)


async def on_edit_agenda(ctx: Ctx, text: str) -> None:
    meeting = await _edited_meeting(ctx, EDIT_AGENDA)
    await meetings.reschedule(
        ctx.session, meeting, agenda=text, actor_telegram_id=ctx.user.id, now=ctx.now()
    )
    await _finish_edit(ctx, meeting)


async def _finish_edit(ctx: Ctx, meeting: Meeting) -> None:
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    ctx.reply(ctx.t._("Saved. I am letting the team know."))
    await _announce_change(ctx, meeting)


async def _announce_change(ctx: Ctx, meeting: Meeting, cancelled: bool = False) -> None:
    """Tell those who said yes or maybe, and bring every posted card up to date."""
    meeting = await meetings.load_meeting(ctx.session, meeting.id)
    counts = await meetings.counts(ctx.session, meeting.id)
    for member in await meetings.members_answering(
        ctx.session, meeting.id, (Answer.YES, Answer.MAYBE)
    ):
        t = translator(pick_language(member.language, None))
        heading = (
            t._("This meeting has been cancelled.")
            if cancelled
            else t._("This meeting has changed.")
        )
        text, _ = render_card(t, CardState(meeting, counts))
        ctx.reply(f"<b>{heading}</b>\n\n{text}", chat_id=member.telegram_id)
    await refresh_cards(ctx, meeting)
