"""Calendar files: one meeting (or its whole series) and /kalendarz with all of mine."""

from __future__ import annotations

from bot.ical import SeriesView, build_ics
from handlers.base import Ctx
from storage import meetings
from storage.models import Answer, Meeting

MAX_IN_FILE = 200


def _title(meeting: Meeting) -> str:
    return f"{meeting.team.name}: spotkanie"


async def send_meeting_ics(ctx: Ctx, meeting: Meeting) -> None:
    zone = meetings.zone_of(meeting)
    if meeting.series is not None:
        occurrences = await meetings.series_occurrences(ctx.session, meeting.series.id, limit=500)
        content = build_ics([], [(SeriesView(meeting.series, occurrences), _title(meeting))], zone)
    else:
        content = build_ics([(meeting, _title(meeting))], zone=zone)
    ctx.notice(ctx.t._("Sending the calendar file."))
    ctx.send_file(
        f"spotkanie-{meeting.id}.ics",
        content,
        ctx.t._("Open the file to add the meeting to your calendar."),
    )


async def my_upcoming(
    ctx: Ctx, offset: int, limit: int
) -> tuple[list[tuple[Meeting, Answer | None]], int] | None:
    """The member's upcoming meetings that may be shown in this chat (all in private, the
    linked team's in its group), protected if one of their teams chose so, and how many there
    are; None, with a word why, when there is nothing to show here."""
    t = ctx.t
    if ctx.member is None or not ctx.member.memberships:
        ctx.reply(
            t._("You are not in any team yet. Ask your team's coordinator for an invitation link.")
        )
        return None
    here = ctx.teams_here()
    if here is not None and not here:
        ctx.reply(
            t._("Your meetings in a private chat with me, please: this group is not your team's.")
        )
        return None
    found, total = await meetings.upcoming_for(
        ctx.session, ctx.member, ctx.now(), offset, limit, only_teams=here
    )
    if total == 0:
        ctx.reply(t._("No upcoming meetings. Call one with /nowe."))
        return None
    ctx.protect = any(meeting.team.protect_content for meeting, _ in found)
    return found, total


async def send_my_calendar(ctx: Ctx) -> None:
    upcoming = await my_upcoming(ctx, 0, MAX_IN_FILE)
    if upcoming is None:
        return
    found, _ = upcoming
    t = ctx.t
    zone = meetings.zone_of(found[0][0])
    content = build_ics([(m, _title(m)) for m, _ in found], zone=zone)
    ctx.send_file(
        "kooperacje.ics", content, t.n_("{n} upcoming meeting", "{n} upcoming meetings", len(found))
    )
