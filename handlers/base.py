"""What every handler gets: one database session per update, the actor, texts, an outbox.

Replies are written to the outbox in the transaction of the handler's effects, with the
update marked handled in the inbox, and sent only after it commits: the bot never announces
something the database then forgets, no transaction stays open while Telegram is being
called, and a crash at any moment loses neither the update nor its replies.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    Chat,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.i18n import Translator, pick_language, translator
from bot.inbox import handled_here
from bot.logs import current_update
from bot.outbox import CLAIM, outbox_sender
from bot.permissions import Actor, PermissionDenied, actor_for
from bot.refusals import refusal_text
from bot.render import plain, split_message
from bot.views.keyboard import Keyboard, edit_request, message_request
from storage import inbox as inbox_rows
from storage import outbox as outbox_rows
from storage.db import Database, connection_lost
from storage.errors import DomainError, Problem
from storage.members import find_member
from storage.models import Member, utcnow
from storage.outbox import Outgoing

log = logging.getLogger(__name__)

# Last seen is written at most this often: a write per update would cost every update.
SEEN_EVERY = timedelta(days=1)
# A lost database connection is outlasted, not reported, for this long (seconds): retrying is
# safe because nothing was sent yet (replies wait for the commit).
RETRY_FOR = 25.0
# Telegram's limit on the text of a button's toast or alert.
ALERT_LIMIT = 200


@dataclass
class Ctx:
    update: Update
    context: ContextTypes.DEFAULT_TYPE
    session: AsyncSession
    settings: Settings
    user: User
    chat: Chat
    member: Member | None
    actor: Actor
    t: Translator
    outbox: list[Outgoing] = field(default_factory=list)
    # Work for after the commit that is no message (a throttled card refresh).
    after_commit: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    answered: bool = False
    # Messages queued from now on may not be forwarded or saved (the team's choice).
    protect: bool = False
    # What the handler's `before` step made of the update, outside the transaction.
    prepared: object = None
    # Sent rows are deleted at once instead of kept for tracing (after an erasure).
    forget_sent: bool = False

    def now(self) -> datetime:
        """The current time; tests and the sandbox move this clock (`bot_data["clock"]`)."""
        clock: Callable[[], datetime] = self.context.bot_data.get("clock", utcnow)
        return clock()

    def send_file(self, filename: str, content: bytes, caption: str | None = None) -> None:
        self._send_attachment("send_document", "document", filename, content, caption)

    def send_photo(self, filename: str, content: bytes, caption: str | None = None) -> None:
        self._send_attachment("send_photo", "photo", filename, content, caption)

    def _send_attachment(
        self, method: str, param: str, filename: str, content: bytes, caption: str | None
    ) -> None:
        params = {
            "chat_id": self.chat.id,
            "caption": caption,
            "parse_mode": ParseMode.HTML,
            "protect_content": self.protect,
        }
        self.outbox.append(Outgoing(method, self.chat.id, params, (filename, content), param))

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    @property
    def is_private(self) -> bool:
        return self.chat.type == Chat.PRIVATE

    def teams_here(self) -> set[int] | None:
        """In a group, the actor's teams linked to it (none in anyone else's group); in a
        private chat None: all of their teams."""
        if self.is_private:
            return None
        memberships = self.member.memberships if self.member else []
        return {m.team_id for m in memberships if m.team.chat_id == self.chat.id}

    def ensure_team_chat(self, team_chat_id: int | None) -> None:
        """In a group, a team's meetings and polls are drawn only in that team's own group.

        Anyone can add the bot to a group; a crafted button pressed there by a member must
        not put the team's names, places or files in front of strangers.
        """
        if not self.is_private and self.chat.id != team_chat_id:
            raise DomainError(Problem.STALE_BUTTON)

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])

    @property
    def bot_username(self) -> str:
        return self.context.bot.username

    def reply(
        self,
        text: str,
        buttons: Keyboard | None = None,
        chat_id: int | None = None,
        *,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Queue an HTML message; long texts are split at line ends, buttons go on the last.
        `after`: what to record with the sent message's id ({"card": meeting_id})."""
        target = chat_id if chat_id is not None else self.chat.id
        parts = split_message(text)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            self.outbox.append(
                message_request(
                    target, part, buttons if last else None, self.protect, after if last else None
                )
            )

    def edit(self, text: str, buttons: Keyboard | None = None) -> None:
        """Replace the message whose button was pressed (falls back to a new message)."""
        message = self.query.message if self.query else None
        if not isinstance(message, Message) or len(split_message(text)) > 1:
            self.reply(text, buttons)
            return
        self.outbox.append(edit_request(message.chat.id, message.message_id, text, buttons))

    def drop_buttons(self) -> None:
        """Take the buttons off the message whose button was pressed."""
        message = self.query.message if self.query else None
        if isinstance(message, Message):
            params = {"chat_id": message.chat.id, "message_id": message.message_id}
            self.outbox.append(Outgoing("edit_message_reply_markup", message.chat.id, params))

    def notice(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a short toast), once."""
        if self.query is None or self.answered:
            return
        self.answered = True
        params = {
            "callback_query_id": self.query.id,
            "text": text,
            "show_alert": alert,
            "_created_at": utcnow().isoformat(),  # real time: Telegram's limit is
        }
        self.outbox.insert(0, Outgoing("answer_callback_query", None, params))


HandlerFn = Callable[[Ctx], Awaitable[None]]
Before = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[object]]


def _db(application: Application) -> Database:
    return application.bot_data["db"]


def handler(
    fn: HandlerFn, before: Before | None = None
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """Adapt `fn(ctx)` to PTB: session and transaction around it, outbox flushed after commit.

    `before(update, context)` runs first, outside any transaction: the place for slow network
    I/O and heavy work (downloading and reading a file), which inside one would hold a
    database connection and, on SQLite, the writer turn every other update waits for. It
    decides nothing that needs the database and reports its failures in its result, which
    `fn` finds in `ctx.prepared`; a unit of work run again after a lost connection reuses it.

    Commands that only read take one transaction too, in the writer's turn on SQLite: their
    replies must be written anyway, and reading in a snapshot beside the writer and writing
    after cost a second transaction (0.3 ms of CPU an update) to spare a wait that hardly
    comes, since a unit of work runs its statements without yielding to the event loop.
    """

    @functools.wraps(fn)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        current_update.set(update.update_id)
        settings: Settings = context.bot_data["settings"]
        outbox: list[Outgoing] = []
        ctx: Ctx | None = None
        prepared = await before(update, context) if before is not None else None

        db = _db(context.application)

        async def unit_of_work() -> None:
            nonlocal ctx
            outbox.clear()
            ctx = None
            async with db.session() as session:
                member = await find_member(session, user.id)
                if member is not None:
                    _touch(member, user, chat, context.bot_data.get("clock", utcnow)())
                language = _language_here(member, chat, user.language_code)
                ctx = Ctx(
                    update,
                    context,
                    session,
                    settings,
                    user,
                    chat,
                    member,
                    await actor_for(session, user.id, member, settings.bot_admin_ids),
                    translator(language),
                    outbox,
                    prepared=prepared,
                )
                await fn(ctx)
                if ctx.query is not None and not ctx.answered:
                    ctx.notice()
                if ctx.forget_sent:
                    for item in outbox:
                        item.after = (item.after or {}) | {"forget": True}
                await _store_effects(context, session, update.update_id, outbox)

        try:
            await _retrying(unit_of_work)
        except (DomainError, PermissionDenied) as refusal:
            # Rolled back: nothing queued is sent; the user learns why, in their language.
            t = ctx.t if ctx else translator(pick_language(None, user.language_code))
            outbox.clear()
            text = refusal_text(t, refusal)
            if update.callback_query:
                # An alert shows plain text of at most 200 characters: a longer refusal
                # goes to the chat as a message, and the button just stops its spinner.
                alert = plain(text)
                fits = len(alert) <= ALERT_LIMIT
                params: dict[str, object] = {"callback_query_id": update.callback_query.id}
                if fits:
                    params |= {"text": alert, "show_alert": True}
                outbox.append(Outgoing("answer_callback_query", None, params))
                if not fits:
                    outbox.append(message_request(chat.id, text))
            else:
                outbox.append(message_request(chat.id, text))

            async def refused() -> None:
                async with _db(context.application).session() as session:
                    await _store_effects(context, session, update.update_id, outbox)

            await _retrying(refused)
            ctx = None
        surprise = await outbox_sender(context.application).send_now(outbox)
        for work in ctx.after_commit if ctx else []:
            await work()
        if surprise is not None:
            raise surprise  # a malformed message is a bug: the error handler tells the user

    return wrapper


async def _store_effects(
    context: ContextTypes.DEFAULT_TYPE,
    session: AsyncSession,
    update_id: int,
    items: list[Outgoing],
) -> None:
    """The replies and the inbox's "handled", in the transaction of the handler's effects."""
    now = utcnow()  # real time, not the tests' moved clock: these pace real requests
    await outbox_rows.add(session, items, now, CLAIM)
    await inbox_rows.mark_handled(session, update_id, now)
    handled_here(context.application, update_id)


def _touch(member: Member, user: User, chat: Chat, now: datetime) -> None:
    """Bring what the bot knows of the member up to date with this update."""
    if member.unreachable_since is not None and chat.type == Chat.PRIVATE:
        member.unreachable_since = None  # writing to the bot opens the chat for reminders
    if member.username != user.username:
        member.username = user.username  # "/zadanie @ania" finds people by it
    if now - member.last_seen_at > SEEN_EVERY:
        member.last_seen_at = now  # the retention job spares active members
    if member.language is None:  # joined before the language was stored
        member.language = pick_language(None, user.language_code)


def _language_here(member: Member | None, chat: Chat, language_code: str | None) -> str:
    """A team's group speaks the team's language, whoever writes there; elsewhere the
    member's own, or the Telegram app's for someone not yet in a team."""
    if member is not None and chat.type != Chat.PRIVATE:
        for membership in member.memberships:
            if membership.team.chat_id == chat.id:
                return membership.team.language
    return pick_language(member.language if member else None, language_code)


async def _retrying(work: Callable[[], Awaitable[None]]) -> None:
    """Run the unit of work again while the database connection is lost (a server restart,
    SQLite locked past busy_timeout), with backoff, for up to RETRY_FOR; then give up."""
    delay, deadline = 0.5, time.monotonic() + RETRY_FOR
    while True:
        try:
            await work()
            return
        except Exception as error:
            if not connection_lost(error) or time.monotonic() + delay > deadline:
                raise
            log.warning("database connection lost (%s): handling the update again", error)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 4.0)
