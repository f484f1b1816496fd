"""The Bot API emulator itself: as strict as Telegram, and usable by the real PTB client.

Driven with a real telegram.Bot / Application over HTTP, and with raw httpx requests for the
exact wire format (status codes, descriptions, parameters).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Keyboard
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)
from telegram.request import HTTPXRequest

from botapi_emulator import ApiCall, BotApiEmulator, FloodLimits

TOKEN = "123456:TESTTOKEN"
ANNA = 1001
GROUP = -1001234
JsonDict = dict[str, Any]
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08" + b"\0" * 16  # 16x8


class FakeClock:
    """A monotonic clock the test moves by hand, so flood tests need no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(TOKEN, bot_username="kooperacje_test_bot", limits=None) as emulator:
        emulator.add_user(ANNA, "Anna", last_name="Kowalska", username="anna_k", language_code="pl")
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url)
    await client.initialize()
    yield client
    await client.shutdown()


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}/") as client:
        yield client


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> tuple[int, JsonDict]:
    response = await http.post(method, json=params)
    return response.status_code, response.json()


async def send_html(http: httpx.AsyncClient, text: str) -> tuple[int, JsonDict]:
    return await call(http, "sendMessage", chat_id=ANNA, text=text, parse_mode="HTML")


# -- HTML parse mode --------------------------------------------------------------------------

ACCEPTED = [
    ("<b>bold</b> text", "bold text", [{"type": "bold", "offset": 0, "length": 4}]),
    (
        "<strong>a</strong><em>b</em>",
        "ab",
        [{"type": "bold", "offset": 0, "length": 1}, {"type": "italic", "offset": 1, "length": 1}],
    ),
    ("<i>a</i><i>b</i>", "ab", [{"type": "italic", "offset": 0, "length": 2}]),
    (
        "<u>u</u> <ins>i</ins> <s>s</s> <strike>t</strike> <del>d</del>",
        "u i s t d",
        [
            {"type": "underline", "offset": 0, "length": 1},
            {"type": "underline", "offset": 2, "length": 1},
            {"type": "strikethrough", "offset": 4, "length": 1},
            {"type": "strikethrough", "offset": 6, "length": 1},
            {"type": "strikethrough", "offset": 8, "length": 1},
        ],
    ),
    (
        '<a href="https://example.com">strona</a>',
        "strona",
        [{"type": "text_link", "offset": 0, "length": 6, "url": "https://example.com/"}],
    ),
    (
        "<a href='https://x.pl/a?b=1&amp;c=2'>q</a>",
        "q",
        [{"type": "text_link", "offset": 0, "length": 1, "url": "https://x.pl/a?b=1&c=2"}],
    ),
    ("<code>x &lt; y</code>", "x < y", [{"type": "code", "offset": 0, "length": 5}]),
    (
        '<pre><code class="language-python">print(1)</code></pre>',
        "print(1)",
        [{"type": "pre", "offset": 0, "length": 8, "language": "python"}],
    ),
    ("<pre>raw</pre>", "raw", [{"type": "pre", "offset": 0, "length": 3}]),
    (
        '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>',
        "ab",
        [{"type": "spoiler", "offset": 0, "length": 2}],
    ),
    ("<blockquote>cytat</blockquote>", "cytat", [{"type": "blockquote", "offset": 0, "length": 5}]),
    (
        "<blockquote expandable>cytat</blockquote>",
        "cytat",
        [{"type": "expandable_blockquote", "offset": 0, "length": 5}],
    ),
    (
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "👍",
        [
            {
                "type": "custom_emoji",
                "offset": 0,
                "length": 2,
                "custom_emoji_id": "5368324170671202286",
            }
        ],
    ),
    ("Fish & chips", "Fish & chips", []),
    ("&foo; &amp; &#65;&#x42; &quot;q&quot; &lt;&gt;", '&foo; & AB "q" <>', []),
    ("<B>caps</B>", "caps", [{"type": "bold", "offset": 0, "length": 4}]),
    ("😀 <b>żółw</b>", "😀 żółw", [{"type": "bold", "offset": 3, "length": 4}]),
    (
        "<b>pół <i>obu</i></b>",
        "pół obu",
        [{"type": "bold", "offset": 0, "length": 7}, {"type": "italic", "offset": 4, "length": 3}],
    ),
    ("<b></b>x", "x", []),
    ("<code><b>x</b></code>", "x", [{"type": "code", "offset": 0, "length": 1}]),
    ("<b>a</>", "a", [{"type": "bold", "offset": 0, "length": 1}]),
    ("  <b>x</b>  \n", "x", [{"type": "bold", "offset": 0, "length": 1}]),
    ("<b foo>x</b>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
    ("Zobacz /pomoc", "Zobacz /pomoc", [{"type": "bot_command", "offset": 7, "length": 6}]),
]


@pytest.mark.parametrize(("html", "text", "entities"), ACCEPTED)
async def test_html_accepted(
    http: httpx.AsyncClient, html: str, text: str, entities: list[JsonDict]
) -> None:
    status, body = await send_html(http, html)
    assert status == 200, body
    assert body["result"]["text"] == text
    assert body["result"].get("entities", []) == entities


REJECTED = [
    ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("Hello world <foo>", 'Unsupported start tag "foo" at byte offset 12'),
    ("ąę <x>", 'Unsupported start tag "x" at byte offset 5'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
    ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ('<a href="x', "Unclosed start tag at byte offset 0"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ("<a href=x/y>z</a>", "Unexpected end of name token at byte offset 8"),
    ('<b ="x">y</b>', 'Empty attribute name in the tag "b" at byte offset 0'),
    (
        "&#xD83D;",
        "Text contains invalid Unicode characters after decoding HTML entities, check "
        "for unmatched surrogate code units",
    ),
    ("a\0b", "Text must not contain null bytes"),
]


@pytest.mark.parametrize(("html", "detail"), REJECTED)
async def test_html_rejected(
    http: httpx.AsyncClient, emu: BotApiEmulator, html: str, detail: str
) -> None:
    status, body = await send_html(http, html)
    assert (status, body) == (
        400,
        {
            "ok": False,
            "error_code": 400,
            "description": f"Bad Request: can't parse entities: {detail}",
        },
    )
    assert emu.messages(ANNA) == []


async def test_html_error_through_ptb(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(ANNA, "Hello world <foo>", parse_mode="HTML")
    assert emu.calls[-1].description == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 12'
    )


async def test_parse_modes(http: httpx.AsyncClient) -> None:
    status, body = await call(http, "sendMessage", chat_id=ANNA, text="<b>x</b>")
    assert status == 200 and body["result"]["text"] == "<b>x</b>"
    status, body = await call(http, "sendMessage", chat_id=ANNA, text="x", parse_mode="html")
    assert status == 200
    status, body = await call(http, "sendMessage", chat_id=ANNA, text="x", parse_mode="bbcode")
    assert (status, body["description"]) == (400, "Bad Request: unsupported parse_mode")
    status, body = await call(
        http, "sendMessage", chat_id=ANNA, text="*x*", parse_mode="MarkdownV2"
    )
    assert status == 400 and "HTML" in body["description"]


# -- lengths ----------------------------------------------------------------------------------


async def test_text_length_is_counted_in_utf16_after_parsing(
    bot: Bot, http: httpx.AsyncClient, emu: BotApiEmulator
) -> None:
    assert (await bot.send_message(ANNA, "a" * 4096)).text == "a" * 4096
    assert (await bot.send_message(ANNA, f"<b>{'a' * 4096}</b>", parse_mode="HTML")).text
    assert (await bot.send_message(ANNA, "😀" * 2048)).text == "😀" * 2048  # 4096 units
    for too_long in ("a" * 4097, "😀" * 2048 + "a"):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(ANNA, too_long)
    assert emu.calls[-1].description == "Bad Request: message is too long"
    for empty in ("   \n ", "<b></b>"):
        status, body = await send_html(http, empty)
        assert (status, body["description"]) == (400, "Bad Request: message text is empty")


async def test_caption_length(bot: Bot, emu: BotApiEmulator) -> None:
    message = await bot.send_document(ANNA, b"x", filename="a.txt", caption="ł" * 1024)
    assert message.caption == "ł" * 1024
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(ANNA, b"x", filename="a.txt", caption="😀" * 512 + "a")
    assert emu.calls[-1].description == "Bad Request: message caption is too long"


# -- keyboards --------------------------------------------------------------------------------


async def test_callback_data_is_limited_to_64_bytes(bot: Bot, emu: BotApiEmulator) -> None:
    fits = "ż" * 32  # 32 Polish letters = 64 UTF-8 bytes
    keyboard = Keyboard([[Button("a", callback_data=fits)]])
    message = await bot.send_message(ANNA, "ok", reply_markup=keyboard)
    assert message.reply_markup.inline_keyboard[0][0].callback_data == fits
    with pytest.raises(BadRequest):
        await bot.send_message(
            ANNA, "x", reply_markup=Keyboard([[Button("a", callback_data=fits + "a")]])
        )
    assert emu.calls[-1].description == "Bad Request: BUTTON_DATA_INVALID"
    assert len(emu.messages(ANNA)) == 1


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"text": "a"},
            "Bad Request: can't parse inline keyboard button: Text buttons are "
            "unallowed in the inline keyboard",
        ),
        (
            {"text": "", "callback_data": "x"},
            "Bad Request: text buttons are unallowed in the inline keyboard",
        ),
        ({"text": "a", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "a", "url": "localhost"},
            "Bad Request: inline keyboard button URL 'localhost' is invalid: Wrong HTTP URL",
        ),
    ],
)
async def test_bad_buttons(http: httpx.AsyncClient, button: JsonDict, description: str) -> None:
    status, body = await call(
        http, "sendMessage", chat_id=ANNA, text="x", reply_markup={"inline_keyboard": [[button]]}
    )
    assert (status, body["description"]) == (400, description)


