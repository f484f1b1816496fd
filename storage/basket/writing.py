"""Basket files for people: CSV that Excel in Poland opens right, XLSX, and the template."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from storage.basket.reading import COLUMNS
from storage.basket.vocabulary import CATEGORIES, SECTOR_NAMES
from storage.spreadsheets import append, csv_bytes, put

if TYPE_CHECKING:  # openpyxl takes a tenth of a second to import: only when a file is made
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

SHEET = "Koszyk usług"
LISTS_SHEET = "Słowniki"
SHEET_ROWS = 1000  # rows of the template that offer the sector drop-down
_WIDTHS = {"usluga": 40, "opis": 60, "instytucja": 40, "kategorie": 30, "jak_skorzystac": 40}


def write_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """UTF-8 with BOM and `;`: Excel with Polish settings opens it with the right letters."""
    return csv_bytes([COLUMNS, *([row.get(column, "") for column in COLUMNS] for row in rows)])


def _header(sheet: Worksheet, names: list[str]) -> None:
    from openpyxl.styles import Font

    for cell in append(sheet, names):
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _basket_sheet(sheet: Worksheet) -> None:
    sheet.title = SHEET
    _header(sheet, COLUMNS)
    for index, column in enumerate(COLUMNS):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = _WIDTHS.get(column, 18)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(rows: Iterable[Mapping[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _basket_sheet(sheet)
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            value = row.get(column, "")
            if value:
                put(sheet, number, index, value)
    return _save(workbook)


def template_xlsx() -> bytes:
    """Headers only, and a second sheet with the allowed categories and sectors."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _basket_sheet(sheet)
    lists = workbook.create_sheet(LISTS_SHEET)
    _header(lists, ["kategorie (wpisz nazwy, oddziel średnikiem)", "", "sektor"])
    lists.column_dimensions["A"].width = 45
    lists.column_dimensions["C"].width = 30
    for index, label in enumerate(CATEGORIES.values(), start=2):
        put(lists, index, 1, label)
    for index, name in enumerate(SECTOR_NAMES.values(), start=2):
        put(lists, index, 3, name)
    # A drop-down of sectors; categories are several per cell, so they stay typed.
    last = len(SECTOR_NAMES) + 1
    choice = DataValidation(type="list", formula1=f"='{LISTS_SHEET}'!$C$2:$C${last}")
    choice.error = "Wybierz sektor z listy w arkuszu „Słowniki”."
    sheet.add_data_validation(choice)
    choice.add(f"C2:C{SHEET_ROWS}")
    return _save(workbook)
