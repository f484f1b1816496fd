"""Reading a basket file someone sent, away from the bot: in a child process, with a time limit.

A process, not a thread. The limits of storage.basket.reading bound how much is read (10 MB,
50 MB unpacked, 20,000 rows, 1,000,000 cells), not what openpyxl spends on it: its cost per
byte depends on the file (a legitimate 20,000-row basket takes 4 s here, 50 MB of tiny cells
far longer). A thread cannot be stopped, takes turns at the GIL with the event loop that
serves everyone, and shares the bot's memory; a child is killed at the time limit, has a
memory limit of its own, and runs on another core. Children are forked from a forkserver
that has imported the reading code: about 20 ms each (the first starts the server, ~1 s).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import resource
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from storage.basket.reading import BasketFileError, BasketFileTooBig, read_table

log = logging.getLogger(__name__)

# Seconds a file may take to read, from the start of its child; then the child is killed.
PARSE_SECONDS = 20.0
# The child's address space (it starts at ~210 MB; a 20,000-row basket peaks at ~260 MB).
MEMORY_BYTES = 1 << 30

TOO_SLOW = "Odczytanie pliku trwało za długo."
TOO_BIG = "Plik jest za duży, żeby go odczytać."
UNREADABLE = "Nie można odczytać tego pliku. Zapisz go jako XLSX albo CSV i wyślij ponownie."

# "__main__" too: otherwise each child would import the bot's main script again.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["__main__", __name__, "openpyxl.reader.excel"])
# A thread waits for each child; all cores but one may read files, one stays the bot's.
_WAITERS = ThreadPoolExecutor(
    max_workers=max(1, (os.cpu_count() or 2) - 1), thread_name_prefix="basket-upload"
)


async def read_upload(filename: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a sent file (storage.basket.reading.read_table), read in a child process;
    BasketFileError (BasketFileTooBig past the limits or the time limit) if it cannot be."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_WAITERS, _read_in_child, filename, content, PARSE_SECONDS)


def _read_in_child(filename: str, content: bytes, seconds: float) -> list[dict[str, str]]:
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, filename, content), daemon=True)
    try:
        child.start()
        sender.close()  # the child's end only: its death reads as the end of the pipe
        if not receiver.poll(seconds):
            raise BasketFileTooBig(TOO_SLOW, "time")
        kind, value, limit = receiver.recv()
    except EOFError:
        log.warning("a basket file's reader died (exit code %s)", child.exitcode)
        raise BasketFileError(UNREADABLE) from None
    finally:
        sender.close()
        receiver.close()
        if child.pid is not None:  # started
            child.kill()  # nothing if it has ended
            child.join()
    if kind == "rows":
        return value
    if kind == "refused":
        raise BasketFileTooBig(value, limit) if limit else BasketFileError(value)
    # openpyxl meets a malformed file with anything from KeyError to TypeError.
    log.warning("a basket file could not be read: %s", value)
    raise BasketFileError(UNREADABLE)


def _child(sender: Connection, filename: str, content: bytes) -> None:
    """Send back ("rows", records, None), ("refused", reason, limit) or ("broken", error, None)."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    outcome: tuple[str, Any, str | None]
    try:
        outcome = ("rows", read_table(filename, content), None)
    except BasketFileTooBig as problem:
        outcome = ("refused", problem.reason, problem.limit)
    except BasketFileError as problem:
        outcome = ("refused", problem.reason, None)
    except MemoryError:
        outcome = ("refused", TOO_BIG, "unpacked")
    except Exception as error:
        outcome = ("broken", repr(error), None)
    sender.send(outcome)
