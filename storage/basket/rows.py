"""Checking the rows of a basket file before anything is written."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from storage.basket.text import service_key, words
from storage.basket.vocabulary import category_slug, sector_of
from storage.db import column_length
from storage.models import Municipality, Sector, Service
from storage.privacy import contains_pesel

REQUIRED = ("gmina", "instytucja", "usluga", "kategorie")
# File column -> Service attribute, for the texts stored as given.
TEXT_FIELDS = {
    "opis": "description",
    "dla_kogo": "target_groups",
    "jak_skorzystac": "how_to_access",
    "adres": "address",
    "telefon": "phone",
    "email": "email",
    "www": "www",
    "godziny": "opening_hours",
    "odplatnosc": "paid",
}
_MULTILINE = {"opis", "dla_kogo", "jak_skorzystac"}
# A PESEL has eleven digits: a text with fewer is not read for one (a 5,000-row file's cells).
_ELEVEN_DIGITS = re.compile(r"(?:\d\D*){11}")
_EMAIL = re.compile(r"^[\w.%+'-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}$")
_WWW = re.compile(
    r"^(?:https?://)?(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?::\d+)?(?:[/?#]\S*)?$"
)


def _limit(column: str) -> int:
    if column == "gmina":
        return column_length(Municipality.__table__.c.name)
    if column == "instytucja":
        return 200
    attribute = "name" if column == "usluga" else TEXT_FIELDS[column]
    return column_length(Service.__table__.c[attribute])


class BasketImportError(Exception):
    """Rows that cannot be imported: (spreadsheet row number, Polish reason) for each."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the basket file")
        self.problems = problems


@dataclass(frozen=True)
class ServiceDraft:
    """One checked row, ready to be written."""

    row: int
    municipality: str
    institution: str
    sector: Sector | None  # None: not given
    name: str
    categories: list[str]  # slugs
    texts: dict[str, str | None]  # Service attribute -> value
    key: str
    # Names the vocabulary does not know, as written: reported, not refused (README, "The
    # basket file"). An unknown sector leaves `sector` None (a new institution gets "inne");
    # unknown categories are left out (the row is still found by search).
    unknown_sector: str | None = None
    unknown_categories: tuple[str, ...] = ()


def clean(value: str, *, multiline: bool = False) -> str:
    """Drop control characters; one line (or tidy lines) of single spaces."""
    if not value.isprintable():
        value = "".join(
            ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\n\t"
        ).replace("\t", " ")
    if not multiline:
        return " ".join(value.split())
    lines = [" ".join(line.split()) for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def same_place(a: str, b: str) -> bool:
    """Municipality names equal regardless of case, diacritics and punctuation."""
    return words(a) == words(b)


def _check_row(
    number: int, row: Mapping[str, str], municipality: str | None
) -> tuple[ServiceDraft | None, list[str]]:
    draft, found = check_row(number, row, municipality)
    return draft, [reason for _, reason in found]


def check_row(
    number: int, row: Mapping[str, str], municipality: str | None
) -> tuple[ServiceDraft | None, list[tuple[str, str]]]:
    """One row as a draft, or its problems as (column, Polish reason): what both the file
    import and the Mini App's form (bot/webapp) check."""
    values = {
        column: clean(row.get(column) or "", multiline=column in _MULTILINE)
        for column in (*REQUIRED, "sektor", *TEXT_FIELDS)
    }
    problems = [(column, f"puste pole „{column}”") for column in REQUIRED if not values[column]]
    problems += [
        (column, f"za krótka nazwa w polu „{column}” (co najmniej 2 znaki)")
        for column in ("gmina", "instytucja", "usluga")
        if len(values[column]) == 1
    ]
    for column, value in values.items():
        if value.startswith("="):
            problems.append(
                (column, f"pole „{column}” zaczyna się od „=”: formuły arkusza są niedozwolone")
            )
        if column not in ("kategorie", "sektor") and len(value) > _limit(column):
            problems.append(
                (column, f"za długi tekst w polu „{column}” (najwyżej {_limit(column)} znaków)")
            )
        elif _ELEVEN_DIGITS.search(value) and contains_pesel(value):  # storage/privacy.py
            problems.append(
                (column, f"pole „{column}” zawiera numer PESEL: danych klientów nie wpisujemy")
            )
    named = [part.strip() for part in re.split(r"[;,\n]", values["kategorie"]) if part.strip()]
    slugs = list(dict.fromkeys(slug for slug in map(category_slug, named) if slug))
    unknown = tuple(name for name in named if category_slug(name) is None)
    if values["kategorie"] and not named and not problems:
        problems.append(("kategorie", "puste pole „kategorie”"))
    sector = sector_of(values["sektor"]) if values["sektor"] else None
    if values["email"] and not _EMAIL.match(values["email"]):
        problems.append(("email", f"niepoprawny adres e-mail „{values['email']}”"))
    if values["www"] and not _WWW.match(values["www"]):
        problems.append(("www", f"niepoprawny adres strony „{values['www']}”"))
    if municipality and values["gmina"] and not same_place(values["gmina"], municipality):
        problems.append(
            ("gmina", f"usługa gminy „{values['gmina']}”, a to koszyk gminy „{municipality}”")
        )
    if problems:
        return None, problems
    draft = ServiceDraft(
        row=number,
        municipality=values["gmina"],
        institution=values["instytucja"],
        sector=sector,
        name=values["usluga"],
        categories=slugs,
        texts={attribute: values[column] or None for column, attribute in TEXT_FIELDS.items()},
        key=service_key(values["gmina"], values["instytucja"], values["usluga"])[:640],
        unknown_sector=values["sektor"] if values["sektor"] and sector is None else None,
        unknown_categories=unknown,
    )
    return draft, []


def check_rows(
    rows: Sequence[Mapping[str, str]], municipality: str | None = None
) -> list[ServiceDraft]:
    """Every filled row as a draft, or BasketImportError listing every problem found.

    Row i of the list is row i + 2 of the spreadsheet (row 1 is the header).
    """
    drafts: list[ServiceDraft] = []
    problems: list[tuple[int, str]] = []
    first_row_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = index + 2
        if not any((value or "").strip() for value in row.values()):
            continue
        draft, found = _check_row(number, row, municipality)
        problems.extend((number, reason) for reason in found)
        if draft is None:
            continue
        if draft.key in first_row_of:
            problems.append((number, f"ta sama usługa co w wierszu {first_row_of[draft.key]}"))
            continue
        first_row_of[draft.key] = number
        drafts.append(draft)
    if problems:
        raise BasketImportError(problems)
    return drafts
