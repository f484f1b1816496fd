"""The result of reading a date phrase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class WhenStatus(StrEnum):
    OK = "ok"  # a future (or present) moment
    NEEDS_TIME = "needs_time"  # a day is known, the hour is not; value is that day at 00:00
    INVALID = "invalid"  # not a date, or one that does not exist (31.11, 25:00)
    PAST = "past"  # a real moment, but before `now`; value holds it
    NONEXISTENT = "nonexistent"  # a local time skipped by the spring DST change
    # A weekday and a date that disagree ("czwartek 9 grudnia" when the 9th is a Wednesday):
    # value is the date's reading, alternative the weekday's; ask which one is meant.
    CONFLICT = "conflict"


class Reading(StrEnum):
    """Which of two readings of an hour was taken (the other is `When.alternative`)."""

    AS_TYPED = "as_typed"
    AFTERNOON = "afternoon"  # "o 4", "o trzeciej" at work: 16:00, 15:00 (not 04:00, 03:00)


@dataclass(frozen=True, slots=True)
class When:
    status: WhenStatus
    value: datetime | None = None  # aware, in the zone of `now`
    reason: str = ""  # English, for logs and tests; not for users
    # A range ("od 9 do 11", "10:00-11:30", "przez dwie godziny"): when it ends (aware).
    end: datetime | None = None
    # The other reading: of the hour when `reading` is AFTERNOON, of the weekday for CONFLICT.
    alternative: datetime | None = None
    reading: Reading = Reading.AS_TYPED
    # The words the phrase was found in, when it came from a longer message (find_when).
    source: str | None = None
    # For a refusal: the words that were understood and those that were not.
    understood: tuple[str, ...] = ()
    not_understood: tuple[str, ...] = ()
