"""/obecnosc: the attendance register card of a meeting, with one-tap toggles, and its export.

Callback data `ob:<action>:<meeting>[:...]`; every press checks again that the presser keeps
the register of that meeting's team (buttons can be forged or forwarded).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.dates.spans import parse_hours
from bot.documents import file_stem, register_csv, register_xlsx
from bot.permissions import Action, allowed, require
from bot.render import esc
from bot.views import buttons
from bot.views.register_card import hours_text, render_register
from handlers.base import Ctx
from storage import attendance, conversations, meetings
from storage import teams as team_store
from storage.errors import DomainError, Problem
from storage.models import Meeting

GUEST = "register.guest"  # waiting for "name, institution"
HOURS = "register.hours"  # waiting for a present person's hours ("1,5")


async def _keep(ctx: Ctx, meeting_id: int) -> Meeting:
    meeting = await meetings.load_meeting(ctx.session, meeting_id)
    require(ctx.actor, Action.KEEP_REGISTER, meeting.team_id)
    ctx.protect = meeting.team.protect_content
    return meeting


async def show_register(ctx: Ctx) -> None:
    """/obecnosc: the register of the latest meeting, or a choice of recent ones."""
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please keep the attendance register in a private chat with me."))
        return
    teams = ctx.actor.teams_where(Action.KEEP_REGISTER)
    if allowed(ctx.actor, Action.KEEP_REGISTER):
        # Admins keep the register of any team, members of it or not.
        teams = {team.id for team in await team_store.list_teams(ctx.session)}
    if not teams:
        require(ctx.actor, Action.KEEP_REGISTER)
    recent = await attendance.recent_meetings(ctx.session, teams, ctx.now(), buttons.MAX_ROWS)
    if not recent:
        ctx.reply(
            t._(
                "No meeting of your teams has started in the last {days} days. The register "
                "opens when a meeting starts; I will send it to you then."
            ).format(days=attendance.RECENT.days)
        )
        return
    if len(recent) == 1:
        await _send_card(ctx, recent[0])
        return
    ctx.reply(
        t._("Which meeting?"),
        meeting_choice(recent, lambda meeting_id: buttons.RegisterButton("s", meeting_id).pack()),
    )


def meeting_choice(
    found: Sequence[Meeting], data: Callable[[int], str]
) -> list[list[tuple[str, str]]]:
    """One button a meeting, with callback data `data(meeting_id)`."""
    rows = []
    for meeting in found:
        local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
        label = f"{local.strftime('%d.%m %H:%M')} · {meeting.team.name}"
        rows.append([(label, data(meeting.id))])
    return rows


async def _send_card(
    ctx: Ctx, meeting: Meeting, everyone: bool = False, edit: bool = False, page: int = 0
) -> None:
    attendance.ensure_started(meeting, ctx.now())
    register = await attendance.load_register(ctx.session, meeting)
    text, rows = render_register(ctx.t, register, everyone, page)
    ctx.edit(text, rows) if edit else ctx.reply(text, rows)


async def on_button(ctx: Ctx) -> None:
    """`ob:s|x|add:<m>`, `ob:m:<m>:<member>:<1|0>:<e>[:<page>]`, `ob:g:<m>:<guest>:<e>[:<page>]`,
    `ob:v:<m>:<e>[:<page>]`, `ob:cl|op:<m>:<e>` (e: all members shown; page of the toggles,
    absent on buttons sent before pages)."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(
        raw, buttons.RegisterMark, buttons.RegisterGuest, buttons.RegisterButton
    )
    meeting = await _keep(ctx, button.meeting_id)
    t, now = ctx.t, ctx.now()
    if isinstance(button, buttons.RegisterMark):
        present = button.present == 1
        member = await attendance.mark(
            ctx.session, meeting, button.member_id, present, ctx.member, now
        )
        ctx.notice(
            (t._("{name}: present") if present else t._("{name}: not present")).format(
                name=member.name
            )
        )
        await _send_card(ctx, meeting, bool(button.everyone), edit=True, page=button.page)
        return
    if isinstance(button, buttons.RegisterGuest):
        name = await attendance.remove_guest(ctx.session, meeting, button.attendance_id, now)
        ctx.notice(t._("Removed: {name}").format(name=name))
        await _send_card(ctx, meeting, bool(button.everyone), edit=True, page=button.page)
        return
    action = button.action
    if action == "s":
        await _send_card(ctx, meeting, edit=True)
    elif action == "v":
        everyone = bool(buttons.given(button.everyone))
        await _send_card(ctx, meeting, everyone, edit=True, page=button.page or 0)
    elif action in ("cl", "op"):
        await attendance.set_closed(ctx.session, meeting, action == "cl", ctx.member, now)
        await _send_card(ctx, meeting, bool(buttons.given(button.everyone)), edit=True)
    elif action == "add":
        attendance.ensure_open(meeting, now)
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, GUEST, {"meeting_id": meeting.id}
        )
        ctx.reply(
            t._(
                "Type the guest's name and institution, separated by a comma, e.g. "
                "<i>Jan Nowak, Kuratorium Oświaty</i>. Nothing else about them."
            )
        )
    elif action == "x":
        attendance.ensure_started(meeting, now)
        register = await attendance.load_register(ctx.session, meeting)
        stem = t._("attendance") + "-" + file_stem(meeting)
        ctx.send_file(f"{stem}.xlsx", register_xlsx(t, register), esc(meeting.team.name))
        ctx.send_file(f"{stem}.csv", register_csv(t, register))
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def on_guest_text(ctx: Ctx, text: str) -> None:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != GUEST:
        raise DomainError(Problem.STALE_BUTTON)
    meeting = await _keep(ctx, int(pending.data["meeting_id"]))
    name = await attendance.add_guest(ctx.session, meeting, text, ctx.member, ctx.now())
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    ctx.reply(ctx.t._("Guest added: {name}").format(name=esc(name)))
    await _send_card(ctx, meeting)


