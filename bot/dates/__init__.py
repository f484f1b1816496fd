"""Polish dates and times as social workers type them on a phone.

`parse_when("jutro o 10", now)` -> `When(WhenStatus.OK, <tomorrow 10:00 in now's zone>)`;
`find_when("Cześć, może jutro o 10? Pozdrawiam", now)` finds it inside a longer message.

The grammar is our own (tables in `lexicon`, rules in `grammar`); dateparser is not used.
On the test phrases dateparser alone is right about a third of the time (`python -m
bench.dates`): it reads "jutro o 10" as tomorrow at the current time, "20 maja o 10" as the
year 2110 and "15.12" as 15:12 today. Our grammar covers every phrase we accept, and any
word it does not know makes the phrase `invalid` rather than half-read; an invalid result
lists the words that were understood and (at most 5) those that were not.

Choices:
- Case, diacritics, extra spaces and punctuation are ignored ("ŚRODA", "sroda", "jutro, o 10!"),
  and so are words that carry no time: "pasuje mi", "może być", "proponuję", "około", "koło",
  "ok.", "mniej więcej", "najlepiej", "chyba", "?" ("pasuje mi piątek około 9?").
- Abbreviations with or without their dot: "pon.", "wt.", "śr.", "czw.", "pt.", "sob.",
  "niedz.", "nd."; "sty.", "lut.", ..., "paź.", "gru."; "godz.", "g.", "min.", "tyg.". Ordinal
  days: "15-go", "15go", "20-tego", "15. grudnia", "w grudniu 20-go"; "15-go" alone is the
  nearest 15th (this month, or the next that has it).
- Dates are day first with dots, slashes or dashes: "7.01", "7/01", "7-01", "07.01.2027",
  "7/01/2027"; ISO "2026-12-15" too. "15.12" alone is a date (`needs_time`); "13.30" and
  "15.00" alone are times, since 30 and 00 are no months. After "o"/"godz." or with a date
  elsewhere a dotted pair is a time and a dashed one ("9-11") a range; with a time elsewhere
  a pair is a date; "15.12 10.30" is a date then a time; with a weekday, "sobota 12.12" is a
  date and "wtorek 9-11" a range. A slashed pair is always a date.
- A weekday with its date, in any order ("czwartek 10 grudnia o 12", "10.12 (czwartek)
  12:00", "jutro, czwartek"): if they agree, the date; if not, `conflict` with the date's
  reading as `value` and the weekday's (as the weekday alone is read) as `alternative`.
- The future is preferred. An hour alone is today, or tomorrow if already gone. A weekday is
  the nearest such day; today counts while its hour is still ahead (without an hour it counts).
  A date without a year is this year's, or next year's once this year's day has passed;
  the same day with an hour already gone is `past`, not next year.
- "w przyszły wtorek" is the Tuesday of next calendar week (weeks start on Monday): on a
  Monday that is 8 days ahead, on a Sunday 2 days ahead. "najbliższy"/"ten wtorek" is the
  nearest Tuesday. "w tym/przyszłym tygodniu we wtorek" works too.
- Hours are as people mean them at work: 1-6 without a part of day and not written "0H:MM"
  are the afternoon ("o 3", "o trzeciej" 15:00, "o 4:15" 16:15, "wpół do drugiej" 13:30), with
  `reading` AFTERNOON and the same day's morning as `alternative` (None once gone or skipped
  by DST). "o 2 w nocy", "rano o 6", "04:00", hours 0 and 7-24 are as typed (AS_TYPED). A part
  of day shifts an hour: "o 2 po południu" 14:00, "wieczorem o 7" 19:00, "o 10 w nocy" 22:00;
  one that contradicts it ("rano o 20") is `invalid`. A bare number ("10") needs a date,
  "o"/"godz." or a part of day.
- Ranges fill `end`: "od 9 do 11", "9-11", "9–11", "10:00-11:30", "10-11:30", "między 9 a 11",
  "od 10 do południa", and durations "przez 2 godziny", "na półtorej godziny" (elapsed time).
  The afternoon rule takes a range as a whole ("od 2 do 4" is 14:00-16:00); an end hour 1-12
  is the first such hour after the start ("od 11 do 1" ends at 13:00, "od 22 do 2" at 02:00
  the next day); the end must come after the start and at most 24 hours later, else
  `invalid`. Without a range `end` is None (the caller applies its default length).
- A vague part of day without an hour ("jutro rano", "w piątek wieczorem") is `needs_time`
  for that day: we ask rather than guess 8:00 or 18:00. "w południe" is 12:00; "o północy"
  and "24:00" are the midnight that ends the day (00:00 of the next day).
- Nothing is repaired: 25:00, 10:75, 24:30, 32 grudnia, 31.11, 29.02.2027 are `invalid`, and
  so is 29 lutego without a year when this year has no 29 February.
- Relative hours and minutes ("za 3 godziny", "za 2h") are elapsed time: added in UTC, so
  they are real hours across a DST change; seconds are dropped. Relative days, weeks and
  months ("za 2 dni o 12", "za 2 tyg.") move the calendar date and keep the wall-clock time;
  a month lacking the day gives its last day ("za miesiąc" on 31.01 is 28.02).
- A wall time skipped by the spring change (2026-03-29 02:30 in Europe/Warsaw) is
  `nonexistent`; the repeated autumn hour (2026-10-25 02:30) is its first occurrence
  (fold=0, still summer time). Existence is checked by a round trip through UTC.
- Anything before `now` is `past`, with its value; a day before today without an hour too.
- `find_when`: if the whole text does not parse, the longest (then earliest) run of
  consecutive words that does, not ending in a filler word, with `source` = those words as
  typed. A phrase read but naming no moment ("32 grudnia o 10") is not cut down to "o 10".
"""

from bot.dates.finding import find_when
from bot.dates.formatting import format_when
from bot.dates.model import Reading, When, WhenStatus
from bot.dates.resolve import parse_when

# Phrases for help texts; each is parsed in the tests.
EXAMPLES_PL: tuple[str, ...] = (
    "jutro o 10",
    "wtorek 14:30",
    "15 grudnia o 9",
    "15.12 godz. 10",
    "w piątek od 9 do 11",
    "za tydzień o 10",
)

__all__ = [
    "EXAMPLES_PL",
    "Reading",
    "When",
    "WhenStatus",
    "find_when",
    "format_when",
    "parse_when",
]
