"""Builds the Application: the one place where every handler is registered, in order."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import scheduler
from bot.commands import POLISH_SPELLINGS, SpelledCommandHandler
from bot.config import Settings
from bot.delivery import ReliableRateLimiter
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, translator
from bot.inbox import Inbox, UpdatesRequest
from bot.outbox import Sender, outbox_sender
from bot.telegram_http import AiohttpRequest
from bot.updates import PerUserUpdateProcessor
from bot.views import buttons
from handlers import (
    accession,
    announcements,
    basket,
    calendar,
    fallback,
    group,
    invite,
    language,
    meetings,
    minutes,
    new_team,
    polls,
    privacy,
    regions,
    register,
    reminders,
    report,
    start,
    team,
    usage,
)
from handlers.base import Ctx, handler
from handlers.errors import on_error, tell_waiting
from storage.db import BACKGROUND_CONNECTIONS, POOL_SIZE, Database
from storage.errors import DomainError, Problem

log = logging.getLogger(__name__)

# Callback data prefix -> handler. Every inline button of the bot is routed here.
CALLBACKS = {
    "j": start.on_join_button,
    "tm": team.on_manage_button,
    "mb": team.on_member_button,
    "iv": invite.on_invite_button,
    "ln": group.on_link_button,
    "lg": language.on_language_button,
    "tp": team.on_policy_button,
    "nm": meetings.on_new_meeting_button,
    "rv": meetings.on_answer_button,
    "at": meetings.on_attendees_button,
    "nd": meetings.on_nudge_button,
    "ic": meetings.on_calendar_button,
    "sp": meetings.on_page_button,
    "mt": meetings.on_meeting_button,
    "mg": meetings.on_manage_button,
    "rm": reminders.on_reminder_button,
    "kq": basket.on_search_page,
    "kc": basket.on_category,
    "kd": basket.on_details,
    "an": announcements.on_button,
    "ob": register.on_button,
    "mn": minutes.on_button,
    "pd": privacy.on_button,
    "pl": polls.on_button,
    "ms": calendar.on_place_button,
    "nz": new_team.on_button,
    "hp": usage.on_button,
    "rg": regions.on_button,
    "dc": accession.on_button,
    "ek": meetings.on_kind_button,
    "oh": register.on_hours_button,
    "fl": calendar.on_feed_button,
    "it": meetings.on_invited_button,
}

# (Polish command, English alias, handler)
COMMANDS = [
    ("start", None, start.start),
    ("nowe", "new", meetings.new_meeting),
    ("spotkania", "meetings", meetings.show_meetings),
    ("kalendarz", "calendar", calendar.send_my_calendar),
    ("zadania", "tasks", minutes.show_tasks),
    ("zadanie", "task", minutes.add_task),
    ("decyzja", "decision", minutes.add_decision),
    ("protokol", "minutes", minutes.send_minutes),
    ("obecnosc", "attendance", register.show_register),
    ("termin", "poll", polls.new_poll),
    ("przypomnienia", "reminders", reminders.show_reminders),
    ("koszyk", "services", basket.services),
    ("koszyk_szablon", "basket_template", basket.template),
    ("ogloszenie", "announce", announcements.announce),
    ("ogloszenia", "announcements", announcements.show_history),
    ("raport", "report", report.show_report),
    ("region", None, regions.show_regions),
    ("zespol", "team", team.show_teams),
    ("nowy_zespol", "new_team", new_team.new_team),
    ("zaproszenie", "invite", invite.invite),
    ("polacz", "link", group.link_group),
    ("jezyk", "language", language.choose_language),
    ("moje_dane", "mydata", privacy.send_my_data),
    ("usun_dane", "deletedata", privacy.ask_to_erase),
    ("pomoc", "help", usage.show_help),
]


# The buttons the bot puts on messages in group chats (meeting and poll cards and lists,
# announcements, the basket, the link and language questions, /pomoc's topics and "start
# over"). Any other pressed in a group was crafted: refused before it can draw a private
# view (a team's menu, someone's reminders) into a group.
GROUP_CALLBACKS = frozenset(
    {"rv", "ic", "at", "mt", "sp", "pl", "an", "ln", "lg", "kq", "kc", "kd", "hp"}
)


async def route_callback(ctx: Ctx) -> None:
    prefix = buttons.prefix_of(ctx.query.data if ctx.query else None)
    target = CALLBACKS.get(prefix)
    if target is None or (not ctx.is_private and prefix not in GROUP_CALLBACKS):
        raise DomainError(Problem.STALE_BUTTON)
    await target(ctx)


async def greet_group(ctx: Ctx) -> None:
    change = ctx.update.my_chat_member
    if (
        change
        and change.new_chat_member.status in ("member", "administrator")
        and change.old_chat_member.status in ("left", "kicked")
    ):
        ctx.reply(
            ctx.t._(
                "Hello! A coordinator of your team can link this group to the team with /polacz."
            )
        )


def register_handlers(app: Application) -> None:
    for polish, english, callback in COMMANDS:
        names = [polish] + ([english] if english else [])
        wrapped = handler(callback)
        app.add_handler(CommandHandler(names, wrapped))
        # "/zespół" comes as plain text (no bot_command entity): read from the text itself.
        spelled = names + [POLISH_SPELLINGS[polish]] if polish in POLISH_SPELLINGS else names
        app.add_handler(SpelledCommandHandler(spelled, wrapped))
    app.add_handler(CallbackQueryHandler(handler(route_callback)))
    app.add_handler(ChatMemberHandler(handler(greet_group), ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(InlineQueryHandler(basket.on_inline_query))
    app.add_handler(
        MessageHandler(
            (filters.Document.ALL | filters.PHOTO) & filters.ChatType.PRIVATE,
            # A basket file is downloaded and read before the transaction.
            handler(fallback.on_attachment, before=fallback.prepare_attachment),
        )
    )
    # Catch-alls last: anything above did not match.
    # A text starting with "/" is a command to people, whatever Telegram marked ("/żółw").
    app.add_handler(
        MessageHandler(filters.COMMAND | filters.Regex(r"^/"), handler(fallback.on_unknown_command))
    )
    app.add_handler(MessageHandler(filters.TEXT, handler(fallback.on_text)))
    app.add_handler(MessageHandler(~filters.StatusUpdate.ALL, handler(fallback.on_other_message)))
    app.add_error_handler(on_error)


def _menu_descriptions(t: Translator) -> dict[str, str]:
    return {
        "start": t._("Start, or join a team with an invitation"),
        "nowe": t._("Call a meeting"),
        "spotkania": t._("My upcoming meetings"),
        "termin": t._("Find a date with a poll (coordinators)"),
        "kalendarz": t._("All my meetings as a calendar file"),
        "obecnosc": t._("Attendance register of a meeting (coordinators)"),
        "decyzja": t._("Add a decision to the minutes"),
        "zadanie": t._("Add a task: /zadanie @osoba do piątku: tekst"),
        "zadania": t._("My open tasks and my team's"),
        "protokol": t._("Minutes of a meeting as a document"),
        "przypomnienia": t._("Reminders: when, and muting them"),
        "koszyk": t._("Local service basket: who helps with what"),
        "koszyk_szablon": t._("Empty basket file to fill in (coordinators)"),
        "ogloszenie": t._("Send an announcement (coordinators)"),
        "ogloszenia": t._("Announcements sent, with delivery figures"),
        "raport": t._("Figures: meetings, participants, tasks (coordinators)"),
        "region": t._("Regions and their admins (admins)"),
        "zespol": t._("Your teams and their members"),
        "nowy_zespol": t._("Create a task team (PZK coordinators, admins)"),
        "zaproszenie": t._("An invitation link (coordinators)"),
        "polacz": t._("Link this group to your team (coordinators)"),
        "jezyk": t._("Polish or English"),
        "moje_dane": t._("Everything the bot holds about me (a JSON file)"),
        "usun_dane": t._("Erase my data"),
        "pomoc": t._("Help"),
    }


async def set_command_menus(app: Application) -> None:
    """Polish menus for everyone, English ones for English Telegram apps."""
    group_commands = {
        "spotkania",
        "koszyk",
        "zespol",
        "polacz",
        "decyzja",
        "zadanie",
        "zadania",
        "pomoc",
    }
    for lang in LANGUAGES:
        descriptions = _menu_descriptions(translator(lang))
        for scope, wanted in (
            (BotCommandScopeAllPrivateChats(), None),
            (BotCommandScopeAllGroupChats(), group_commands),
        ):
            menu = [
                BotCommand(english if lang == "en" and english else polish, descriptions[polish])
                for polish, english, _ in COMMANDS
                if wanted is None or polish in wanted
            ]
            await app.bot.set_my_commands(
                menu, scope=scope, language_code=None if lang == DEFAULT_LANGUAGE else lang
            )


async def set_web_app_button(app: Application) -> None:
    """With PUBLIC_URL, the menu button of private chats opens the Mini App (bot/webapp/).
    Telegram takes only https:// addresses for a Web App, so with http:// there is none."""
    public_url = app.bot_data["settings"].public_url
    if not public_url:
        return
    if not public_url.startswith("https://"):
        log.warning("PUBLIC_URL is not https://: no Mini App menu button (Telegram needs HTTPS)")
        return
    text = translator(DEFAULT_LANGUAGE)._("Team page")
    button = MenuButtonWebApp(text, WebAppInfo(f"{public_url}/app/"))
    await app.bot.set_chat_menu_button(menu_button=button)


