"""Reading a basket file people send: CSV (any delimiter and encoding Polish offices use) or
XLSX. Only the file's shape is checked here; the rows are checked by storage.basket.rows."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from storage.basket.text import fold
from storage.spreadsheets import restore

COLUMNS = [
    "gmina",
    "instytucja",
    "sektor",
    "usluga",
    "opis",
    "kategorie",
    "dla_kogo",
    "jak_skorzystac",
    "adres",
    "telefon",
    "email",
    "www",
    "godziny",
    "odplatnosc",
]
# Limits on what a file may make the bot read, all checked before or while reading, so that
# the work is bounded whatever the file: blank rows count too (a million of them took 35 s).
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_CELLS = 1_000_000  # 50 a row at MAX_ROWS; the template has 14 columns
# What an XLSX (a zip) may unpack to: a 20,000-row basket with long descriptions is ~27 MB.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
TOO_LARGE = "Plik jest za duży: najwyżej 10 MB."
_POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


class BasketFileError(Exception):
    """A file that cannot be read as a basket; `reason` is a Polish sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BasketFileTooBig(BasketFileError):
    """A file over one of the limits; `limit` says which: "bytes", "rows", "cells",
    "unpacked" (XLSX), "time" (storage.basket.upload)."""

    def __init__(self, reason: str, limit: str) -> None:
        super().__init__(reason)
        self.limit = limit


def column_key(header: str) -> str:
    """ " Jak skorzystać " -> "jak_skorzystac"; "E-mail" -> "email"."""
    key = "_".join(fold(header).replace("_", " ").split())
    return {"e_mail": "email", "e-mail": "email", "strona_www": "www"}.get(key, key)


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file, keyed by COLUMNS; row i is spreadsheet row i + 2
    (blank rows are kept, so numbers in messages match what people see)."""
    if len(content) > MAX_FILE_BYTES:
        raise BasketFileTooBig(TOO_LARGE, "bytes")
    if not content.strip():
        raise BasketFileError("Plik jest pusty.")
    name = filename.lower()
    if content.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        table = _xlsx_rows(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise BasketFileError(
            "To stary format Excela (.xls). Zapisz plik jako .xlsx albo CSV i wyślij ponownie."
        )
    else:
        table = _csv_rows(content)
    return _as_records(table)


def _as_records(table: Iterable[list[str]]) -> list[dict[str, str]]:
    rows = _within_limits(table)
    header = next((row for row in rows if any(cell.strip() for cell in row)), None)
    if header is None:
        raise BasketFileError("Plik jest pusty.")
    keys = [column_key(cell) for cell in header]
    missing = [column for column in COLUMNS if column not in keys]
    if len(missing) == len(COLUMNS):
        raise BasketFileError(
            "Pierwszy wiersz nie ma nagłówków koszyka (gmina, instytucja, usluga, kategorie, "
            "...). Pobierz szablon i wpisz usługi pod jego nagłówkami."
        )
    if missing:
        raise BasketFileError(
            "Brakuje kolumn: " + ", ".join(missing) + ". Pobierz szablon i porównaj nagłówki."
        )
    position = {column: keys.index(column) for column in COLUMNS}
    blank = {column: "" for column in COLUMNS}
    records: list[dict[str, str]] = []
    blanks = 0  # blank rows seen since the last filled one: kept only if more rows follow
    for row in rows:
        # The quote our exports put before "=", "+", "-", "@" (formula injection) comes off.
        record = {
            column: restore(row[index].strip()).strip() if index < len(row) else ""
            for column, index in position.items()
        }
        if not any(record.values()):
            blanks += 1
            continue
        records.extend(dict(blank) for _ in range(blanks))
        records.append(record)
        blanks = 0
    if not records:
        raise BasketFileError("Plik nie zawiera żadnej usługi: jest tylko nagłówek.")
    return records


def _within_limits(table: Iterable[list[str]]) -> Iterator[list[str]]:
    """The rows of a table, stopped as soon as there are more than a header and MAX_ROWS,
    or more than MAX_CELLS cells. Blank rows count: reading them costs as much."""
    cells = 0
    for number, row in enumerate(table, start=1):
        if number > MAX_ROWS + 1:
            raise BasketFileTooBig(
                f"Plik ma za dużo wierszy: najwyżej {MAX_ROWS}, licząc też puste.", "rows"
            )
        cells += len(row)
        if cells > MAX_CELLS:
            raise BasketFileTooBig(f"Plik ma za dużo komórek: najwyżej {MAX_CELLS}.", "cells")
        yield row


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")  # Excel's "Unicode text" export
    if b"\x00" in content[:4096]:
        raise BasketFileError("To nie jest plik CSV ani XLSX.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Bytes 0x80-0x9F are control characters in ISO-8859-2 and letters (ś, ź, Ś, Ź) in
    # Windows-1250; otherwise both decode, and the one yielding more Polish letters is right
    # (ą is 0xB9 in one and 0xB1 in the other).
    candidates = []
    for encoding in ("cp1250", "iso-8859-2"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if 0x80 <= ord(ch) <= 0x9F)
        letters = sum(1 for ch in text if ch in _POLISH_LETTERS)
        candidates.append((controls, -letters, encoding, text))
    if not candidates:
        raise BasketFileError(
            "Nie rozpoznaję kodowania znaków. Zapisz plik jako „CSV UTF-8” i wyślij ponownie."
        )
    return min(candidates)[3]


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > len(sample) // 100


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """Row by row, so that a file over the limits is refused without reading it all."""
    if content.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise BasketFileError("To nie jest plik CSV ani XLSX.")
    text = _decode(content)
    if _looks_binary(text):
        raise BasketFileError("To nie jest plik CSV ani XLSX.")
    first_line = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    # The header names no delimiter characters, so the most frequent one in it is the one.
    delimiter = max(";,\t", key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    except csv.Error as exc:
        raise BasketFileError(f"Nie można odczytać pliku CSV: {exc}.") from exc


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed as numbers
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_UNREADABLE_XLSX = "Nie można odczytać pliku XLSX. Zapisz go ponownie w Excelu albo jako CSV."


def _check_archive(content: bytes) -> None:
    """Refuse a zip bomb before anything is unpacked. The sizes an archive declares bound what
    zipfile unpacks: it stops there, and a member that would go on fails its CRC check."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BasketFileError(_UNREADABLE_XLSX) from exc
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise BasketFileTooBig(
            f"Plik XLSX po rozpakowaniu jest za duży: najwyżej {MAX_UNPACKED_BYTES >> 20} MB.",
            "unpacked",
        )


@contextlib.contextmanager
def _sheet_sizes_not_read() -> Iterator[None]:
    """openpyxl reads every sheet whose file does not state its size through to the end, at
    load, to learn it (a million blank rows: 4 s before the first one). Rows are read only up
    to the limits, so no size is needed; unsized, rows also come unpadded. A class attribute,
    swapped for the load alone: files are read one at a time in a process."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    sized = ReadOnlyWorksheet._get_size  # type: ignore[attr-defined]  # private: not in stubs
    ReadOnlyWorksheet._get_size = lambda self: None  # type: ignore[attr-defined]  # as above
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = sized  # type: ignore[attr-defined]  # private: not in stubs


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # only when a spreadsheet arrives
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(content)
    try:
        with _sheet_sizes_not_read():
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise BasketFileError(_UNREADABLE_XLSX) from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()
