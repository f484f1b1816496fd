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


@dataclass(frozen=True, slots=True)
class When:
    status: WhenStatus
    value: datetime | None = None  # aware, in the zone of `now`
    reason: str = ""  # English, for logs and tests; not for users
