"""What users do on the emulated Telegram side: join, write, upload, press buttons, block.

Each action changes the world like Telegram would and queues the Update(s) the bot receives.
In groups the bot's privacy mode is honoured: unless it is an administrator (or privacy mode
is off) it gets only commands (bare or addressed to it), mentions of it, replies to its own
messages, messages sent via it (inline mode) and service messages.
"""

from __future__ import annotations

import copy
import itertools
import mimetypes
from typing import Any

from .api_messages import document_dict, photo_dimensions, photo_sizes
from .errors import ApiError
from .formatting import format_text, parse_text
from .models import MEMBER_STATUSES, PRESENT_STATUSES, Chat, StoredFile, TelegramUser
from .state import CallbackQuery, World

JsonDict = dict[str, Any]
_FIRST_CALLBACK_ID = 4_417_000_000_000_000_000
_MP4 = b"\0\0\0\x18ftypmp42"
# Media users send as files: kind -> (stored name, MIME type, first bytes, Bot API fields).
_MEDIA_FILES: dict[str, tuple[str, str, bytes, JsonDict]] = {
    "voice": ("voice.oga", "audio/ogg", b"OggS", {"duration": 3, "mime_type": "audio/ogg"}),
    "audio": (
        "piosenka.mp3",
        "audio/mpeg",
        b"ID3",
        {"duration": 180, "file_name": "piosenka.mp3", "mime_type": "audio/mpeg"},
    ),
    "video": ("video.mp4", "video/mp4", _MP4, {"width": 1280, "height": 720, "duration": 5}),
    "video_note": ("note.mp4", "video/mp4", _MP4, {"length": 384, "duration": 4}),
    "sticker": (
        "sticker.webp",
        "image/webp",
        b"RIFF\0\0\0\0WEBPVP8 ",
        {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
        },
    ),
    "animation": (
        "animation.gif.mp4",
        "video/mp4",
        _MP4,
        {
            "width": 320,
            "height": 240,
            "duration": 2,
            "file_name": "animation.gif.mp4",
            "mime_type": "video/mp4",
        },
    ),
}
MEDIA_KINDS = (*_MEDIA_FILES, "location", "contact", "poll")
_CAPTIONED = frozenset({"audio", "video", "animation", "voice"})
_poll_ids = itertools.count(5_431_000_000_000_000_001)


def add_user(world: World, user: TelegramUser, started: bool) -> None:
    if user.id <= 0:
        raise ValueError("user ids are positive")
    world.users[user.id] = user
    chat = world.chats.get(user.id)
    if chat is None:
        chat = world.chats[user.id] = Chat(id=user.id, type="private")
    chat.user = user
    chat.started = started


def _private(world: World, user_id: int) -> Chat:
    world.user(user_id)
    return world.chats[user_id]


def set_blocked(world: World, user_id: int, blocked: bool) -> None:
    chat = _private(world, user_id)
    if chat.blocked == blocked:
        return
    chat.blocked = blocked
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    world.my_chat_member(chat, world.user(user_id), old, new)


def add_group(world: World, chat_id: int, title: str, kind: str, username: str | None) -> Chat:
    if chat_id >= 0:
        raise ValueError("group chat ids are negative")
    if kind not in ("group", "supergroup"):
        raise ValueError('kind must be "group" or "supergroup"')
    chat = Chat(id=chat_id, type=kind, title=title, username=username)
    world.chats[chat_id] = chat
    return chat


def _group(world: World, chat_id: int) -> Chat:
    chat = world.chats.get(chat_id)
    if chat is None or chat.is_private:
        raise KeyError(f"unknown group {chat_id}; call add_group() first")
    return chat


def set_member(world: World, chat_id: int, user_id: int, status: str) -> None:
    if status not in MEMBER_STATUSES:
        raise ValueError(f"status must be one of {sorted(MEMBER_STATUSES)}")
    world.user(user_id)
    _group(world, chat_id).members[user_id] = status


def add_bot_to_group(world: World, chat_id: int, by_user_id: int, status: str) -> None:
    chat = _group(world, chat_id)
    actor = world.user(by_user_id)
    if chat.members.get(by_user_id) not in PRESENT_STATUSES:
        chat.members[by_user_id] = "member"  # only people in a group can add bots to it
    old = chat.members.get(world.bot.id, "left")
    chat.members[world.bot.id] = status
    world.my_chat_member(chat, actor, old, status)
    service = world.message(chat, actor, new_chat_members=[world.bot.to_dict()])
    world.updates.push("message", copy.deepcopy(service))


