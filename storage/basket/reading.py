"""Reading a basket file people send: CSV (any delimiter and encoding Polish offices use) or
XLSX. Only the file's shape is checked here; the rows are checked by storage.basket.rows."""

from __future__ import annotations

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
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
_POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


class BasketFileError(Exception):
    """A file that cannot be read as a basket; `reason` is a Polish sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def column_key(header: str) -> str:
    """ " Jak skorzystać " -> "jak_skorzystac"; "E-mail" -> "email"."""
    key = "_".join(fold(header).replace("_", " ").split())
    return {"e_mail": "email", "e-mail": "email", "strona_www": "www"}.get(key, key)


def read_table(filename: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file, keyed by COLUMNS; row i is spreadsheet row i + 2
    (blank rows are kept, so numbers in messages match what people see)."""
    if len(content) > MAX_FILE_BYTES:
        raise BasketFileError("Plik jest za duży: najwyżej 10 MB.")
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
    rows = iter(table)
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
        if len(records) + blanks >= MAX_ROWS:
            raise BasketFileError(f"Plik ma za dużo wierszy: najwyżej {MAX_ROWS}.")
        records.extend(dict(blank) for _ in range(blanks))
        records.append(record)
        blanks = 0
    if not records:
        raise BasketFileError("Plik nie zawiera żadnej usługi: jest tylko nagłówek.")
    return records


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


def _csv_rows(content: bytes) -> list[list[str]]:
    if content.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise BasketFileError("To nie jest plik CSV ani XLSX.")
    text = _decode(content)
    if _looks_binary(text):
        raise BasketFileError("To nie jest plik CSV ani XLSX.")
    first_line = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    # The header names no delimiter characters, so the most frequent one in it is the one.
    delimiter = max(";,\t", key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
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


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # only when a spreadsheet arrives
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise BasketFileError(
            "Nie można odczytać pliku XLSX. Zapisz go ponownie w Excelu albo jako CSV."
        ) from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        workbook.close()
