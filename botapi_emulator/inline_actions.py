"""What users do in inline mode: type "@bot query" somewhere, then pick one of the results.

The pick posts the result's message as the *user's* message with ``via_bot`` set. Telegram
names such a message by an inline_message_id when it carries a keyboard: button presses then
report that id instead of the message, and the bot edits the message through it.
"""

from __future__ import annotations

import copy
from typing import Any

from .actions import bot_sees, sending_chat
from .api_inline import MAX_OFFSET_BYTES
from .state import InlineQuery, World

JsonDict = dict[str, Any]

CHAT_TYPES = frozenset({"sender", "private", "group", "supergroup", "channel"})
MAX_QUERY = 256  # characters Telegram lets a user type after the bot's username
_FIRST_INLINE_ID = 2_365_491_843_000_000_000


def send_inline_query(
    world: World, user_id: int, query: str, chat_type: str | None, offset: str
) -> str:
    if not world.inline:
        raise RuntimeError(
            "this bot has no inline mode, so Telegram sends it no inline queries; "
            "construct the emulator with inline=True"
        )
    user = world.user(user_id)
    if chat_type is not None and chat_type not in CHAT_TYPES:
        raise ValueError(f"chat_type must be None or one of {sorted(CHAT_TYPES)}")
    if len(query) > MAX_QUERY:
        raise ValueError(f"Telegram limits inline queries to {MAX_QUERY} characters")
    if len(offset.encode("utf-8")) > MAX_OFFSET_BYTES:
        raise ValueError("an offset is a next_offset of the bot: at most 64 bytes")
    query_id = str(_FIRST_INLINE_ID + len(world.inline_queries) + 1)
    world.inline_queries[query_id] = InlineQuery(query_id, user.id, query, chat_type)
    payload: JsonDict = {"id": query_id, "from": user.to_dict(), "query": query, "offset": offset}
    if chat_type is not None:
        payload["chat_type"] = chat_type
    world.updates.push("inline_query", payload)
    return query_id


def _answered_query(world: World, user_id: int, query_id: str) -> InlineQuery:
    query = world.inline_queries.get(query_id)
    if query is None:
        raise KeyError(f"unknown inline query {query_id}; call send_inline_query() first")
    if query.user_id != user_id:
        raise ValueError(f"only user {query.user_id} sees the results of query {query_id}")
    if not query.answered:
        raise LookupError(f"the bot has not answered inline query {query_id}")
    return query


def choose_inline_result(
    world: World, user_id: int, query_id: str, result_id: str, chat_id: int
) -> JsonDict:
    query = _answered_query(world, user_id, query_id)
    content = query.results.get(result_id)
    if content is None:
        raise LookupError(f"no result {result_id!r} in the answer; has {sorted(query.results)}")
    user, chat = sending_chat(world, user_id, chat_id)
    kind = "sender" if chat.is_private else chat.type
    if query.chat_type is not None and query.chat_type != kind:
        raise ValueError(f"query {query_id} was typed in a {query.chat_type!r} chat, not {kind!r}")
    message = world.message(chat, user, via_bot=world.bot.to_dict(), **copy.deepcopy(content))
    inline_message_id = None
    if message.get("reply_markup"):
        inline_message_id = f"AgAAA{query_id}-{message['message_id']}"
        world.inline_messages[inline_message_id] = (chat.id, message["message_id"])
    if bot_sees(world, chat, message["text"], message.get("entities", []), None, via_bot=True):
        world.updates.push("message", copy.deepcopy(message))
    if world.inline_feedback:
        chosen: JsonDict = {"result_id": result_id, "from": user.to_dict(), "query": query.query}
        if inline_message_id is not None:
            chosen["inline_message_id"] = inline_message_id
        world.updates.push("chosen_inline_result", chosen)
    return copy.deepcopy(message)
