"""The bot's event loop: uvloop where it is installed (Linux, macOS), asyncio's own elsewhere.

On PostgreSQL every statement is a round trip, and asyncio's loop (in Python) took a third of
a `/koszyk` update's CPU waking for them; uvloop's (libuv, in C) cut the update from 4.0 to
3.6 ms and RSVP from 6.0 to 5.6 ms (python -m bench.updates, full size).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # Windows: no uvloop
        return asyncio.run(main)
    return uvloop.run(main)
