"""/nowe: calling a meeting step by step (or in one line); answers, lists and changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from bot.dates import When, WhenStatus, format_when, parse_when
from bot.dates.grammar import parse_parts
from bot.dates.parts import ParseError
from bot.dates.series import SeriesWhen, parse_series
from bot.dates.spans import parse_span
from bot.i18n import Translator, translator
from bot.permissions import (
    Action,
    PermissionDenied,
    allowed,
    may_invite_team,
    require,
    require_in_any,
)
from bot.render import esc
from bot.views import buttons
from bot.views.labels import kind_label
from bot.views.meeting_card import (
    ANSWER_CODES,
    CardState,
    answer_label,
    may_change,
    preset_label,
    render_card,
)
from handlers import typed_when
from handlers.base import Ctx
from handlers.calendar import my_upcoming, send_meeting_ics
from handlers.meeting_card import card_for, post_cards, refresh_cards, refresh_watchers
from storage import audience, conversations, events, meetings, teams
from storage.errors import DomainError, Problem
from storage.members import find_member
from storage.models import (
    DEFAULT_DURATION_MINUTES,
    Answer,
    EventKind,
    Meeting,
    MeetingStatus,
    Member,
    Team,
)
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
HOLIDAY = "meet.holiday"  # the caller decides holiday dates before anyone is told
TEAM = "meet.team"  # waiting for a team button; keeps the one-line form typed with /nowe
COACHED = "meet.coached"  # coaching: waiting for the coached workers' buttons and "Done"
INVITED = "meet.invited"  # an event of the region: waiting for the invited teams and "Done"
PAGE = 5
DAY_EXAMPLES = ("jutro", "środa", "15 grudnia")  # a day for an hour typed alone
SPAN_EXAMPLE = "15 grudnia 9:00 – 16 grudnia 15:00"  # an event over days (bot.dates.spans)
CARRIED = ("team_id", "kind", "coached", "invited")  # what "Change" keeps of a called event
COACHED_ROWS = 3  # rows of two workers; with the pages, "Done" and "Another kind": six rows
INVITED_ROWS = 4  # one team a row; with the pages and "Done": six rows


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
    if (ctx.member is None or not ctx.member.memberships) and allowed(
        ctx.actor, Action.CALL_MEETING
    ):
        # A region admin in no team calls a meeting for any team: its municipality first.
        from handlers.calendar import CALL, choose_place

        await choose_place(ctx, CALL)
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
    named, line = _named_team(options, " ".join(ctx.args))
    team = named or (options[0] if len(options) == 1 else None)
    if team is not None:
        # "wtorek 14:30; MOPS sala 12; budżet", "środa 10:00 sala 12": the rest is asked.
        await (_one_line(ctx, team, line) if line else _ask_when(ctx, team))
        return
    # The line typed is kept while the team is chosen.
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, TEAM, {"line": line})
    ctx.reply(t._("Which team is the meeting for?"), _team_rows(options, 0))


def _team_rows(options: list[Team], page: int) -> list[list[tuple[str, str]]]:
    """Five teams a page, `nm:tp:<page>` to turn."""
    choices = [(team.name, buttons.NewMeetingButton("t", team.id).pack()) for team in options]
    return buttons.paged(choices, page, lambda p: buttons.NewMeetingButton("tp", p).pack())


def _named_team(options: list[Team], line: str) -> tuple[Team | None, str]:
    """A team named at the start of the line ("Zespół X; środa 10"), and the rest."""
    folded = line.casefold()
    for team in sorted(options, key=lambda t: -len(t.name)):
        name = team.name.casefold()
        if folded.startswith(name) and folded[len(name) : len(name) + 1] in ("", " ", ";", ","):
            return team, line[len(name) :].lstrip(" ;,")
    return None, line


async def _ask_when(
    ctx: Ctx, team: Team, edit: bool = False, pending: dict[str, object] | None = None
) -> None:
    """ "When?", with the kinds of event a tap away (the team's own meeting unless chosen)."""
    pending = pending or {"team_id": team.id}
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, WHEN, pending)
    t = ctx.t
    kind = _kind_of(team, pending)
    name = f"<b>{esc(team.name)}</b>"
    if kind == events.team_default(team.kind):
        text = t._("Meeting of {team}. When? Type the day and time.").format(team=name)
    else:
        text = t._("{kind} of {team}. When? Type the day and time.").format(
            kind=f"<b>{kind_label(t, kind)}</b>", team=name
        )
    coached = await _coached(ctx, pending)
    if coached:
        text += "\n🎯 " + t._("Coached: {names}").format(
            names=", ".join(esc(m.name) for m in coached)
        )
    invited = await _invited(ctx, pending)
    if invited:
        text += "\n👥 " + t._("Invited teams: {names}").format(
            names=", ".join(esc(other.name) for other in invited)
        )
    text += "\n" + _examples(ctx)
    if kind in events.MULTI_DAY and t.language != "en":
        text += "\n" + t._("Over several days: {example}").format(
            example=f"<i>{esc(SPAN_EXAMPLE)}</i>"
        )
    rows = _kind_rows(ctx, kind)
    if audience.may_invite(kind) and await _invitable(ctx, team):
        label = t._("Invite other teams")
        if invited:
            label += f" ({len(invited)})"
        rows.append([(label, buttons.InvitedPick(0).pack())])
    ctx.edit(text, rows) if edit else ctx.reply(text, rows)


