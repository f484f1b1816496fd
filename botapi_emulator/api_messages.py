"""Bot API methods that create, change or remove messages, and answerCallbackQuery."""

from __future__ import annotations

import copy
import mimetypes
from typing import Any

from .api_common import opt_bool, opt_int, opt_str, req_int
from .errors import (
    CANT_BE_DELETED,
    CANT_BE_EDITED,
    DELETE_NOT_FOUND,
    EDIT_NOT_FOUND,
    MESSAGE_ID_INVALID,
    MESSAGE_TOO_LONG,
    NO_CAPTION_TO_EDIT,
    NO_TEXT_TO_EDIT,
    NOT_ENOUGH_RIGHTS_TO_PIN,
    NOT_MODIFIED,
    PIN_NOT_FOUND,
    QUERY_TOO_OLD,
    REPLY_NOT_FOUND,
    UNPIN_NOT_FOUND,
    WRONG_FILE_ID,
    ApiError,
    bad_request,
)
from .files import image_size
from .formatting import format_text
from .markup import parse_reply_markup
from .models import Chat, StoredFile
from .params import Upload
from .state import World, now

JsonDict = dict[str, Any]

MAX_UPLOAD = 50 * 1024 * 1024
_NO_MESSAGE_ID = "message identifier is not specified"
_ADMINS = ("creator", "administrator")


def _reply_to(chat: Chat, params: JsonDict) -> JsonDict | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        message_id = opt_int(reply, "message_id")
        allow_missing = opt_bool(reply, "allow_sending_without_reply")
    else:
        message_id = opt_int(params, "reply_to_message_id")
        allow_missing = opt_bool(params, "allow_sending_without_reply")
    if message_id is None:
        return None
    target = chat.messages.get(message_id)
    if target is None:
        if allow_missing:
            return None
        raise bad_request(REPLY_NOT_FOUND)
    return {k: copy.deepcopy(v) for k, v in target.items() if k != "reply_to_message"}


def _post(world: World, chat: Chat, params: JsonDict, **content: Any) -> JsonDict:
    reply = _reply_to(chat, params)
    protected = True if opt_bool(params, "protect_content") else None
    message = world.message(
        chat, world.bot, reply_to_message=reply, has_protected_content=protected, **content
    )
    world.new_messages.push(chat.id, copy.deepcopy(message))
    return message  # the dispatcher answers with a copy


def send_message(world: World, params: JsonDict) -> JsonDict:
    world.chat(params.get("chat_id"))
    text, entities = format_text(
        params.get("text"), params.get("parse_mode"), params.get("entities"), world.known_user
    )
    markup = parse_reply_markup(params.get("reply_markup"))
    chat = world.writable_chat(params.get("chat_id"))
    return _post(world, chat, params, text=text, entities=entities or None, reply_markup=markup)


def _caption(world: World, params: JsonDict) -> tuple[str | None, list[JsonDict] | None]:
    text, entities = format_text(
        params.get("caption"),
        params.get("parse_mode"),
        params.get("caption_entities"),
        world.known_user,
        caption=True,
    )
    return text or None, entities or None


def _input_file(world: World, params: JsonDict, field: str, kind: str) -> StoredFile:
    value = params.get(field)
    if value is None or value == "":
        raise bad_request(f"there is no {field} in the request")
    if isinstance(value, Upload):
        if not value.data:
            raise bad_request("file must be non-empty")
        if len(value.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        mime = None
        if kind == "document":
            guessed = mimetypes.guess_type(value.filename or "")[0]
            mime = guessed or value.content_type or "application/octet-stream"
        return world.files.add(value.data, kind, value.filename or None, mime)
    if not isinstance(value, str):
        raise bad_request(WRONG_FILE_ID)
    stored = world.files.get(value)
    if stored is None:
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request(WRONG_FILE_ID)
    if stored.kind != kind:
        raise bad_request("type of file mismatch")
    return stored


def document_dict(stored: StoredFile) -> JsonDict:
    data: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
    }
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    return data


def send_document(world: World, params: JsonDict) -> JsonDict:
    world.chat(params.get("chat_id"))
    caption, entities = _caption(world, params)
    markup = parse_reply_markup(params.get("reply_markup"))
    chat = world.writable_chat(params.get("chat_id"))
    stored = _input_file(world, params, "document", "document")
    return _post(
        world,
        chat,
        params,
        document=document_dict(stored),
        caption=caption,
        caption_entities=entities,
        reply_markup=markup,
    )


def photo_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) of an image Telegram accepts as a photo; its 400 otherwise."""
    size = image_size(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * max(1, min(width, height)):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


def photo_sizes(stored: StoredFile) -> list[JsonDict]:
    """A message's ``photo``: one PhotoSize, as the emulator makes no thumbnails."""
    width, height = photo_dimensions(stored.data)
    return [
        {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            "width": width,
            "height": height,
        }
    ]


def send_photo(world: World, params: JsonDict) -> JsonDict:
    world.chat(params.get("chat_id"))
    caption, entities = _caption(world, params)
    markup = parse_reply_markup(params.get("reply_markup"))
    chat = world.writable_chat(params.get("chat_id"))
    stored = _input_file(world, params, "photo", "photo")
    return _post(
        world,
        chat,
        params,
        photo=photo_sizes(stored),
        caption=caption,
        caption_entities=entities,
        reply_markup=markup,
    )


