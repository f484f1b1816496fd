"""The figures as a short message in the reader's language (HTML), or as plain text."""

from __future__ import annotations

import html
import re

from bot.i18n import Translator
from bot.render import esc
from bot.views.labels import sector_label
from storage.figures import Figures, Tally

TOP_INSTITUTIONS = 5
_TAG = re.compile(r"<[^>]+>")


def _decimal(t: Translator, value: float) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if t.language == "pl" else text


def _meetings(t: Translator, n: int) -> str:
    return t.n_("{n} meeting", "{n} meetings", n)


def _participants(t: Translator, n: int) -> str:
    return t.n_("{n} participant", "{n} participants", n)


def _scope(t: Translator, figures: Figures) -> str:
    if figures.whole_region:
        return t._("Whole region")
    return ", ".join(esc(team.name) for team in figures.teams)


def _overview(t: Translator, tally: Tally) -> list[str]:
    return [
        t._("Meetings held: {held}; cancelled: {cancelled}").format(
            held=f"<b>{tally.meetings_held}</b>", cancelled=tally.meetings_cancelled
        ),
        t._("Participants: {total} in total ({unique}), on average {average} per meeting").format(
            total=f"<b>{tally.participants}</b>",
            unique=t.n_("{n} different person", "{n} different people", tally.unique_participants),
            average=_decimal(t, tally.average_attendance),
        ),
        t._("Tasks: {opened} opened, {closed} closed").format(
            opened=tally.tasks_opened, closed=tally.tasks_closed
        ),
    ]


def _breakdown(t: Translator, figures: Figures) -> list[str]:
    """Per municipality when there are several, else per team when there are several."""
    if len(figures.municipalities) > 1:
        title = t._("By municipality")
        parts = [(place.name, place.tally) for place in figures.municipalities]
    elif len(figures.teams) > 1:
        title = t._("By team")
        parts = [(team.name, team.tally) for team in figures.teams]
    else:
        return []
    return ["", f"<b>{title}</b>"] + [
        f"{esc(name)}: {_meetings(t, tally.meetings_held)}, {_participants(t, tally.participants)}"
        for name, tally in parts
    ]


def _origins(t: Translator, tally: Tally) -> list[str]:
    sectors = sorted(tally.by_sector.items(), key=lambda item: (-item[1], item[0].value))
    lines = ["", "<b>{}</b>".format(t._("By sector"))]
    lines.append(" · ".join(f"{esc(sector_label(t, s))} {n}" for s, n in sectors if n))
    counts = tally.by_institution
    top = sorted(counts, key=lambda name: (-counts[name], name))[:TOP_INSTITUTIONS]
    unnamed = t._("no institution given")
    lines += ["", "<b>{}</b>".format(t._("Institutions present most often"))]
    lines += [
        f"{number}. {esc(name or unnamed)}: {counts[name]}"
        for number, name in enumerate(top, start=1)
    ]
    return lines


def summary_html(t: Translator, figures: Figures) -> str:
    lines = [
        "<b>{}</b>".format(t._("Figures for {period}").format(period=esc(figures.period.label))),
        f"<i>{_scope(t, figures)}</i>",
        "",
        *_overview(t, figures.total),
        *_breakdown(t, figures),
        *_origins(t, figures.total),
        "",
        t._("Every figure is in the spreadsheet; the chart shows each month."),
    ]
    return "\n".join(lines)


def as_plain(text: str) -> str:
    """One of these messages for a terminal: tags dropped, entities back to characters."""
    return html.unescape(_TAG.sub("", text))


def empty_period_text(t: Translator, figures: Figures) -> str:
    return t._(
        "No meetings were held in {period} ({scope}), so there are no figures yet. "
        "Try another period, e.g. <i>/raport 2025</i> or <i>/raport 1.01.2026 – 30.06.2026</i>."
    ).format(period=esc(figures.period.label), scope=_scope(t, figures))
