"""Storage of uploaded/sent files and the bits of image sniffing photos need."""

from __future__ import annotations

import mimetypes
import secrets
import struct
from pathlib import PurePosixPath

from .models import StoredFile

# Bot API download limit for getFile.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
# file_id prefixes in Telegram's style; the media kinds come only from users (send_media).
_PREFIX = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
}


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self, data: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        self._counter += 1
        if kind == "document" and mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        if kind == "photo":
            suffix = ".jpg"
        stored = StoredFile(
            file_id=f"{_PREFIX[kind]}{self._counter:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AgAD{self._counter:06d}{secrets.token_hex(3)}",
            file_path=f"{kind}s/file_{self._counter}{suffix}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG image, None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        # SOF0..SOF15 carry the dimensions, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None
