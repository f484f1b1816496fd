"""The table of emulated Bot API methods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import api_bot, api_chats, api_inline, api_messages

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Callable[..., Any]  # (World, params) -> result, or an awaitable of it
    flood_counted: bool = False  # sends or edits a message, so flood control applies


_TABLE = (
    Method("getMe", api_bot.get_me),
    Method("logOut", api_bot.log_out),
    Method("close", api_bot.close),
    Method("getUpdates", api_bot.get_updates),
    Method("setWebhook", api_bot.set_webhook),
    Method("deleteWebhook", api_bot.delete_webhook),
    Method("getWebhookInfo", api_bot.get_webhook_info),
    Method("setMyCommands", api_bot.set_my_commands),
    Method("getMyCommands", api_bot.get_my_commands),
    Method("deleteMyCommands", api_bot.delete_my_commands),
    Method("setChatMenuButton", api_bot.set_chat_menu_button),
    Method("getChatMenuButton", api_bot.get_chat_menu_button),
    Method("sendMessage", api_messages.send_message, flood_counted=True),
    Method("sendDocument", api_messages.send_document, flood_counted=True),
    Method("sendPhoto", api_messages.send_photo, flood_counted=True),
    Method("editMessageText", api_messages.edit_message_text, flood_counted=True),
    Method("editMessageCaption", api_messages.edit_message_caption, flood_counted=True),
    Method("editMessageReplyMarkup", api_messages.edit_message_reply_markup, flood_counted=True),
    Method("deleteMessage", api_messages.delete_message),
    Method("pinChatMessage", api_messages.pin_chat_message),
    Method("unpinChatMessage", api_messages.unpin_chat_message),
    Method("answerCallbackQuery", api_messages.answer_callback_query),
    Method("answerInlineQuery", api_inline.answer_inline_query),
    Method("getChat", api_chats.get_chat),
    Method("getChatMember", api_chats.get_chat_member),
    Method("getChatAdministrators", api_chats.get_chat_administrators),
    Method("getChatMemberCount", api_chats.get_chat_member_count),
    Method("leaveChat", api_chats.leave_chat),
    Method("sendChatAction", api_chats.send_chat_action),
    Method("getFile", api_chats.get_file),
)

# Telegram resolves method names case-insensitively.
METHODS: dict[str, Method] = {method.name.lower(): method for method in _TABLE}