async def _invitable(ctx: Ctx, team: Team) -> list[Team]:
    """The other teams the caller may invite to an event of `team` (bot/permissions.py)."""
    return [
        other
        for other in await audience.candidates(ctx.session, team)
        if may_invite_team(
            ctx.actor, team.id, team.municipality_id, other.id, other.municipality_id
        )
    ]


def _invited_ids(pending: dict[str, object]) -> list[int]:
    return [int(str(i)) for i in cast("list[object]", pending.get("invited") or [])]


async def _invited(ctx: Ctx, pending: dict[str, object]) -> list[Team]:
    """The teams chosen so far to be invited (ids in the pending state), by name."""
    found = [await teams.get_team(ctx.session, team_id) for team_id in _invited_ids(pending)]
    return sorted(found, key=lambda other: other.name)


def _kind_of(team: Team, pending: dict[str, object]) -> EventKind:
    """The kind chosen in /nowe, or the team's own meeting."""
    chosen = pending.get("kind")
    return EventKind(str(chosen)) if chosen else events.team_default(team.kind)


def _kind_rows(ctx: Ctx, chosen: EventKind) -> list[list[tuple[str, str]]]:
    """The kinds of event, two a row, the chosen one ticked."""
    choices = [
        (("✓ " if kind == chosen else "") + kind_label(ctx.t, kind), buttons.EventKindChoice(kind))
        for kind in EventKind
    ]
    return buttons.grid([(label, data.pack()) for label, data in choices], 2)


async def _coached(ctx: Ctx, pending: dict[str, object]) -> list[Member]:
    """The coached workers chosen so far (ids in the pending state)."""
    chosen = [int(str(i)) for i in cast("list[object]", pending.get("coached") or [])]
    found = [await ctx.session.get(Member, member_id) for member_id in chosen]
    return [member for member in found if member is not None]


def _now(ctx: Ctx, zone: ZoneInfo) -> datetime:
    return ctx.now().astimezone(zone)


async def _one_line(ctx: Ctx, team: Team, line: str) -> None:
    """`/nowe wtorek 14:30; MOPS sala 12; budżet 2027`: when; place; optional agenda, with or
    without the `;`: the time is found in the first part, the words around it are the place.
    What is missing is asked next, as in the guided form."""
    parts = [p.strip() for p in line.split(";")]
    first = _when_part(ctx, team, parts)  # "sala 12; środa 10": the time comes second
    when_text, rest = _split_when(ctx, team, parts[first])
    pending: dict[str, object] = {"team_id": team.id}
    if when_text != parts[0]:
        pending["read_from"] = when_text  # shown for confirmation: the split was a guess
    others = [p for p in (rest, *parts[:first], *parts[first + 1 :]) if p]
    if others:
        place = meetings.check_place(others[0])
        pending |= {"place": place, "agenda": meetings.check_agenda(";".join(others[1:]) or None)}
    hour = _hour_alone(ctx, when_text)
    if hour is not None:
        await _ask_day(ctx, team, {**pending, "hour": hour})
        return
    await _take_when(ctx, team, pending, when_text)


def _when_part(ctx: Ctx, team: Team, parts: list[str]) -> int:
    """The first `;` part holding a time; the first part if none does (it is refused)."""
    now = _now(ctx, _zone(team))
    for index, part in enumerate(parts):
        if typed_when.read(ctx, part, now).status != WhenStatus.INVALID:
            return index
    return 0


def _split_when(ctx: Ctx, team: Team, text: str) -> tuple[str, str]:
    """The date phrase inside `text` (find_when) and the words left around it."""
    now = _now(ctx, _zone(team))
    if parse_series(text, now, ctx.t.language) is not None:
        return text, ""
    if parse_span(text, now, ctx.t.language) is not None:
        return text, ""
    found = typed_when.read(ctx, text, now)
    if found.source is None or found.status == WhenStatus.INVALID:
        return text, ""
    before, _, after = text.partition(found.source)
    return found.source, " ".join(f"{before} {after}".split()).strip(" ,.-–")


def _hour_alone(ctx: Ctx, text: str) -> str | None:
    """The "HH:MM" of "10:00" or "o 10" typed without a day, to ask for the day."""
    if ctx.t.language == "en":
        return None  # English phrases keep "today, or tomorrow once gone"
    try:
        parts = parse_parts(text)
    except ParseError:
        return None
    if parts.clock is None or parts.end is not None or parts.duration is not None:
        return None
    if parts.date or parts.weekday or parts.week is not None or parts.elapsed is not None:
        return None
    found = typed_when.read(ctx, text, ctx.now())
    return f"{found.value:%H:%M}" if found.status == WhenStatus.OK and found.value else None


