"""The figures as files: an XLSX workbook and a PNG chart, both in Polish.

They go to the programme's Polish reports as they are, so their headers are Polish whatever
the reader's language. openpyxl and matplotlib load only when a file is made: together they
take most of a second to import.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from storage.basket.vocabulary import SECTOR_NAMES
from storage.figures import Figures, Tally
from storage.models import Sector
from storage.spreadsheets import put
from storage.text import sort_key

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

TITLE = "Kooperacje 3D – liczby za okres {period}"
NO_INSTITUTION = "(bez instytucji)"
SUMMARY_HEADERS = [
    "Poziom",
    "Nazwa",
    "Gmina",
    "Rodzaj",
    "Spotkania odbyte",
    "Spotkania odwołane",
    "Uczestnicy (razem)",
    "Uczestnicy (różne osoby)",
    "Średnia obecność na spotkaniu",
    "Zadania otwarte",
    "Zadania zamknięte",
]
POLISH_MONTHS = ["sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"]


def _scope(figures: Figures) -> str:
    if figures.whole_region:
        return "Zakres: cały region"
    return "Zakres: " + ", ".join(team.name for team in figures.teams)


def _table(
    sheet: Worksheet,
    figures: Figures,
    headers: Sequence[str],
    rows: Sequence[Sequence[str | int | float]],
    widths: Sequence[int],
) -> None:
    """Title and scope above, bold frozen headers, then rows; numbers stay numbers."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    put(sheet, 1, 1, TITLE.format(period=figures.period.label)).font = Font(bold=True, size=13)
    put(sheet, 2, 1, _scope(figures))
    for column, header in enumerate(headers, start=1):
        put(sheet, 4, column, header).font = Font(bold=True)
    for number, values in enumerate(rows, start=5):
        for column, value in enumerate(values, start=1):
            put(sheet, number, column, value)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A5"


def _numbers(tally: Tally) -> list[str | int | float]:
    return [
        tally.meetings_held,
        tally.meetings_cancelled,
        tally.participants,
        tally.unique_participants,
        round(tally.average_attendance, 1),
        tally.tasks_opened,
        tally.tasks_closed,
    ]


def _summary_rows(figures: Figures) -> list[list[str | int | float]]:
    rows: list[list[str | int | float]] = [
        ["zespół", team.name, team.municipality, team.kind.value, *_numbers(team.tally)]
        for team in figures.teams
    ]
    rows += [
        ["gmina", place.name, place.name, "", *_numbers(place.tally)]
        for place in figures.municipalities
    ]
    rows.append(["razem", "Razem", "", "", *_numbers(figures.total)])
    return rows


def _institution_rows(figures: Figures) -> list[list[str | int | float]]:
    rows: list[list[str | int | float]] = []
    for place in figures.municipalities:
        counts = place.tally.by_institution
        for name in sorted(counts, key=lambda n: (-counts[n], sort_key(n))):
            rows.append([place.name, name or NO_INSTITUTION, counts[name]])
    return rows


def _sector_rows(figures: Figures) -> list[list[str | int | float]]:
    return [
        [
            SECTOR_NAMES[sector],
            figures.total.by_sector[sector],
            *(place.tally.by_sector[sector] for place in figures.municipalities),
        ]
        for sector in Sector
    ]


def report_xlsx(figures: Figures) -> bytes:
    """Sheets Podsumowanie, Instytucje, Sektory, Miesiące."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Podsumowanie"
    _table(
        summary,
        figures,
        SUMMARY_HEADERS,
        _summary_rows(figures),
        [10, 32, 22, 8, 12, 12, 12, 14, 14, 12, 12],
    )
    _table(
        workbook.create_sheet("Instytucje"),
        figures,
        ["Gmina", "Instytucja", "Obecności na spotkaniach"],
        _institution_rows(figures),
        [22, 55, 16],
    )
    places = [place.name for place in figures.municipalities]
    _table(
        workbook.create_sheet("Sektory"),
        figures,
        ["Sektor", "Razem", *places],
        _sector_rows(figures),
        [26, 10, *(max(12, len(name) + 2) for name in places)],
    )
    _table(
        workbook.create_sheet("Miesiące"),
        figures,
        ["Miesiąc", "Spotkania odbyte", "Uczestnicy"],
        [[m.month, m.meetings_held, m.participants] for m in figures.months],
        [12, 16, 12],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _month_labels(months: Sequence[str]) -> list[str]:
    """ "sty\n2026", "lut", ...; over two years only the Januaries, or the axis is a smudge."""
    labels = []
    for index, month in enumerate(months):
        year, number = month.split("-")
        name = POLISH_MONTHS[int(number) - 1]
        if len(months) > 24:
            labels.append(year if number == "01" else "")
        else:
            labels.append(f"{name}\n{year}" if index == 0 or number == "01" else name)
    return labels


def chart_png(figures: Figures) -> bytes:
    """Bars of meetings held per month, a line of participants on a second axis."""
    import matplotlib

    matplotlib.use("Agg")
    # A bare Figure, not pyplot: nothing global keeps it alive after this returns.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    months = figures.months
    positions = list(range(len(months)))
    held = [m.meetings_held for m in months]
    people = [m.participants for m in months]
    figure = Figure(figsize=(9, 5), dpi=100, layout="constrained")
    figure.suptitle(f"Spotkania i uczestnicy w miesiącach, {figures.period.label}")
    meetings_axis = figure.add_subplot()
    bars = meetings_axis.bar(positions, held, color="#4C78A8", label="Spotkania odbyte")
    if len(months) <= 24:
        meetings_axis.bar_label(bars, fmt="%d", label_type="center", color="white")
    meetings_axis.set_ylabel("Spotkania odbyte")
    # Headroom on both axes keeps the line clear of the bars' tops.
    meetings_axis.set_ylim(0, max(held, default=0) * 1.6 + 1)
    meetings_axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    meetings_axis.set_xticks(positions, _month_labels([m.month for m in months]))
    people_axis = meetings_axis.twinx()
    people_axis.plot(
        positions, people, color="#E45756", marker="o", linewidth=2, label="Uczestnicy"
    )
    people_axis.set_ylabel("Uczestnicy")
    people_axis.set_ylim(0, max(people, default=0) * 1.15 + 1)
    people_axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    # One legend for both axes, under the plot.
    figure.legend(
        handles=[bars, *people_axis.get_legend_handles_labels()[0]],
        loc="outside lower center",
        ncols=2,
        frameon=False,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
