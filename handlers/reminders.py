"""/przypomnienia: coordinators set when reminders go out; everyone can mute them."""

from __future__ import annotations

from bot.dates.phrases import parse_digest, parse_offset
from bot.i18n import Translator
from bot.permissions import Action, allowed, require
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from storage import conversations, reminders, teams
from storage.errors import DomainError, Problem
from storage.models import Membership

ADD_OFFSET = "rem.add"  # waiting for a typed offset such as "3 dni"
DIGEST = "rem.digest"  # waiting for digest days and hour such as "1, 15 8:00"


def offset_label(t: Translator, minutes: int) -> str:
    if minutes % reminders.DAY == 0:
        days = minutes // reminders.DAY
        return t.n_("{n} day", "{n} days", days)
    if minutes % 60 == 0:
        return t.n_("{n} hour", "{n} hours", minutes // 60)
    return t.n_("{n} minute", "{n} minutes", minutes)


def _membership(ctx: Ctx, team_id: int) -> Membership:
    for membership in ctx.member.memberships if ctx.member else []:
        if membership.team_id == team_id:
            return membership
    raise DomainError(Problem.NOT_IN_TEAM)


async def _render(ctx: Ctx, team_id: int | None = None) -> tuple[str, list[list[tuple[str, str]]]]:
    """One team's reminders a screen (its buttons fill up to six rows), with ‹ › to the
    member's other teams; `team_id` the one shown, the first by name when absent or gone."""
    t = ctx.t
    assert ctx.member is not None
    mine = sorted(ctx.member.memberships, key=lambda m: m.team.name)
    index = next((i for i, m in enumerate(mine) if m.team_id == team_id), 0)
    membership = mine[index]
    team = await teams.get_team(ctx.session, membership.team_id)
    offsets = ", ".join(offset_label(t, m) for m in team.reminder_offsets) or t._("none")
    lines = [
        t._("<b>Reminders</b>"),
        "",
        f"<b>{esc(team.name)}</b>",
        t._("Before each meeting: {offsets}").format(offsets=offsets),
    ]
    days = ", ".join(f"{d}." for d in team.digest_days)
    lines.append(
        t._("Digest of upcoming meetings: on day {days} of the month at {time}").format(
            days=days, time=team.digest_time
        )
    )
    if membership.reminders_muted:
        lines.append(t._("You have muted this team's reminders."))
    rows: list[list[tuple[str, str]]] = []
    if allowed(ctx.actor, Action.MANAGE_MEMBERS, team.id):
        removals = [
            ("✕ " + offset_label(t, m), buttons.ReminderButton("d", team.id, m).pack())
            for m in team.reminder_offsets
        ]
        rows += buttons.grid(removals, 3)
        rows.append(
            [
                (
                    t._("Add a reminder time ({team})").format(team=team.name)[:60],
                    buttons.ReminderButton("a", team.id).pack(),
                )
            ]
        )
        rows.append(
            [
                (
                    t._("Change the digest ({team})").format(team=team.name)[:60],
                    buttons.ReminderButton("g", team.id).pack(),
                )
            ]
        )
    if ctx.member.reminders_muted:
        lines += ["", t._("All your reminders are muted.")]
    label = t._("Unmute {team}") if membership.reminders_muted else t._("Mute {team}")
    rows.append(
        [
            (label.format(team=team.name)[:60], buttons.ReminderButton("m", team.id).pack()),
            (
                t._("Unmute all") if ctx.member.reminders_muted else t._("Mute all"),
                buttons.ReminderButton("all", team.id).pack(),
            ),
        ]
    )
    turn = [
        (
            f"‹ {mine[index - 1].team.name}"[:40],
            buttons.ReminderButton("v", mine[index - 1].team_id).pack(),
        )
        if index > 0
        else None,
        (
            f"{mine[index + 1].team.name} ›"[:40],
            buttons.ReminderButton("v", mine[index + 1].team_id).pack(),
        )
        if index + 1 < len(mine)
        else None,
    ]
    rows.append([button for button in turn if button])
    return "\n".join(lines), [r for r in rows if r]


async def show_reminders(ctx: Ctx) -> None:
    if not ctx.is_private:
        ctx.reply(ctx.t._("Please change reminders in a private chat with me."))
        return
    if ctx.member is None or not ctx.member.memberships:
        ctx.reply(
            ctx.t._(
                "You are not in any team yet. Ask your team's coordinator for an invitation link."
            )
        )
        return
    ctx.reply(*await _render(ctx))


async def on_reminder_button(ctx: Ctx) -> None:
    """`rm:d:<team>:<minutes>` remove, `rm:a:<team>` add, `rm:m:<team>` mute, `rm:all[:<team>]`,
    `rm:v:<team>` show that team's screen."""
    button = buttons.ReminderButton.unpack(ctx.query.data if ctx.query else None)
    action = button.action
    if ctx.member is None:
        raise DomainError(Problem.NOT_IN_TEAM)
    shown = button.team_id or None  # the team whose screen it is
    if action == "all":
        await reminders.set_mute(ctx.session, ctx.member, None, not ctx.member.reminders_muted)
    elif action == "v":
        _membership(ctx, buttons.given(button.team_id))
    elif action == "m":
        membership = _membership(ctx, buttons.given(button.team_id))
        await reminders.set_mute(
            ctx.session, ctx.member, membership.team_id, not membership.reminders_muted
        )
    elif action in ("d", "a", "g"):
        team = await teams.get_team(ctx.session, buttons.given(button.team_id))
        require(ctx.actor, Action.MANAGE_MEMBERS, team.id)
        if action == "g":
            await conversations.set_pending(
                ctx.session, ctx.chat.id, ctx.user.id, DIGEST, {"team_id": team.id}
            )
            ctx.edit(
                ctx.t._(
                    "On which days of the month and at what time? For example <i>1, 15 8:00</i>."
                )
            )
            return
        if action == "a":
            await conversations.set_pending(
                ctx.session, ctx.chat.id, ctx.user.id, ADD_OFFSET, {"team_id": team.id}
            )
            ctx.edit(
                ctx.t._(
                    "How long before the meeting? For example <i>3 dni</i>, "
                    "<i>2h</i> or <i>30 min</i>."
                )
            )
            return
        minutes = buttons.given(button.minutes)
        await reminders.set_offsets(
            ctx.session,
            team,
            [m for m in team.reminder_offsets if m != minutes],
            actor_telegram_id=ctx.user.id,
            now=ctx.now(),
        )
    else:
        raise DomainError(Problem.STALE_BUTTON)
    ctx.edit(*await _render(ctx, shown))


async def on_offset_text(ctx: Ctx, text: str) -> None:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != ADD_OFFSET:
        raise DomainError(Problem.STALE_BUTTON)
    team = await teams.get_team(ctx.session, int(pending.data["team_id"]))
    require(ctx.actor, Action.MANAGE_MEMBERS, team.id)
    minutes = parse_offset(text)
    if len(set(team.reminder_offsets) | {minutes}) > reminders.MAX_OFFSETS:
        raise DomainError(Problem.TOO_MANY_OFFSETS, max=reminders.MAX_OFFSETS)
    await reminders.set_offsets(
        ctx.session,
        team,
        [*team.reminder_offsets, minutes],
        actor_telegram_id=ctx.user.id,
        now=ctx.now(),
    )
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    ctx.reply(*await _render(ctx, team.id))


async def on_digest_text(ctx: Ctx, text: str) -> None:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != DIGEST:
        raise DomainError(Problem.STALE_BUTTON)
    team = await teams.get_team(ctx.session, int(pending.data["team_id"]))
    require(ctx.actor, Action.MANAGE_MEMBERS, team.id)
    days, at = parse_digest(text)
    await reminders.set_digest(ctx.session, team, days, at, actor_telegram_id=ctx.user.id)
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    ctx.reply(*await _render(ctx, team.id))
