"""The emulated Telegram world as the bot sees it: users, chats, messages, files, settings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    BLOCKED,
    CANT_INITIATE,
    CHAT_ID_EMPTY,
    CHAT_NOT_FOUND,
    bad_request,
    forbidden,
)
from .feeds import Feed
from .files import FileStore
from .models import PRESENT_STATUSES, Chat, TelegramUser
from .updates import UpdateQueue

JsonDict = dict[str, Any]

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


def now() -> int:
    return int(time.time())


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    answered: bool = False


@dataclass
class InlineQuery:
    id: str
    user_id: int
    query: str
    chat_type: str | None  # None: Telegram could not tell (e.g. a secret chat)
    answered: bool = False
    results: dict[str, JsonDict] = field(default_factory=dict)  # by id, as answered


@dataclass
class World:
    bot: TelegramUser
    users: dict[int, TelegramUser] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    files: FileStore = field(default_factory=FileStore)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    commands: dict[tuple[str, int | None, int | None, str], list[JsonDict]] = field(
        default_factory=dict
    )
    menu_buttons: dict[int | None, JsonDict] = field(default_factory=dict)
    callbacks: dict[str, CallbackQuery] = field(default_factory=dict)
    inline_queries: dict[str, InlineQuery] = field(default_factory=dict)
    # inline_message_id -> (chat id, message id) of messages sent via the bot with a keyboard
    inline_messages: dict[str, tuple[int, int]] = field(default_factory=dict)
    webhook: JsonDict = field(default_factory=dict)
    privacy_mode: bool = True  # Telegram's default: groups deliver only commands/mentions/replies
    inline: bool = False  # /setinline in BotFather; off by default, as for a new bot
    inline_feedback: bool = False  # /setinlinefeedback at 100%: chosen_inline_result updates
    new_messages: Feed[JsonDict] = field(default_factory=Feed)  # keyed by chat id
    edits: Feed[JsonDict] = field(default_factory=Feed)  # keyed by chat id
    answers: Feed[JsonDict] = field(default_factory=Feed)  # keyed by callback query id
    inline_answers: Feed[JsonDict] = field(default_factory=Feed)  # keyed by inline query id

    # -- lookups ------------------------------------------------------------------------------

    def chat(self, chat_id: Any) -> Chat:
        if chat_id is None or chat_id == "":
            raise bad_request(CHAT_ID_EMPTY)
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None and isinstance(chat_id, str):
            chat = self._chat_by_name(chat_id)
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def _chat_by_name(self, name: str) -> Chat | None:
        if name.lstrip("-").isdigit():
            return self.chats.get(int(name))
        if name.startswith("@"):
            return next(
                (
                    c
                    for c in self.chats.values()
                    if c.username and c.username.lower() == name[1:].lower()
                ),
                None,
            )
        return None

    def writable_chat(self, chat_id: Any) -> Chat:
        """The chat, if the bot may post there now; otherwise Telegram's 400/403."""
        chat = self.chat(chat_id)
        if chat.is_private:
            if chat.blocked:
                raise forbidden(BLOCKED)
            if not chat.started:
                raise forbidden(CANT_INITIATE)
            return chat
        status = chat.members.get(self.bot.id, "left")
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if status not in PRESENT_STATUSES:
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def bot_status(self, chat: Chat) -> str:
        return "member" if chat.is_private else chat.members.get(self.bot.id, "left")

    def user(self, user_id: int) -> TelegramUser:
        if user_id == self.bot.id:
            return self.bot
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id}; call add_user() first") from None

    def known_user(self, user_id: int) -> JsonDict | None:
        """The user as Telegram shows them, or None for an id it has never seen."""
        user = self.users.get(user_id)
        return user.to_dict() if user else None

    # -- object shapes ------------------------------------------------------------------------

    def member_dict(self, user: TelegramUser, status: str) -> JsonDict:
        data: JsonDict = {"user": user.to_dict(), "status": status}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {"can_be_edited": False, "is_anonymous": False, "can_promote_members": False}
            )
            data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def message(self, chat: Chat, sender: TelegramUser, **content: Any) -> JsonDict:
        msg: JsonDict = {
            "message_id": chat.next_message_id(),
            "from": sender.to_dict(),
            "chat": chat.to_dict(),
            "date": now(),
        }
        msg.update({k: v for k, v in content.items() if v is not None})
        chat.messages[msg["message_id"]] = msg
        return msg

    def my_chat_member(self, chat: Chat, actor: TelegramUser, old: str, new: str) -> None:
        self.updates.push(
            "my_chat_member",
            {
                "chat": chat.to_dict(),
                "from": actor.to_dict(),
                "date": now(),
                "old_chat_member": self.member_dict(self.bot, old),
                "new_chat_member": self.member_dict(self.bot, new),
            },
        )