async def test_form_encoded_parameters_are_decoded(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(
        ANNA,
        "123",
        reply_markup=Keyboard(
            [[Button("Tak", callback_data="t"), Button("WWW", url="https://a.pl")]]
        ),
    )
    sent = emu.calls[-1]
    assert sent.params["chat_id"] == ANNA and sent.params["text"] == "123"
    assert sent.params["reply_markup"]["inline_keyboard"][0][0] == {
        "text": "Tak",
        "callback_data": "t",
    }
    message = emu.messages(ANNA)[0]
    assert emu.buttons(message) == [[("Tak", "t"), ("WWW", "https://a.pl")]]


# -- edits and deletions ----------------------------------------------------------------------


async def test_edit_rules(bot: Bot, emu: BotApiEmulator) -> None:
    markup = Keyboard([[Button("Tak", callback_data="yes")]])
    sent = await bot.send_message(ANNA, "<b>Pytanie</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>Pytanie</b>", ANNA, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    assert emu.calls[-1].description == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    # Same text without the markup is a change: Telegram drops the keyboard.
    edited = await bot.edit_message_text("<b>Pytanie</b>", ANNA, sent.message_id, parse_mode="HTML")
    assert edited.reply_markup is None and edited.edit_date is not None
    assert (await emu.next_edit(ANNA, sent.message_id))["text"] == "Pytanie"
    assert "reply_markup" not in emu.messages(ANNA)[0]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", ANNA, 999)
    assert await bot.delete_message(ANNA, sent.message_id)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ANNA, sent.message_id)
    assert emu.messages(ANNA) == []


async def test_reply_markup_edit_and_user_messages(bot: Bot, emu: BotApiEmulator) -> None:
    incoming = emu.send_message(ANNA, "cześć")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", ANNA, incoming["message_id"])
    sent = await bot.send_message(ANNA, "a", reply_to_message_id=incoming["message_id"])
    assert sent.reply_to_message.text == "cześć"
    assert sent.message_id == incoming["message_id"] + 1  # one counter per chat
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(ANNA, sent.message_id)
    await bot.edit_message_reply_markup(
        ANNA, sent.message_id, reply_markup=Keyboard([[Button("b", callback_data="b")]])
    )
    assert emu.buttons(emu.messages(ANNA)[0]) == [[("b", "b")]]


# -- who the bot may write to -----------------------------------------------------------------


async def test_forbidden_and_unknown_chats(bot: Bot, emu: BotApiEmulator) -> None:
    emu.add_user(1002, "Bogdan", started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(1002, "x")
    emu.send_message(1002, "/start")  # opening the chat makes it writable
    await bot.send_message(1002, "x")
    emu.block_bot(ANNA)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ANNA, "x")
    assert emu.calls[-1].response == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    emu.unblock_bot(ANNA)
    await bot.send_message(ANNA, "x")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "x")
    emu.add_group(GROUP, "PZK Łódź")
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(GROUP, "x")
    kinds = [u for u in emu.pending_updates if "my_chat_member" in u]
    assert [u["my_chat_member"]["new_chat_member"]["status"] for u in kinds] == ["kicked", "member"]