async def _ask_day(ctx: Ctx, team: Team, pending: dict[str, object]) -> None:
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, WHEN, pending)
    ctx.reply(
        ctx.t._("Meeting of {team} at {hour}. Which day?").format(
            team=f"<b>{esc(team.name)}</b>", hour=f"<b>{pending['hour']}</b>"
        )
        + "\n"
        + ctx.t._("For example: {examples}.").format(
            examples=", ".join(f"<i>{e}</i>" for e in DAY_EXAMPLES)
        )
    )


async def on_when(ctx: Ctx, text: str) -> None:
    pending = await _pending(ctx, WHEN)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    if pending.get("hour"):
        # The hour came with /nowe: a day typed alone takes it.
        day = typed_when.read(ctx, text, _now(ctx, _zone(team)))
        if day.status == WhenStatus.NEEDS_TIME:
            text = f"{day.source or text} {pending['hour']}"
            if pending.get("read_from"):  # the place was guessed: still shown to confirm
                pending = {**pending, "read_from": text}
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
        # Over days ("15 grudnia 9:00 – 16 grudnia 15:00"), or a moment or a range in a day.
        when = parse_span(text, now, ctx.t.language) or typed_when.read(ctx, text, now)
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
    if when.end is not None:  # a span too long for its kind is refused before anything else
        team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
        events.check_length(_kind_of(team, pending), when.end - when.value)
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
    if when.source is None and pending.get("read_from"):
        when = replace(when, source=str(pending["read_from"]))
    assert when.value is not None  # again: mypy forgets it when `when` may be a new object
    plain = not when.source and other is None and when.status == WhenStatus.OK
    if plain and "place" in pending:
        await _accept_when(ctx, pending)  # the one-line form, nothing to ask
        return
    t = ctx.t
    holiday = holiday_name(when.value.date())
    if when.status == WhenStatus.CONFLICT:
        text = t._("The weekday and the date you typed are different days. Which one is it?")
        rows = [
            [(format_when(when.value, t.language), buttons.NewMeetingButton("ok").pack())],
            [
                (
                    typed_when.other_reading_label(ctx, when) or "",
                    buttons.NewMeetingButton("alt").pack(),
                )
            ],
            [(t._("Change"), buttons.NewMeetingButton("chg").pack())],
        ]
        ctx.reply(text, rows)
        return
    text = typed_when.described(ctx, when)
    if "preset" in pending:
        text += "\n🔁 " + preset_label(t, Preset(str(pending["preset"])), when.value.weekday())
    if holiday:
        text += "\n⚠️ " + t._("Public holiday: {name}").format(name=esc(holiday))
    if pending.get("place"):  # typed with the time: shown before the meeting is called
        text += "\n📍 " + esc(str(pending["place"]))
    rows = [[(t._("That's right"), buttons.NewMeetingButton("ok").pack())]]
    label = typed_when.other_reading_label(ctx, when)
    if label:
        rows.append([(label, buttons.NewMeetingButton("alt").pack())])
    rows.append([(t._("Change"), buttons.NewMeetingButton("chg").pack())])
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
    kind = _kind_of(team, pending)
    invited = await _invited(ctx, pending)
    for other in invited:
        _require_invite(ctx, team, other)
    meeting = await meetings.schedule(
        ctx.session,
        team,
        datetime.fromisoformat(str(pending["at"])),
        str(pending["place"]),
        None if pending.get("agenda") is None else str(pending["agenda"]),
        ctx.member,
        preset=preset,
        duration_minutes=_duration(pending),
        kind=kind,
        coached=await _coached(ctx, pending),
        invited=[other.id for other in invited],
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
        [[(ctx.t._("No agenda"), buttons.NewMeetingButton("na").pack())]],
    )


async def on_agenda(ctx: Ctx, text: str | None) -> None:
    pending = await _pending(ctx, AGENDA)
    agenda = meetings.check_agenda(text)
    # The series was typed with the time ("co drugi wtorek o 10"); coaching is for its day.
    if pending.get("preset") or pending.get("kind") == EventKind.COACHING:
        await _accept_when(ctx, {**pending, "agenda": agenda})
        return
    await conversations.set_pending(
        ctx.session, ctx.chat.id, ctx.user.id, REPEAT, {**pending, "agenda": agenda}
    )
    t = ctx.t
    weekday = datetime.fromisoformat(str(pending["at"])).weekday()
    rows = [[(t._("Only once"), buttons.RepeatChoice("once").pack())]] + [
        [(preset_label(t, preset, weekday), buttons.RepeatChoice(preset.value).pack())]
        for preset in Preset
    ]
    question = t._("Does the meeting repeat?")
    ctx.edit(question, rows) if ctx.query else ctx.reply(question, rows)


