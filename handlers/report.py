"""/raport [rok | od – do] (/report): the programme's figures as a message, an XLSX and a chart.
Region admins also get a year's annual letter (`/raport 2026`): its text, a Word document and
an XLSX, of their regions."""

from __future__ import annotations

import asyncio

from bot.dates.phrases import parse_period
from bot.letter import letter_docx, letter_text, letter_xlsx
from bot.permissions import Action, PermissionDenied, report_teams
from bot.render import esc
from bot.report_files import chart_png, report_xlsx
from bot.report_text import empty_period_text, summary_html
from handlers.base import Ctx
from storage import annual, figures

# The letter as a message stays well within Telegram's 4096 characters; the whole of it is in
# the Word document.
LETTER_CHARS = 3500


async def show_report(ctx: Ctx) -> None:
    t = ctx.t
    # Coordinators see their teams, region admins also their regions' (None: every team).
    team_ids = report_teams(ctx.actor)
    if team_ids is not None and not team_ids:
        raise PermissionDenied(Action.VIEW_REPORT)
    if not ctx.is_private:
        ctx.reply(t._("Please ask for figures in a private chat with me."))
        return
    now, zone = ctx.now(), ctx.settings.timezone
    typed = " ".join(ctx.args)
    period = parse_period(typed, now.astimezone(zone).date())
    found = await figures.compute(ctx.session, team_ids, period, now, zone)
    year = int(typed.strip()) if ctx.actor.is_region_admin and _is_year(typed) else None
    letter = (
        await annual.annual(
            ctx.session, year, None if ctx.actor.is_admin else ctx.actor.regions, now
        )
        if year is not None
        else None
    )
    if found.empty:
        text = empty_period_text(t, found)
        if letter is not None and letter.empty:
            text += "\n\n" + _no_letter(ctx, letter.year)
        ctx.reply(text)
        if letter is not None and not letter.empty:
            await _send_letter(ctx, letter)
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
    if letter is not None:
        if letter.empty:
            ctx.reply(_no_letter(ctx, letter.year))
        else:
            await _send_letter(ctx, letter)


def _is_year(typed: str) -> bool:
    """ "2026": parse_period has read it as a whole year (or refused it)."""
    cleaned = typed.strip()
    return cleaned.isdigit() and len(cleaned) == 4


def _no_letter(ctx: Ctx, year: int) -> str:
    return ctx.t._(
        "There is no annual letter for {year}: no event of the programme was held in your "
        "regions that year."
    ).format(year=year)


async def _send_letter(ctx: Ctx, report: annual.AnnualReport) -> None:
    """The letter's text (shortened at a paragraph when long), then the DOCX and the XLSX."""
    t = ctx.t
    text = letter_text(report)
    if len(text) > LETTER_CHARS:
        cut = text.rfind("\n\n", 0, LETTER_CHARS)
        text = text[: cut if cut > 0 else LETTER_CHARS].rstrip() + "\n\n…"
        more = t._("The whole letter is in the Word document below.")
    else:
        more = t._("The letter as a Word document and its figures as a spreadsheet are below.")
    heading = t._("Annual letter for {year}").format(year=report.year)
    ctx.reply(f"<b>{heading}</b>\n\n{esc(text)}\n\n<i>{more}</i>")
    document, workbook = await asyncio.gather(
        asyncio.to_thread(letter_docx, report), asyncio.to_thread(letter_xlsx, report)
    )
    ctx.send_file(
        f"sprawozdanie-{report.year}.docx",
        document,
        t._("Annual letter for {year}: Word document").format(year=report.year),
    )
    ctx.send_file(
        f"sprawozdanie-{report.year}.xlsx",
        workbook,
        t._("Annual letter for {year}: figures").format(year=report.year),
    )