async def test_groups_and_privacy_mode(bot: Bot, emu: BotApiEmulator) -> None:
    emu.add_group(GROUP, "PZK Łódź", kind="supergroup")
    emu.set_member(GROUP, ANNA, status="creator")
    emu.add_bot_to_group(GROUP, by_user_id=ANNA)
    updates = await bot.get_updates()
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[1].message.new_chat_members[0].username == "kooperacje_test_bot"
    emu.send_message(ANNA, "zwykła rozmowa", chat_id=GROUP)  # invisible in privacy mode
    emu.send_message(ANNA, "/zespol@other_bot", chat_id=GROUP)
    emu.send_message(ANNA, "/zespol@kooperacje_test_bot", chat_id=GROUP)
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.message.text for u in updates] == ["/zespol@kooperacje_test_bot"]
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.user.id for a in admins] == [ANNA]
    assert (await bot.get_chat_member(GROUP, bot.id)).status == "member"
    with pytest.raises(BadRequest, match="Not enough rights"):
        await bot.pin_chat_message(GROUP, (await bot.send_message(GROUP, "x")).message_id)
    chat = await bot.get_chat(GROUP)
    assert (chat.type, chat.title) == ("supergroup", "PZK Łódź")
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "x")


# -- flood control ----------------------------------------------------------------------------


async def flood_emulator(clock: FakeClock, users: int = 11) -> BotApiEmulator:
    emulator = await BotApiEmulator(TOKEN, limits=FloodLimits(), clock=clock).start()
    for user_id in range(1, users + 1):
        emulator.add_user(user_id, f"U{user_id}")
    return emulator


async def test_private_chat_burst_of_three(http: httpx.AsyncClient) -> None:
    clock = FakeClock()
    emulator = await flood_emulator(clock)
    try:
        async with httpx.AsyncClient(base_url=f"{emulator.base_url}{TOKEN}/") as client:
            for _ in range(3):
                assert (await call(client, "sendMessage", chat_id=1, text="x"))[0] == 200
            status, body = await call(client, "sendMessage", chat_id=1, text="x")
            assert (status, body) == (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
            )
            assert len(emulator.messages(1)) == 3  # the rejected one was not sent
            assert (await call(client, "sendMessage", chat_id=2, text="x"))[0] == 200
            clock.now += 1.0
            assert (await call(client, "sendMessage", chat_id=1, text="x"))[0] == 200
    finally:
        await emulator.stop()


async def test_group_limit_is_twenty_a_minute() -> None:
    clock = FakeClock()
    emulator = await flood_emulator(clock, users=1)
    emulator.add_group(GROUP, "G")
    emulator.add_bot_to_group(GROUP, by_user_id=1)
    client = Bot(TOKEN, base_url=emulator.base_url)
    try:
        for _ in range(20):
            await client.send_message(GROUP, "x")
        with pytest.raises(RetryAfter):
            await client.send_message(GROUP, "x")
        refused = emulator.calls[-1]  # 20/60 tokens per second: 3 s until the next one
        assert refused.description == "Too Many Requests: retry after 3"
        assert refused.response["parameters"] == {"retry_after": 3}
        clock.now += 3
        await client.send_message(GROUP, "x")
    finally:
        await client.shutdown()
        await emulator.stop()


async def test_global_limit_is_thirty_a_second() -> None:
    clock = FakeClock()
    emulator = await flood_emulator(clock)
    try:
        async with httpx.AsyncClient(base_url=f"{emulator.base_url}{TOKEN}/") as client:
            for index in range(30):
                status, _ = await call(client, "sendMessage", chat_id=index % 11 + 1, text="x")
                assert status == 200
            status, body = await call(client, "sendMessage", chat_id=11, text="x")
            assert status == 429 and body["parameters"] == {"retry_after": 1}
            # getMe and friends are not counted
            assert (await call(client, "getMe"))[0] == 200
            emulator.limits = None
            assert (await call(client, "sendMessage", chat_id=11, text="x"))[0] == 200
    finally:
        await emulator.stop()


async def test_flood_limits_refill_in_real_time(emu: BotApiEmulator, bot: Bot) -> None:
    emu.limits = FloodLimits(private_burst=1, private_per_second=5)
    await bot.send_message(ANNA, "1")
    with pytest.raises(RetryAfter):
        await bot.send_message(ANNA, "2")
    await asyncio.sleep(1.05)  # the bucket refilled after 0.2 s, but retry_after is whole seconds
    await bot.send_message(ANNA, "3")
    assert [m["text"] for m in emu.messages(ANNA)] == ["1", "3"]


# -- injected faults --------------------------------------------------------------------------


