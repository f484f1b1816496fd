"""Validation of short names typed by people (institutions, teams, members)."""

from __future__ import annotations

import unicodedata

from storage.errors import DomainError, Problem


def clean_name(raw: str, *, max_length: int = 200) -> str:
    """Collapse whitespace, drop control characters; refuse empty or overlong names."""
    text = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C" or ch in " \t\n")
    text = " ".join(text.split())
    if len(text) < 2:
        raise DomainError(Problem.NAME_INVALID)
    if len(text) > max_length:
        raise DomainError(Problem.NAME_TOO_LONG, max_length=max_length)
    return text


def same_name(a: str, b: str) -> bool:
    """Names equal regardless of case and spacing ("pzk  łódź" is "PZK Łódź")."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


_POLISH_BASE = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def sort_key(name: str) -> tuple[str, str]:
    """Alphabetical order a Polish reader expects (Łódź between Łowicz and Radomsko)."""
    folded = name.casefold()
    return folded.translate(_POLISH_BASE), folded
