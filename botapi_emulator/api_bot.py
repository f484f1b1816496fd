"""Bot API methods about the bot itself: identity, updates, webhook, commands, menu button."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .api_common import opt_bool, opt_int, opt_str
from .errors import WEBHOOK_CONFLICT, ApiError, bad_request
from .state import World

JsonDict = dict[str, Any]
CommandKey = tuple[str, int | None, int | None, str]

_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPES = (
    frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators"})
    | _SCOPES_WITH_CHAT
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS = (80, 88, 443, 8443)
_MENU_TYPES = frozenset({"commands", "web_app", "default"})


def get_me(world: World, params: JsonDict) -> JsonDict:
    me = world.bot.to_dict()
    me.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": not world.privacy_mode,
            "supports_inline_queries": world.inline,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )
    return me


def log_out(world: World, params: JsonDict) -> bool:
    return True


def close(world: World, params: JsonDict) -> bool:
    return True


async def get_updates(world: World, params: JsonDict) -> list[JsonDict]:
    if world.webhook.get("url"):
        raise ApiError(409, WEBHOOK_CONFLICT)
    limit = opt_int(params, "limit") or 100
    timeout = params.get("timeout") or 0
    if not isinstance(timeout, int | float) or isinstance(timeout, bool):
        timeout = opt_int(params, "timeout") or 0
    world.updates.set_allowed(params.get("allowed_updates"))
    return await world.updates.poll(
        opt_int(params, "offset"), min(max(limit, 1), 100), float(timeout)
    )


def set_webhook(world: World, params: JsonDict) -> bool:
    url = opt_str(params, "url") or ""
    if url:
        parts = urlsplit(url)
        if parts.scheme.lower() != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in _WEBHOOK_PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
    secret = opt_str(params, "secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    if opt_bool(params, "drop_pending_updates"):
        world.updates.drop_pending()
    world.updates.set_allowed(params.get("allowed_updates"))
    world.webhook = {
        "url": url,
        "max_connections": opt_int(params, "max_connections") or 40,
        # Sent by Telegram in X-Telegram-Bot-Api-Secret-Token with every webhook request.
        "secret_token": secret,
    }
    return True


def delete_webhook(world: World, params: JsonDict) -> bool:
    if opt_bool(params, "drop_pending_updates"):
        world.updates.drop_pending()
    world.webhook = {}
    return True


def get_webhook_info(world: World, params: JsonDict) -> JsonDict:
    url = world.webhook.get("url", "")
    info: JsonDict = {
        "url": url,
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }
    if url:
        info["max_connections"] = world.webhook["max_connections"]
    return info


def command_key(world: World, params: JsonDict) -> CommandKey:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("unsupported bot command scope type")
    chat_id = user_id = None
    if scope["type"] in _SCOPES_WITH_CHAT:
        chat_id = world.chat(scope.get("chat_id")).id
    if scope["type"] == "chat_member":
        user_id = opt_int(scope, "user_id")
        if user_id is None:
            raise bad_request("user not found")
    language = opt_str(params, "language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return scope["type"], chat_id, user_id, language


def _commands(raw: Any) -> list[JsonDict]:
    if not isinstance(raw, list):
        raise bad_request("can't parse commands JSON object")
    if len(raw) > 100:
        raise bad_request("too many commands specified")
    commands = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    return commands


def set_my_commands(world: World, params: JsonDict) -> bool:
    commands = _commands(params.get("commands"))
    key = command_key(world, params)
    if commands:
        world.commands[key] = commands
    else:
        world.commands.pop(key, None)
    return True


def get_my_commands(world: World, params: JsonDict) -> list[JsonDict]:
    return list(world.commands.get(command_key(world, params), []))


def delete_my_commands(world: World, params: JsonDict) -> bool:
    world.commands.pop(command_key(world, params), None)
    return True


def _menu_chat(world: World, params: JsonDict) -> int | None:
    if params.get("chat_id") in (None, ""):
        return None
    chat = world.chat(params.get("chat_id"))
    if not chat.is_private:
        raise bad_request("chat not found")
    return chat.id


def set_chat_menu_button(world: World, params: JsonDict) -> bool:
    chat_id = _menu_chat(world, params)
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_TYPES:
        raise bad_request("can't parse menu button: unsupported menu button type")
    if button["type"] == "web_app":
        text, web_app = button.get("text"), button.get("web_app")
        if not isinstance(text, str) or not text.strip():
            raise bad_request("can't parse menu button: text must be a non-empty string")
        if not isinstance(web_app, dict) or not isinstance(web_app.get("url"), str):
            raise bad_request("can't parse menu button: web_app must be a WebAppInfo")
        parts = urlsplit(web_app["url"])
        if parts.scheme != "https" or not parts.hostname:
            # Telegram: "BUTTON_URL_INVALID"; Web Apps are served over HTTPS only.
            raise bad_request("BUTTON_URL_INVALID")
    if button["type"] == "default":
        world.menu_buttons.pop(chat_id, None)
    else:
        world.menu_buttons[chat_id] = button
    return True


def get_chat_menu_button(world: World, params: JsonDict) -> JsonDict:
    chat_id = _menu_chat(world, params)
    fallback = world.menu_buttons.get(None, {"type": "commands"})
    return dict(world.menu_buttons.get(chat_id, fallback))