async def test_injected_server_errors(bot: Bot, emu: BotApiEmulator) -> None:
    emu.inject_error(status=500, count=1)
    emu.inject_error(status=502, method="sendMessage", count=1, chat_id=ANNA)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(ANNA, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ANNA, "x")
    assert emu.messages(ANNA) == []
    await bot.send_message(ANNA, "x")
    emu.inject_error(status=403, method="sendmessage", description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(ANNA, "x")
    assert [c.status for c in emu.calls if c.method == "sendMessage"] == [500, 502, 200, 403]


async def test_injected_delay_times_out_but_is_still_applied(emu: BotApiEmulator) -> None:
    impatient = Bot(TOKEN, base_url=emu.base_url, request=HTTPXRequest(read_timeout=0.2))
    emu.inject_delay(0.6, method="sendMessage")
    try:
        with pytest.raises(TimedOut):
            await impatient.send_message(ANNA, "późno")
        # Like Telegram: the client gave up, the message was delivered anyway.
        assert (await emu.next_message(ANNA, timeout=2))["text"] == "późno"
    finally:
        await impatient.shutdown()


async def test_outage_answers_5xx_for_every_method_until_it_ends(
    bot: Bot, emu: BotApiEmulator
) -> None:
    before = len(emu.calls)  # getMe of initialize()
    end = emu.outage(0.6, status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ANNA, "x")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_updates(timeout=0)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    assert emu.messages(ANNA) == []  # not applied
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    await bot.send_message(ANNA, "po awarii")
    assert [m["text"] for m in emu.messages(ANNA)] == ["po awarii"]
    assert [c.status for c in emu.calls[before:]] == [502, 502, 502, 200]


async def test_hanging_outage_times_out_and_applies_sends_when_it_ends(
    emu: BotApiEmulator,
) -> None:
    impatient = Bot(
        TOKEN,
        base_url=emu.base_url,
        request=HTTPXRequest(read_timeout=0.2),
        get_updates_request=HTTPXRequest(read_timeout=0.2),
    )
    emu.send_message(ANNA, "czy ktoś tu jest?")
    try:
        end = emu.outage(1.0, status=None)
        with pytest.raises(TimedOut):
            await impatient.send_message(ANNA, "w zawieszeniu")
        with pytest.raises(TimedOut):
            await impatient.get_updates(timeout=0)
        assert emu.messages(ANNA) == []
        # When the outage ends the hung send is carried out; its answer goes nowhere.
        assert (await emu.next_message(ANNA, timeout=3))["text"] == "w zawieszeniu"
        assert time.monotonic() >= end
        await emu.next_call("sendMessage")
        assert [(c.method, c.status) for c in emu.abandoned_calls] == [("sendMessage", 200)]
        # The abandoned long poll delivered nothing: the update is still there.
        (update,) = await impatient.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "czy ktoś tu jest?"
    finally:
        await impatient.shutdown()


async def test_hanging_outage_can_drop_what_it_held(emu: BotApiEmulator) -> None:
    patient = Bot(TOKEN, base_url=emu.base_url, request=HTTPXRequest(read_timeout=5))
    try:
        emu.outage(0.3, status=None, apply_hung=False)
        with pytest.raises(NetworkError, match="Gateway Timeout"):
            await patient.send_message(ANNA, "zgubione")
        assert emu.messages(ANNA) == [] and emu.abandoned_calls == []
    finally:
        await patient.shutdown()


async def test_requests_before_retry_after_are_refused_and_counted(
    http: httpx.AsyncClient,
) -> None:
    clock = FakeClock()
    emulator = await flood_emulator(clock, users=2)
    emulator.limits = FloodLimits(private_per_second=2)
    try:
        async with httpx.AsyncClient(base_url=f"{emulator.base_url}{TOKEN}/") as client:
            for _ in range(3):
                assert (await call(client, "sendMessage", chat_id=1, text="x"))[0] == 200
            status, body = await call(client, "sendMessage", chat_id=1, text="x")
            assert status == 429 and body["parameters"] == {"retry_after": 1}
            assert emulator.early_requests == []
            # The bucket has a token again after 0.5 s, but the bot was told 1 s (rounded up).
            clock.now += 0.5
            status, body = await call(client, "editMessageText", chat_id=1, message_id=1, text="y")
            assert status == 429 and body["parameters"] == {"retry_after": 1}
            assert [c.method for c in emulator.early_requests] == ["editMessageText"]
            assert (await call(client, "sendMessage", chat_id=2, text="x"))[0] == 200  # other chat
            assert (await call(client, "getChat", chat_id=1))[0] == 200  # not flood-counted
            clock.now += 0.5
            assert (await call(client, "sendMessage", chat_id=1, text="x"))[0] == 200
            # An injected 429 sets a wait too.
            emulator.inject_error(429, chat_id=2, description="Too Many Requests: retry after 5")
            assert (await call(client, "sendMessage", chat_id=2, text="x"))[0] == 429
            clock.now += 4.9
            status, body = await call(client, "sendMessage", chat_id=2, text="x")
            assert status == 429 and body["parameters"] == {"retry_after": 1}
            clock.now += 0.1
            assert (await call(client, "sendMessage", chat_id=2, text="x"))[0] == 200
            assert len(emulator.early_requests) == 2
            assert len(emulator.retry_afters) == 4
    finally:
        await emulator.stop()


# -- getUpdates -------------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, emu: BotApiEmulator
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    emu.send_message(ANNA, "/start abc")
    updates = await poll
    assert time.monotonic() - started < 1
    message = updates[0].message
    assert (message.text, message.from_user.username, message.chat.type) == (
        "/start abc",
        "anna_k",
        "private",
    )
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6


async def test_offset_confirms_updates(bot: Bot, emu: BotApiEmulator) -> None:
    emu.send_message(ANNA, "a")
    emu.send_message(ANNA, "b")
    first = await bot.get_updates()
    assert [u.message.text for u in first] == ["a", "b"]
    assert [u.update_id for u in await bot.get_updates()] == [u.update_id for u in first]
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    assert emu.pending_updates == []
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9


async def test_overlapping_long_polls_conflict(emu: BotApiEmulator) -> None:
    first, second = (Bot(TOKEN, base_url=emu.base_url) for _ in range(2))
    try:
        older = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        newer = asyncio.create_task(second.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await older
        emu.send_message(ANNA, "x")
        assert (await newer)[0].message.text == "x"
        assert [c.status for c in emu.calls if c.method == "getUpdates"] == [409, 200]
    finally:
        await first.shutdown()
        await second.shutdown()


async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)an https url must be provided"):
        await bot.set_webhook("http://example.com/hook")
    await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


# -- commands, files, raw HTTP ----------------------------------------------------------------


async def test_commands_per_scope_and_language(bot: Bot, emu: BotApiEmulator) -> None:
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(
        [BotCommand("start", "Początek"), BotCommand("pomoc", "Pomoc")], scope=scope
    )
    await bot.set_my_commands([BotCommand("help", "Help")], scope=scope, language_code="en")
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["start", "pomoc"]
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="en")] == [
        "help"
    ]
    assert await bot.get_my_commands() == ()
    assert emu.commands("all_private_chats", "en") == [{"command": "help", "description": "Help"}]
    await bot.delete_my_commands(scope=scope, language_code="en")
    assert emu.commands("all_private_chats", "en") == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "x")])


