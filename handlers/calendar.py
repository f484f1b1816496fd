"""Calendar files: one meeting (or its whole series, with a Google Calendar link) and
/kalendarz with all of mine; with PUBLIC_URL also my subscription link, or a team's."""

from __future__ import annotations

from bot.dates import format_when
from bot.feed_http import TEAM_FEED, feed_url, webcal_url
from bot.feed_ics import google_calendar_url
from bot.ical import SeriesView, build_ics
from bot.permissions import Action, PermissionDenied, may_view_municipality, require
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from storage import feeds, meetings, teams
from storage.errors import DomainError, Problem
from storage.models import Meeting, Team

MAX_IN_FILE = 200
PLACES_PAGE = 5  # municipalities per page of the admin's choice (and ‹ ›)
TEAMS_PAGE = 4  # a municipality's teams per page (and ‹ › and «)
MEETINGS_PAGE = 5
LIST, CALL = "l", "n"  # what the admin's choice of a municipality is for


def _title(meeting: Meeting) -> str:
    return f"{meeting.team.name}: spotkanie"


async def send_meeting_ics(ctx: Ctx, meeting: Meeting) -> None:
    zone = meetings.zone_of(meeting)
    if meeting.series is not None:
        occurrences = await meetings.series_occurrences(ctx.session, meeting.series.id, limit=500)
        content = build_ics([], [(SeriesView(meeting.series, occurrences), _title(meeting))], zone)
    else:
        content = build_ics([(meeting, _title(meeting))], zone=zone)
    t = ctx.t
    # One tap for Google Calendar users: an event template of this date (a series' file has
    # them all; the link, one). The agenda stays out when the team protects its content.
    google = google_calendar_url(t, meeting)
    label = (
        t._("Or add this date to Google Calendar")
        if meeting.series is not None
        else t._("Or add it to Google Calendar")
    )
    ctx.notice(t._("Sending the calendar file."))
    ctx.send_file(
        f"spotkanie-{meeting.id}.ics",
        content,
        t._("Open the file to add the meeting to your calendar.")
        + f'\n<a href="{esc(google)}">{esc(label)}</a>',
    )


async def my_upcoming(
    ctx: Ctx, offset: int, limit: int
) -> tuple[list[meetings.Upcoming], int] | None:
    """The member's upcoming meetings that may be shown in this chat (all in private, the
    linked team's in its group), protected if one of their teams chose so, and how many there
    are; None, with a word why, when there is nothing to show here."""
    t = ctx.t
    if (ctx.member is None or not ctx.member.memberships) and (
        ctx.is_private and may_view_municipality(ctx.actor)
    ):
        # A region admin in no team: any municipality's or team's meetings instead.
        await choose_place(ctx, LIST)
        return None
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
    ctx.protect = any(meeting.protect_content for meeting in found)
    return found, total


async def send_my_calendar(ctx: Ctx) -> None:
    """The file of my upcoming meetings; in private, with PUBLIC_URL set, also my subscription
    link (made at the first /kalendarz), which keeps my calendar app current."""
    upcoming = await my_upcoming(ctx, 0, MAX_IN_FILE)
    feeds_on = bool(ctx.settings.public_url)
    if upcoming is not None:
        found = await meetings.load_meetings(ctx.session, [m.id for m in upcoming[0]])
        t = ctx.t
        zone = meetings.zone_of(found[0])
        content = build_ics([(m, _title(m)) for m in found], zone=zone)
        caption = t.n_("{n} upcoming meeting", "{n} upcoming meetings", len(found))
        if not feeds_on and ctx.is_private:
            caption += "\n\n" + t._(
                "Subscription links, which keep a calendar app up to date by themselves, are "
                "switched off on this bot: after a change, import a new file."
            )
        ctx.send_file("kooperacje.ics", content, caption)
    if feeds_on and ctx.is_private and ctx.member is not None and ctx.member.memberships:
        await offer_feed(ctx)


