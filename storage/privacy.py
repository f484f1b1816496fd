"""Client data that must never enter the bot: PESEL numbers in free texts.

Agendas, announcements, minutes, tasks and guest entries are checked before anything is
stored or sent; the author is asked to remove the number. Eleven digits count as a PESEL only
when the checksum and the encoded birth date are both valid (born in the 1900s or 2000s, not
in the future: a living client), so phone and case numbers pass.

People write numbers in groups ("440514 01359", "440-514-013-59", "4405.1401.359"), with
no-break or thin spaces from a phone keyboard or a pasted document, or dashes of any kind.
So digits are read in runs of groups joined by short separators, and every stretch of whole
groups with eleven digits in all is checked; a group is never split, so twelve digits in a
row are still not a PESEL.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date

from storage.errors import DomainError, Problem

_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
# The month field carries the century: +0 for the 1900s, +20 for the 2000s (+80, +40, +60
# are the 1800s, 2100s and 2200s: nobody alive, and the source of most false alarms).
_CENTURIES = {0: 1900, 20: 2000}
PESEL_LENGTH = 11
# Between two groups of digits: at most this many separator characters (" - ", ". ").
_MAX_SEPARATOR = 3
_DOTS = frozenset(".·\u2024\u2027\u2219\u22c5\u30fb\uff0e")
_TAG = re.compile(r"<[^<>]{0,200}>")


def is_pesel(digits: str, today: date | None = None) -> bool:
    if len(digits) != PESEL_LENGTH or not digits.isdecimal():
        return False
    numbers = [unicodedata.decimal(d) for d in digits]
    if (10 - sum(w * n for w, n in zip(_WEIGHTS, numbers, strict=False)) % 10) % 10 != numbers[10]:
        return False
    year, month, day = (numbers[i] * 10 + numbers[i + 1] for i in (0, 2, 4))
    offset = (month - 1) // 20 * 20
    if offset not in _CENTURIES:
        return False
    try:
        born = date(_CENTURIES[offset] + year, month - offset, day)
    except ValueError:
        return False
    return born <= (today or date.today())


def _is_separator(char: str) -> bool:
    """Spaces of every kind, dashes of every kind, dots, and invisible format characters."""
    if char.isspace() or char in _DOTS or char == "\u2212":  # U+2212: the minus sign
        return True
    return unicodedata.category(char) in ("Zs", "Zl", "Zp", "Pd", "Cf")


def _digit_runs(text: str) -> list[list[str]]:
    """Groups of digits (ASCII, as Unicode digits may be typed too) joined by short
    separators; anything else ends a run."""
    runs: list[list[str]] = []
    groups: list[str] = []
    digits: list[str] = []
    gap = 0
    for char in text + "\n\0":  # a sentinel that ends the last run
        if char.isdecimal():
            if not digits and groups and gap > _MAX_SEPARATOR:
                runs.append(groups)
                groups = []
            digits.append(str(unicodedata.decimal(char)))
            gap = 0
            continue
        if digits:
            groups.append("".join(digits))
            digits = []
        if _is_separator(char):
            gap += 1
            continue
        if groups:
            runs.append(groups)
        groups, gap = [], 0
    return runs


def _candidates(groups: list[str]) -> list[str]:
    """Every stretch of whole consecutive groups with exactly eleven digits."""
    found = []
    for start in range(len(groups)):
        joined = ""
        for group in groups[start:]:
            joined += group
            if len(joined) >= PESEL_LENGTH:
                break
        if len(joined) == PESEL_LENGTH:
            found.append(joined)
    return found


def contains_pesel(text: str | None) -> bool:
    if not text:
        return False
    # Announcements arrive as HTML: a tag or an entity between digits hides nothing either.
    plain = html.unescape(_TAG.sub("", text))
    return any(
        is_pesel(candidate)
        for version in {text, plain}
        for groups in _digit_runs(version)
        for candidate in _candidates(groups)
    )


def refuse_client_data(*texts: str | None) -> None:
    """Raise before anything is stored or sent when a text carries a PESEL number."""
    if any(contains_pesel(text) for text in texts):
        raise DomainError(Problem.CLIENT_DATA)