async def test_files_both_ways(bot: Bot, emu: BotApiEmulator) -> None:
    sent = await bot.send_document(ANNA, b"a;b\n1;2\n", filename="lista.csv", caption="Lista")
    assert (sent.document.file_name, sent.document.mime_type, sent.caption) == (
        "lista.csv",
        "text/csv",
        "Lista",
    )
    assert emu.file_bytes(sent.document.file_id) == b"a;b\n1;2\n"
    incoming = emu.send_document(ANNA, "plik.pdf", b"%PDF-1.4", caption="/start")
    assert incoming["caption_entities"][0]["type"] == "bot_command"
    update = (await bot.get_updates())[0]
    file = await update.message.document.get_file()
    assert await file.download_as_bytearray() == bytearray(b"%PDF-1.4")
    photo = await bot.send_photo(ANNA, PNG)
    assert (photo.photo[-1].width, photo.photo[-1].height) == (16, 8)
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(ANNA, b"not an image")


async def test_raw_http_surface(http: httpx.AsyncClient, emu: BotApiEmulator) -> None:
    root = emu.base_url.removesuffix("/bot")
    async with httpx.AsyncClient() as client:
        wrong = await client.get(f"{root}/bot123456:WRONG/getMe")
        assert (wrong.status_code, wrong.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
        me = await client.get(f"{emu.base_url}{TOKEN}/GETME")
        assert me.json()["result"]["username"] == "kooperacje_test_bot"
        query = await client.get(
            f"{emu.base_url}{TOKEN}/sendMessage", params={"chat_id": ANNA, "text": "007"}
        )
        assert query.json()["result"]["text"] == "007"
    status, body = await call(http, "sendSticker", chat_id=ANNA, sticker="x")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await call(http, "sendMessage", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    broken = await http.post(
        "sendMessage", content=b"{", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert [c.method for c in emu.calls][:3] == ["getMe", "getMe", "sendMessage"]
    assert emu.calls[0].status == 401


# -- the test-side API ------------------------------------------------------------------------


async def test_buttons_callbacks_and_answers(bot: Bot, emu: BotApiEmulator) -> None:
    markup = Keyboard(
        [[Button("Tak", callback_data="answer:yes"), Button("Nie", callback_data="answer:no")]]
    )
    await bot.send_message(ANNA, "Czy?", reply_markup=markup)
    question = await emu.next_message(ANNA)
    by_text = emu.press_button(ANNA, question, "Nie")
    by_data = emu.press_button(ANNA, question, "answer:yes")
    with pytest.raises(LookupError, match="no button"):
        emu.press_button(ANNA, question, "Może")
    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates] == ["answer:no", "answer:yes"]
    assert updates[0].callback_query.message.message_id == question["message_id"]
    await bot.answer_callback_query(by_text, text="Zapisano")
    assert (await emu.callback_answer(by_text))["text"] == "Zapisano"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(by_text)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")
    await bot.delete_message(ANNA, question["message_id"])
    forged = emu.send_callback(ANNA, ANNA, question["message_id"], "answer:maybe")
    update = (await bot.get_updates(offset=updates[-1].update_id + 1))[0]
    assert update.callback_query.id == forged
    assert update.callback_query.message.date.timestamp() == 0  # inaccessible now
    assert by_data != by_text


async def test_waiting_helpers(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.send_message(ANNA, "pierwsza")
    await bot.send_message(ANNA, "druga")
    assert (await emu.next_message(ANNA))["text"] == "pierwsza"
    assert (await emu.next_message(ANNA))["text"] == "druga"
    with pytest.raises(AssertionError, match=r"(?s)no new bot message.*sendMessage"):
        await emu.next_message(ANNA, timeout=0.1)
    second = await emu.next_call("sendMessage", predicate=lambda c: c.params["text"] == "druga")
    first = await emu.next_call("sendmessage")
    assert isinstance(first, ApiCall) and first.result["text"] == "pierwsza" and second.ok
    await emu.settle(quiet=0.05, timeout=1)
    emu.send_message(ANNA, "nikt nie odbiera")
    with pytest.raises(AssertionError, match="not settled"):
        await emu.settle(quiet=0.05, timeout=0.2)


async def test_users_send_formatted_text(bot: Bot, emu: BotApiEmulator) -> None:
    html = (
        "<b>Fish &amp; chips</b>, <i>1 &lt; 2 &gt; 0</i>: "
        '<a href="https://example.com/plan">plan</a>'
    )
    sent = emu.send_message(ANNA, html, parse_mode="HTML")
    assert sent["text"] == "Fish & chips, 1 < 2 > 0: plan"
    assert Message.de_json(sent, bot).text_html == html
    rich = (
        '<u>u</u> <s>s</s> <code>c</code> <span class="tg-spoiler">x</span>\n'
        "<pre>raw</pre>\n<blockquote>cytat</blockquote>"
    )
    emu.send_message(ANNA, rich, parse_mode="HTML")
    plain = emu.send_message(ANNA, "<b>as typed</b>")  # no parse_mode: the tags are text
    assert (plain["text"], "entities" in plain) == ("<b>as typed</b>", False)
    updates = await bot.get_updates()
    assert [u.message.text_html for u in updates[:2]] == [html, rich]
    with pytest.raises(ValueError, match="can't parse entities"):
        emu.send_message(ANNA, "<b>x", parse_mode="HTML")
    with pytest.raises(ValueError, match="empty"):
        emu.send_message(ANNA, "<b> </b>", parse_mode="HTML")


async def test_users_send_photos_the_bot_can_reuse(bot: Bot, emu: BotApiEmulator) -> None:
    emu.send_photo(ANNA, PNG, caption="<b>Plan</b> &amp; mapa", parse_mode="HTML")
    message = (await bot.get_updates())[0].message
    assert message.caption_html == "<b>Plan</b> &amp; mapa"
    size = message.photo[-1]
    assert (size.width, size.height) == (16, 8)
    again = await bot.send_photo(ANNA, size.file_id)
    assert again.photo[-1].file_unique_id == size.file_unique_id
    assert await (await size.get_file()).download_as_bytearray() == bytearray(PNG)
    with pytest.raises(ValueError, match="IMAGE_PROCESS_FAILED"):
        emu.send_photo(ANNA, b"not an image")
    document = emu.send_document(ANNA, "a.txt", b"x", caption="<i>x</i>", parse_mode="HTML")
    assert document["caption_entities"] == [{"type": "italic", "offset": 0, "length": 1}]


MEDIA = ("voice", "audio", "video", "video_note", "sticker", "animation", "location", "contact")


@pytest.mark.parametrize("kind", [*MEDIA, "poll"])
async def test_users_send_media_ptb_understands(bot: Bot, emu: BotApiEmulator, kind: str) -> None:
    caption = "Zobacz /pomoc" if kind in ("voice", "audio", "video", "animation") else None
    sent = emu.send_media(ANNA, kind, caption=caption)
    message = (await bot.get_updates())[0].message
    assert Message.de_json(sent, bot) == message
    attachment = getattr(message, kind)
    assert attachment is not None and message.effective_attachment == attachment
    assert message.caption == caption and message.text is None
    if caption:
        assert message.parse_caption_entities() == {message.caption_entities[0]: "/pomoc"}
    if hasattr(attachment, "file_id"):
        file = await attachment.get_file()
        assert len(await file.download_as_bytearray()) == attachment.file_size
    if kind == "animation":  # Telegram sets document too, for old clients
        assert message.document.file_id == attachment.file_id
    else:
        assert message.document is None
    if caption is None and kind not in ("location", "contact", "poll"):
        with pytest.raises(ValueError, match="no caption"):
            emu.send_media(ANNA, kind, caption="x")


async def test_user_captions_are_limited_like_telegrams(emu: BotApiEmulator) -> None:
    emu.send_photo(ANNA, PNG, caption="x" * 1024)
    with pytest.raises(ValueError, match="message caption is too long"):
        emu.send_photo(ANNA, PNG, caption="x" * 1025)
    with pytest.raises(ValueError, match="message caption is too long"):
        emu.send_document(ANNA, "a.txt", b"x", caption="ż" * 1025)
    with pytest.raises(ValueError, match="message caption is too long"):
        emu.send_media(ANNA, "voice", caption="😀" * 513)  # 1026 UTF-16 units
    emu.send_media(ANNA, "voice", caption="😀" * 512)  # 1024 fits
    with pytest.raises(ValueError, match="does not send empty messages"):
        emu.send_message(ANNA, "  ")
    with pytest.raises(ValueError, match="kind must be one of"):
        emu.send_media(ANNA, "dice")


async def test_user_media_in_groups_follow_privacy_mode(bot: Bot, emu: BotApiEmulator) -> None:
    emu.add_group(GROUP, "PZK Łódź")
    emu.set_member(GROUP, ANNA)
    emu.add_bot_to_group(GROUP, by_user_id=ANNA)
    seen = await bot.get_updates()
    question = await bot.send_message(GROUP, "Pytanie?")
    # Privacy mode: no plain media or captions; commands, mentions and replies to it get through.
    emu.send_media(ANNA, "sticker", chat_id=GROUP)
    emu.send_photo(ANNA, PNG, chat_id=GROUP, caption="<b>nasz plan</b>", parse_mode="HTML")
    emu.send_photo(ANNA, PNG, chat_id=GROUP, caption="/plan@kooperacje_test_bot")
    emu.send_media(ANNA, "poll", chat_id=GROUP, reply_to_message_id=question.message_id)
    emu.send_message(ANNA, "<b>@kooperacje_test_bot</b> hej", chat_id=GROUP, parse_mode="HTML")
    updates = await bot.get_updates(offset=seen[-1].update_id + 1)
    command, poll, mention = (u.message for u in updates)
    assert command.caption == "/plan@kooperacje_test_bot" and command.photo
    assert poll.poll is not None and poll.reply_to_message.text == "Pytanie?"
    assert mention.text_html == "<b>@kooperacje_test_bot</b> hej"


# -- a real PTB Application end to end --------------------------------------------------------


async def test_ptb_application_round_trip(emu: BotApiEmulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Witaj</b> w Kooperacjach!",
            reply_markup=Keyboard([[Button("Dalej", callback_data="next")]]),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("OK")
        await query.edit_message_text("Gotowe")

    app = Application.builder().token(TOKEN).base_url(emu.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        emu.send_message(ANNA, "/start")
        welcome = await emu.next_message(ANNA)
        assert welcome["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
        query_id = emu.press_button(ANNA, welcome, "Dalej")
        assert (await emu.callback_answer(query_id))["text"] == "OK"
        assert (await emu.next_edit(ANNA, welcome["message_id"]))["text"] == "Gotowe"
        await emu.settle(quiet=0.1)
        await app.updater.stop()
        await app.stop()
    used = [c.method for c in emu.calls if c.method != "getUpdates"]
    assert used == [
        "getMe",
        "deleteWebhook",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
    ]


# -- inline mode ------------------------------------------------------------------------------


@pytest.fixture
async def inline_emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(TOKEN, limits=None, inline=True) as emulator:
        emulator.add_user(ANNA, "Anna", username="anna_k")
        yield emulator


@pytest.fixture
async def inline_bot(inline_emu: BotApiEmulator) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, base_url=inline_emu.base_url)
    await client.initialize()
    yield client
    await client.shutdown()


def article(result_id: str = "1", text: str = "x", **extra: Any) -> JsonDict:
    return {
        "type": "article",
        "id": result_id,
        "title": "Tytuł",
        "input_message_content": {"message_text": text},
        **extra,
    }


async def test_inline_mode_is_off_unless_enabled(bot: Bot, emu: BotApiEmulator) -> None:
    assert (await bot.get_me()).supports_inline_queries is False
    with pytest.raises(RuntimeError, match="inline=True"):
        emu.send_inline_query(ANNA, "x")
    assert emu.pending_updates == []


async def test_inline_round_trip(inline_bot: Bot, inline_emu: BotApiEmulator) -> None:
    assert (await inline_bot.get_me()).supports_inline_queries is True
    query_id = inline_emu.send_inline_query(ANNA, "środa", offset="20")
    query = (await inline_bot.get_updates())[0].inline_query
    assert (query.id, query.query, query.offset, query.chat_type) == (
        query_id,
        "środa",
        "20",
        "sender",
    )
    assert query.from_user.username == "anna_k"
    result = InlineQueryResultArticle(
        "meeting:7",
        "Spotkanie w środę",
        InputTextMessageContent("<b>Środa</b> 18:00", parse_mode="HTML"),
        reply_markup=Keyboard([[Button("Będę", callback_data="rsvp:7:yes")]]),
        description="Sala 2",
    )
    assert await inline_bot.answer_inline_query(
        query_id,
        [result],
        cache_time=0,
        is_personal=True,
        next_offset="40",
        button=InlineQueryResultsButton("Ustawienia", start_parameter="settings"),
    )
    answer = await inline_emu.answers_to_inline(query_id)
    assert answer["inline_query_id"] == query_id and answer["next_offset"] == "40"
    assert answer["results"][0]["input_message_content"] == {
        "message_text": "<b>Środa</b> 18:00",
        "parse_mode": "HTML",
    }
    assert (answer["results"][0]["title"], answer["button"]["start_parameter"]) == (
        "Spotkanie w środę",
        "settings",
    )
    with pytest.raises(BadRequest, match="Query is too old"):
        await inline_bot.answer_inline_query(query_id, [])  # answered already
    with pytest.raises(BadRequest, match="Query is too old"):
        await inline_bot.answer_inline_query("4242", [])
    with pytest.raises(AssertionError, match="not answered"):
        await inline_emu.answers_to_inline(query_id, timeout=0.05)  # each answer taken once


ANSWER_REJECTED = [
    ({"results": [article(str(i)) for i in range(51)]}, "too many inline query results specified"),
    ({"results": [article("a"), article("a")]}, "RESULT_ID_DUPLICATE"),
    ({"results": [article("")]}, "RESULT_ID_EMPTY"),
    ({"results": [article("ż" * 32 + "a")]}, "RESULT_ID_INVALID"),  # 65 bytes
    ({"results": [{"type": "article", "title": "t"}]}, 'RESULT:Can\'t find field "id"'),
    ({"results": [{"id": "1", "title": "t"}]}, 'RESULT:Can\'t find field "type"'),
    (
        {"results": [article(type="meme")]},
        'RESULT:type "meme" is unsupported for the inline query result',
    ),
    (
        {"results": [{"type": "photo", "id": "1", "photo_url": "https://a.pl/a.jpg"}]},
        'inline query result type "photo" is not supported by the emulator',
    ),
    (
        {"results": [{"type": "article", "id": "1", "message_text": "x"}]},
        'RESULT:Can\'t find field "title"',
    ),
    ({"results": [article(title=None)]}, 'RESULT:Field "title" must be of type String'),
    ({"results": [article(title="")]}, "ARTICLE_TITLE_EMPTY"),
    (
        {"results": [{"type": "article", "id": "1", "title": "t"}]},
        'RESULT:Can\'t find field "message_text"',
    ),
    (
        {"results": [article(input_message_content={})]},
        "RESULT:Input message content is not specified",
    ),
    ({"results": [article(text="  \n ")]}, "MESSAGE_EMPTY"),
    (
        {
            "results": [
                article(input_message_content={"message_text": "<b></b>", "parse_mode": "HTML"})
            ]
        },
        "MESSAGE_EMPTY",
    ),
    ({"results": [article(text="a" * 4097)]}, "MESSAGE_TOO_LONG"),
    (
        {
            "results": [
                article(input_message_content={"message_text": "<foo>x", "parse_mode": "HTML"})
            ]
        },
        'RESULT:Can\'t parse entities: Unsupported start tag "foo" at byte offset 0',
    ),
    (
        {"results": [article(input_message_content={"message_text": "x", "parse_mode": "bb"})]},
        "RESULT:Unsupported parse_mode",
    ),
    (
        {"results": [article(reply_markup={"inline_keyboard": [[{"text": "a"}]]})]},
        "RESULT:Can't parse inline keyboard button: Text buttons are unallowed in the inline "
        "keyboard",
    ),
    (
        {
            "results": [
                article(
                    reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": "d" * 65}]]}
                )
            ]
        },
        "BUTTON_DATA_INVALID",
    ),
    ({"results": [article(reply_markup={"keyboard": [["a"]]})]}, "inline keyboard expected"),
    ({"results": [article()], "next_offset": "o" * 65}, "NEXT_OFFSET_INVALID"),
    (
        {"results": [], "button": {"text": "Ustawienia"}},
        "can't parse inline query results button: InlineQueryResultsButton must have exactly "
        "one optional field",
    ),
    (
        {"results": [], "button": {"text": "Ustawienia", "start_parameter": "a b"}},
        "unallowed characters in start_parameter are used",
    ),
]


# "RESULT:" stands for the Bot API server's wrapper, "can't parse inline query result: ".
@pytest.mark.parametrize(("params", "detail"), ANSWER_REJECTED)
async def test_answer_inline_query_rejected(
    inline_emu: BotApiEmulator, params: JsonDict, detail: str
) -> None:
    query_id = inline_emu.send_inline_query(ANNA, "x")
    async with httpx.AsyncClient(base_url=f"{inline_emu.base_url}{TOKEN}/") as client:
        status, body = await call(client, "answerInlineQuery", inline_query_id=query_id, **params)
        detail = detail.replace("RESULT:", "can't parse inline query result: ")
        assert (status, body["description"]) == (400, f"Bad Request: {detail}")
        # A refused answer is not applied: the query can still be answered.
        status, body = await call(
            client, "answerInlineQuery", inline_query_id=query_id, results=[article()]
        )
        assert status == 200, body


async def test_inline_limits_that_fit(inline_bot: Bot, inline_emu: BotApiEmulator) -> None:
    query_id = inline_emu.send_inline_query(ANNA, "x")
    results = [
        InlineQueryResultArticle("ż" * 32, "64 bajty", InputTextMessageContent("😀" * 2048)),
        *(InlineQueryResultArticle(str(i), "t", InputTextMessageContent("x")) for i in range(49)),
    ]
    assert await inline_bot.answer_inline_query(query_id, results, next_offset="o" * 64)
    assert len((await inline_emu.answers_to_inline(query_id))["results"]) == 50
    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await inline_bot.answer_inline_query(
            inline_emu.send_inline_query(ANNA, "y"), [results[1], results[1]]
        )
    with pytest.raises(BadRequest, match="Can't parse inline query result: can't parse entities"):
        await inline_bot.answer_inline_query(
            inline_emu.send_inline_query(ANNA, "z"),
            [InlineQueryResultArticle("1", "t", InputTextMessageContent("<b>", parse_mode="HTML"))],
        )


async def test_choose_inline_result_posts_via_the_bot(
    inline_bot: Bot, inline_emu: BotApiEmulator
) -> None:
    query_id = inline_emu.send_inline_query(ANNA, "środa")
    with pytest.raises(LookupError, match="not answered"):
        inline_emu.choose_inline_result(ANNA, query_id, "1", ANNA)
    keyboard = Keyboard([[Button("Będę", callback_data="yes")]])
    content = InputTextMessageContent("<b>Środa</b> 18:00", parse_mode="HTML")
    await inline_bot.answer_inline_query(
        query_id, [InlineQueryResultArticle("1", "Środa", content, reply_markup=keyboard)]
    )
    with pytest.raises(LookupError, match="no result"):
        inline_emu.choose_inline_result(ANNA, query_id, "2", ANNA)
    inline_emu.add_user(1002, "Bogdan")
    with pytest.raises(ValueError, match="only user 1001"):
        inline_emu.choose_inline_result(1002, query_id, "1", 1002)
    inline_emu.add_group(GROUP, "PZK Łódź")
    inline_emu.set_member(GROUP, ANNA)
    with pytest.raises(ValueError, match="'sender' chat, not 'supergroup'"):
        inline_emu.choose_inline_result(ANNA, query_id, "1", GROUP)

    sent = inline_emu.choose_inline_result(ANNA, query_id, "1", ANNA)
    assert (sent["from"]["id"], sent["via_bot"]["id"], sent["text"]) == (
        ANNA,
        inline_bot.id,
        "Środa 18:00",
    )
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
    updates = await inline_bot.get_updates()
    message = updates[-1].message
    assert message.via_bot.username == "kooperacje_test_bot"
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "yes"
    assert inline_emu.messages(ANNA) == []  # the user's message, not the bot's

    # Buttons on a message sent via the bot report an inline_message_id, never the message.
    press = inline_emu.press_button(ANNA, sent, "yes")
    callback = (await inline_bot.get_updates(offset=updates[-1].update_id + 1))[0].callback_query
    assert (callback.id, callback.message) == (press, None)
    assert (
        await inline_bot.edit_message_text(
            "Środa 18:00 (1 osoba)", inline_message_id=callback.inline_message_id
        )
        is True
    )
    edited = await inline_emu.next_edit(ANNA, sent["message_id"])
    assert edited["text"] == "Środa 18:00 (1 osoba)" and "reply_markup" not in edited
    with pytest.raises(BadRequest, match="Message_id_invalid"):
        await inline_bot.edit_message_text("x", inline_message_id="AgAAAnope")


async def test_inline_results_in_groups_and_feedback() -> None:
    async with BotApiEmulator(TOKEN, limits=None, inline=True, inline_feedback=True) as emulator:
        emulator.add_user(ANNA, "Anna")
        emulator.add_group(GROUP, "PZK Łódź")
        emulator.set_member(GROUP, ANNA)
        emulator.add_bot_to_group(GROUP, by_user_id=ANNA)
        client = Bot(TOKEN, base_url=emulator.base_url)
        try:
            offset = (await client.get_updates())[-1].update_id + 1
            query_id = emulator.send_inline_query(ANNA, "lista", chat_type="supergroup")
            await client.get_updates(offset=offset)
            content = InputTextMessageContent("Lista obecności")
            await client.answer_inline_query(
                query_id, [InlineQueryResultArticle("plain", "Lista", content)]
            )
            emulator.choose_inline_result(ANNA, query_id, "plain", GROUP)
            updates = await client.get_updates(offset=offset + 1)
            # Privacy mode still delivers messages sent via the bot itself.
            assert updates[0].message.via_bot.id == emulator.bot.id
            chosen = updates[1].chosen_inline_result
            assert (chosen.result_id, chosen.query, chosen.inline_message_id) == (
                "plain",
                "lista",
                None,  # only messages with a keyboard get one
            )
        finally:
            await client.shutdown()


async def test_allowed_updates_filter_inline_queries(
    inline_bot: Bot, inline_emu: BotApiEmulator
) -> None:
    inline_emu.send_inline_query(ANNA, "pierwsze")
    inline_emu.send_message(ANNA, "cześć")
    updates = await inline_bot.get_updates(allowed_updates=["message", "callback_query"])
    assert [u.message.text for u in updates] == ["cześć"]
    assert inline_emu.pending_updates[0]["message"]["text"] == "cześć"  # the query is gone
    offset = updates[-1].update_id + 1
    second = inline_emu.send_inline_query(ANNA, "drugie", chat_type=None)
    assert await inline_bot.get_updates(offset=offset) == ()  # allowed_updates is remembered
    third = inline_emu.send_inline_query(ANNA, "trzecie", chat_type="group")
    updates = await inline_bot.get_updates(offset=offset, allowed_updates=["inline_query"])
    assert [(u.inline_query.id, u.inline_query.chat_type) for u in updates] == [(third, "group")]
    assert second != third
    inline_emu.send_inline_query(ANNA, "czwarte")
    updates = await inline_bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[])
    assert updates[0].inline_query.query == "czwarte"  # [] means the default: all but a few


async def test_ptb_application_inline_round_trip(inline_emu: BotApiEmulator) -> None:
    async def on_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.inline_query is not None
        text = f"<i>{update.inline_query.query}</i>"
        await update.inline_query.answer(
            [
                InlineQueryResultArticle(
                    "q",
                    "Wyślij",
                    InputTextMessageContent(text, parse_mode="HTML"),
                    reply_markup=Keyboard([[Button("OK", callback_data="ok")]]),
                )
            ]
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text("Potwierdzone")

    app = Application.builder().token(TOKEN).base_url(inline_emu.base_url).build()
    app.add_handler(InlineQueryHandler(on_query))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        query_id = inline_emu.send_inline_query(ANNA, "zebranie")
        assert (await inline_emu.answers_to_inline(query_id))["results"][0]["id"] == "q"
        sent = inline_emu.choose_inline_result(ANNA, query_id, "q", ANNA)
        assert sent["entities"] == [{"type": "italic", "offset": 0, "length": 8}]
        inline_emu.press_button(ANNA, sent, "OK")
        assert (await inline_emu.next_edit(ANNA, sent["message_id"]))["text"] == "Potwierdzone"
        await inline_emu.settle(quiet=0.1)
        await app.updater.stop()
        await app.stop()