def sending_chat(world: World, user_id: int, chat_id: int | None) -> tuple[TelegramUser, Chat]:
    user = world.user(user_id)
    if chat_id is None or chat_id == user_id:
        chat = _private(world, user_id)
        if chat.blocked:
            raise ValueError(f"user {user_id} blocked the bot; call unblock_bot() first")
        chat.started = True
        return user, chat
    chat = _group(world, chat_id)
    if chat.members.get(user_id) not in PRESENT_STATUSES:
        raise ValueError(f"user {user_id} is not a member of {chat_id}; call set_member() first")
    return user, chat


def bot_sees(
    world: World,
    chat: Chat,
    text: str,
    entities: list[JsonDict],
    reply: JsonDict | None,
    *,
    via_bot: bool = False,
) -> bool:
    """Whether the bot receives a user's message in this chat (presence + privacy mode)."""
    if chat.is_private:
        return True
    status = world.bot_status(chat)
    if status not in PRESENT_STATUSES:
        return False
    if status in ("creator", "administrator") or not world.privacy_mode or via_bot:
        return True
    if reply is not None and reply["from"]["id"] == world.bot.id:
        return True
    me = f"@{world.bot.username}".lower()
    utf16 = text.encode("utf-16-le")
    for entity in entities:
        start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
        value = utf16[start:end].decode("utf-16-le").lower()
        if entity["type"] == "bot_command" and ("@" not in value or value.endswith(me)):
            return True
        if entity["type"] == "mention" and value == me:
            return True
    return False


def _user_text(
    world: World, text: str | None, parse_mode: str | None, caption: bool
) -> tuple[str, list[JsonDict]]:
    """Text as a Telegram app sends it: parsed like the bot's, with the same clean-up."""
    try:
        if caption:
            return format_text(text, parse_mode, None, world.known_user, caption=True)
        return parse_text(text, parse_mode, None, world.known_user)
    except ApiError as exc:
        # An app cannot send what Telegram refuses; that is a mistake in the test.
        raise ValueError(f"Telegram would refuse this: {exc.description}") from None


def user_message(
    world: World,
    user_id: int,
    chat_id: int | None,
    text: str | None,
    reply_to_message_id: int | None = None,
    parse_mode: str | None = None,
    **content: Any,
) -> JsonDict:
    """A text message, or with ``content`` (media fields) a media message ``text`` captions."""
    user, chat = sending_chat(world, user_id, chat_id)
    reply = None
    if reply_to_message_id is not None:
        target = chat.messages.get(reply_to_message_id)
        if target is None:
            raise LookupError(f"no message {reply_to_message_id} in chat {chat.id}")
        reply = {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}
    body, entities = _user_text(world, text, parse_mode, caption=bool(content))
    if not content:
        if not body:
            raise ValueError("Telegram does not send empty messages")
        content.update(text=body, entities=entities or None)
    elif body:
        content.update(caption=body, caption_entities=entities or None)
    message = world.message(chat, user, reply_to_message=reply, **content)
    if bot_sees(world, chat, body, entities, reply):
        world.updates.push("message", copy.deepcopy(message))
    return copy.deepcopy(message)


def user_document(
    world: World,
    user_id: int,
    chat_id: int | None,
    filename: str,
    data: bytes,
    caption: str | None,
    mime_type: str | None,
    parse_mode: str | None = None,
    reply_to_message_id: int | None = None,
) -> JsonDict:
    if not data:
        raise ValueError("Telegram does not accept empty files")
    sending_chat(world, user_id, chat_id)  # fail before storing the file
    mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    stored = world.files.add(data, "document", filename, mime)
    return user_message(
        world,
        user_id,
        chat_id,
        caption,
        reply_to_message_id,
        parse_mode,
        document=document_dict(stored),
    )


def user_photo(
    world: World,
    user_id: int,
    chat_id: int | None,
    data: bytes,
    caption: str | None,
    parse_mode: str | None,
    reply_to_message_id: int | None = None,
) -> JsonDict:
    """A photo as apps send it; its file_id is a "photo" the bot can reuse in sendPhoto."""
    if not data:
        raise ValueError("Telegram does not accept empty files")
    sending_chat(world, user_id, chat_id)
    try:
        photo_dimensions(data)
    except ApiError as exc:
        raise ValueError(f"Telegram would refuse this photo: {exc.description}") from None
    stored = world.files.add(data, "photo")
    return user_message(
        world, user_id, chat_id, caption, reply_to_message_id, parse_mode, photo=photo_sizes(stored)
    )


