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
