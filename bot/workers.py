"""Which process sends: the name a sender claims rows under, and whether its owner is gone.

A sender claims a reminder or an announcement's delivery under "host:pid[:role]" before
sending it. When a process dies mid-send (kill -9), its claims would wait out their lease;
a process on the same host can tell the claimer is gone and take them over at once.
"""

from __future__ import annotations

import os
import socket


def worker_name(role: str | None = None) -> str:
    name = f"{socket.gethostname()}:{os.getpid()}"
    return f"{name}:{role}" if role else name


def is_gone(claimed_by: str | None) -> bool:
    """The claimer ran on this host and no longer runs. Another host's claims never are: only
    their lease can free them."""
    host, _, rest = (claimed_by or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
