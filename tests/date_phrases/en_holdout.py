"""English HOLDOUT phrases for issue 17: only bench/dates.py reads these.

Grammar authors: do not open this file, nor tune the grammar on its failures (the bench
reports them as phrases only). Europe/Warsaw wall times; W is Wednesday 2026-11-25 09:00.
"""

from __future__ import annotations

from tests.date_phrases import (
    ABBREVIATIONS,
    AFTERNOON,
    BAD,
    CONFLICT,
    EVERYDAY,
    FILLERS,
    GAP,
    INVALID,
    NEEDS,
    OK,
    PAST,
    PM,
    RANGES,
    RELATIVE,
    SEPARATORS,
    WEEKDAY_DATE,
    Row,
)
from tests.test_dates import MONTH_END, SPRING_EVE, SUNDAY_EVENING, YEAR_END
from tests.test_dates import WEDNESDAY as W

ROWS: list[Row] = [
    (WEEKDAY_DATE, "Wednesday 16 Dec at 11:00", W, OK, "2026-12-16 11:00", None, None),
    (WEEKDAY_DATE, "Thu 7 Jan 2027 at 10am", W, OK, "2027-01-07 10:00", None, None),
    (WEEKDAY_DATE, "Saturday 12/12", W, NEEDS, "2026-12-12 00:00", None, None),
    (
        WEEKDAY_DATE,
        "Tuesday 3 December at 10",
        W,
        CONFLICT,
        "2026-12-03 10:00",
        None,
        None,
        "2026-12-01 10:00",
    ),
    (SEPARATORS, "4/12 at 8:30", W, OK, "2026-12-04 08:30", None, None),
    (SEPARATORS, "18-12-2026", W, NEEDS, "2026-12-18 00:00", None, None),
    (SEPARATORS, "10.01 at 10am", W, OK, "2027-01-10 10:00", None, None),
    (SEPARATORS, "12/1 at 9", W, OK, "2027-01-12 09:00", None, None),  # day first, not US
    (ABBREVIATIONS, "1st Dec at 10", W, OK, "2026-12-01 10:00", None, None),
    (ABBREVIATIONS, "Sept 4 at 10", W, OK, "2027-09-04 10:00", None, None),
    (ABBREVIATIONS, "Tues 9am", W, OK, "2026-12-01 09:00", None, None),
    (ABBREVIATIONS, "22nd December, 11:00", W, OK, "2026-12-22 11:00", None, None),
    (FILLERS, "around 10 on Thursday?", W, OK, "2026-11-26 10:00", None, None),
    (FILLERS, "Friday at 11 works for me", W, OK, "2026-11-27 11:00", None, None),
    (FILLERS, "how about the day after tomorrow at 9?", W, OK, "2026-11-27 09:00", None, None),
    (FILLERS, "maybe around noon tomorrow", W, OK, "2026-11-26 12:00", None, None),
    (AFTERNOON, "Monday at 1", W, OK, "2026-11-30 13:00", None, PM),
    (AFTERNOON, "tomorrow at 6", W, OK, "2026-11-26 18:00", None, PM),
    (AFTERNOON, "Dec 10 at 3:30", W, OK, "2026-12-10 15:30", None, PM),
    (AFTERNOON, "today at 5", W, OK, "2026-11-25 17:00", None, PM),
    (AFTERNOON, "Jan 1 at 3", YEAR_END, OK, "2027-01-01 15:00", None, PM),
    (AFTERNOON, "tomorrow at 2 in the morning", W, OK, "2026-11-26 02:00", None, None),
    (RANGES, "Tuesday 10-12", W, OK, "2026-12-01 10:00", "2026-12-01 12:00", None),
    (RANGES, "tomorrow at 9 for 90 minutes", W, OK, "2026-11-26 09:00", "2026-11-26 10:30", None),
    (RANGES, "Dec 3 from 9:30 to 11", W, OK, "2026-12-03 09:30", "2026-12-03 11:00", None),
    (RANGES, "tomorrow from 3 to 5", W, OK, "2026-11-26 15:00", "2026-11-26 17:00", PM),
    (RANGES, "tomorrow at 10 for 30 hours", W, INVALID, None, None, None),
    (RELATIVE, "in two weeks", W, NEEDS, "2026-12-09 00:00", None, None),
    (RELATIVE, "in 4 days at 8", W, OK, "2026-11-29 08:00", None, None),
    (RELATIVE, "in an hour", W, OK, "2026-11-25 10:00", None, None),
    (RELATIVE, "in a month", W, NEEDS, "2026-12-25 00:00", None, None),
    (RELATIVE, "in 3 weeks", MONTH_END, NEEDS, "2026-02-21 00:00", None, None),
    (EVERYDAY, "tomorrow at 8am", W, OK, "2026-11-26 08:00", None, None),
    (EVERYDAY, "next Tuesday at 9", W, OK, "2026-12-01 09:00", None, None),
    (EVERYDAY, "Monday 8:30", W, OK, "2026-11-30 08:30", None, None),
    (EVERYDAY, "15 December at 10am", W, OK, "2026-12-15 10:00", None, None),
    (EVERYDAY, "today at 12:30", W, OK, "2026-11-25 12:30", None, None),
    (EVERYDAY, "Friday afternoon", W, NEEDS, "2026-11-27 00:00", None, None),
    (EVERYDAY, "tomorrow at 8", SUNDAY_EVENING, OK, "2026-11-23 08:00", None, None),
    (BAD, "tonight at 8am", W, INVALID, None, None, None),
    (BAD, "31/04 at 9", W, INVALID, None, None, None),
    (BAD, "today at 7:30", W, PAST, "2026-11-25 07:30", None, None),
    (BAD, "29/03 at 02:30", SPRING_EVE, GAP, None, None, None),
    (BAD, "...", W, INVALID, None, None, None),
    (BAD, "blah blah", W, INVALID, None, None, None),
]