def _feed_text(ctx: Ctx, token: str, team: Team | None) -> str:
    """A new link, as webcal:// and https://, with how to subscribe in the usual apps."""
    t = ctx.t
    public = ctx.settings.public_url
    https, webcal = feed_url(public, token), webcal_url(public, token)
    title = (
        t._("Your meetings in your calendar app")
        if team is None
        else t._("The calendar of {team}").format(team=team.name)
    )
    lines = [
        f"<b>{esc(title)}</b>",
        t._(
            "Subscribe to this link and your calendar follows every change: new, moved and "
            "cancelled meetings update by themselves (calendar apps check about once an hour)."
        ),
        "",
        t._("Tap a link to copy it:"),
        f"<code>{esc(webcal)}</code>",
        f"<code>{esc(https)}</code>",
        "",
        "• <b>Outlook</b>: " + esc(t._("Add calendar → Subscribe from web; paste the https link.")),
        "• <b>Google</b>: "
        + esc(
            t._(
                "in Google Calendar on a computer, Other calendars → + → From URL; paste the "
                "https link. The phone app shows it then."
            )
        ),
        "• <b>iPhone</b>: "
        + esc(
            t._(
                "copy the webcal link, then Settings → Calendar → Accounts → Add Account → "
                "Other → Add Subscribed Calendar; paste it."
            )
        ),
        "• <b>Android</b>: "
        + esc(
            t._(
                "add it in Google Calendar on a computer (as above); in the phone's Google "
                "Calendar turn on Sync for it."
            )
        ),
        "",
    ]
    if team is not None and team.protect_content:
        lines.append(
            t._(
                "The team protects its content: this feed leaves the agenda out, because a "
                "shared calendar is seen and copied beyond the team."
            )
        )
    lines.append(
        t._(
            "Keep the link to yourself: whoever has it sees these meetings. Shared it by "
            "mistake? “New link” makes this one stop working."
        )
    )
    return "\n".join(lines)


async def offer_feed(ctx: Ctx, team_id: int | None = None, *, renew: bool = False) -> None:
    """My subscription link (or, for a coordinator, the team's): a new one when there is none
    yet or `renew` (the old one stops working); otherwise when it was made, since only its
    hash is kept and it cannot be shown again. In private chats only.

    For /zespol (the lead wires it): a coordinator's team menu gets the button
    `("📅 " + t._("Team calendar link"), buttons.FeedLink(team.id, 0).pack())`."""
    t = ctx.t
    if not ctx.settings.public_url:
        ctx.reply(
            t._(
                "Subscription links, which keep a calendar app up to date by themselves, are "
                "switched off on this bot: after a change, import a new file."
            )
        )
        return
    if ctx.member is None or (team_id is None and not ctx.member.memberships):
        raise DomainError(Problem.STALE_BUTTON)
    team = None
    if team_id is not None:
        team = await teams.get_team(ctx.session, team_id)
        require(ctx.actor, TEAM_FEED, team.id)
    made = await feeds.made_at(ctx.session, ctx.member.id, team_id)
    rows = [[("🔗 " + t._("New link"), buttons.FeedLink(team_id or 0, 1).pack())]]
    if made is None or renew:
        token = await feeds.issue(ctx.session, ctx.member.id, team_id, now=ctx.now())
        text = _feed_text(ctx, token, team)
    else:
        local = made.astimezone(ctx.settings.timezone)
        text = t._(
            "You made your calendar subscription link on {when}. The bot keeps only a "
            "fingerprint of it, so it cannot show it again. Need it for a new phone or another "
            "calendar? Make a new one: the old one stops working."
        ).format(when=format_when(local, t.language))
        if team is not None:
            text = f"<b>{esc(team.name)}</b>\n" + text
    if renew and ctx.query:
        ctx.notice(t._("A new link: the old one no longer works."))
        ctx.edit(text, rows)
    else:
        ctx.reply(text, rows)


async def on_feed_button(ctx: Ctx) -> None:
    """`fl:<team or 0>:<renew>`: show my (or the team's) subscription link, or a new one."""
    button = buttons.FeedLink.unpack(ctx.query.data if ctx.query else None)
    await offer_feed(ctx, button.team_id or None, renew=bool(button.renew))


async def choose_place(ctx: Ctx, purpose: str, page: int = 0) -> None:
    """The admin's choice of a municipality (paged): whose meetings to list (`purpose` LIST)
    or for which of its teams to call one (CALL)."""
    places = await teams.list_municipalities(ctx.session)
    choices = [
        (place.name[:60], buttons.MeetingsOf("m" if purpose == LIST else "n", place.id, 0).pack())
        for place in places
    ]
    rows = buttons.paged(
        choices,
        page,
        lambda p: buttons.MunicipalitiesPage(purpose, p).pack(),
        rows=PLACES_PAGE,
    )
    t = ctx.t
    if not places:
        ctx.reply(t._("There are no teams yet."))
        return
    text = (
        t._("Whose meetings? Choose a municipality; then you can narrow it to one team.")
        if purpose == LIST
        else t._("Which municipality is the meeting for?")
    )
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)


