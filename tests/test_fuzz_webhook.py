"""Arbitrary headers and bodies at the webhook endpoint (hypothesis).

Each example is one raw HTTP request to `POST /telegram`: arbitrary bytes in the secret
header (or the right secret, once, twice, with bytes after it, or none), an arbitrary extra
header, and a body of arbitrary bytes, arbitrary JSON, or JSON shaped like an update with
arbitrary parts. Whatever it is: the answer is 200, 400, 403 or 413, never a 500; 200 only
with the right secret; and no error or traceback is logged by the server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botapi_emulator import BotApiEmulator
from tests.fuzzing import count_case, fuzz_settings
from tests.test_webhook import MAX_BODY, exchange, raw_request, serving

# The same examples every run (CI must not turn red by chance), a few seconds per backend.
# FUZZ_EXAMPLES=1000 hunts longer, with new random examples each time.
EXAMPLES = 60
SERVER_LOGGERS = ("bot.webhook", "aiohttp")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
update_ids = st.integers(0, 2**40) | st.integers() | json_values
chats = st.fixed_dictionaries(
    {"id": st.integers() | json_values, "type": st.sampled_from(["private", "group"]) | json_values}
)
messages = st.fixed_dictionaries(
    {
        "message_id": st.integers(0, 10**6) | json_values,
        "date": st.integers(0, 2**32) | json_values,
    },
    optional={"chat": chats | json_values, "from": json_values, "entities": json_values},
)
odd_updates = st.fixed_dictionaries(
    {"update_id": update_ids},
    optional={
        "message": messages | json_values,
        "edited_message": messages | json_values,
        "callback_query": json_values,
        "inline_query": json_values,
        "my_chat_member": json_values,
    },
)
# Updates PTB accepts: no text, so no handler answers and nothing leaves the bot.
good_updates = st.fixed_dictionaries(
    {"update_id": st.integers(0, 2**40)},
    optional={
        "message": st.fixed_dictionaries(
            {
                "message_id": st.integers(1, 10**6),
                "date": st.integers(0, 2**32),
                "chat": st.fixed_dictionaries(
                    {"id": st.integers(1, 10**12), "type": st.just("private")}
                ),
            }
        )
    },
)
bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda value: json.dumps(value).encode())
    | (odd_updates | good_updates).map(lambda value: json.dumps(value).encode())
    | st.sampled_from(
        [
            b"",
            b"[" * 50_000,
            b'{"update_id":NaN}',
            b'{"update_id":1,"x":"' + b"a" * MAX_BODY + b'"}',
            '{"update_id":1}'.encode("utf-16"),
        ]
    )
)
secrets_sent = st.sampled_from(["right", "none", "other", "right+other", "twice"])
# Any bytes, and often the kinds a parser lets through: visible ASCII and bytes above 0x7f.
header_bytes = (
    st.binary(max_size=64)
    | st.text(max_size=30).map(str.encode)
    | st.lists(st.integers(0x20, 0xFF), max_size=40).map(bytes)
)
header_names = st.text("abcXYZ-_019", min_size=1, max_size=20).map(str.encode) | st.binary(
    min_size=1, max_size=20
)


@pytest.fixture
async def served(emulator: BotApiEmulator, db_url: str) -> AsyncIterator[tuple[int, bytes]]:
    """One bot in webhook mode for all the examples of a test."""
    async with serving(emulator, db_url) as endpoint:
        yield endpoint


@fuzz_settings(EXAMPLES)
@given(
    sent=secrets_sent,
    other=header_bytes,
    extra=st.none() | st.tuples(header_names, header_bytes),
    body=bodies,
)
async def test_any_header_and_body_gets_200_400_403_or_413(
    request: pytest.FixtureRequest,
    served: tuple[int, bytes],
    caplog: pytest.LogCaptureFixture,
    sent: str,
    other: bytes,
    extra: tuple[bytes, bytes] | None,
    body: bytes,
) -> None:
    count_case(request, "webhook bodies and headers")
    port, secret = served
    given = {"right": secret, "none": None, "other": other, "right+other": secret + other}
    head = b"" if extra is None else extra[0] + b": " + extra[1] + b"\r\n"
    if sent == "twice":
        given["twice"] = secret
        head += b"X-Telegram-Bot-Api-Secret-Token: " + other + b"\r\n"
    since = len(caplog.records)
    status = await exchange(port, raw_request(body, given[sent], head=head))
    assert status in (200, 400, 403, 413)
    if status == 200:  # HTTP strips blanks around a header's value
        assert sent != "twice" and (given[sent] or b"").strip(b" \t") == secret
    loud = [
        (r.name, r.getMessage())
        for r in caplog.records[since:]
        if r.name.startswith(SERVER_LOGGERS) and (r.levelno >= logging.ERROR or r.exc_info)
    ]
    assert not loud
