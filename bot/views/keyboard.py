"""Inline keyboards as rows of (label, callback data or URL), and the outbox rows of an HTML
message or edit that carry them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode

from storage.outbox import Outgoing

Keyboard = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data or http URL)


def keyboard_json(rows: Keyboard | None) -> dict[str, Any] | None:
    """The keyboard as the Bot API's JSON, which the outbox stores and PTB sends as it is
    (PTB's objects would be built here, turned into a dict, then built again to be sent)."""
    if not rows:
        return None
    return {
        "inline_keyboard": [
            [
                {
                    "text": label,
                    "url" if data.startswith(("http://", "https://")) else "callback_data": data,
                }
                for label, data in row
            ]
            for row in rows
        ]
    }


def keyboard(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    """The keyboard as PTB's object, for a request made directly rather than from the outbox."""
    markup = keyboard_json(rows)
    return InlineKeyboardMarkup.de_json(markup, None) if markup is not None else None


def message_request(
    chat_id: int,
    text: str,
    buttons: Keyboard | None = None,
    protect: bool = False,
    after: dict[str, Any] | None = None,
) -> Outgoing:
    """An HTML message as an outbox row."""
    params = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "reply_markup": keyboard_json(buttons),
        "disable_web_page_preview": True,
        "protect_content": protect,
    }
    return Outgoing("send_message", chat_id, params, after=after)


def edit_request(chat_id: int, message_id: int, text: str, buttons: Keyboard | None) -> Outgoing:
    params = {
        "chat_id": chat_id,
        "message_id": message_id,
        "text": text,
        "parse_mode": ParseMode.HTML,
        "reply_markup": keyboard_json(buttons),
        "disable_web_page_preview": True,
    }
    return Outgoing("edit_message_text", chat_id, params)
