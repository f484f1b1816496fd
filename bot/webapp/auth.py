"""Signing in to the Mini App: Telegram's initData, checked as its Web Apps documentation says,
and the small session token the page then sends with every call.

initData is a query string that Telegram signs with the bot token:

- data-check-string: every received field except `hash`, as `key=value` (values decoded),
  sorted by key, joined with "\\n";
- secret key: HMAC-SHA-256 of the bot token, keyed with the bytes "WebAppData";
- `hash`: the hex HMAC-SHA-256 of the data-check-string, keyed with the secret key.

The session token is ours: `<telegram id>.<expiry>.<signature>`, signed with a key derived
from the bot token (not the one initData is signed with), no state on the server, no cookie.

Pure functions of their arguments (the clock is passed in), but for `ReplayGuard`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

# initData older than this is refused; a session lasts until then too.
MAX_AGE = 3600  # seconds
# A clock a little ahead of ours is forgiven; beyond this, auth_date "in the future" is forged.
FUTURE_SKEW = 60  # seconds
# Real initData has half a dozen fields and a user of a few hundred bytes.
MAX_INIT_DATA = 8192
MAX_FIELDS = 32

_HASH = re.compile(r"[0-9a-f]{64}")
_TOKEN = re.compile(r"([1-9][0-9]{0,19})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
_SESSION_KEY_LABEL = b"kooperacje-bot webapp session v1"


class InitDataError(Exception):
    """Why initData was refused: a code of API.md (`init_data_missing`, ...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SessionError(Exception):
    """`session_invalid` or `session_expired`."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class InitData:
    user: WebAppUser
    auth_date: int  # Unix time
    hash: str

    @property
    def expires_at(self) -> int:
        return self.auth_date + MAX_AGE


def _hmac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def secret_key(bot_token: str) -> bytes:
    """HMAC_SHA256(key="WebAppData", message=bot_token)."""
    return _hmac(b"WebAppData", bot_token.encode())


def data_check_string(fields: Mapping[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def init_data_hash(bot_token: str, fields: Mapping[str, str]) -> str:
    return hmac.new(
        secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()


def sign_init_data(bot_token: str, user: dict[str, Any], auth_date: int, **extra: str) -> str:
    """initData as a Telegram app would send it for `user` (tests and benchmarks)."""
    fields = {
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(auth_date),
        **extra,
    }
    fields["hash"] = init_data_hash(bot_token, fields)
    return urlencode(fields)


def _fields(raw: str) -> dict[str, str]:
    if len(raw) > MAX_INIT_DATA:
        raise InitDataError("init_data_malformed")
    try:
        pairs = parse_qsl(raw, strict_parsing=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise InitDataError("init_data_malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a key twice: which one was signed?
        raise InitDataError("init_data_malformed")
    return fields


def _user(raw: str | None) -> WebAppUser:
    if raw is None:
        raise InitDataError("init_data_malformed")
    try:
        user = json.loads(raw)
    except (ValueError, RecursionError):
        raise InitDataError("init_data_malformed") from None
    if not isinstance(user, dict):
        raise InitDataError("init_data_malformed")
    user_id, first_name = user.get("id"), user.get("first_name", "")
    if type(user_id) is not int or not 0 < user_id < 2**63 or not isinstance(first_name, str):
        raise InitDataError("init_data_malformed")

    def text(key: str) -> str | None:
        value = user.get(key)
        return value if isinstance(value, str) else None

    return WebAppUser(
        user_id, first_name, text("last_name"), text("username"), text("language_code")
    )


def check_init_data(raw: object, bot_token: str, now: float) -> InitData:
    """The signed data, or InitDataError. `now`: Unix time."""
    if not isinstance(raw, str) or not raw.strip():
        raise InitDataError("init_data_missing")
    fields = _fields(raw)
    given = fields.get("hash", "")
    if not _HASH.fullmatch(given):
        raise InitDataError("init_data_malformed")
    if not hmac.compare_digest(init_data_hash(bot_token, fields), given):
        raise InitDataError("init_data_forged")
    user = _user(fields.get("user"))
    auth_date = fields.get("auth_date", "")
    if not auth_date.isascii() or not auth_date.isdigit() or len(auth_date) > 12:
        raise InitDataError("init_data_malformed")
    signed_at = int(auth_date)
    if signed_at > now + FUTURE_SKEW or signed_at + MAX_AGE < now:
        raise InitDataError("init_data_expired")
    return InitData(user, signed_at, given)


class ReplayGuard:
    """The hashes of initData that already opened a session, until that data expires.

    In memory only: after a restart, initData younger than an hour may open one more session
    (accepted: it is still the same person's signed data, and it expires within the hour).
    """

    def __init__(self) -> None:
        self._used: dict[str, int] = {}  # hash -> Unix time after which it is expired anyway
        self._pruned_at = 0.0

    def claim(self, data: InitData, now: float) -> bool:
        """True the first time; False for a replay. Check and record in one step (no await)."""
        if now - self._pruned_at > 60:
            self._used = {h: until for h, until in self._used.items() if until >= now}
            self._pruned_at = now
        if data.hash in self._used:
            return False
        self._used[data.hash] = data.expires_at + FUTURE_SKEW
        return True

    def release(self, data: InitData) -> None:
        """Not used after all (the person is no member): the same data may try again."""
        self._used.pop(data.hash, None)


def _session_key(bot_token: str) -> bytes:
    return _hmac(_SESSION_KEY_LABEL, bot_token.encode())


def _token_signature(bot_token: str, payload: str) -> str:
    digest = _hmac(_session_key(bot_token), payload.encode())
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def session_token(bot_token: str, telegram_id: int, expires_at: int) -> str:
    payload = f"{telegram_id}.{expires_at}"
    return f"{payload}.{_token_signature(bot_token, payload)}"


def check_session_token(token: object, bot_token: str, now: float) -> int:
    """The Telegram user id the token was given to, or SessionError."""
    if not isinstance(token, str):
        raise SessionError("session_invalid")
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise SessionError("session_invalid")
    user_id, expires_at, signature = match.groups()
    expected = _token_signature(bot_token, f"{user_id}.{expires_at}")
    if not hmac.compare_digest(expected, signature):
        raise SessionError("session_invalid")
    if int(expires_at) < now:
        raise SessionError("session_expired")
    return int(user_id)
