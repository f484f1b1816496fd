"""The Mini App's sign-in as pure functions: Telegram's initData check (every refusal) and our
session token. Over HTTP the same refusals are in test_webapp_api.py."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from bot.webapp.auth import (
    FUTURE_SKEW,
    MAX_AGE,
    InitDataError,
    ReplayGuard,
    SessionError,
    check_init_data,
    check_session_token,
    data_check_string,
    session_token,
    sign_init_data,
)

TOKEN = "123456:TEST-token-for-the-emulator-0001"
OTHER_TOKEN = "654321:another-bot-token-0002"
NOW = 1_800_000_000
USER = {"id": 2501, "first_name": "Kasia", "language_code": "pl"}


def _code(raw: object, *, now: float = NOW, token: str = TOKEN) -> str:
    with pytest.raises(InitDataError) as refused:
        check_init_data(raw, token, now)
    return refused.value.code


def test_signed_data_is_read() -> None:
    raw = sign_init_data(TOKEN, USER, NOW - 10, query_id="AAHdF6IQAAAAAN0XohDhrOrc")
    data = check_init_data(raw, TOKEN, NOW)
    assert data.user.id == 2501 and data.user.first_name == "Kasia"
    assert data.user.language_code == "pl"
    assert data.auth_date == NOW - 10 and data.expires_at == NOW - 10 + MAX_AGE


def test_the_check_is_telegrams_own() -> None:
    """Computed by hand as Telegram's documentation says: every field but `hash`, sorted,
    `key=value` lines; secret = HMAC-SHA-256(key "WebAppData", bot token)."""
    user = json.dumps({"id": 7, "first_name": "Ola Żółć"}, ensure_ascii=False)
    fields = {"query_id": "q1", "user": user, "auth_date": str(NOW), "signature": "abc"}
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    assert data_check_string(fields) == check
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    # As the app sends it: percent-encoded, in any order.
    raw = "&".join(f"{key}={quote(value)}" for key, value in reversed(fields.items()))
    assert check_init_data(raw, TOKEN, NOW).user.first_name == "Ola Żółć"


@pytest.mark.parametrize("raw", [None, "", "   ", 42, ["user=1"], {"hash": "x"}])
def test_missing(raw: object) -> None:
    assert _code(raw) == "init_data_missing"


@pytest.mark.parametrize(
    "raw",
    [
        "not a query string",
        "hash",
        "user=%7B%7D&auth_date=1",  # no hash
        "user=1&hash=zz",  # not a hash
        "a=%ff&hash=" + "0" * 64,  # not UTF-8
        "x=1&x=2&hash=" + "0" * 64,  # a field twice
        "x=" + "y" * 9000,
    ],
)
def test_malformed(raw: str) -> None:
    assert _code(raw) == "init_data_malformed"


def _resigned(fields: dict[str, str], token: str = TOKEN) -> str:
    from bot.webapp.auth import init_data_hash

    fields = {key: value for key, value in fields.items() if key != "hash"}
    return urlencode({**fields, "hash": init_data_hash(token, fields)})


@pytest.mark.parametrize(
    "fields",
    [
        {"auth_date": str(NOW)},  # no user
        {"auth_date": str(NOW), "user": "{not json"},
        {"auth_date": str(NOW), "user": "[1, 2]"},
        {"auth_date": str(NOW), "user": '{"id": "2501", "first_name": "K"}'},
        {"auth_date": str(NOW), "user": '{"id": true, "first_name": "K"}'},
        {"auth_date": str(NOW), "user": '{"id": -5, "first_name": "K"}'},
        {"auth_date": "yesterday", "user": json.dumps(USER)},
        {"auth_date": "１２３", "user": json.dumps(USER)},  # digits, but not ASCII ones
        {"user": json.dumps(USER)},  # no auth_date
    ],
)
def test_signed_but_malformed(fields: dict[str, str]) -> None:
    assert _code(_resigned(fields)) == "init_data_malformed"


def test_forged() -> None:
    raw = sign_init_data(TOKEN, USER, NOW)
    fields = dict(parse_qsl(raw))
    # Someone else's id with the signature of Kasia's data.
    fields["user"] = json.dumps({**USER, "id": 9000})
    assert _code(urlencode(fields)) == "init_data_forged"
    # A field added, or the hash changed by one digit.
    assert _code(raw + "&start_param=admin") == "init_data_forged"
    last = fields["hash"][-1]
    tampered = raw[:-1] + ("0" if last != "0" else "1")
    assert _code(tampered) == "init_data_forged"


def test_signed_by_another_bot() -> None:
    assert _code(sign_init_data(OTHER_TOKEN, USER, NOW)) == "init_data_forged"


def test_expired_and_future() -> None:
    assert check_init_data(sign_init_data(TOKEN, USER, NOW - MAX_AGE), TOKEN, NOW)
    assert _code(sign_init_data(TOKEN, USER, NOW - MAX_AGE - 1)) == "init_data_expired"
    assert _code(sign_init_data(TOKEN, USER, 0)) == "init_data_expired"
    assert check_init_data(sign_init_data(TOKEN, USER, NOW + FUTURE_SKEW), TOKEN, NOW)
    assert _code(sign_init_data(TOKEN, USER, NOW + FUTURE_SKEW + 1)) == "init_data_expired"


def test_replay_guard() -> None:
    guard = ReplayGuard()
    first = check_init_data(sign_init_data(TOKEN, USER, NOW), TOKEN, NOW)
    second = check_init_data(sign_init_data(TOKEN, USER, NOW + 1), TOKEN, NOW + 1)
    assert guard.claim(first, NOW)
    assert not guard.claim(first, NOW + 5)
    assert guard.claim(second, NOW + 5)
    guard.release(second)
    assert guard.claim(second, NOW + 6)
    # Pruned once expired (the data itself is refused by then anyway).
    guard.claim(
        check_init_data(sign_init_data(TOKEN, USER, NOW + 7200), TOKEN, NOW + 7200), NOW + 7200
    )
    assert first.hash not in guard._used


def test_session_token() -> None:
    token = session_token(TOKEN, 2501, NOW + 100)
    assert check_session_token(token, TOKEN, NOW) == 2501
    with pytest.raises(SessionError) as expired:
        check_session_token(token, TOKEN, NOW + 101)
    assert expired.value.code == "session_expired"
    user_id, expires, signature = token.split(".")
    forged = [
        None,
        "",
        "garbage",
        f"9000.{expires}.{signature}",  # another id
        f"{user_id}.{int(expires) + 3600}.{signature}",  # a longer life
        token + "x",
        session_token(OTHER_TOKEN, 2501, NOW + 100),
        sign_init_data(TOKEN, USER, NOW),  # initData is no token
    ]
    for candidate in forged:
        with pytest.raises(SessionError) as refused:
            check_session_token(candidate, TOKEN, NOW)
        assert refused.value.code == "session_invalid", candidate
