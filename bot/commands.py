"""Commands as people type them: with Polish letters ("/zespół", "/usuń_dane").

Telegram marks a bot_command entity only for a name of a-z, 0-9 and _, and none at all when
another letter follows inside the word (tdlib's rule, mirrored in botapi_emulator/entities.py):
"/zespół" reaches a bot as plain text, which CommandHandler never matches. So the bot reads
the first word of the text itself, here.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, filters

# The Polish-letter spelling of each command's ASCII name, where the word has one. The menu
# (set_my_commands) stays ASCII: Telegram accepts nothing else there.
POLISH_SPELLINGS: dict[str, str] = {
    "protokol": "protokół",
    "obecnosc": "obecność",
    "ogloszenie": "ogłoszenie",
    "ogloszenia": "ogłoszenia",
    "zespol": "zespół",
    "nowy_zespol": "nowy_zespół",
    "polacz": "połącz",
    "jezyk": "język",
    "usun_dane": "usuń_dane",
}

# Letters NFD does not split into a base letter and an accent.
_UNSPLIT = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


@functools.lru_cache(maxsize=1024)  # typed command names are few; every handler folds them
def fold(name: str) -> str:
    """A command name as compared: lower case, without diacritics ("Zespół" -> "zespol"), so
    any mix a phone's autocorrect makes ("/zespoł") finds the command too."""
    decomposed = unicodedata.normalize("NFD", name.translate(_UNSPLIT))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class TypedCommand:
    """The first word of a text that starts with "/": its name as typed, the bot it names
    after "@" ("" when none), and the words after it (split as CommandHandler splits them)."""

    name: str
    target: str
    args: list[str]

    def for_bot(self, username: str) -> bool:
        return not self.target or self.target.casefold() == username.casefold()


def typed_command(text: str | None) -> TypedCommand | None:
    if not text or not text.startswith("/"):
        return None
    first, *args = text.split()
    name, _, target = first[1:].partition("@")
    return TypedCommand(name, target, args)


class SpelledCommandHandler(BaseHandler[Update, Any, None]):
    """Like CommandHandler, for the names Telegram does not mark as commands.

    Matches a message (new or edited, as CommandHandler does) whose text starts with one of
    ``names`` in any case and with or without diacritics, bare or "@this_bot", and fills
    ``context.args`` exactly as CommandHandler does. Registered after the CommandHandler of
    the same command, it gets only what that one did not take.
    """

    def __init__(self, names: Iterable[str], callback: Any) -> None:
        super().__init__(callback)
        self.names = frozenset(fold(name) for name in names)

    def check_update(self, update: object) -> list[str] | None:
        if not isinstance(update, Update) or not filters.UpdateType.MESSAGES.check_update(update):
            return None
        message = update.effective_message
        typed = typed_command(message.text if message else None)
        if typed is None or fold(typed.name) not in self.names:
            return None
        if message is None or not typed.for_bot(message.get_bot().username):
            return None
        return typed.args

    def collect_additional_context(
        self, context: Any, update: Update, application: Any, check_result: Any
    ) -> None:
        context.args = check_result