def _inline_message(world: World, inline_message_id: str) -> tuple[Chat, JsonDict]:
    """A message a user sent via the bot; the bot needs no access to its chat to edit it."""
    chat_id, message_id = world.inline_messages.get(inline_message_id, (0, 0))
    chat = world.chats.get(chat_id)
    message = chat.messages.get(message_id) if chat else None
    if chat is None or message is None:
        raise bad_request(MESSAGE_ID_INVALID)
    return chat, message


def _own_message(world: World, params: JsonDict) -> tuple[Chat, JsonDict]:
    inline_message_id = opt_str(params, "inline_message_id")
    if inline_message_id:
        return _inline_message(world, inline_message_id)
    chat = world.writable_chat(params.get("chat_id"))
    message = chat.messages.get(req_int(params, "message_id", _NO_MESSAGE_ID))
    if message is None:
        raise bad_request(EDIT_NOT_FOUND)
    if message["from"]["id"] != world.bot.id:
        raise bad_request(CANT_BE_EDITED)
    return chat, message


def _set(message: JsonDict, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _apply_edit(
    world: World, chat: Chat, message: JsonDict, changes: JsonDict, params: JsonDict
) -> JsonDict | bool:
    if all(message.get(key) == (value or None) for key, value in changes.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        _set(message, key, value)
    message["edit_date"] = now()
    world.edits.push(chat.id, copy.deepcopy(message))
    # Like the Bot API: an inline message's edit answers True, not the message.
    return True if opt_str(params, "inline_message_id") else message


def edit_message_text(world: World, params: JsonDict) -> JsonDict | bool:
    text, entities = format_text(
        params.get("text"), params.get("parse_mode"), params.get("entities"), world.known_user
    )
    # Omitting reply_markup in an edit removes the keyboard, exactly like Telegram.
    markup = parse_reply_markup(params.get("reply_markup"), inline_only=True)
    chat, message = _own_message(world, params)
    if "text" not in message:
        raise bad_request(NO_TEXT_TO_EDIT)
    return _apply_edit(
        world, chat, message, {"text": text, "entities": entities, "reply_markup": markup}, params
    )


def edit_message_caption(world: World, params: JsonDict) -> JsonDict | bool:
    caption, entities = _caption(world, params)
    markup = parse_reply_markup(params.get("reply_markup"), inline_only=True)
    chat, message = _own_message(world, params)
    if "text" in message:
        raise bad_request(NO_CAPTION_TO_EDIT)
    return _apply_edit(
        world,
        chat,
        message,
        {"caption": caption, "caption_entities": entities, "reply_markup": markup},
        params,
    )


def edit_message_reply_markup(world: World, params: JsonDict) -> JsonDict | bool:
    markup = parse_reply_markup(params.get("reply_markup"), inline_only=True)
    chat, message = _own_message(world, params)
    return _apply_edit(world, chat, message, {"reply_markup": markup}, params)


def delete_message(world: World, params: JsonDict) -> bool:
    chat = world.chat(params.get("chat_id"))
    if not chat.is_private:
        chat = world.writable_chat(chat.id)
    message_id = req_int(params, "message_id", _NO_MESSAGE_ID)
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request(DELETE_NOT_FOUND)
    foreign = message["from"]["id"] != world.bot.id
    if foreign and not chat.is_private and world.bot_status(chat) not in _ADMINS:
        raise bad_request(CANT_BE_DELETED)
    del chat.messages[message_id]
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    return True


def _pin_rights(world: World, chat: Chat) -> None:
    if not chat.is_private and world.bot_status(chat) not in _ADMINS:
        raise bad_request(NOT_ENOUGH_RIGHTS_TO_PIN)


def pin_chat_message(world: World, params: JsonDict) -> bool:
    chat = world.writable_chat(params.get("chat_id"))
    message_id = req_int(params, "message_id", _NO_MESSAGE_ID)
    _pin_rights(world, chat)
    if message_id not in chat.messages:
        raise bad_request(PIN_NOT_FOUND)
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    chat.pinned.append(message_id)
    return True


def unpin_chat_message(world: World, params: JsonDict) -> bool:
    chat = world.writable_chat(params.get("chat_id"))
    _pin_rights(world, chat)
    message_id = opt_int(params, "message_id")
    if message_id is None:
        if chat.pinned:
            chat.pinned.pop()
        return True
    if message_id not in chat.messages:
        raise bad_request(UNPIN_NOT_FOUND)
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    return True


CALLBACK_ANSWER_LIMIT = 200


def answer_callback_query(world: World, params: JsonDict) -> bool:
    query_id = opt_str(params, "callback_query_id")
    query = world.callbacks.get(query_id) if query_id else None
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    # A toast or alert holds 0-200 characters; Telegram refuses longer ones, it does not cut.
    if len(opt_str(params, "text") or "") > CALLBACK_ANSWER_LIMIT:
        raise bad_request(MESSAGE_TOO_LONG)
    query.answered = True
    world.answers.push(query.id, copy.deepcopy(params))
    return True
