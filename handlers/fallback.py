"""Everything no other handler took: typed answers to pending questions, unknown input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError
from telegram import Message, MessageEntity, Update
from telegram.ext import ContextTypes

from bot.commands import typed_command
from bot.permissions import Action, Actor
from handlers import (
    accession,
    announcements,
    basket,
    meetings,
    minutes,
    new_team,
    polls,
    register,
    reminders,
    start,
    usage,
)
from handlers.base import Ctx
from storage import conversations
from storage.errors import DomainError, Problem
from storage.members import find_member

# Which function takes typed text for which pending question.
TEXT_STEPS: Mapping[str, Callable[[Ctx, str], Awaitable[None]]] = {
    start.JOIN_INSTITUTION_NAME: start.on_institution_name,
    meetings.WHEN: meetings.on_when,
    meetings.TIME: meetings.on_time,
    meetings.PLACE: meetings.on_place,
    meetings.AGENDA: meetings.on_agenda,
    meetings.EDIT_WHEN: meetings.on_edit_when,
    meetings.EDIT_PLACE: meetings.on_edit_place,
    meetings.EDIT_AGENDA: meetings.on_edit_agenda,
    polls.PLACE: polls.on_place,
    polls.SLOTS: polls.on_slots,
    reminders.ADD_OFFSET: reminders.on_offset_text,
    reminders.DIGEST: reminders.on_digest_text,
    announcements.TEXT: announcements.on_text,
    announcements.PREVIEW: announcements.on_text,
    announcements.WHEN: announcements.on_when,
    register.GUEST: register.on_guest_text,
    register.HOURS: register.on_hours_text,
    minutes.DUE: minutes.on_due_text,
    new_team.NAME: new_team.on_name,
    accession.ROLE: accession.on_role,
}

# Which function takes a photo or a document for which pending question.
ATTACHMENT_STEPS: Mapping[str, Callable[[Ctx], Awaitable[None]]] = {
    announcements.TEXT: announcements.on_attachment,
    announcements.PREVIEW: announcements.on_attachment,
    accession.RULES_FILE: accession.on_rules_file,
}


async def on_text(ctx: Ctx) -> None:
    message = ctx.update.effective_message
    text = message.text if message and message.text else ""
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    step = TEXT_STEPS.get(pending.name) if pending else None
    if step is not None:
        await step(ctx, text)
    elif pending is not None:
        ctx.reply(
            ctx.t._("Please answer with one of the buttons above, or start over with this one."),
            usage.start_over_rows(ctx),
        )
    elif ctx.is_private:
        ctx.reply(ctx.t._("I didn't understand that. See what I can do with /pomoc."))
    # In groups people talk to each other; plain text there is not for the bot.


async def on_unknown_command(ctx: Ctx) -> None:
    """A text starting with "/" that is none of our commands: "/cokolwiek", "/żółw", "/"."""
    message = ctx.update.effective_message
    typed = typed_command(message.text if message else None)
    if message is None or typed is None:
        return
    if not ctx.is_private and not typed.for_bot(ctx.bot_username):
        return  # a command for another bot in the same group
    if not ctx.is_private and not _addressed(message, ctx.bot_username, typed.target):
        return  # people's own slashes in a group where the bot reads everything
    ctx.reply(ctx.t._("I don't know that command. See what I can do with /pomoc."))


def _addressed(message: Message, bot_username: str, target: str) -> bool:
    """In a group: a command Telegram marked (every bot there gets those), "@this_bot", or a
    reply to the bot's own message."""
    marked = bool(
        message.entities
        and message.entities[0].type == MessageEntity.BOT_COMMAND
        and message.entities[0].offset == 0
    )
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    return marked or bool(target) or (author is not None and author.username == bot_username)


async def prepare_attachment(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> basket.Upload | accession.RulesUpload | None:
    """Before the transaction (the `before` step of on_attachment): a document from someone
    who keeps a basket, and not an answer to a question, is downloaded and read. Anyone
    else's file costs one short look at the database, and no download."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    try:
        async with context.bot_data["db"].session() as session:
            member = await find_member(session, user.id)
            pending = await conversations.get_pending(session, chat.id, user.id)
    except SQLAlchemyError:
        # The database is away: read the file anyway (bounded work); the transaction, retried
        # until the database is back, decides what it is.
        return await basket.fetch_upload(update, context)
    if pending is not None and pending.name == accession.RULES_FILE:
        return await accession.fetch_rules(update, context)  # the team's framework rules
    if pending is not None and pending.name in ATTACHMENT_STEPS:
        return None
    actor = Actor.of(user.id, member, context.bot_data["settings"].bot_admin_ids)
    if not actor.teams_where(Action.MANAGE_BASKET):
        return None
    return await basket.fetch_upload(update, context)


async def on_attachment(ctx: Ctx) -> None:
    """A photo or document in a private chat: for the question asked, else a basket file."""
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    step = ATTACHMENT_STEPS.get(pending.name) if pending else None
    message = ctx.update.effective_message
    if step is not None:
        await step(ctx)
    elif message is not None and message.document is not None:
        await basket.on_document(ctx)
    else:
        await on_other_message(ctx)


async def on_other_message(ctx: Ctx) -> None:
    if not ctx.is_private:
        return
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is not None and pending.name in ATTACHMENT_STEPS:
        raise DomainError(Problem.ATTACHMENT_UNSUPPORTED)
    ctx.reply(ctx.t._("I can only read text messages and commands. See /pomoc."))