async def on_new_meeting_button(ctx: Ctx) -> None:
    """`nm:t:<team>`, `nm:tp:<page>` (team choice), `nm:ok`, `nm:chg`, `nm:na`,
    `nm:r:<once|preset>`."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(
        raw, buttons.HolidayChoice, buttons.RepeatChoice, buttons.NewMeetingButton
    )
    if isinstance(button, buttons.HolidayChoice):
        await on_holiday_choice(ctx, button.meeting_id, button.choice)
        return
    if isinstance(button, buttons.RepeatChoice):
        asked = await _pending(ctx, REPEAT)
        try:
            preset = None if button.preset == "once" else Preset(button.preset)
        except ValueError:
            raise DomainError(Problem.STALE_BUTTON) from None
        await _accept_when(ctx, {**asked, "preset": preset and preset.value})
        return
    action = button.action
    if action == "t":
        team = await teams.get_team(ctx.session, buttons.given(button.number))
        require(ctx.actor, Action.CALL_MEETING, team.id, meetings_by=team.meetings_by)
        waiting = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
        line = str(waiting.data.get("line") or "") if waiting and waiting.name == TEAM else ""
        if line:  # the one-line form typed before the team was chosen
            ctx.edit(f"<b>{esc(team.name)}</b>")
            await _one_line(ctx, team, line)
        else:
            await _ask_when(ctx, team, edit=True)
    elif action == "tp":
        await _pending(ctx, TEAM)
        rows = _team_rows(await _callable_teams(ctx), buttons.given(button.number))
        ctx.edit(ctx.t._("Which team is the meeting for?"), rows)
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
        kept = {key: pending[key] for key in CARRIED if key in pending}
        await _ask_when(ctx, team, edit=True, pending=kept)
    elif action == "na":
        await on_agenda(ctx, None)
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def on_kind_button(ctx: Ctx) -> None:
    """`ek:<kind>` on the "When?" question; coaching asks whom first: `ek:w:<member>[:<page>]`
    toggles a worker, `ek:d:<team>` is "Done"."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(
        raw, buttons.CoachedPick, buttons.CoachedDone, buttons.EventKindChoice
    )
    waiting = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if waiting is None or waiting.name not in (WHEN, COACHED) or waiting.data.get("hour"):
        raise DomainError(Problem.STALE_BUTTON)
    pending = dict(waiting.data)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    require(ctx.actor, Action.CALL_MEETING, team.id, meetings_by=team.meetings_by)
    if isinstance(button, buttons.EventKindChoice):
        try:
            kind = EventKind(button.kind)
        except ValueError:
            raise DomainError(Problem.STALE_BUTTON) from None
        pending = {"team_id": team.id, "kind": kind.value}
        if audience.may_invite(kind) and waiting.data.get("invited"):
            pending["invited"] = waiting.data["invited"]  # kept from kind to kind of the region
        if kind == EventKind.COACHING:
            chosen = waiting.data.get("coached") if waiting.name == COACHED else None
            await _ask_coached(ctx, team, {**pending, "coached": chosen or []})
        else:
            await _ask_when(ctx, team, edit=True, pending=pending)
        return
    if waiting.name != COACHED:
        raise DomainError(Problem.STALE_BUTTON)
    chosen = [int(str(i)) for i in cast("list[object]", pending.get("coached") or [])]
    if isinstance(button, buttons.CoachedDone):
        if button.team_id != team.id:
            raise DomainError(Problem.STALE_BUTTON)
        if not chosen:
            raise DomainError(Problem.COACHING_WITHOUT_WORKER)
        await _ask_when(ctx, team, edit=True, pending=pending)
        return
    if button.member_id:
        workers = {m.id for m in await meetings.team_members(ctx.session, team.id)}
        if button.member_id not in workers:
            raise DomainError(Problem.STALE_BUTTON)
        if button.member_id in chosen:
            chosen.remove(button.member_id)
        else:
            chosen.append(button.member_id)
    await _ask_coached(ctx, team, {**pending, "coached": chosen}, button.page)


def _require_invite(ctx: Ctx, team: Team, other: Team) -> None:
    if not may_invite_team(
        ctx.actor, team.id, team.municipality_id, other.id, other.municipality_id
    ):
        raise PermissionDenied(Action.INVITE_TEAMS)