async def _post_init(app: Application) -> None:
    settings: Settings = app.bot_data["settings"]
    db = Database(settings.database_url)
    await db.upgrade()
    app.bot_data["db"] = db
    scheduler.start(app)
    await set_command_menus(app)
    await set_web_app_button(app)
    log.info("bot @%s ready", app.bot.username)


async def _post_shutdown(app: Application) -> None:
    db: Database | None = app.bot_data.get("db")
    if db is not None:
        await db.dispose()


# Requests in flight at most. A request that passed the rate limiter and waits for a
# connection waits in order, behind every bulk send queued there: with 8, a voivodeship's
# announcement (paced at 290/s in the national benchmark) filled the pool and replies waited
# 4.6 s. aiohttp's pool costs nothing per idle connection (httpcore polled each one for every
# request, which had made a large pool slow).
TELEGRAM_CONNECTIONS = 32
# Updates handled at once: each unit of work holds a database connection, and one waiting in
# PTB's queue costs less than one waiting for a connection (storage/db.py POOL_SIZE).
CONCURRENT_UPDATES = POOL_SIZE - BACKGROUND_CONNECTIONS


def build_application(settings: Settings, *, paced: bool = True) -> Application:
    """``paced=False`` drops the rate limiter that keeps to Telegram's limits: for the emulator
    only (the update-handling benchmark measures the bot's own cost; the sandbox shows each
    reply under the line that caused it)."""
    updates_request = UpdatesRequest(read_timeout=settings.telegram_timeout)
    # Any: the builder's bot type changes with the rate limiter set below.
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        # A send that times out after Telegram got it is retried and arrives twice: waiting a
        # little longer is the cheaper mistake.
        .request(
            AiohttpRequest(
                TELEGRAM_CONNECTIONS,
                read_timeout=settings.telegram_timeout,
                write_timeout=settings.telegram_timeout,
                pool_timeout=settings.telegram_timeout,
            )
        )
        .get_updates_request(updates_request)
    )
    if paced:
        builder = builder.rate_limiter(ReliableRateLimiter())
    app = (
        builder.concurrent_updates(PerUserUpdateProcessor(CONCURRENT_UPDATES))
        .updater(None)  # updates come through the inbox (bot/inbox.py)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["settings"] = settings
    app.bot_data["updates_request"] = updates_request
    register_handlers(app)
    return app


ALLOWED_UPDATES = [
    Update.INLINE_QUERY,
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


# SIGTERM to exit, even with Telegram unreachable: what is unfinished waits in the inbox and
# the outbox for the next start. Below a service manager's stop timeout (deploy/).
STOP_WITHIN = 10.0
# Of which: running handlers may finish their update.
HANDLERS_GRACE = 5.0


@asynccontextmanager
async def running(app: Application) -> AsyncIterator[Inbox]:
    """Start handling: what the last run left in the inbox first, then what comes in; the
    outbox sender alongside. On exit, a bounded stop (STOP_WITHIN)."""
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    inbox = app.bot_data["inbox"] = Inbox(app, functools.partial(tell_waiting, bot=app.bot))
    processor = app.update_processor
    if isinstance(processor, PerUserUpdateProcessor):
        processor.on_begin = inbox.beginning
        processor.on_done = inbox.mark_handled
    sender = outbox_sender(app)
    await app.start()
    await inbox.recover()
    sender.start()
    try:
        yield inbox
    finally:
        await _bounded_stop(app, inbox, sender)


async def _bounded_stop(app: Application, inbox: Inbox, sender: Sender) -> None:
    await inbox.stop_polling()
    # Updates queued but not begun stay in the inbox, unhandled: the next start takes them.
    while not app.update_queue.empty():
        app.update_queue.get_nowait()
        app.update_queue.task_done()
    if app.job_queue is not None and app.job_queue.scheduler.running:
        # PTB's stop waits for the jobs running when it is called; a job the 1-s interval
        # starts meanwhile would be cancelled mid-run (and logged as an error). Paused first,
        # none starts.
        app.job_queue.scheduler.pause()
    try:
        async with asyncio.timeout(HANDLERS_GRACE):
            await app.stop()
    except TimeoutError:
        log.warning("stop: handlers still running after %.0f s are left unfinished", HANDLERS_GRACE)
    await sender.stop()
    try:
        async with asyncio.timeout(STOP_WITHIN - HANDLERS_GRACE - 1):
            if app.running:
                app._running = False  # stop() was cut short; shutdown() refuses a running app
            await app.shutdown()
    except TimeoutError:
        log.warning("stop: shutdown cut short")
    if app.post_shutdown:
        await app.post_shutdown(app)


@asynccontextmanager
async def polling(app: Application, poll_timeout: int = 1) -> AsyncIterator[Application]:
    """Run the bot inside an event loop that is already running (`kooperacje-bot run`, the
    sandbox, tests and benchmarks), updates taken by long polling through the inbox."""
    async with running(app) as inbox:
        inbox.start_polling(poll_timeout, ALLOWED_UPDATES)
        yield app
