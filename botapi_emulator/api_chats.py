"""Bot API methods about chats, members and files."""

from __future__ import annotations

from typing import Any

from .api_common import opt_str, req_int
from .errors import INVALID_FILE_ID, bad_request
from .files import MAX_DOWNLOAD_SIZE
from .models import PRESENT_STATUSES, Chat
from .state import World

JsonDict = dict[str, Any]

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


def _member_chat(world: World, chat_id: Any) -> Chat:
    """A chat whose members the bot may look at (it has to be in a group to see it)."""
    chat = world.chat(chat_id)
    return chat if chat.is_private else world.writable_chat(chat.id)


def get_chat(world: World, params: JsonDict) -> JsonDict:
    chat = world.chat(params.get("chat_id"))
    info = chat.to_dict()
    # ChatFullInfo fields that Telegram always sends (PTB requires them).
    info.update(
        {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": dict(_NO_GIFTS)}
    )
    if chat.pinned and chat.pinned[-1] in chat.messages:
        info["pinned_message"] = chat.messages[chat.pinned[-1]]
    return info


def get_chat_member(world: World, params: JsonDict) -> JsonDict:
    chat = _member_chat(world, params.get("chat_id"))
    user_id = req_int(params, "user_id", 'parameter "user_id" is required')
    if user_id != world.bot.id and user_id not in world.users:
        raise bad_request("user not found")
    user = world.user(user_id)
    if chat.is_private:
        if user_id not in (chat.id, world.bot.id):
            raise bad_request("user not found")
        return world.member_dict(user, "member")
    return world.member_dict(user, chat.members.get(user_id, "left"))


def get_chat_administrators(world: World, params: JsonDict) -> list[JsonDict]:
    chat = _member_chat(world, params.get("chat_id"))
    if chat.is_private:
        raise bad_request("there are no administrators in the private chat")
    return [
        world.member_dict(world.user(uid), status)
        for uid, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


def get_chat_member_count(world: World, params: JsonDict) -> int:
    chat = _member_chat(world, params.get("chat_id"))
    if chat.is_private:
        return 2
    return sum(1 for status in chat.members.values() if status in PRESENT_STATUSES)


def leave_chat(world: World, params: JsonDict) -> bool:
    chat = world.chat(params.get("chat_id"))
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    chat = world.writable_chat(chat.id)
    old = chat.members.get(world.bot.id, "left")
    chat.members[world.bot.id] = "left"
    world.my_chat_member(chat, world.bot, old, "left")
    return True


def send_chat_action(world: World, params: JsonDict) -> bool:
    world.writable_chat(params.get("chat_id"))
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def get_file(world: World, params: JsonDict) -> JsonDict:
    file_id = opt_str(params, "file_id")
    stored = world.files.get(file_id) if file_id else None
    if stored is None:
        raise bad_request(INVALID_FILE_ID)
    if stored.file_size > MAX_DOWNLOAD_SIZE:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
        "file_path": stored.file_path,
    }
