"""Validation of answerInlineQuery results, in the two layers Telegram has.

The Bot API server parses every result first; what it rejects is worded and wrapped as
``can't parse inline query result: <detail>`` (a missing field, an HTML error, a bad button).
What parses is then checked by Telegram itself, which answers with bare codes
(``RESULT_ID_DUPLICATE``, ``MESSAGE_EMPTY``...). Hence ``parse_result`` and ``check_results``.

Only "article" results with an InputTextMessageContent are emulated; the other valid result
and content types get a 400 that names the emulator, so a test never passes by accident.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .entities import utf16_len
from .errors import (
    ARTICLE_TITLE_EMPTY,
    INLINE_RESULT_UNPARSABLE,
    MESSAGE_EMPTY,
    MESSAGE_TOO_LONG,
    RESULT_ID_DUPLICATE,
    RESULT_ID_EMPTY,
    RESULT_ID_INVALID,
    TOO_MANY_INLINE_RESULTS,
    ApiError,
    bad_request,
)
from .formatting import MAX_TEXT, UserLookup, parse_text
from .markup import parse_reply_markup

JsonDict = dict[str, Any]

MAX_RESULTS = 50
MAX_ID_BYTES = 64
_OTHER_TYPES = frozenset(
    {
        "audio",
        "contact",
        "document",
        "game",
        "gif",
        "location",
        "mpeg4_gif",
        "photo",
        "sticker",
        "venue",
        "video",
        "voice",
    }
)
# Keys that make an InputMessageContent a location/venue, contact or invoice.
_OTHER_CONTENT = ("latitude", "phone_number", "payload")
# Markup errors the Bot API server raises while parsing (so they get wrapped); the rest
# (BUTTON_DATA_INVALID, bad URLs...) come from Telegram and stay bare.
_PARSER_MARKUP_ERRORS = ("can't parse", "field ", "object expected")


@dataclass(frozen=True)
class ParsedResult:
    id: str
    title: str
    text: str
    entities: list[JsonDict]
    reply_markup: JsonDict | None

    def message_content(self) -> JsonDict:
        """What the message carries when a user picks this result."""
        return {
            "text": self.text,
            "entities": self.entities or None,
            "reply_markup": self.reply_markup,
        }


def _unparsable(detail: str) -> ApiError:
    return bad_request(INLINE_RESULT_UNPARSABLE + detail)


def _rewrapped(error: ApiError) -> ApiError:
    # The emulator's descriptions start lower-case, as the Bot API sends them at top level;
    # nested after the prefix they keep their capital ("Can't parse entities: ...").
    detail = error.description.removeprefix("Bad Request: ")
    return _unparsable(detail[:1].upper() + detail[1:])


def _string(obj: JsonDict, name: str, *, required: bool = False) -> str:
    """A string field read like the Bot API server does: numbers count, others do not."""
    if name not in obj:
        if required:
            raise _unparsable(f'Can\'t find field "{name}"')
        return ""
    value = obj[name]
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    raise _unparsable(f'Field "{name}" must be of type String')


def decode_results(raw: Any) -> list[Any]:
    """The ``results`` parameter as a list (PTB sends it JSON-encoded)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request(
                f"can't parse JSON encoded inline query results: {exc.args[0]}"
            ) from None
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("expected an Array of inline query results")
    if len(raw) > MAX_RESULTS:
        raise bad_request(TOO_MANY_INLINE_RESULTS)
    return raw


def _formatted(source: JsonDict, text: str, lookup: UserLookup) -> tuple[str, list[JsonDict]]:
    try:
        return parse_text(text, source.get("parse_mode"), source.get("entities"), lookup)
    except ApiError as exc:
        raise _rewrapped(exc) from None


def _message_text(
    raw: JsonDict, required: bool, lookup: UserLookup
) -> tuple[str, list[JsonDict]] | None:
    content = raw.get("input_message_content")
    if content is None:
        # The legacy form, still accepted: message_text/parse_mode/entities on the result.
        text = _string(raw, "message_text", required=required)
        if not text and not required:
            return None
        if not text:
            raise _unparsable("Message text is empty")
        return _formatted(raw, text, lookup)
    if not isinstance(content, dict):
        raise _unparsable('Field "input_message_content" must be of type Object')
    text = _string(content, "message_text")
    if text:
        return _formatted(content, text, lookup)
    if any(key in content for key in _OTHER_CONTENT):
        raise bad_request("only InputTextMessageContent is supported by the emulator")
    if required:
        raise _unparsable("Input message content is not specified")
    return None


def _reply_markup(raw: Any) -> JsonDict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _unparsable('Field "reply_markup" must be of type Object')
    try:
        return parse_reply_markup(raw, inline_only=True)
    except ApiError as exc:
        if exc.description.removeprefix("Bad Request: ").startswith(_PARSER_MARKUP_ERRORS):
            raise _rewrapped(exc) from None
        raise


def parse_result(raw: Any, lookup: UserLookup) -> ParsedResult:
    """One InlineQueryResult as the Bot API server parses it (same order of checks)."""
    if not isinstance(raw, dict):
        raise _unparsable("Inline query result must be an object")
    kind = _string(raw, "type", required=True).lower()
    result_id = _string(raw, "id", required=True)
    if kind in _OTHER_TYPES:
        raise bad_request(f'inline query result type "{kind}" is not supported by the emulator')
    text = _message_text(raw, kind == "article", lookup)
    markup = _reply_markup(raw.get("reply_markup"))
    if kind != "article" or text is None:
        raise _unparsable(f'type "{kind}" is unsupported for the inline query result')
    title = _string(raw, "title", required=True)
    return ParsedResult(result_id, title, text[0], text[1], markup)


def check_results(results: list[ParsedResult]) -> None:
    """Telegram's own checks on results that parsed."""
    seen: set[str] = set()
    for result in results:
        size = len(result.id.encode("utf-8"))
        if size == 0:
            raise bad_request(RESULT_ID_EMPTY)
        if size > MAX_ID_BYTES:
            raise bad_request(RESULT_ID_INVALID)
        if result.id in seen:
            raise bad_request(RESULT_ID_DUPLICATE)
        seen.add(result.id)
        if not result.title.strip():
            raise bad_request(ARTICLE_TITLE_EMPTY)
        if not result.text:
            raise bad_request(MESSAGE_EMPTY)
        if utf16_len(result.text) > MAX_TEXT:
            raise bad_request(MESSAGE_TOO_LONG)
