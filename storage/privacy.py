"""Client data that must never enter the bot: PESEL numbers in free texts.

Agendas, announcements, minutes, tasks and guest entries are checked before anything is
stored or sent; the author is asked to remove the number. Eleven digits count as a PESEL only
when the checksum and the encoded birth date are both valid, so phone and case numbers pass.
"""

from __future__ import annotations

import re
from datetime import date

from storage.errors import DomainError, Problem

_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
# The month field carries the century: +80 for the 1800s, +0 1900s, +20 2000s, ...
_CENTURIES = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


def is_pesel(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit():
        return False
    numbers = [int(d) for d in digits]
    if (10 - sum(w * n for w, n in zip(_WEIGHTS, numbers, strict=False)) % 10) % 10 != numbers[10]:
        return False
    year, month, day = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    offset = (month - 1) // 20 * 20
    if offset not in _CENTURIES:
        return False
    try:
        date(_CENTURIES[offset] + year, month - offset, day)
    except ValueError:
        return False
    return True


def contains_pesel(text: str | None) -> bool:
    return bool(text) and any(is_pesel(m.group()) for m in _ELEVEN_DIGITS.finditer(text or ""))


def refuse_client_data(*texts: str | None) -> None:
    """Raise before anything is stored or sent when a text carries a PESEL number."""
    if any(contains_pesel(text) for text in texts):
        raise DomainError(Problem.CLIENT_DATA)