async def on_invited_button(ctx: Ctx) -> None:
    """`it:<team>[:<page>]` on the "When?" question of an event of the region: open the list
    of teams within reach (0) or toggle one; `it:d:<own team>` is "Done"."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(raw, buttons.InvitedPick, buttons.InvitedDone)
    waiting = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if waiting is None or waiting.name not in (WHEN, INVITED) or waiting.data.get("hour"):
        raise DomainError(Problem.STALE_BUTTON)
    pending = dict(waiting.data)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    require(ctx.actor, Action.CALL_MEETING, team.id, meetings_by=team.meetings_by)
    kind = _kind_of(team, pending)
    if not audience.may_invite(kind):
        raise DomainError(Problem.KIND_CANNOT_INVITE, kind=kind)
    chosen = _invited_ids(pending)
    if isinstance(button, buttons.InvitedDone):
        if button.team_id != team.id or waiting.name != INVITED:
            raise DomainError(Problem.STALE_BUTTON)
        await _ask_when(ctx, team, edit=True, pending=pending)
        return
    if button.team_id:
        if button.team_id == team.id:
            raise DomainError(Problem.STALE_BUTTON)
        _require_invite(ctx, team, await teams.get_team(ctx.session, button.team_id))
        if button.team_id in chosen:
            chosen.remove(button.team_id)
        else:
            chosen.append(button.team_id)
    await _ask_invited(ctx, team, {**pending, "invited": chosen}, button.page)


async def _ask_invited(ctx: Ctx, team: Team, pending: dict[str, object], page: int = 0) -> None:
    """The teams within the caller's reach: a toggle each, then "Done"."""
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, INVITED, pending)
    t = ctx.t
    chosen = set(_invited_ids(pending))
    toggles = [
        (
            ("✅ " if other.id in chosen else "⬜ ")
            + f"{other.name[:30]} · {other.municipality.name[:20]}",
            buttons.InvitedPick(other.id, page).pack(),
        )
        for other in await _invitable(ctx, team)
    ]
    rows = buttons.paged(
        toggles, page, lambda p: buttons.InvitedPick(0, p).pack(), rows=INVITED_ROWS
    )
    rows.append([(t._("Done choosing"), buttons.InvitedDone(team.id).pack())])
    kind = _kind_of(team, pending)
    text = f"<b>{kind_label(t, kind)}</b> · {esc(team.name)}\n" + t._(
        "Which other teams are invited? Their members get the card, answer and are reminded "
        "like the team's own. Choose, then “Done”."
    )
    ctx.edit(text, rows)


async def _ask_coached(ctx: Ctx, team: Team, pending: dict[str, object], page: int = 0) -> None:
    """Coaching is for named workers of the team: a toggle each, then "Done"."""
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, COACHED, pending)
    t = ctx.t
    chosen = {int(str(i)) for i in cast("list[object]", pending.get("coached") or [])}
    toggles = [
        (
            ("✅ " if member.id in chosen else "⬜ ") + member.name[:30],
            buttons.CoachedPick(member.id, page).pack(),
        )
        for member in await meetings.team_members(ctx.session, team.id)
    ]
    rows = buttons.paged(
        toggles, page, lambda p: buttons.CoachedPick(0, p).pack(), per_row=2, rows=COACHED_ROWS
    )
    rows.append([(t._("Done choosing"), buttons.CoachedDone(team.id).pack())])
    default = events.team_default(team.kind)  # back to the kinds, nobody chosen
    rows.append([(t._("Another kind of event"), buttons.EventKindChoice(default).pack())])
    text = f"<b>{kind_label(t, EventKind.COACHING)}</b> · {esc(team.name)}\n" + t._(
        "Who is coached? Choose one or more workers of the team, then “Done”."
    )
    ctx.edit(text, rows)


async def _created(ctx: Ctx, meeting: Meeting, edit: bool = False) -> None:
    """Tell the caller; a date on a public holiday is decided first (move, keep, drop), and
    only then do the team and its group get the card."""
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
            m.id
            for m in await meetings.series_occurrences(ctx.session, meeting.series.id, limit=50)
            if m.holiday
        ]
    else:
        flagged = [meeting.id] if meeting.holiday else []
    if not flagged:
        ctx.edit(text) if edit else ctx.reply(text)
        await post_cards(ctx, meeting)
        return
    await conversations.set_pending(
        ctx.session, ctx.chat.id, ctx.user.id, HOLIDAY, {"first": meeting.id, "left": flagged}
    )
    await _ask_holiday(ctx, flagged[0], edit=edit)


async def _ask_holiday(ctx: Ctx, meeting_id: int, edit: bool) -> None:
    meeting = await meetings.load_meeting(ctx.session, meeting_id)
    t = ctx.t
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    other = next_working_day(local.date())
    text = (
        "⚠️ "
        + t._("{day} is a public holiday ({name}).").format(
            day=format_when(local, t.language, with_time=False), name=esc(meeting.holiday or "")
        )
        + "\n"
        + t._("Nobody has been told yet. What should I do with this date?")
    )
    rows = [
        [
            (
                t._("Move to {other}").format(other=other.strftime("%d.%m")),
                buttons.HolidayChoice(meeting.id, "wd").pack(),
            )
        ],
        [(t._("Keep it"), buttons.HolidayChoice(meeting.id, "keep").pack())],
        [(t._("Drop this date"), buttons.HolidayChoice(meeting.id, "drop").pack())],
    ]
    ctx.edit(text, rows) if edit else ctx.reply(text, rows)


