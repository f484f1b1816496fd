"""The one error handler: log with the update id, apologise to the user, never a traceback."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import pick_language, translator
from storage.db import connection_lost

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update is None and context.error is not None and connection_lost(context.error):
        # A job's tick while the database is away: one line a tick, the next tick tries again.
        log.warning("database unavailable, job skipped: %s", context.error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    t = translator(pick_language(None, user.language_code if user else None))
    text = t._("Sorry, something went wrong on my side. Please try again in a moment.")
    try:
        if update.callback_query:
            await update.callback_query.answer(text, show_alert=True)
        else:
            await context.bot.send_message(
                update.effective_chat.id, text, parse_mode=ParseMode.HTML
            )
    except TelegramError:
        log.warning("could not tell update %s about the failure", update_id)


async def tell_waiting(update: Update, bot: Bot) -> None:
    """The database is away and the update waits at Telegram: said once, not silence."""
    if update.effective_chat is None or update.effective_chat.type != "private":
        return  # a group is not told of one person's waiting message
    user = update.effective_user
    t = translator(pick_language(None, user.language_code if user else None))
    text = t._(
        "Sorry, something went wrong on my side. I have your message and will answer it "
        "as soon as I can."
    )
    try:
        await bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not tell update %s to wait", update.update_id)