def _file_fields(stored: StoredFile) -> JsonDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
    }


def _media_content(world: World, kind: str) -> JsonDict:
    """Minimal but real Bot API payloads, so PTB parses them and getFile works."""
    if kind == "location":
        return {"location": {"latitude": 51.759248, "longitude": 19.455983}}
    if kind == "contact":
        return {"contact": {"phone_number": "+48600100200", "first_name": "Jan"}}
    if kind == "poll":
        answers = ("Wtorek", "Środa")
        options = [
            {"persistent_id": str(i), "text": t, "voter_count": 0} for i, t in enumerate(answers)
        ]
        # persistent_id, allows_revoting and members_only are required since Bot API 9.6/10.0.
        poll = {
            "id": str(next(_poll_ids)),
            "question": "Kiedy spotkanie?",
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return {"poll": poll}
    name, mime, head, fields = _MEDIA_FILES[kind]
    stored = world.files.add(head + bytes(64), kind, name, mime)
    content = {kind: {**_file_fields(stored), **fields}}
    if kind == "animation":
        # Telegram also sets ``document`` on animations, for backward compatibility.
        content["document"] = {**_file_fields(stored), "file_name": name, "mime_type": mime}
    return content


def user_media(
    world: World,
    user_id: int,
    kind: str,
    chat_id: int | None,
    caption: str | None,
    reply_to_message_id: int | None = None,
) -> JsonDict:
    """Media a bot may not handle (voice, sticker, poll...), to test how it copes."""
    if kind not in MEDIA_KINDS:
        raise ValueError(f"kind must be one of {MEDIA_KINDS}")
    if caption is not None and kind not in _CAPTIONED:
        raise ValueError(f"Telegram has no caption on a {kind}")
    sending_chat(world, user_id, chat_id)
    content = _media_content(world, kind)
    return user_message(world, user_id, chat_id, caption, reply_to_message_id, **content)


def _new_callback(
    world: World, user: TelegramUser, chat: Chat, message: JsonDict, data: str
) -> str:
    query_id = str(_FIRST_CALLBACK_ID + len(world.callbacks) + 1)
    world.callbacks[query_id] = CallbackQuery(query_id, user.id)
    payload: JsonDict = {"id": query_id, "from": user.to_dict()}
    where = (chat.id, message["message_id"])
    inline_id = next((k for k, v in world.inline_messages.items() if v == where), None)
    # A message sent via the bot in inline mode is named by inline_message_id, never shown.
    if inline_id is not None:
        payload["inline_message_id"] = inline_id
    else:
        payload["message"] = copy.deepcopy(message)
    payload["chat_instance"] = str(abs(chat.id) * 7919 + world.bot.id)
    payload["data"] = data
    world.updates.push("callback_query", payload)
    return query_id


def press_button(world: World, user_id: int, message: JsonDict, key: str) -> str:
    """Press the button whose callback_data (first) or visible text equals ``key``."""
    chat_id = message["chat"]["id"]
    if 0 < chat_id != user_id:
        raise ValueError(f"user {user_id} cannot see the private chat {chat_id}")
    user, chat = sending_chat(world, user_id, chat_id)
    current = chat.messages.get(message["message_id"])
    if current is None:
        raise LookupError(f"message {message['message_id']} in chat {chat_id} was deleted")
    rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
    flat = [button for row in rows for button in row]
    button = next((b for b in flat if b.get("callback_data") == key), None)
    button = button or next((b for b in flat if b["text"] == key), None)
    if button is None:
        shown = [(b["text"], b.get("callback_data")) for b in flat]
        raise LookupError(f"no button {key!r} on message {current['message_id']}; has {shown}")
    if "callback_data" not in button:
        raise ValueError(f"button {key!r} is not a callback button: {button}")
    return _new_callback(world, user, chat, current, button["callback_data"])


def send_callback(world: World, user_id: int, chat_id: int, message_id: int, data: str) -> str:
    user = world.user(user_id)
    chat = world.chats.get(chat_id)
    if chat is None:
        raise KeyError(f"unknown chat {chat_id}")
    # Telegram sends an InaccessibleMessage (date 0) for messages the user can no longer see.
    message = chat.messages.get(message_id) or {
        "chat": chat.to_dict(),
        "message_id": message_id,
        "date": 0,
    }
    return _new_callback(world, user, chat, message, data)
