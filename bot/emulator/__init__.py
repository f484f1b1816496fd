"""A local, strict emulator of the Telegram Bot API for tests (and a future terminal sandbox).

The real python-telegram-bot client talks to it over HTTP on 127.0.0.1; tests play the
Telegram side (users, groups, button presses) in-process and inspect what the bot did.
Pure asyncio on aiohttp.web, no threads.

Lifecycle
---------
::

    emu = BotApiEmulator(token="123456:TESTTOKEN", bot_id=123456,
                         bot_username="kooperacje_test_bot",
                         limits=FloodLimits())   # None disables flood control
    await emu.start()            # 127.0.0.1, random port unless port= is given
    emu.base_url                 # "http://127.0.0.1:<port>/bot"  -> Bot(token, base_url=...)
    emu.base_file_url            # "http://127.0.0.1:<port>/file/bot"
    await emu.stop()             # or: async with BotApiEmulator(...) as emu:

Keyword-only extras: ``bot_first_name``, ``port``, ``privacy_mode=True``, ``inline=False``
(BotFather's /setinline: getMe's ``supports_inline_queries``; without it no inline queries),
``inline_feedback=False`` (/setinlinefeedback: chosen_inline_result updates) and ``clock`` (a
monotonic clock for flood control, so tests can move time by hand).

HTTP surface
------------
``GET|POST /bot<token>/<method>`` (method names case-insensitive) with JSON, urlencoded,
multipart (files directly or via ``attach://``) or query-string parameters. Form values are
JSON-decoded except free-text fields (text, caption, data...), so "123" stays a string while
``chat_id="1001"`` becomes 1001. Wrong token: 401 ``Unauthorized``; unknown method: 404
``Not Found``. Every answer is Telegram-shaped: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``.
``GET /file/bot<token>/<file_path>`` serves files (after getFile).

Methods: getMe, logOut, close, getUpdates, setWebhook, deleteWebhook, getWebhookInfo,
setMyCommands, getMyCommands, deleteMyCommands (stored per scope + language_code),
setChatMenuButton, getChatMenuButton, sendMessage, sendDocument, sendPhoto, editMessageText,
editMessageCaption, editMessageReplyMarkup, deleteMessage, pinChatMessage, unpinChatMessage,
answerCallbackQuery, answerInlineQuery, getChat, getChatMember, getChatAdministrators,
getChatMemberCount, leaveChat, sendChatAction, getFile. Results are real Bot API objects PTB
can de_json: message ids increase per chat (shared by bot and user), ``date`` is unix time,
``from`` is the bot, ``edit_date`` is set on edits, documents/photos carry file ids and sizes.

Strictness (Telegram's exact descriptions; HTTP 400 unless noted)
-----------------------------------------------------------------
* HTML parse_mode is a port of tdlib's parser (see ``html.py``): b/strong, i/em, u/ins,
  s/strike/del, a href, code, pre (+ ``<code class="language-x">``), span class="tg-spoiler",
  tg-spoiler, blockquote [expandable], tg-emoji emoji-id; ``&lt; &gt; &amp; &quot;`` and
  numeric references. Errors read ``Bad Request: can't parse entities: <tdlib message>``,
  e.g. ``Unsupported start tag "foo" at byte offset 12``, ``Unexpected end tag at byte
  offset 20``, ``Unmatched end tag at byte offset 7, expected "</i>", found "</b>"``,
  ``Can't find end tag corresponding to start tag "b"``, ``Unclosed start tag at byte
  offset 0``. Offsets are UTF-8 *bytes*; entity offsets/lengths are UTF-16 units.
  No parse_mode is plain text; other modes: ``unsupported parse_mode``; Markdown(V2) is
  rejected with a description saying to use HTML.
* After parsing Telegram's clean-up is applied (control characters, trimming, no formatting
  inside code, automatic bot_command/mention/hashtag/url entities). Then: empty ->
  ``message text is empty``; more than 4096 UTF-16 units -> ``message is too long``;
  captions over 1024 -> ``message caption is too long``.
* Inline keyboards: callback_data must be 1..64 UTF-8 bytes (``BUTTON_DATA_INVALID``); a
  button with no action -> ``can't parse inline keyboard button: Text buttons are unallowed
  in the inline keyboard``; bad URLs -> ``inline keyboard button URL '...' is invalid: Wrong
  HTTP URL``.
* Edits: same text, entities and markup -> ``message is not modified: ...``; an edit without
  reply_markup removes the keyboard (as on Telegram); unknown ids -> ``message to edit not
  found`` / ``message to delete not found``; other people's messages -> ``message can't be
  edited``.
* ``chat not found``; 403 ``bot can't initiate conversation with a user`` (never started),
  403 ``bot was blocked by the user``, 403 ``bot is not a member of the supergroup chat``.
* answerCallbackQuery / answerInlineQuery for an unknown or already answered id -> ``query is
  too old and response timeout expired or query ID is invalid``.
* answerInlineQuery (``inline_results.py``): errors the Bot API server finds while parsing a
  result read ``can't parse inline query result: <detail>``: ``Can't find field "title"``
  (also "id", "type", "message_text"), ``Input message content is not specified``,
  ``type "x" is unsupported for the inline query result``, ``Can't parse entities: ...``,
  ``Can't parse inline keyboard button: ...``. Telegram's own checks are bare codes: more than
  50 results -> ``too many inline query results specified``; ids ``RESULT_ID_EMPTY``,
  ``RESULT_ID_INVALID`` (over 64 bytes), ``RESULT_ID_DUPLICATE``; ``ARTICLE_TITLE_EMPTY``;
  text empty after parsing -> ``MESSAGE_EMPTY``, over 4096 -> ``MESSAGE_TOO_LONG``;
  ``BUTTON_DATA_INVALID``; next_offset over 64 bytes -> ``NEXT_OFFSET_INVALID``; ``button``
  is checked like InlineQueryResultsButton (start_parameter 1..64 of ``A-Za-z0-9_-``). Only
  "article" results with InputTextMessageContent are emulated; other types get a 400 naming
  the emulator. A refused answer leaves the query answerable.
* Flood control (``FloodLimits``: ``global_burst=30, global_per_second=30``,
  ``private_burst=3, private_per_second=1``, ``group_burst=20, group_per_second=20/60``)
  counts sendMessage/sendDocument/sendPhoto/editMessage*. Over a limit: 429 ``Too Many
  Requests: retry after N`` with ``parameters.retry_after`` = N (ceil, >= 1). A refused or
  failed call uses no token and is not applied. ``emu.limits = ...`` resets the buckets.
  A 429 (from the buckets or injected) puts its chat under a wait of ``retry_after`` seconds:
  until it is over, every flood-counted call to that chat is refused with 429 and the time
  left, and recorded in ``emu.early_requests`` (a well-behaved bot has none).
* getUpdates: ``offset`` confirms (negative keeps the last |offset|), ``limit``, ``timeout``
  long polling that returns as soon as an update is queued, ``allowed_updates`` remembered
  (default: all but chat_member and reactions). A second poll ends the waiting one with 409
  ``Conflict: terminated by other getUpdates request; ...``; with a webhook set, getUpdates
  answers 409 too (webhook delivery itself is not emulated).
* In groups the bot sees, in privacy mode and unless it is an admin, only commands (bare or
  ``@`` it), mentions of it, replies to it, messages sent via it and service messages.
* Inline messages: a picked result with a keyboard gets an inline_message_id; its buttons
  send callback queries with ``inline_message_id`` instead of ``message``, and
  editMessage* with ``inline_message_id`` answer ``true`` (unknown id: ``MESSAGE_ID_INVALID``).

Test-side API (sync unless awaited)
-----------------------------------
::

    emu.add_user(1001, "Anna", last_name=None, username=None, language_code="pl",
                 started=True)                   # -> TelegramUser; started=False: never wrote
    emu.block_bot(1001) / emu.unblock_bot(1001)  # queue my_chat_member updates
    emu.add_group(-1001234, "PZK Łódź", kind="supergroup")     # or "group"; -> chat dict
    emu.set_member(-1001234, 1001, status="administrator")     # creator/administrator/
                                                               # member/left/kicked
    emu.add_bot_to_group(-1001234, by_user_id=1001)  # my_chat_member + new_chat_members
    emu.send_message(1001, "/start abc", chat_id=None, reply_to_message_id=None,
                     parse_mode=None)            # -> message dict
    emu.send_message(1001, "<b>a &amp; b</b>", parse_mode="HTML")  # text + entities, as an
                                 # app sends formatting (same parser as the bot's sendMessage)
    emu.send_document(1001, "plik.csv", b"...", chat_id=None, caption=None, mime_type=None,
                      parse_mode=None)
    emu.send_photo(1001, png_bytes, chat_id=None, caption=None, parse_mode=None)
                                 # PNG/GIF/JPEG; photo = [one PhotoSize] whose file_id the bot
                                 # can reuse in sendPhoto (no thumbnails are made)
    emu.send_media(1001, "voice", chat_id=None, caption=None)  # media the bot may not
                                 # expect: voice, audio, video, video_note, sticker, animation
                                 # (+ document, as Telegram sends), location, contact, poll;
                                 # minimal real payloads; files work with getFile
    emu.press_button(1001, bot_message, "data or label")  # -> callback query id
    emu.send_callback(1001, chat_id, message_id, data)     # forged/stale, no checks
    emu.send_inline_query(1001, "query", chat_type="sender", offset="")  # -> inline query id;
                                 # chat_type: sender/private/group/supergroup/channel or None
    emu.choose_inline_result(1001, query_id, result_id, chat_id)  # the user posts the result
                                 # "via_bot" (from the user) in chat_id (1001: the bot's chat);
                                 # -> message dict; + chosen_inline_result with inline_feedback

The user's messages follow the group privacy rules above. send_document/send_photo/send_media
take a keyword-only ``reply_to_message_id`` too (a reply to the bot is seen in privacy mode).
What a Telegram app could not send raises ValueError: empty text, HTML that does not parse,
captions over 1024 UTF-16 units (the non-Premium limit), a caption on a sticker, video_note,
location, contact or poll, a photo that is not an image. Text length is not checked (apps split
long texts themselves).

    emu.calls                    # [ApiCall(method, params, status, response, at)], in order
    emu.pending_updates          # queued, unconfirmed updates
    emu.messages(chat_id)        # the bot's live messages there (after edits, minus deleted)
    emu.buttons(message)         # [[(text, callback_data or url)]]
    emu.commands("default", "")  # as stored by setMyCommands (chat_id=, user_id= for those)
    emu.file_bytes(file_id)
    await emu.next_message(chat_id, timeout=5.0)   # next new bot message (per-chat cursor)
    await emu.next_edit(chat_id, message_id=None, timeout=5.0)
    await emu.next_call("sendMessage", timeout=5.0, predicate=None)
    await emu.callback_answer(query_id, timeout=5.0)   # params of answerCallbackQuery
    await emu.answers_to_inline(query_id, timeout=5.0)  # params of answerInlineQuery,
                                                        # results decoded to dicts
    await emu.settle(quiet=0.3, timeout=10.0)  # all updates fetched, no request for `quiet`
    emu.inject_error(status=500, method="sendMessage", count=1, description=None,
                     chat_id=None)             # next matching calls fail, not applied
    emu.inject_delay(seconds, method="sendMessage", count=1)  # held; still applied even if
                                                              # the client times out
    emu.outage(seconds, status=502)  # -> end (time.monotonic); every method, getUpdates too,
                                 # answers 502 (not applied) until then
    emu.outage(seconds, status=None, apply_hung=True)  # every request hangs until the end, so
                                 # clients time out; then each is carried out (a timed-out send
                                 # is delivered, as Telegram may do), or with apply_hung=False
                                 # answered 504 and dropped. A hung getUpdates whose client hung
                                 # up delivers nothing.
    emu.retry_afters             # every 429 answered, as ApiCalls
    emu.early_requests           # calls to a chat before its retry_after had elapsed
    emu.abandoned_calls          # calls carried out after their client hung up (timed out)
The waits raise AssertionError with the last relevant calls on timeout.

Where this differs from the original spec, Telegram won: ``&foo;`` and a bare ``&`` are kept
as literal text (tdlib does not reject unknown entities); HTML error texts are tdlib's, not
the Markdown ones; on overlapping polls the *older* request gets the 409; answerInlineQuery
wraps the server's parse errors (``can't parse inline query result: Can't parse entities:
...``) and refuses a 51st result with ``too many inline query results specified`` (today's
Bot API checks that itself; RESULTS_TOO_MUCH was the older server-side answer). Stricter
than Telegram: a button with two actions is rejected. Not emulated: inline result types other
than article, the 10-second answer deadline, Telegram's inline result cache, MarkdownV2,
webhook delivery, the 48-hour deletion limit, tg-time.
"""

from .emulator import BotApiEmulator
from .limits import FloodLimits
from .models import ApiCall, TelegramUser

__all__ = ["ApiCall", "BotApiEmulator", "FloodLimits", "TelegramUser"]
