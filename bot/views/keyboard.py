"""Inline keyboards as rows of (label, callback data or URL), and the outbox rows of an HTML
message or edit that carry them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from storage.outbox import Outgoing

Keyboard = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data or http URL)


def _button(label: str, data: str) -> InlineKeyboardButton:
    if data.startswith(("http://", "https://")):
        return InlineKeyboardButton(label, url=data)
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[_button(label, data) for label, data in row] for row in rows])


def _markup(rows: Keyboard | None) -> dict[str, Any] | None:
    markup = keyboard(rows)
    return markup.to_dict() if markup is not None else None


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
        "reply_markup": _markup(buttons),
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
        "reply_markup": _markup(buttons),
        "disable_web_page_preview": True,
    }
    return Outgoing("edit_message_text", chat_id, params)
