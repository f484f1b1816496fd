"""The bot's messages as terminal text: formatting shown, links printed, buttons numbered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]

# entity type -> (opening, closing) marks; ANSI on a terminal, plain signs in a pipe or file.
_ANSI = {
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "strikethrough": ("\x1b[9m", "\x1b[29m"),
    "code": ("\x1b[2m", "\x1b[22m"),
    "pre": ("\x1b[2m", "\x1b[22m"),
}
_PLAIN = {
    "bold": ("*", "*"),
    "italic": ("_", "_"),
    "strikethrough": ("~", "~"),
    "code": ("`", "`"),
    "pre": ("```\n", "\n```"),
}
INDENT = "    "


@dataclass(frozen=True)
class Button:
    chat_id: int
    message_id: int
    data: str


def formatted(text: str, entities: list[JsonDict] | None, ansi: bool) -> str:
    """Text with its entities (UTF-16 offsets, as Telegram counts) turned into marks."""
    marks = _ANSI if ansi else _PLAIN
    units = text.encode("utf-16-le")
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in entities or []:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        opening, closing = marks.get(entity["type"], ("", ""))
        if entity["type"] == "text_link":
            closing = f" <{entity['url']}>"
        opens.setdefault(start, []).append(opening)
        closes.setdefault(end, []).insert(0, closing)
    cuts = sorted({0, len(units) // 2, *opens, *closes})
    out = []
    for here, after in zip(cuts, cuts[1:] + [None], strict=True):
        out += closes.get(here, []) + opens.get(here, [])
        if after is not None:
            out.append(units[here * 2 : after * 2].decode("utf-16-le"))
    return "".join(out)


def keyboard_lines(message: JsonDict, first_number: int) -> tuple[list[str], list[Button]]:
    """One line per keyboard row; callback buttons get numbers from ``first_number`` on."""
    lines, numbered = [], []
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    for row in rows:
        shown = []
        for button in row:
            if "callback_data" in button:
                numbered.append(
                    Button(message["chat"]["id"], message["message_id"], button["callback_data"])
                )
                shown.append(f"[{first_number + len(numbered) - 1}] {button['text']}")
            elif "url" in button:
                shown.append(f"[{button['text']} → {button['url']}]")
            else:
                shown.append(f"[{button['text']}]")
        lines.append("   ".join(shown))
    return lines, numbered


def message_body(message: JsonDict, ansi: bool) -> str:
    if "text" in message:
        return formatted(message["text"], message.get("entities"), ansi)
    return formatted(message.get("caption", ""), message.get("caption_entities"), ansi)


def block(head: str, body: str, extra: Sequence[str] = ()) -> str:
    """A head line, then the body and extra lines indented under it."""
    lines = body.splitlines() or [""]
    rest = [INDENT + line for line in lines[1:] + list(extra)]
    return "\n".join([f"{head} {lines[0]}".rstrip(), *rest])
