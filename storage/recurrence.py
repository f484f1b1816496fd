"""Recurring meetings: presets as RFC 5545 rules, expanded at a fixed local wall time."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

if TYPE_CHECKING:
    import holidays

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Preset(enum.StrEnum):
    WEEKLY = "weekly"  # co tydzień
    BIWEEKLY = "biweekly"  # co dwa tygodnie
    FIRST_THIRD = "first_third"  # 1. i 3. <dzień tygodnia> miesiąca
    SECOND_FOURTH = "second_fourth"  # 2. i 4. <dzień tygodnia> miesiąca
    MONTHLY = "monthly"  # co miesiąc, tego samego dnia


def rule_for(preset: Preset, first: datetime) -> str:
    """The RRULE (without DTSTART) of a preset anchored at the first occurrence."""
    day = _BYDAY[first.weekday()]
    return {
        Preset.WEEKLY: "FREQ=WEEKLY",
        Preset.BIWEEKLY: "FREQ=WEEKLY;INTERVAL=2",
        Preset.FIRST_THIRD: f"FREQ=MONTHLY;BYDAY=+1{day},+3{day}",
        Preset.SECOND_FOURTH: f"FREQ=MONTHLY;BYDAY=+2{day},+4{day}",
        Preset.MONTHLY: f"FREQ=MONTHLY;BYMONTHDAY={first.day}",
    }[preset]


def local_key(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(LOCAL_FORMAT)


def to_aware(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the zone; one that a spring switch skips moves forward by the gap."""
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(ZoneInfo("UTC")).astimezone(zone)


def occurrences(
    rule: str, local_start: str, zone: ZoneInfo, after: datetime, until: datetime
) -> list[tuple[str, datetime]]:
    """(local key, aware start) of each occurrence in (after, until], at the series' wall time.

    The rule is expanded over naive local times, then placed in the zone: a 10:00 series stays
    at 10:00 on both sides of a DST switch.
    """
    start = datetime.strptime(local_start, LOCAL_FORMAT)
    expanded = rrulestr(rule, dtstart=start)
    after_local = after.astimezone(zone).replace(tzinfo=None) - timedelta(hours=2)
    until_local = until.astimezone(zone).replace(tzinfo=None) + timedelta(hours=2)
    found = []
    for local in expanded.between(after_local, until_local, inc=True):
        aware = to_aware(local, zone)
        if after < aware <= until:
            found.append((local.strftime(LOCAL_FORMAT), aware))
    return found


@cache
def _polish_holidays(year: int) -> holidays.HolidayBase:
    # Imported on first use: the package takes ~70 ms, and date parsing imports Preset.
    import holidays

    return holidays.Poland(years=year, language="pl")


def holiday_name(day: date) -> str | None:
    """The Polish public holiday on that day, if any (Sundays are not holidays here)."""
    return _polish_holidays(day.year).get(day)


def next_working_day(day: date) -> date:
    """The next day after `day` that is neither a weekend nor a public holiday."""
    candidate = day + timedelta(days=1)
    while candidate.weekday() >= 5 or holiday_name(candidate):
        candidate += timedelta(days=1)
    return candidate
