"""Plain data kept by the emulator: users, chats, recorded calls, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "left", "kicked"})
PRESENT_STATUSES = frozenset({"creator", "administrator", "member"})


@dataclass(frozen=True)
class TelegramUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class ApiCall:
    """One HTTP request the bot made and what the emulator answered."""

    method: str
    params: JsonDict
    status: int
    response: JsonDict
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def description(self) -> str | None:
        return self.response.get("description")


@dataclass
class Chat:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    username: str | None = None
    user: TelegramUser | None = None  # the other side of a private chat
    started: bool = False
    blocked: bool = False
    members: dict[int, str] = field(default_factory=dict)  # user id -> status (bot included)
    messages: dict[int, JsonDict] = field(default_factory=dict)  # all live messages by id
    pinned: list[int] = field(default_factory=list)
    last_message_id: int = 0

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def next_message_id(self) -> int:
        # Ids are per chat (per user pair in private chats) and shared by both senders.
        self.last_message_id += 1
        return self.last_message_id

    def to_dict(self) -> JsonDict:
        if self.user is not None:
            data: JsonDict = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    kind: str  # "document", "photo" or a media kind users send ("voice", "sticker"...)

    @property
    def file_size(self) -> int:
        return len(self.data)
