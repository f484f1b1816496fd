"""Cells of every CSV and XLSX file the bot writes, safe from formula (CSV) injection.

Names, institutions, places and basket texts are typed by people; a cell such as
`=HYPERLINK("http://evil.example/x")` must reach Excel or LibreOffice as text, never as a
formula. As OWASP's CSV-injection guidance says, a text starting with `=`, `+`, `-`, `@`,
tab or carriage return gets a leading `'`; XLSX text cells are also typed as strings.
Numbers and dates are not text and stay as they are.

The basket importer reads back the files the bot exports: `restore` takes the quote off
again, and `restore(neutralise(text)) == text` for every text (round trip).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # openpyxl takes a tenth of a second to import: only when a file is made
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.worksheet.worksheet import Worksheet

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

Value = str | int | float | Decimal | date | datetime | time | None


def _needs_quote(text: str) -> bool:
    # Texts that already start with quotes before a dangerous character get one more, so
    # that `restore` (which takes exactly one off) gives back what was written.
    return text.lstrip(QUOTE).startswith(DANGEROUS)


def neutralise(text: str) -> str:
    """ "=SUM(1)" -> "'=SUM(1)"; "+48 42 123 45 67" -> "'+48 42 123 45 67"; others as they are."""
    return QUOTE + text if _needs_quote(text) else text


def restore(text: str) -> str:
    """The inverse of `neutralise`, for files read back: "'+48 42..." -> "+48 42..."."""
    return text[1:] if text.startswith(QUOTE) and _needs_quote(text[1:]) else text


def _safe(value: Value) -> Value:
    return neutralise(str(value)) if isinstance(value, str) else value


def csv_bytes(rows: Iterable[Sequence[Value]], delimiter: str = ";") -> bytes:
    """UTF-8 with BOM, CRLF and semicolons: what Excel set to Polish opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([_safe(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _bind(cell: SheetCell, value: Value) -> SheetCell:
    cell.value = _safe(value)
    if isinstance(value, str):
        cell.data_type = "s"  # never "f": openpyxl types any text starting with "=" a formula
    return cell


def put(sheet: Worksheet, row: int, column: int, value: Value) -> SheetCell:
    """sheet.cell(row, column, value), with text kept text."""
    # A merged cell is read-only; the bot merges no cells in the sheets it writes.
    return _bind(cast("SheetCell", sheet.cell(row=row, column=column)), value)


def append(sheet: Worksheet, values: Sequence[Value]) -> list[SheetCell]:
    """sheet.append(values), with text kept text; returns the new row's cells."""
    from openpyxl.cell.cell import Cell

    # Row 0 is a placeholder: append gives each cell its row (and its column again).
    cells = [
        _bind(Cell(sheet, row=0, column=column), value)
        for column, value in enumerate(values, start=1)
    ]
    sheet.append(cells)
    return cells
