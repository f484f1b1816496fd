"""What every handler gets: one database session per update, the actor, texts, an outbox.

Replies are queued while the transaction runs and sent only after it commits, so the bot
never announces something the database then forgets, and no transaction stays open while
Telegram is being called.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ContextTypes

from bot.config import Settings
from bot.i18n import Translator, pick_language, translator
from bot.logs import current_update
from bot.permissions import Actor, PermissionDenied
from bot.render import split_message
from handlers.refusals import refusal_text
from storage.db import Database, connection_lost
from storage.errors import DomainError, Problem
from storage.members import find_member
from storage.models import Member, utcnow

log = logging.getLogger(__name__)

# Last seen is written at most this often: a write per update would cost every update.
SEEN_EVERY = timedelta(days=1)
# A lost database connection is outlasted, not reported, for this long (seconds): retrying is
# safe because nothing was sent yet (replies wait for the commit).
RETRY_FOR = 25.0

Keyboard = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data or http URL)


def _button(label: str, data: str) -> InlineKeyboardButton:
    if data.startswith(("http://", "https://")):
        return InlineKeyboardButton(label, url=data)
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[_button(label, data) for label, data in row] for row in rows])


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
    outbox: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    answered: bool = False
    # Messages queued from now on may not be forwarded or saved (the team's choice).
    protect: bool = False
    # What the handler's `before` step made of the update, outside the transaction.
    prepared: object = None

    def now(self) -> datetime:
        """The current time; tests and the sandbox move this clock (`bot_data["clock"]`)."""
        clock: Callable[[], datetime] = self.context.bot_data.get("clock", utcnow)
        return clock()

    def send_file(self, filename: str, content: bytes, caption: str | None = None) -> None:
        self.outbox.append(
            functools.partial(
                self.context.bot.send_document,
                self.chat.id,
                InputFile(content, filename=filename),
                caption=caption,
                parse_mode=ParseMode.HTML,
                protect_content=self.protect,
            )
        )

    def send_photo(self, filename: str, content: bytes, caption: str | None = None) -> None:
        self.outbox.append(
            functools.partial(
                self.context.bot.send_photo,
                self.chat.id,
                InputFile(content, filename=filename),
                caption=caption,
                parse_mode=ParseMode.HTML,
                protect_content=self.protect,
            )
        )

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

    def reply(self, text: str, buttons: Keyboard | None = None, chat_id: int | None = None) -> None:
        """Queue an HTML message; long texts are split at line ends, buttons go on the last."""
        target = chat_id if chat_id is not None else self.chat.id
        parts = split_message(text)
        for index, part in enumerate(parts):
            markup = keyboard(buttons) if index == len(parts) - 1 else None
            self.outbox.append(
                functools.partial(
                    self.context.bot.send_message,
                    target,
                    part,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    disable_web_page_preview=True,
                    protect_content=self.protect,
                )
            )

    def edit(self, text: str, buttons: Keyboard | None = None) -> None:
        """Replace the message whose button was pressed (falls back to a new message)."""
        message = self.query.message if self.query else None
        if not isinstance(message, Message) or len(split_message(text)) > 1:
            self.reply(text, buttons)
            return

        async def _edit() -> None:
            try:
                await message.edit_text(
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(buttons),
                    disable_web_page_preview=True,
                )
            except BadRequest as exc:
                # A double tap edits to the same content: nothing to do.
                if "not modified" not in exc.message:
                    raise

        self.outbox.append(_edit)

    def notice(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the pressed button (a short toast), once."""
        if self.query is None or self.answered:
            return
        self.answered = True
        self.outbox.insert(0, functools.partial(self.query.answer, text, show_alert=alert))


HandlerFn = Callable[[Ctx], Awaitable[None]]
Before = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[object]]


def _db(application: Application) -> Database:  # type: ignore[type-arg]
    return application.bot_data["db"]


def handler(
    fn: HandlerFn, before: Before | None = None
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Adapt `fn(ctx)` to PTB: session and transaction around it, outbox flushed after commit.

    `before(update, context)` runs first, outside any transaction: the place for slow network
    I/O and heavy work (downloading and reading a file), which inside one would hold a
    database connection and, on SQLite, the writer turn every other update waits for. It
    decides nothing that needs the database and reports its failures in its result, which
    `fn` finds in `ctx.prepared`; a unit of work run again after a lost connection reuses it.
    """

    @functools.wraps(fn)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        current_update.set(update.update_id)
        settings: Settings = context.bot_data["settings"]
        outbox: list[Callable[[], Awaitable[object]]] = []
        ctx: Ctx | None = None
        prepared = await before(update, context) if before is not None else None

        async def unit_of_work() -> None:
            nonlocal ctx
            outbox.clear()
            ctx = None
            async with _db(context.application).session() as session:
                member = await find_member(session, user.id)
                if (
                    member is not None
                    and member.unreachable_since is not None
                    and (chat.type == Chat.PRIVATE)
                ):
                    # Writing to the bot opens the chat: reminders can reach them again.
                    member.unreachable_since = None
                if member is not None:
                    if member.username != user.username:
                        member.username = user.username  # "/zadanie @ania" finds people by it
                    now = context.bot_data.get("clock", utcnow)()
                    if now - member.last_seen_at > SEEN_EVERY:
                        member.last_seen_at = now  # the retention job spares active members
                    if member.language is None:  # joined before the language was stored
                        member.language = pick_language(None, user.language_code)
                language = _language_here(member, chat, user.language_code)
                ctx = Ctx(
                    update,
                    context,
                    session,
                    settings,
                    user,
                    chat,
                    member,
                    Actor.of(user.id, member, settings.bot_admin_ids),
                    translator(language),
                    outbox,
                    prepared=prepared,
                )
                await fn(ctx)

        try:
            await _retrying(unit_of_work)
        except (DomainError, PermissionDenied) as refusal:
            # Rolled back: nothing queued is sent; the user learns why, in their language.
            t = ctx.t if ctx else translator(pick_language(None, user.language_code))
            outbox.clear()
            text = refusal_text(t, refusal)
            if update.callback_query:
                outbox.append(
                    functools.partial(update.callback_query.answer, text, show_alert=True)
                )
            else:
                outbox.append(
                    functools.partial(
                        context.bot.send_message, chat.id, text, parse_mode=ParseMode.HTML
                    )
                )
            await flush(outbox)
            return
        if ctx is not None and ctx.query is not None and not ctx.answered:
            ctx.notice()
        await flush(outbox)

    return wrapper


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


async def flush(outbox: list[Callable[[], Awaitable[object]]]) -> None:
    for send in outbox:
        try:
            await send()
        except Forbidden as exc:
            log.info("recipient unreachable: %s", exc.message)
        except BadRequest as exc:
            if "query is too old" in exc.message:
                continue  # the toast came too late; the edit that follows still matters
            raise
