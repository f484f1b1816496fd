"""Decoding of Bot API request parameters from query string, JSON, urlencoded or multipart.

Form encodings carry every value as a string; PTB JSON-encodes non-string values
(``chat_id="1001"``, ``reply_markup='{"inline_keyboard": ...}'``). Like the Bot API, free-text
fields stay strings (a message text "123" must not turn into a number); everything else is
JSON-decoded when it parses, so tests see ints as ints and objects as dicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request

JsonDict = dict[str, Any]

STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "caption_parse_mode",
        "callback_query_id",
        "inline_query_id",
        "url",
        "title",
        "description",
        "short_description",
        "name",
        "language_code",
        "emoji",
        "action",
        "secret_token",
        "ip_address",
        "custom_title",
        "business_connection_id",
        "message_effect_id",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "question",
        "explanation",
        "file_id",
        "sticker",
        "document",
        "photo",
        "thumbnail",
        "certificate",
        "inline_message_id",
        "query",
        "invite_link",
        "custom_emoji_id",
        "payload",
        "currency",
        "start_parameter",
        "switch_pm_text",
        "switch_pm_parameter",
        "next_offset",
        "data",
        "filename",
        "chat_instance",
    }
)
_ATTACH = "attach://"


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content_type: str
    data: bytes


def decode_value(name: str, raw: str) -> Any:
    if name in STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def normalize(params: JsonDict) -> JsonDict:
    """Coerce JSON-body values of text fields to strings, as the Bot API does."""
    for name in STRING_FIELDS & params.keys():
        value = params[name]
        if isinstance(value, bool):
            params[name] = "true" if value else "false"
        elif isinstance(value, int | float):
            params[name] = str(value)
    return params


async def read_params(request: web.Request) -> JsonDict:
    """All parameters of a request, decoded; raises ApiError for unreadable bodies."""
    params: JsonDict = {k: decode_value(k, v) for k, v in request.query.items()}
    try:
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(decoded, dict):
                    raise bad_request("JSON object expected")
                params.update(decoded)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            uploads: dict[str, Upload] = {}
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[name] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    params[name] = decode_value(
                        name,
                        value
                        if isinstance(value, str)
                        else bytes(value).decode("utf-8", "replace"),
                    )
            _attach(params, uploads)
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    return normalize(params)


def _attach(params: JsonDict, uploads: dict[str, Upload]) -> None:
    """Put files in place of their attach:// references (or under their own field name)."""
    for name, value in list(params.items()):
        if isinstance(value, str) and value.startswith(_ATTACH):
            upload = uploads.pop(value[len(_ATTACH) :], None)
            if upload is None:
                raise bad_request(f'can\'t find attached file "{value[len(_ATTACH) :]}"')
            params[name] = upload
    params.update(uploads)
