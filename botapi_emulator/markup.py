"""Validation of reply_markup the way the Bot API checks it.

Stricter than Telegram in one place, on purpose: a button carrying two actions (say url *and*
callback_data) is rejected, where Telegram silently keeps one of them.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import BUTTON_DATA_INVALID, ApiError, bad_request
from .html import checked_link

JsonDict = dict[str, Any]

_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_BUTTON_EXTRAS = ("style", "icon_custom_emoji_id")
_MAX_BUTTONS = 100
_CANT_PARSE_BUTTON = "can't parse inline keyboard button: "


def _button_error(detail: str) -> ApiError:
    return bad_request(_CANT_PARSE_BUTTON + detail)


def _check_url(url: Any) -> str:
    if not isinstance(url, str):
        raise _button_error('Field "url" must be of type String')
    checked = checked_link(url)
    host = url.split("://", 1)[-1].split("/", 1)[0]
    if checked is None or (checked.startswith("http") and "." not in host):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    return url


def _inline_button(raw: Any) -> JsonDict:
    if not isinstance(raw, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    text = raw.get("text")
    if not isinstance(text, str):
        raise _button_error('Field "text" must be of type String')
    actions = [name for name in _ACTIONS if name in raw]
    if not text.strip():
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if not actions:
        raise _button_error("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(f"exactly one of the fields {', '.join(actions)} must be used")
    action = actions[0]
    value = raw[action]
    if action == "callback_data":
        if not isinstance(value, str):
            raise _button_error('Field "callback_data" must be of type String')
        if not 1 <= len(value.encode("utf-8")) <= 64:
            raise bad_request(BUTTON_DATA_INVALID)
    elif action == "url":
        value = _check_url(value)
    button: JsonDict = {"text": text, action: value}
    button.update({k: raw[k] for k in _BUTTON_EXTRAS if k in raw})
    return button


def _inline_keyboard(rows: Any) -> JsonDict | None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > _MAX_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    keyboard = [[_inline_button(button) for button in row] for row in rows if row]
    return {"inline_keyboard": keyboard} if keyboard else None


def _reply_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not isinstance(text, str) or not text:
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )


def parse_reply_markup(raw: Any, *, inline_only: bool = False) -> JsonDict | None:
    """The inline keyboard to store on the message (None for none or a non-inline keyboard)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(raw, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in raw:
        return _inline_keyboard(raw["inline_keyboard"])
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        _reply_keyboard(raw["keyboard"])
    elif not ("remove_keyboard" in raw or "force_reply" in raw):
        raise bad_request('can\'t find field "inline_keyboard"')
    return None


def buttons(message: JsonDict) -> list[list[tuple[str, str | None]]]:
    """(text, callback_data or url or other action value) for each inline button."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    result: list[list[tuple[str, str | None]]] = []
    for row in rows:
        cells: list[tuple[str, str | None]] = []
        for button in row:
            value = next((button[a] for a in _ACTIONS if a in button), None)
            cells.append(
                (
                    button["text"],
                    value if isinstance(value, str) or value is None else json.dumps(value),
                )
            )
        result.append(cells)
    return result
