"""Telegram-shaped API errors and the exact description texts the Bot API uses."""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]

# Descriptions copied from real Bot API answers; bots match on these substrings, so keep them
# byte-for-byte (the "Bad Request: " / "Forbidden: " prefixes are added by the helpers below).
CHAT_NOT_FOUND = "chat not found"
CHAT_ID_EMPTY = "chat_id is empty"
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
CANT_PARSE_ENTITIES = "can't parse entities: "
UNSUPPORTED_PARSE_MODE = "unsupported parse_mode"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "message to edit not found"
DELETE_NOT_FOUND = "message to delete not found"
CANT_BE_EDITED = "message can't be edited"
CANT_BE_DELETED = "message can't be deleted"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "there is no caption in the message to edit"
REPLY_NOT_FOUND = "message to be replied not found"
PIN_NOT_FOUND = "message to pin not found"
UNPIN_NOT_FOUND = "message to unpin not found"
NOT_ENOUGH_RIGHTS_TO_PIN = "not enough rights to manage pinned messages in the chat"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
# answerInlineQuery: the Bot API server's own checks (worded) and Telegram's (bare codes).
INLINE_RESULT_UNPARSABLE = "can't parse inline query result: "
TOO_MANY_INLINE_RESULTS = "too many inline query results specified"
RESULT_ID_EMPTY = "RESULT_ID_EMPTY"
RESULT_ID_INVALID = "RESULT_ID_INVALID"
RESULT_ID_DUPLICATE = "RESULT_ID_DUPLICATE"
ARTICLE_TITLE_EMPTY = "ARTICLE_TITLE_EMPTY"
MESSAGE_EMPTY = "MESSAGE_EMPTY"
MESSAGE_TOO_LONG = "MESSAGE_TOO_LONG"
NEXT_OFFSET_INVALID = "NEXT_OFFSET_INVALID"
MESSAGE_ID_INVALID = "MESSAGE_ID_INVALID"
BLOCKED = "bot was blocked by the user"
CANT_INITIATE = "bot can't initiate conversation with a user"
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
INVALID_FILE_ID = "invalid file_id"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"


class ApiError(Exception):
    """A failed Bot API call: HTTP status plus the JSON body Telegram would send."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# Used when a test injects an HTTP error without its own description.
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def injected_error(status: int, description: str | None) -> ApiError:
    if status == 429:
        retry = 1
        if description and description.rsplit(" ", 1)[-1].isdigit():
            retry = int(description.rsplit(" ", 1)[-1])
        return ApiError(
            429, description or f"Too Many Requests: retry after {retry}", {"retry_after": retry}
        )
    return ApiError(status, description or _DEFAULT_DESCRIPTIONS.get(status, "Unknown Error"))