async def on_holiday_choice(ctx: Ctx, meeting_id: int, choice: str) -> None:
    """`nm:h:<meeting>:<wd|keep|drop>`: one holiday date decided; the next is asked, or the
    cards go out."""
    pending = await _pending(ctx, HOLIDAY)
    # A list of meeting ids, as _created stored it (the stored state is untyped JSON).
    left = [int(str(i)) for i in cast("list[object]", pending["left"])]
    if not left or left[0] != meeting_id or choice not in ("wd", "keep", "drop"):
        raise DomainError(Problem.STALE_BUTTON)
    meeting = await meetings.load_meeting(ctx.session, meeting_id)
    author = meeting.created_by.telegram_id if meeting.created_by else None
    require(ctx.actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)
    if choice == "wd":
        local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
        moved = datetime.combine(next_working_day(local.date()), local.time(), tzinfo=local.tzinfo)
        await meetings.reschedule(
            ctx.session, meeting, starts_at=moved, actor_telegram_id=ctx.user.id, now=ctx.now()
        )
    elif choice == "drop":
        await meetings.drop_occurrence(
            ctx.session, meeting, actor_telegram_id=ctx.user.id, now=ctx.now()
        )
    left = left[1:]
    if left:
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, HOLIDAY, {**pending, "left": left}
        )
        await _ask_holiday(ctx, left[0], edit=True)
        return
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    first = await meetings.load_meeting(ctx.session, int(str(pending["first"])))
    card = await _first_scheduled(ctx, first)
    if card is None:
        ctx.edit(ctx.t._("The meeting is dropped. Nobody was told."))
        return
    local = card.starts_at.astimezone(meetings.zone_of(card))
    ctx.edit(
        ctx.t._("Done. I am sending the card to the team: {when}.").format(
            when=format_when(local, ctx.t.language)
        )
    )
    await post_cards(ctx, card)


async def _first_scheduled(ctx: Ctx, meeting: Meeting) -> Meeting | None:
    """The meeting whose card goes out: the meeting, or its series' first kept occurrence."""
    if meeting.series is None:
        return meeting if meeting.status == MeetingStatus.SCHEDULED else None
    for occurrence in await meetings.series_occurrences(ctx.session, meeting.series.id, 50):
        if occurrence.status == MeetingStatus.SCHEDULED:
            return await meetings.load_meeting(ctx.session, occurrence.id)
    return None


async def on_answer_button(ctx: Ctx) -> None:
    """`rv:<meeting>:<y|m|n>`: the member's answer; the pressed card and group cards update."""
    button = buttons.AnswerButton.unpack(ctx.query.data if ctx.query else None)
    meeting = await meetings.load_meeting(ctx.session, button.meeting_id)
    answer = ANSWER_CODES.get(button.code)
    if answer is None:
        raise DomainError(Problem.STALE_BUTTON)
    invited = await audience.invited_team_ids(ctx.session, meeting)
    require_in_any(ctx.actor, Action.ANSWER_MEETING, invited)
    ctx.ensure_team_chat(meeting.team.chat_id)
    meetings.ensure_open(meeting, ctx.now())
    if button.sequence is not None and button.sequence != meeting.sequence:
        raise DomainError(Problem.MEETING_MOVED)  # an answer for the old time is no answer
    changed = await meetings.answer(ctx.session, meeting, ctx.member, answer, now=ctx.now())
    ctx.notice(ctx.t._("Saved: {answer}").format(answer=answer_label(ctx.t, answer)))
    if not changed:
        return
    message = ctx.query.message if ctx.query else None
    skip = None
    if ctx.is_private and message is not None:
        # One's own card at once; a group's card waits its turn (the toast says it is saved).
        ctx.edit(*await card_for(ctx, meeting, private=True, mine=answer))
        skip = (message.chat.id, message.message_id)
    await refresh_watchers(ctx, meeting, skip_message=skip)


async def on_attendees_button(ctx: Ctx) -> None:
    """`at:<meeting>`: who comes, by institution, and who has not answered."""
    button = buttons.AttendeesButton.unpack(ctx.query.data if ctx.query else None)
    meeting = await meetings.load_meeting(ctx.session, button.meeting_id)
    require_in_any(
        ctx.actor, Action.VIEW_TEAM, await audience.invited_team_ids(ctx.session, meeting)
    )
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
    others = [tg for tg, _ in attendance.silent if tg != ctx.user.id]
    if others and may_change(ctx.actor, meeting) and meeting.status == MeetingStatus.SCHEDULED:
        rows = [
            [(t._("Remind those who have not answered"), buttons.NudgeButton(meeting.id).pack())]
        ]
    ctx.reply("\n".join(lines), rows)


