"""Turns a method's text/caption + parse_mode/entities into what Telegram stores, or an error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .entities import finalize, utf16_len
from .errors import (
    CANT_PARSE_ENTITIES,
    CAPTION_TOO_LONG,
    TEXT_EMPTY,
    TEXT_TOO_LONG,
    UNSUPPORTED_PARSE_MODE,
    bad_request,
)
from .html import EntityParseError, parse_html

JsonDict = dict[str, Any]
UserLookup = Callable[[int], JsonDict | None]

MAX_TEXT = 4096
MAX_CAPTION = 1024
_ENTITY_FIELDS = {
    "text_link": "url",
    "text_mention": "user",
    "pre": "language",
    "custom_emoji": "custom_emoji_id",
}


def _explicit_entities(raw: Any, text: str) -> list[JsonDict]:
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    entities = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be a valid Number')
        if offset + length > total:
            raise bad_request(
                f"entity beginning at UTF-16 offset {offset} ends after the end of "
                f"the text at UTF-16 offset {offset + length}"
            )
        entity = {"type": item["type"], "offset": offset, "length": length}
        extra = _ENTITY_FIELDS.get(item["type"])
        if extra and extra in item:
            entity[extra] = item[extra]
        entities.append(entity)
    return entities


def _parse(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JsonDict]]:
    if entities is not None:
        # Like the Bot API: explicit entities win and parse_mode is then ignored.
        return text, _explicit_entities(entities, text)
    mode = parse_mode.lower() if isinstance(parse_mode, str) else parse_mode
    if mode in (None, ""):
        return text, []
    if mode == "html":
        try:
            return parse_html(text)
        except EntityParseError as exc:
            raise bad_request(CANT_PARSE_ENTITIES + str(exc)) from None
    if mode in ("markdown", "markdownv2"):
        raise bad_request(f"parse_mode {parse_mode} is not supported by the emulator, use HTML")
    raise bad_request(UNSUPPORTED_PARSE_MODE)


def _resolve_mentions(entities: list[JsonDict], lookup: UserLookup) -> list[JsonDict]:
    """text_mention needs a user Telegram knows; unknown ids silently become plain text."""
    resolved = []
    for entity in entities:
        if entity["type"] == "text_mention":
            user = lookup(int(entity["user"]["id"]))
            if user is None:
                continue
            entity = {**entity, "user": user}
        resolved.append(entity)
    return resolved


def parse_text(
    raw: Any, parse_mode: Any, entities: Any, lookup: UserLookup
) -> tuple[str, list[JsonDict]]:
    """(text, entities) after parsing and Telegram's clean-up, with no length checks."""
    text = "" if raw is None else str(raw)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("strings must be encoded in UTF-8") from None
    text, found = _parse(text, parse_mode, entities)
    text, found = finalize(text, found)
    return text, _resolve_mentions(found, lookup)


def format_text(
    raw: Any, parse_mode: Any, entities: Any, lookup: UserLookup, *, caption: bool = False
) -> tuple[str, list[JsonDict]]:
    """(text, entities) as stored by Telegram; ("", []) is an absent caption."""
    text, found = parse_text(raw, parse_mode, entities, lookup)
    if caption:
        if utf16_len(text) > MAX_CAPTION:
            raise bad_request(CAPTION_TOO_LONG)
    elif not text:
        raise bad_request(TEXT_EMPTY)
    elif utf16_len(text) > MAX_TEXT:
        raise bad_request(TEXT_TOO_LONG)
    return text, found
