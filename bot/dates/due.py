"""Due days of tasks: "do piątku", "jutro", "15 grudnia", "do końca miesiąca"."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from bot.dates.lexicon import fold_text
from bot.dates.model import WhenStatus
from bot.dates.resolve import parse_when

_END_OF = re.compile(r"^(?:do\s+)?konca\s+(tygodnia|tyg|miesiaca|mies)$")
# A due day is a day, so a number alone is the day of the month ("do 15.", "do 15").
_DAY_ALONE = re.compile(r"^(\d{1,2})\.?$")


class DueDateError(ValueError):
    def __init__(self, past: bool) -> None:
        super().__init__("past" if past else "unreadable")
        self.past = past


def parse_due(text: str, now: datetime) -> date:
    """The day meant, today or later, in `now`'s zone; DueDateError otherwise.

    "do piątku"/"do pt." is this Friday (today counts), "do końca tygodnia" this Friday, "do
    końca miesiąca" the month's last day, "do 15-go"/"do 15." the nearest 15th; anything
    `parse_when` reads as a day works too (a weekday with a date that disagree does not).
    """
    folded = " ".join(fold_text(text).split()).strip(" .!:")
    today = now.date()
    end = _END_OF.match(folded)
    if end is not None:
        if end.group(1).startswith("tyg"):
            return today + timedelta(days=max(0, 4 - today.weekday()))
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    if folded.startswith("do "):
        folded = folded[3:]
    if (day := _DAY_ALONE.match(folded)) is not None:
        folded = f"{day.group(1)}-go"
    # The day alone: an hour would be read as "today at", which a due day does not mean.
    when = parse_when(folded, now.replace(hour=0, minute=0, second=0, microsecond=0))
    if when.value is None or when.status not in (WhenStatus.NEEDS_TIME, WhenStatus.PAST):
        raise DueDateError(past=False)
    if when.value.date() < today:
        raise DueDateError(past=True)
    return when.value.date()
