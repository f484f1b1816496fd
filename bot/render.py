"""HTML helpers: every user-supplied text passes through `esc` before it is rendered."""

from __future__ import annotations

import html
import re

TELEGRAM_TEXT_LIMIT = 4096


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def plain(text: str) -> str:
    """Our HTML as plain text, for places Telegram shows without parsing (a button's alert)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split at line ends so that no part exceeds Telegram's limit.

    Our templates close every tag on the line that opens it, so any line boundary is a safe
    cut. The limit is on the text after HTML parsing; counting markup too keeps a margin.
    A single overlong line (it cannot come from our templates) is cut hard.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return parts
