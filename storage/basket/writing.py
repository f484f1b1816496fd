"""Basket files for people: CSV that Excel in Poland opens right, XLSX, and the template."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from storage.basket.reading import COLUMNS
from storage.basket.vocabulary import CATEGORIES, SECTOR_NAMES, SECTOR_SYNONYMS, names_of
from storage.spreadsheets import append, csv_bytes, put

if TYPE_CHECKING:  # openpyxl takes a tenth of a second to import: only when a file is made
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

SHEET = "Koszyk usług"
LISTS_SHEET = "Słowniki"
GUIDE_SHEET = "Instrukcja"
# The rules of README's "The basket file (coordinators)", said in the template itself;
# tests/test_basket_vocabulary.py keeps the two in step.
REQUIRED_COLUMNS = ("gmina", "instytucja", "usluga", "kategorie")
GUIDE = (
    "Jeden wiersz to jedna usługa. Nagłówków w pierwszym wierszu nie zmieniaj.",
    "Wymagane kolumny: gmina, instytucja, usluga, kategorie. Pozostałe można zostawić puste.",
    "gmina: gmina koszyka (ta, której zespół koordynujesz).",
    "sektor: sektor instytucji z listy w arkuszu „Słowniki” (kolumna C) albo jedna z nazw "
    "obok (kolumna D); wielkość liter i polskie znaki nie mają znaczenia.",
    "Nieznany sektor nie blokuje pliku: wiersz zostaje przyjęty, nowa instytucja dostaje "
    "sektor „inne”, a odpowiedź bota wymienia nieznane nazwy.",
    "kategorie: jedna lub kilka nazw z arkusza „Słowniki” (kolumna A), oddzielone średnikiem. "
    "Nieznana nazwa zostaje pominięta i wymieniona w odpowiedzi; wiersz jest przyjęty.",
    "Jeśli choć jeden wiersz ma błąd (puste wymagane pole, zły e-mail lub adres strony, "
    "formuła zaczynająca się od „=”, za długi tekst, numer PESEL, inna gmina, ta sama usługa "
    "drugi raz), "
    "koszyk nie zmienia się wcale, a bot podaje numery wierszy z błędami.",
    "Plik wyślij botowi w czacie prywatnym jako XLSX albo CSV (UTF-8 lub Windows-1250, "
    "rozdzielany średnikiem, przecinkiem albo tabulatorem).",
)
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
    from openpyxl.utils import get_column_letter

    sheet.title = SHEET
    _header(sheet, COLUMNS)
    for index, column in enumerate(COLUMNS):
        letter = get_column_letter(index + 1)
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


def _lists_sheet(lists: Worksheet) -> None:
    _header(lists, ["kategorie (wpisz nazwy, oddziel średnikiem)", "", "sektor", "także"])
    for letter, width in (("A", 45), ("C", 30), ("D", 100)):
        lists.column_dimensions[letter].width = width
    for index, label in enumerate(CATEGORIES.values(), start=2):
        put(lists, index, 1, label)
    for index, (sector, name) in enumerate(SECTOR_NAMES.items(), start=2):
        put(lists, index, 3, name)
        put(lists, index, 4, ", ".join(names_of(SECTOR_SYNONYMS.get(sector, ""))))


def template_xlsx() -> bytes:
    """Headers only; a sheet with the categories and sectors (and the other names a sector
    goes by), and one with the rules of the file."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _basket_sheet(sheet)
    _lists_sheet(workbook.create_sheet(LISTS_SHEET))
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 120
    for index, line in enumerate(GUIDE, start=1):
        put(guide, index, 1, line)
    # A drop-down of sectors that warns but lets other names through (they are read too);
    # categories are several per cell, so they stay typed.
    last = len(SECTOR_NAMES) + 1
    choice = DataValidation(
        type="list", formula1=f"='{LISTS_SHEET}'!$C$2:$C${last}", errorStyle="warning"
    )
    choice.error = (
        "Tej nazwy nie ma na liście w arkuszu „Słowniki”; wiersz i tak zostanie przyjęty."
    )
    sheet.add_data_validation(choice)
    choice.add(f"C2:C{SHEET_ROWS}")
    return _save(workbook)