async def on_place_button(ctx: Ctx) -> None:
    """`ms:p:<l|n>:<page>` municipalities; `ms:m:<municipality>:<offset>` its meetings;
    `ms:t:<team>:<offset>` one team's; `ms:n:<municipality>:<page>` its teams, to call a meeting;
    `ms:q:<municipality>:<page>` its teams, to list one team's meetings."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(raw, buttons.MunicipalitiesPage, buttons.MeetingsOf)
    if isinstance(button, buttons.MeetingsOf) and button.scope == "t":
        team = await teams.get_team(ctx.session, button.target_id)
        require(ctx.actor, Action.VIEW_TEAM, team.id)
        await _list_of(ctx, ("t", team.id), team.name, [team], button.page)
        return
    if not may_view_municipality(ctx.actor):
        raise PermissionDenied(Action.VIEW_MUNICIPALITY)
    if isinstance(button, buttons.MunicipalitiesPage):
        await choose_place(ctx, CALL if button.purpose == CALL else LIST, button.page)
        return
    action, page = button.scope, button.page
    place = await teams.get_municipality(ctx.session, button.target_id)
    found = await teams.teams_of(ctx.session, place.id)
    if action == "n":
        choices = [
            (team.name[:60], buttons.NewMeetingButton("t", team.id).pack()) for team in found
        ]
        rows = buttons.paged(
            choices, page, lambda p: buttons.MeetingsOf("n", place.id, p).pack(), rows=TEAMS_PAGE
        )
        back = buttons.MunicipalitiesPage(CALL, 0).pack()
        rows.append([("« " + ctx.t._("Municipalities"), back)])
        ctx.edit(ctx.t._("Which team is the meeting for?"), rows)
    elif action == "q":
        choices = [(team.name[:60], buttons.MeetingsOf("t", team.id, 0).pack()) for team in found]
        rows = buttons.paged(
            choices, page, lambda p: buttons.MeetingsOf("q", place.id, p).pack(), rows=TEAMS_PAGE
        )
        rows.append([("« " + place.name[:58], buttons.MeetingsOf("m", place.id, 0).pack())])
        ctx.edit(ctx.t._("Which team?"), rows)
    elif action == "m":
        await _list_of(ctx, ("m", place.id), place.name, found, page)
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def _list_of(
    ctx: Ctx, scope: tuple[str, int], title: str, found: list[Team], offset: int
) -> None:
    """One page of the upcoming meetings of a municipality's teams (scope "m") or of one team
    ("t"), each card one tap away; a municipality's list narrows to any of its teams."""
    t = ctx.t
    offset = max(0, offset)
    upcoming, total = await teams.upcoming_meetings(
        ctx.session, [team.id for team in found], ctx.now(), offset, MEETINGS_PAGE
    )
    ctx.protect = any(meeting.team.protect_content for meeting in upcoming)
    lines = [f"<b>{esc(title)}</b>", t.n_("{n} upcoming meeting", "{n} upcoming meetings", total)]
    picks: list[tuple[str, str]] = []
    for index, meeting in enumerate(upcoming, start=offset + 1):
        local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
        lines.append(
            f"\n{index}. <b>{format_when(local, t.language)}</b>\n"
            f"{esc(meeting.team.name)} · {esc(meeting.place)}"
        )
        # Numbered as in the text above: two to a row keep the keyboard short on a phone.
        picks.append(
            (f"{index}. {local.strftime('%d.%m %H:%M')}", buttons.MeetingButton(meeting.id).pack())
        )
    rows = buttons.grid(picks, 2)
    nav = []
    if offset > 0:
        nav.append(("◀", buttons.MeetingsOf(*scope, max(0, offset - MEETINGS_PAGE)).pack()))
    if offset + MEETINGS_PAGE < total:
        nav.append(("▶", buttons.MeetingsOf(*scope, offset + MEETINGS_PAGE).pack()))
    if nav:
        rows.append(nav)
    if scope[0] == "m":
        # The teams on a screen of their own: a municipality may have many.
        rows.append(
            [
                ("👥 " + t._("Teams"), buttons.MeetingsOf("q", scope[1], 0).pack()),
                ("« " + t._("Municipalities"), buttons.MunicipalitiesPage(LIST, 0).pack()),
            ]
        )
    elif may_view_municipality(ctx.actor):
        place = found[0].municipality
        rows.append([("« " + place.name[:58], buttons.MeetingsOf("m", place.id, 0).pack())])
    text = "\n".join(lines)
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)