async def on_nudge_button(ctx: Ctx) -> None:
    """`nd:<meeting>`: send the card again to members who have not answered."""
    button = buttons.NudgeButton.unpack(ctx.query.data if ctx.query else None)
    meeting = await meetings.load_meeting(ctx.session, button.meeting_id)
    require(
        ctx.actor,
        Action.CHANGE_MEETING,
        meeting.team_id,
        author_telegram_id=meeting.created_by.telegram_id if meeting.created_by else None,
    )
    meetings.ensure_open(meeting, ctx.now())
    attendance = await meetings.attendance(ctx.session, meeting)
    silent_ids = {tg for tg, _ in attendance.silent} - {ctx.user.id}
    counts = await meetings.counts(ctx.session, meeting.id)
    for telegram_id in silent_ids:
        owner = await find_member(ctx.session, telegram_id)
        t = translator(owner.language if owner else None)
        text, rows = render_card(t, CardState(meeting, counts))
        ctx.reply(t._("Please answer: will you come?") + "\n\n" + text, rows, chat_id=telegram_id)
    ctx.notice(ctx.t.n_("Reminded {n} person.", "Reminded {n} people.", len(silent_ids)))


async def on_calendar_button(ctx: Ctx) -> None:
    button = buttons.CalendarButton.unpack(ctx.query.data if ctx.query else None)
    meeting = await meetings.load_meeting(ctx.session, button.meeting_id)
    require_in_any(
        ctx.actor, Action.VIEW_TEAM, await audience.invited_team_ids(ctx.session, meeting)
    )
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
    for index, meeting in enumerate(found, start=offset + 1):
        local = meeting.local_start
        mine = answer_label(t, meeting.answer) if meeting.answer else t._("no answer yet")
        you = t._("Your answer: {answer}").format(answer=mine)
        lines.append(
            f"\n{index}. <b>{format_when(local, t.language)}</b>\n"
            f"{esc(meeting.team)} · {esc(meeting.place)}\n{you}"
        )
        rows.append(
            [
                (
                    f"{index}. {local.strftime('%d.%m %H:%M')} · {meeting.team}"[:60],
                    buttons.MeetingButton(meeting.id).pack(),
                )
            ]
        )
    nav = []
    if offset > 0:
        nav.append(("◀", buttons.MeetingsPage(max(0, offset - PAGE)).pack()))
    if offset + PAGE < total:
        nav.append(("▶", buttons.MeetingsPage(offset + PAGE).pack()))
    if nav:
        rows.append(nav)
    text = "\n".join(lines)
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)


async def show_meetings(ctx: Ctx) -> None:
    await list_meetings(ctx)


async def on_page_button(ctx: Ctx) -> None:
    button = buttons.MeetingsPage.unpack(ctx.query.data if ctx.query else None)
    await list_meetings(ctx, max(0, button.offset))


async def on_meeting_button(ctx: Ctx) -> None:
    """`mt:<meeting>`: the card of one meeting from the list."""
    button = buttons.MeetingButton.unpack(ctx.query.data if ctx.query else None)
    meeting = await meetings.load_meeting(ctx.session, button.meeting_id)
    require_in_any(
        ctx.actor, Action.VIEW_TEAM, await audience.invited_team_ids(ctx.session, meeting)
    )
    ctx.ensure_team_chat(meeting.team.chat_id)
    ctx.protect = meeting.team.protect_content
    text, rows = await card_for(ctx, meeting, private=ctx.is_private)
    # A private card is remembered, so that changes and answers edit it.
    ctx.reply(text, rows, after={"card": meeting.id} if ctx.is_private else None)


async def on_manage_button(ctx: Ctx) -> None:
    """`mg:<meeting>[:action]`: change time, place or agenda, cancel, end the series."""
    button = buttons.ManageButton.unpack(ctx.query.data if ctx.query else None)
    meeting = await meetings.load_meeting(ctx.session, button.meeting_id)
    author = meeting.created_by.telegram_id if meeting.created_by else None
    require(ctx.actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)
    meetings.ensure_open(meeting, ctx.now())
    action = button.action or ""
    t = ctx.t
    if action == "":
        rows = [
            [(t._("Change time"), buttons.ManageButton(meeting.id, "t").pack())],
            [(t._("Change place"), buttons.ManageButton(meeting.id, "p").pack())],
            [(t._("Change agenda"), buttons.ManageButton(meeting.id, "a").pack())],
            [(t._("Cancel this meeting"), buttons.ManageButton(meeting.id, "c").pack())],
        ]
        if meeting.series_id is not None:
            rows.append([(t._("End the series"), buttons.ManageButton(meeting.id, "e").pack())])
        ctx.reply(t._("What do you want to change?"), rows)
        return
    states = {"t": EDIT_WHEN, "p": EDIT_PLACE, "a": EDIT_AGENDA}
    if action in states:
        await conversations.set_pending(
            ctx.session,
            ctx.chat.id,
            ctx.user.id,
            states[action],
            {"meeting_id": meeting.id, "seq": meeting.sequence},
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
                    (
                        t._("Yes, cancel it"),
                        buttons.ManageButton(meeting.id, "cx", meeting.sequence).pack(),
                    ),
                    (t._("No"), buttons.ManageButton(meeting.id).pack()),
                ]
            ],
        )
        return
    if action == "cx":
        await meetings.cancel(
            ctx.session,
            meeting,
            actor_telegram_id=ctx.user.id,
            now=ctx.now(),
            expected_sequence=button.sequence,
        )
        ctx.edit(t._("The meeting is cancelled. I am letting the team know."))
        await _announce_change(ctx, meeting)
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
        change = await meetings.reschedule(
            ctx.session, meeting, starts_at=moved, actor_telegram_id=ctx.user.id, now=ctx.now()
        )
        ctx.edit(t._("Moved to {when}.").format(when=format_when(moved, t.language)))
        await _announce_change(ctx, meeting, change)
        return
    raise DomainError(Problem.STALE_BUTTON)