async def on_hours_button(ctx: Ctx) -> None:
    """`oh:<meeting>`: whose time to set (the present members); `oh:<meeting>:<member>`: ask
    for their hours (coaching counts each person's clock hours)."""
    button = buttons.RegisterHours.unpack(ctx.query.data if ctx.query else None)
    meeting = await _keep(ctx, button.meeting_id)
    attendance.ensure_open(meeting, ctx.now())
    t = ctx.t
    register = await attendance.load_register(ctx.session, meeting)
    present = [p for p in register.people + register.others if p.present]
    if not button.member_id:
        whole = meeting.duration_minutes
        choices = [
            (
                f"{person.name[:30]} · {hours_text(t, person.minutes or whole)} h",
                buttons.RegisterHours(meeting.id, person.member_id).pack(),
            )
            for person in present
        ]
        rows = buttons.paged(
            choices, button.page or 0, lambda p: buttons.RegisterHours(meeting.id, 0, p).pack()
        )
        text = t._("Whose time? By default everyone present has the whole event.")
        ctx.edit(text, rows) if button.page is not None else ctx.reply(text, rows)
        return
    person = next((p for p in present if p.member_id == button.member_id), None)
    if person is None:
        raise DomainError(Problem.STALE_BUTTON)
    await conversations.set_pending(
        ctx.session,
        ctx.chat.id,
        ctx.user.id,
        HOURS,
        {"meeting_id": meeting.id, "member_id": person.member_id},
    )
    ctx.reply(
        t._(
            "How many hours did {name} take part? Type e.g. <i>1,5</i> "
            "(the whole event: {hours} h)."
        ).format(name=esc(person.name), hours=hours_text(t, meeting.duration_minutes))
    )


async def on_hours_text(ctx: Ctx, text: str) -> None:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != HOURS:
        raise DomainError(Problem.STALE_BUTTON)
    meeting = await _keep(ctx, int(pending.data["meeting_id"]))
    minutes = parse_hours(text)
    if minutes is None:
        raise DomainError(Problem.MINUTES_INVALID, most=meeting.duration_minutes)
    member = await attendance.set_minutes(
        ctx.session, meeting, int(pending.data["member_id"]), minutes, ctx.now()
    )
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    ctx.reply(
        ctx.t._("Saved: {name}, {hours} h").format(
            name=esc(member.name), hours=hours_text(ctx.t, minutes)
        )
    )
    await _send_card(ctx, meeting)
