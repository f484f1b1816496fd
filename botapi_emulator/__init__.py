"""A local, strict emulator of the Telegram Bot API, for tests, benchmarks and the sandbox.

A real Bot API client talks to it over HTTP on 127.0.0.1; the test plays the Telegram side
(users, groups, button presses, faults) in-process through `BotApiEmulator` and inspects what
the bot did. It imports nothing of the bot. What it implements, how strict it is (Telegram's
exact errors, HTML parsing, 4096-character texts, 64-byte callback data, flood limits with
429s) and the control API: README.md next to this file.
"""

from .emulator import BotApiEmulator
from .limits import FloodLimits
from .models import ApiCall, TelegramUser

__all__ = ["ApiCall", "BotApiEmulator", "FloodLimits", "TelegramUser"]
