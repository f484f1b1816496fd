"""Polish dates and times as social workers type them on a phone.

`parse_when("jutro o 10", now)` -> `When(WhenStatus.OK, <tomorrow 10:00 in now's zone>)`.

The grammar is our own (tables in `lexicon`, rules in `grammar`); dateparser is not used.
On the test phrases dateparser alone is right about a third of the time (`python -m
bench.dates`): it reads "jutro o 10" as tomorrow at the current time, "20 maja o 10" as the
year 2110 and "15.12" as 15:12 today. Our grammar covers every phrase we accept, and any
word it does not know makes the phrase `invalid` rather than half-read.

Choices:
- Case, diacritics, extra spaces and punctuation are ignored ("ŚRODA", "sroda", "jutro, o 10!").
- The future is preferred. An hour alone is today, or tomorrow if already gone. A weekday is
  the nearest such day; today counts while its hour is still ahead (without an hour it counts).
  A date without a year is this year's, or next year's once this year's day has passed;
  the same day with an hour already gone is `past`, not next year.
- "w przyszły wtorek" is the Tuesday of next calendar week (weeks start on Monday): on a
  Monday that is 8 days ahead, on a Sunday 2 days ahead. "najbliższy"/"ten wtorek" is the
  nearest Tuesday. "w tym/przyszłym tygodniu we wtorek" works too.
- Hours are 24-hour unless a part of day says otherwise: "o 2" is 02:00, "o 2 po południu"
  14:00, "wieczorem o 7" 19:00, "o 10 w nocy" 22:00. A part of day that contradicts the hour
  ("rano o 20") is `invalid`. A bare number ("10") needs a date, "o"/"godz." or a part of day.
- A vague part of day without an hour ("jutro rano", "w piątek wieczorem") is `needs_time`
  for that day: we ask rather than guess 8:00 or 18:00. "w południe" is 12:00; "o północy"
  and "24:00" are the midnight that ends the day (00:00 of the next day).
- "15.12" alone is a date (`needs_time`); "13.30" alone is a time, since 30 is no month; with
  a weekday or date elsewhere a pair is a time, with a time elsewhere it is a date.
- Nothing is repaired: 25:00, 10:75, 24:30, 32 grudnia, 31.11, 29.02.2027 are `invalid`, and
  so is 29 lutego without a year when this year has no 29 February.
- Relative hours and minutes ("za 3 godziny") are elapsed time: added in UTC, so they are
  real hours across a DST change; seconds are dropped. Relative days, weeks and months
  ("za 2 dni o 12", "za tydzień") move the calendar date and keep the wall-clock time; a
  month lacking the day gives its last day ("za miesiąc" on 31.01 is 28.02).
- A wall time skipped by the spring change (2026-03-29 02:30 in Europe/Warsaw) is
  `nonexistent`; the repeated autumn hour (2026-10-25 02:30) is its first occurrence
  (fold=0, still summer time). Existence is checked by a round trip through UTC.
- Anything before `now` is `past`, with its value; a day before today without an hour too.
"""

from bot.dates.formatting import format_when
from bot.dates.model import When, WhenStatus
from bot.dates.resolve import parse_when

# Phrases for help texts; each is parsed in the tests.
EXAMPLES_PL: tuple[str, ...] = (
    "jutro o 10",
    "wtorek 14:30",
    "15 grudnia o 9",
    "15.12 godz. 10",
    "za tydzień o 10",
    "w przyszły piątek o 12",
)

__all__ = ["EXAMPLES_PL", "When", "WhenStatus", "format_when", "parse_when"]
