"""Injected failures: HTTP errors and held requests for the next N matching calls, and
outages: every request of a time window fails with a 5xx, or hangs until the window ends."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, injected_error

JsonDict = dict[str, Any]


@dataclass
class _Fault:
    method: str | None  # lower-case method name, None for any
    chat_id: int | str | None
    remaining: int
    error: ApiError | None = None
    delay: float = 0.0

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method != method.lower():
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


@dataclass(frozen=True)
class Outage:
    """Every method, getUpdates included, from ``start`` to ``end`` (time.monotonic)."""

    start: float
    end: float
    error: ApiError | None  # None: requests hang until the end instead of failing
    apply_hung: bool = True  # a hung request is carried out when the outage ends

    def active(self, now: float) -> bool:
        return self.start <= now < self.end


class FaultPlan:
    def __init__(self) -> None:
        self._errors: list[_Fault] = []
        self._delays: list[_Fault] = []
        self._outages: list[Outage] = []

    def add_outage(self, seconds: float, status: int | None, apply_hung: bool) -> Outage:
        # Real time, not the flood clock: hung requests really wait, and so does the client.
        now = time.monotonic()
        error = injected_error(status, None) if status is not None else None
        outage = Outage(now, now + seconds, error, apply_hung)
        self._outages = [o for o in self._outages if o.end > now] + [outage]
        return outage

    def outage(self) -> Outage | None:
        now = time.monotonic()
        return next((o for o in self._outages if o.active(now)), None)

    def add_error(
        self,
        status: int,
        method: str | None,
        count: int,
        description: str | None,
        chat_id: int | str | None,
    ) -> None:
        error = injected_error(status, description)
        self._errors.append(_Fault(method and method.lower(), chat_id, count, error=error))

    def add_delay(self, seconds: float, method: str | None, count: int) -> None:
        self._delays.append(_Fault(method and method.lower(), None, count, delay=seconds))

    @staticmethod
    def _take(faults: list[_Fault], method: str, params: JsonDict) -> _Fault | None:
        for fault in faults:
            if fault.matches(method, params):
                fault.remaining -= 1
                return fault
        return None

    def take_delay(self, method: str, params: JsonDict) -> float:
        fault = self._take(self._delays, method, params)
        return fault.delay if fault else 0.0

    def take_error(self, method: str, params: JsonDict) -> ApiError | None:
        fault = self._take(self._errors, method, params)
        return fault.error if fault else None
