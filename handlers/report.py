"""/raport [rok | od – do] (/report): the programme's figures as a message, an XLSX and a chart."""

from __future__ import annotations

import asyncio

from bot.dates.phrases import parse_period
from bot.permissions import Action, PermissionDenied
from bot.render import esc
from bot.report_files import chart_png, report_xlsx
from bot.report_text import empty_period_text, summary_html
from handlers.base import Ctx
from storage import figures


async def show_report(ctx: Ctx) -> None:
    t = ctx.t
    # Coordinators see their teams, admins the whole region (None: every team).
    team_ids = None if ctx.actor.is_admin else ctx.actor.teams_where(Action.VIEW_REPORT)
    if team_ids is not None and not team_ids:
        raise PermissionDenied(Action.VIEW_REPORT)
    if not ctx.is_private:
        ctx.reply(t._("Please ask for figures in a private chat with me."))
        return
    now, zone = ctx.now(), ctx.settings.timezone
    period = parse_period(" ".join(ctx.args), now.astimezone(zone).date())
    found = await figures.compute(ctx.session, team_ids, period, now, zone)
    if found.empty:
        ctx.reply(empty_period_text(t, found))
        return
    ctx.reply(summary_html(t, found))
    # Drawing takes a fraction of a second of CPU: off the event loop, other chats go on.
    workbook, chart = await asyncio.gather(
        asyncio.to_thread(report_xlsx, found), asyncio.to_thread(chart_png, found)
    )
    label = esc(period.label)
    ctx.send_file(
        f"raport-{period.slug}.xlsx",
        workbook,
        t._("Figures for {period}: spreadsheet").format(period=label),
    )
    ctx.send_photo(
        f"raport-{period.slug}.png",
        chart,
        t._("Meetings and participants by month, {period}").format(period=label),
    )
