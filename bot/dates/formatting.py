"""Dates shown back to people: "wtorek, 24 listopada 2026, 14:30"."""

from __future__ import annotations

from datetime import datetime

# Babel's format context gives the genitive month in Polish ("listopada").
PATTERN = "EEEE, d MMMM y, HH:mm"
DAY_PATTERN = "EEEE, d MMMM y"
DEFAULT_LANGUAGE = "pl"


def format_when(dt: datetime, language: str = DEFAULT_LANGUAGE, *, with_time: bool = True) -> str:
    """Weekday, day, month, year (and time) in `dt`'s own zone; unknown languages get Polish."""
    # Imported here so that parsing alone does not pay for loading Babel (~25 ms).
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_datetime

    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse(DEFAULT_LANGUAGE)
    pattern = PATTERN if with_time else DAY_PATTERN
    return format_datetime(dt, pattern, tzinfo=dt.tzinfo, locale=locale)


def format_span(start: datetime, end: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """ "wtorek, 15 grudnia 2026, 09:00–11:00"; an end on another day shows its date too."""
    local_end = end.astimezone(start.tzinfo)
    if local_end.date() == start.date():
        return f"{format_when(start, language)}–{local_end:%H:%M}"
    return f"{format_when(start, language)} – {format_when(local_end, language)}"
