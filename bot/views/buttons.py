"""Callback data: `prefix:arg:arg`, at most 64 bytes; parsed defensively (it can be forged)."""

from __future__ import annotations

from storage.errors import DomainError, Problem

MAX_CALLBACK_BYTES = 64


def data(*parts: object) -> str:
    value = ":".join(str(p) for p in parts)
    if len(value.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {value!r}")
    return value


def parts(raw: str | None) -> list[str]:
    return (raw or "").split(":")


def int_part(raw: str | None, index: int) -> int:
    """The index-th part as an int, or a 'stale button' refusal for anything malformed."""
    items = parts(raw)
    try:
        return int(items[index])
    except (IndexError, ValueError):
        raise DomainError(Problem.STALE_BUTTON) from None


def str_part(raw: str | None, index: int) -> str:
    items = parts(raw)
    if index >= len(items) or not items[index]:
        raise DomainError(Problem.STALE_BUTTON)
    return items[index]


# A keyboard taller than this does not fit a phone screen above the keyboard.
MAX_ROWS = 6

Row = list[tuple[str, str]]


def grid(items: list[tuple[str, str]], per_row: int) -> list[Row]:
    """Short labels side by side: fewer rows."""
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


def page_row(count: int, size: int, page: int, *prefix: object) -> Row:
    """ "‹ 1–4" / "9–12 ›": buttons to the neighbouring pages of `count` items, `size` a page,
    each with callback data `prefix…:<page>`; empty when everything fits one page."""

    def span(p: int) -> str:
        first, last = p * size + 1, min(count, (p + 1) * size)
        return f"{first}–{last}" if last > first else str(first)

    row: Row = []
    if page > 0:
        row.append((f"‹ {span(page - 1)}", data(*prefix, page - 1)))
    if (page + 1) * size < count:
        row.append((f"{span(page + 1)} ›", data(*prefix, page + 1)))
    return row


def paged(
    items: list[tuple[str, str]], page: int, *prefix: object, per_row: int = 1, rows: int = 5
) -> list[Row]:
    """One page of `items` (`rows` rows of `per_row`) and, when they do not fit one page, a
    row to the neighbouring pages with callback data `prefix…:<page>`. A page out of range
    (the list shrank since) shows the nearest one."""
    size = rows * per_row
    page = min(max(page, 0), max(0, (len(items) - 1) // size))
    nav = page_row(len(items), size, page, *prefix)
    return grid(items[page * size : (page + 1) * size], per_row) + ([nav] if nav else [])


def optional_int(raw: str | None, index: int) -> int:
    """The index-th part as an int, 0 when absent (buttons sent before it was added)."""
    return int_part(raw, index) if len(parts(raw)) > index else 0
