"""Injected failures: HTTP errors and held requests for the next N matching calls."""

from __future__ import annotations

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


class FaultPlan:
    def __init__(self) -> None:
        self._errors: list[_Fault] = []
        self._delays: list[_Fault] = []

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
