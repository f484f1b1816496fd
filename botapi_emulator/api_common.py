"""Parameter access shared by the Bot API method implementations."""

from __future__ import annotations

from typing import Any

from .errors import bad_request

JsonDict = dict[str, Any]


def opt_int(params: JsonDict, name: str) -> int | None:
    """An integer parameter; strings of digits count (the Bot API is lenient there)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise bad_request(f'parameter "{name}" must be a number')


def req_int(params: JsonDict, name: str, missing: str) -> int:
    value = opt_int(params, name)
    if value is None:
        raise bad_request(missing)
    return value


def opt_bool(params: JsonDict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def opt_str(params: JsonDict, name: str) -> str | None:
    value = params.get(name)
    return None if value is None else str(value)
