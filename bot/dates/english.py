"""English date phrases (for members who use the bot in English). Placeholder: a helper is
writing it; until then English text is read by the Polish grammar."""

from __future__ import annotations

from datetime import datetime

from bot.dates.model import When


def parse_english(text: str, now: datetime) -> When:
    from bot.dates.resolve import parse_when

    return parse_when(text, now, "pl")