async def _edited_meeting(ctx: Ctx, expected: str) -> tuple[Meeting, int | None] | None:
    """The meeting being edited and the version it had when the edit began; None (and the
    person told) when another coordinator changed it meanwhile."""
    pending = await _pending(ctx, expected)
    meeting = await meetings.load_meeting(ctx.session, int(str(pending["meeting_id"])))
    author = meeting.created_by.telegram_id if meeting.created_by else None
    require(ctx.actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)
    seq = pending.get("seq")
    version = int(str(seq)) if seq is not None else None
    if version is not None and version != meeting.sequence:
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        ctx.reply(
            ctx.t._(
                "Someone else changed this meeting a moment ago: your change was not saved. "
                "Please look at the new card and try again."
            )
        )
        return None
    return meeting, version


async def on_edit_when(ctx: Ctx, text: str) -> None:
    edited = await _edited_meeting(ctx, EDIT_WHEN)
    if edited is None:
        return
    meeting, version = edited
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
    change = await meetings.reschedule(
        ctx.session,
        meeting,
        starts_at=when.value,
        actor_telegram_id=ctx.user.id,
        now=ctx.now(),
        expected_sequence=version,
    )
    await _finish_edit(ctx, meeting, change)


async def on_edit_place(ctx: Ctx, text: str) -> None:
    await _edit_text_field(ctx, EDIT_PLACE, place=text, agenda=None)


async def on_edit_agenda(ctx: Ctx, text: str) -> None:
    await _edit_text_field(ctx, EDIT_AGENDA, place=None, agenda=text)


async def _edit_text_field(
    ctx: Ctx, pending: str, *, place: str | None, agenda: str | None
) -> None:
    edited = await _edited_meeting(ctx, pending)
    if edited is None:
        return
    meeting, version = edited
    change = await meetings.reschedule(
        ctx.session,
        meeting,
        actor_telegram_id=ctx.user.id,
        now=ctx.now(),
        expected_sequence=version,
        place=place,
        agenda=agenda,
    )
    await _finish_edit(ctx, meeting, change)


async def _finish_edit(ctx: Ctx, meeting: Meeting, change: meetings.Change) -> None:
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    ctx.reply(ctx.t._("Saved. I am letting the team know."))
    await _announce_change(ctx, meeting, change)


def _what_changed(t: Translator, meeting: Meeting, change: meetings.Change) -> list[str]:
    """The notice's "old → new" lines, one per part that changed."""
    zone = meetings.zone_of(meeting)
    lines = []
    if change.starts_at is not None:
        old = format_when(change.starts_at.astimezone(zone), t.language)
        new = format_when(meeting.starts_at.astimezone(zone), t.language)
        lines.append(f"🗓 <s>{old}</s> → <b>{new}</b>")
    if change.place is not None:
        lines.append(f"📍 <s>{esc(change.place)}</s> → <b>{esc(meeting.place)}</b>")
    if change.agenda_changed:
        old_agenda = esc(change.agenda) if change.agenda else "—"
        lines.append(f"📝 <s>{old_agenda}</s> → <b>{esc(meeting.agenda or '—')}</b>")
    return lines


async def _announce_change(
    ctx: Ctx, meeting: Meeting, change: meetings.Change | None = None
) -> None:
    """Tell every member who has not declined what changed (old → new), with the answer
    buttons, or that (and which) meeting is cancelled; bring every posted card up to date."""
    meeting = await meetings.load_meeting(ctx.session, meeting.id)
    counts = await meetings.counts(ctx.session, meeting.id)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    reset = change is not None and change.answers_reset
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    for member in await meetings.members_not_declined(ctx.session, meeting):
        if member.telegram_id == ctx.user.id:
            continue  # the one who changed it knows
        t = translator(member.language)
        mine = await meetings.my_answer(ctx.session, meeting.id, member)
        text, rows = render_card(t, CardState(meeting, counts, mine, answers_reset=reset))
        if cancelled:
            heading = t._("The meeting of {team} on {when} has been cancelled.").format(
                team=esc(meeting.team.name), when=format_when(local, t.language)
            )
            lines = [f"❌ <b>{heading}</b>"]
        else:
            heading = t._("The meeting of {team} has changed:").format(team=esc(meeting.team.name))
            lines = [f"<b>{heading}</b>", *(_what_changed(t, meeting, change) if change else [])]
        ctx.reply("\n".join(lines) + "\n\n" + text, rows, chat_id=member.telegram_id)
    await refresh_cards(ctx, meeting, answers_reset=reset)
