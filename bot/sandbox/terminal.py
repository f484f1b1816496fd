"""A chat in the terminal: lines typed become the demo person's messages to the real bot,
and what the bot does in the emulator is printed back."""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.dates.formatting import format_when
from bot.sandbox import cast, screen
from botapi_emulator import ApiCall, BotApiEmulator

JsonDict = dict[str, Any]
_SENT = {"sendMessage", "sendDocument", "sendPhoto"}
_EDITED = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup"}
_JUMP = re.compile(r"(\d+)\s*(d|h|m)", re.IGNORECASE)
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
# After this long without a request from the bot, what it had to say has been said.
QUIET = 0.4

HELP = """Komendy piaskownicy (wszystko inne trafia do bota):
  /osoby              kto jest w piaskownicy
  /jako <imię>        pisz jako inna osoba (też numer z /osoby)
  /grupa              czat grupowy zespołu PZK Łódź (jak po /polacz); /prywatnie z powrotem
  /czas               zegar bota; /czas +1d, +2h, +30m, +1d2h przesuwa go do przodu
  <numer>             naciśnij przycisk o tym numerze
  /piaskownica        ta pomoc
  /koniec             wyjście (albo Ctrl-D)"""


class TerminalChat:
    def __init__(
        self,
        emulator: BotApiEmulator,
        app: Application,
        files: Path,
        clock: Callable[[], datetime],
        out: TextIO,
        ansi: bool,
    ) -> None:
        self.emu = emulator
        self.app = app
        self.files = files
        self.clock = clock
        self.out = out
        self.ansi = ansi
        self.person = cast.CAST[0]
        self.in_group = False  # typing in the team's group chat instead of the private one
        self.shift = timedelta()
        self._seen_calls = 0
        self._buttons: dict[int, screen.Button] = {}
        self._unread: dict[int, list[int]] = {}  # chat id -> message ids not shown yet

    def now(self) -> datetime:
        return self.clock() + self.shift

    def here(self) -> int:
        """The chat typed lines go to and the bot's messages are shown from."""
        return cast.GROUP_ID if self.in_group else self.person.telegram_id

    def prompt(self) -> str:
        where = f" [grupa {cast.TEAM}]" if self.in_group else ""
        return f"{self.person.first_name}{where} › "

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    async def handle(self, line: str) -> bool:
        """One typed line; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        command, _, rest = line.partition(" ")
        command = command.lower()
        if command in ("/koniec", "/exit", "/quit"):
            return False
        if command in ("/piaskownica", "/sandbox"):
            self.say(HELP)
        elif command in ("/osoby", "/people"):
            self._list_people()
        elif command in ("/jako", "/as"):
            await self._switch(rest)
        elif command in ("/grupa", "/group"):
            await self._enter(group=True)
        elif command in ("/prywatnie", "/private"):
            await self._enter(group=False)
        elif command in ("/czas", "/time"):
            await self._move_clock(rest)
        elif line.isdigit() and int(line) in self._buttons:
            await self._press(self._buttons[int(line)])
        else:
            chat_id = cast.GROUP_ID if self.in_group else None
            self.emu.send_message(self.person.telegram_id, line, chat_id=chat_id)
            await self.show_news()
        return True

    # -- sandbox commands ---------------------------------------------------------------------

    def _list_people(self) -> None:
        for number, person in enumerate(cast.CAST, start=1):
            here = " ← piszesz jako" if person == self.person else ""
            waiting = len(self._unread.get(person.telegram_id, []))
            news = f" [{waiting} nowe]" if waiting else ""
            self.say(f"{number}. {person.name}: {person.describe()}{news}{here}")

    async def _switch(self, reference: str) -> None:
        person = cast.find(reference) if reference.strip() else None
        if person is None:
            self.say("Nie znam tej osoby. Lista: /osoby")
            return
        self.person = person
        where = f" w grupie {cast.TEAM}" if self.in_group else ""
        self.say(f"— Piszesz jako {person.name}{where} ({person.describe()}).")
        await self.show_news()
        self._show_unread(self.here())
        self._hint_private()

    async def _enter(self, group: bool) -> None:
        """/grupa and /prywatnie: the same person, the other chat; what came there meanwhile
        is shown (in the group at least its last message, so its buttons can be pressed)."""
        await self.show_news()
        self.in_group = group
        if group:
            self.say(f"— Piszesz w grupie {cast.TEAM} jako {self.person.name}. /prywatnie wraca.")
        else:
            self.say(f"— Piszesz prywatnie do bota jako {self.person.name}.")
        if not self._show_unread(self.here()) and group:
            self._show_last(cast.GROUP_ID)

    def _hint_private(self) -> None:
        waiting = len(self._unread.get(self.person.telegram_id, []))
        if self.in_group and waiting:
            self.say(f"  (✉ {self.person.first_name}: {waiting} nowe prywatnie — /prywatnie)")

    async def _move_clock(self, argument: str) -> None:
        argument = argument.replace(" ", "")
        if argument:
            parts = _JUMP.findall(argument)
            if not argument.startswith("+") or "".join(a + u for a, u in parts) != argument[1:]:
                self.say("Zegar przesuwam tylko do przodu, np. /czas +1d, +2h, +30m, +1d2h.")
                return
            self.shift += sum((int(a) * _UNITS[u.lower()] for a, u in parts), timedelta())
            # Due reminders and digests go out now, not at the next second's tick.
            await self.app.bot_data["scheduler"].tick()
            await self.app.bot_data["broadcaster"].run()
        zone = ZoneInfo(self.app.bot_data["settings"].bot_timezone)
        self.say(f"— Zegar bota: {format_when(self.now().astimezone(zone))}.")
        await self.show_news()

    async def _press(self, button: screen.Button) -> None:
        current = next(
            (m for m in self.emu.messages(button.chat_id) if m["message_id"] == button.message_id),
            None,
        )
        try:
            if current is None:
                raise LookupError
            self.emu.press_button(self.person.telegram_id, current, button.data)
        except (LookupError, ValueError):
            self.say("Tego przycisku już nie ma (albo nie jest dla tej osoby).")
            return
        await self.show_news()

    # -- what the bot did ---------------------------------------------------------------------

    async def _wait_for_bot(self) -> None:
        # A quiet emulator is not enough on a busy machine: a handler may still be working
        # on the database before it calls Telegram.
        processor = self.app.update_processor
        while True:
            await self.emu.settle(quiet=QUIET, timeout=30)
            if self.app.update_queue.empty() and not getattr(processor, "busy", False):
                return
            await asyncio.sleep(0.02)  # settle returns at once while the emulator is idle

    async def show_news(self) -> None:
        """Wait until the bot is done, then print what it did in the current person's chat
        and count what it sent to others."""
        await self._wait_for_bot()
        calls = self.emu.calls[self._seen_calls :]
        self._seen_calls += len(calls)
        numbered: dict[int, screen.Button] = {}
        others: set[int] = set()
        for call in calls:
            if not call.ok:
                continue
            chat_id = self._chat_of(call)
            if chat_id is not None and chat_id != self.here():
                message = call.result if isinstance(call.result, dict) else None
                if message and call.method in _SENT | _EDITED:
                    waiting = self._unread.setdefault(chat_id, [])
                    if message["message_id"] not in waiting:
                        waiting.append(message["message_id"])
                    others.add(chat_id)
                continue
            self._show_call(call, numbered)
        if numbered:
            self._buttons = numbered
        for chat_id in sorted(others):
            self.say(f"  (✉ {self._where_to_read(chat_id, len(self._unread[chat_id]))})")

    def _where_to_read(self, chat_id: int, count: int) -> str:
        """Whose chat got news and the sandbox command that shows them."""
        if chat_id == cast.GROUP_ID:
            return f"grupa {cast.TEAM}: {count} nowe — /grupa"
        person = next((p for p in cast.CAST if p.telegram_id == chat_id), None)
        who = person.first_name if person else str(chat_id)
        if person == self.person:
            return f"{who}: {count} nowe prywatnie — /prywatnie"
        go = f"/jako {who}, /prywatnie" if self.in_group else f"/jako {who}"
        return f"{who}: {count} nowe — {go}"

    def _chat_of(self, call: ApiCall) -> int | None:
        if call.method == "answerCallbackQuery":
            return self.here()
        if isinstance(call.result, dict) and "chat" in call.result:
            return int(call.result["chat"]["id"])
        return None

    def _show_call(self, call: ApiCall, numbered: dict[int, screen.Button]) -> None:
        if call.method == "answerCallbackQuery":
            if call.params.get("text"):
                self.say(screen.block("bot (powiadomienie) ›", str(call.params["text"])))
        elif call.method in _SENT:
            self._show_message(call.result, numbered, "bot ›")
        elif call.method in _EDITED:
            self._show_message(call.result, numbered, "bot (zmieniona wiadomość) ›")

    def _show_message(
        self, message: JsonDict, numbered: dict[int, screen.Button], head: str
    ) -> None:
        body = screen.message_body(message, self.ansi)
        saved = self._save_file(message)
        if saved:
            body = f"📎 {saved}" + (f"\n{body}" if body else "")
        lines, buttons = screen.keyboard_lines(message, len(numbered) + 1)
        for button in buttons:
            numbered[len(numbered) + 1] = button
        self.say(screen.block(head, body, lines))

    def _show_unread(self, chat_id: int) -> bool:
        """Messages of the chat not shown yet; False when there were none."""
        waiting = self._unread.pop(chat_id, [])
        live = {m["message_id"]: m for m in self.emu.messages(chat_id)}
        numbered: dict[int, screen.Button] = {}
        shown = [live[i] for i in waiting if i in live]
        for message in shown:
            self._show_message(message, numbered, "bot ›")
        if numbered:
            self._buttons = numbered
        return bool(shown)

    def _show_last(self, chat_id: int) -> None:
        mine = self.emu.messages(chat_id)  # the bot's messages only
        if mine:
            numbered: dict[int, screen.Button] = {}
            self._show_message(mine[-1], numbered, "bot (ostatnia wiadomość) ›")
            self._buttons = numbered or self._buttons

    def _save_file(self, message: JsonDict) -> Path | None:
        """Documents and photos from the bot land in the files folder."""
        if "document" in message:
            file_id = message["document"]["file_id"]
            name = message["document"].get("file_name") or f"plik-{message['message_id']}"
        elif "photo" in message:
            file_id = message["photo"][-1]["file_id"]
            data = self.emu.file_bytes(file_id)
            extension = ".png" if data.startswith(b"\x89PNG") else ".jpg"
            name = f"zdjecie-{message['message_id']}{extension}"
        else:
            return None
        path = self._free_path(Path(name).name)
        path.write_bytes(self.emu.file_bytes(file_id))
        return path

    def _free_path(self, name: str) -> Path:
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / name
        stem, suffix = path.stem, path.suffix
        counter = 2
        while path.exists():
            path = self.files / f"{stem}-{counter}{suffix}"
            counter += 1
        return path


def read_lines(
    queue: asyncio.Queue[str | None],
    loop: asyncio.AbstractEventLoop,
    ready: threading.Event,
    prompt: Callable[[], str],
) -> None:
    """Read standard input in a daemon thread, so Ctrl-C never waits for a pending input().
    Each line waits for ``ready``: the prompt comes after the bot's answer, not before it."""
    interactive = sys.stdin.isatty()

    def reader() -> None:
        while True:
            ready.wait()
            ready.clear()
            try:
                if interactive:
                    line = input(prompt())
                else:
                    line = sys.stdin.readline()
                    if not line:
                        raise EOFError
            except (EOFError, KeyboardInterrupt):
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))

    threading.Thread(target=reader, name="sandbox-input", daemon=True).start()
