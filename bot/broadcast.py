"""Delivers announcements: a few sending tasks claim delivery rows and send one message each.

Pace is not decided here. Every request goes through the bot's rate limiter
(bot/delivery.py: 29 messages a second overall, 20 a minute per group, 1 a second per private
chat, 429 answers waited out in their chat for their `retry_after`, 5xx and timeouts retried
for up to a minute). Several tasks keep that budget full even when Telegram
answers slowly; the limiter keeps them within it. Each result is committed on its own, so a
crash repeats at most the messages in flight (one per task).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.i18n import Translator, translator
from bot.render import split_message
from bot.views.announcement_card import (
    Frame,
    audience_text,
    capped_names,
    load_frame,
    not_confirmed_line,
    remind_button,
    render,
    send,
)
from bot.views.keyboard import keyboard
from bot.workers import is_gone, worker_name
from storage import announcements, reminders
from storage.db import Database
from storage.models import AnnouncementDelivery, SendState, utcnow
from storage.personal_data import ERASED_CHAT_ID

log = logging.getLogger(__name__)

TASKS = 8
PROGRESS_EVERY = 3.0  # seconds between edits of the author's progress message
NAMES_SHOWN = 40  # unreached names in the report; the rest are counted
# Characters of names per list in the report, so that it stays one message.
NAMES_BUDGET = 1500
# Taking over stalled claims and forgetting old drafts: once a minute, not every second.
HOUSEKEEPING = timedelta(minutes=1)


@dataclass(frozen=True)
class Content:
    frame: Frame
    text_html: str
    attachment_kind: str | None
    attachment_file_id: str | None
    pin: bool
    ask_read: bool
    protect: bool
    author_chat_id: int


class Broadcaster:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
        tasks: int = TASKS,
    ) -> None:
        self.db = db
        self.bot = bot
        self.clock = clock
        self.worker = worker or worker_name("broadcast")
        self.tasks = tasks
        self._content: dict[int, Content] = {}
        self._running = asyncio.Lock()
        self._housekept: datetime | None = None

    async def run(self) -> int:
        """Start what is due, deliver every row that can go now, report. Returns how many."""
        async with self._running:
            now = self.clock()
            if self._housekept is None or not timedelta(0) <= now - self._housekept < HOUSEKEEPING:
                self._housekept = now
                async with self.db.session() as session:
                    taken = await announcements.recover(session, now, is_gone)
                    if taken:
                        log.warning("took over %d deliveries of a sender that stopped", taken)
                    await announcements.forget_old_drafts(session, now)
            async with self.db.session() as session:
                started = await announcements.start_due(session, now)
            for announcement_id in started:
                await self._status(announcement_id, final=False)
            async with self.db.session() as session:
                active = await announcements.sending(session)
            handled = 0
            if active:
                reporter = asyncio.create_task(self._report_progress(active))
                try:
                    counts = await asyncio.gather(*(self._task() for _ in range(self.tasks)))
                    handled = sum(counts)
                finally:
                    reporter.cancel()
                for announcement_id in active:
                    await self._finish(announcement_id)
            await self._report_reads()
            return handled

    async def _task(self) -> int:
        handled = 0
        while True:
            async with self.db.session() as session:
                row = await announcements.claim(session, self.worker, self.clock())
                if row is None:
                    return handled
                content = await self._load(session, row.announcement_id)
            await self._deliver(row, content)
            handled += 1

    async def _load(self, session: AsyncSession, announcement_id: int) -> Content:
        # Fixed once sending starts, so read once per process.
        if announcement_id not in self._content:
            announcement = await announcements.get(session, announcement_id)
            self._content[announcement_id] = Content(
                frame=await load_frame(session, announcement),
                text_html=announcement.text_html,
                attachment_kind=announcement.attachment_kind,
                attachment_file_id=announcement.attachment_file_id,
                pin=announcement.pin,
                ask_read=announcement.ask_read,
                protect=announcement.protect_content,
                author_chat_id=announcement.author_chat_id,
            )
        return self._content[announcement_id]

    async def _send(self, row: AnnouncementDelivery, content: Content) -> int | None:
        t = translator(row.language)
        text, rows = render(
            t,
            content.frame,
            content.text_html,
            announcement_id=row.announcement_id,
            ask_read=content.ask_read,
        )
        return await send(
            self.bot,
            row.chat_id,
            text,
            content.attachment_kind,
            content.attachment_file_id,
            rows,
            protect=content.protect,
        )

    async def _deliver(self, row: AnnouncementDelivery, content: Content) -> None:
        try:
            message_id = await self._send(row, content)
        except Forbidden as exc:
            await self._blocked(row, exc.message)
            return
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                await self._blocked(row, exc.message)
                return
            async with self.db.session() as session:
                await announcements.record(
                    session, row.id, SendState.FAILED, self.clock(), note=exc.message
                )
            return
        except (RetryAfter, TelegramError) as exc:
            # The limiter already retried; leave it for a later run, a bounded number of times.
            async with self.db.session() as session:
                await announcements.retry_later(session, row, self.clock(), str(exc))
            return
        note = (
            await self._pin(row, message_id)
            if content.pin and row.chat_id < 0 and message_id
            else None
        )
        async with self.db.session() as session:
            await announcements.record(
                session,
                row.id,
                SendState.SENT,
                self.clock(),
                message_id=message_id,
                note=note,
            )

    async def _pin(self, row: AnnouncementDelivery, message_id: int) -> str | None:
        try:
            await self.bot.pin_chat_message(row.chat_id, message_id, disable_notification=True)
        except TelegramError as exc:
            log.info("announcement %s not pinned in %s: %s", row.announcement_id, row.chat_id, exc)
            return f"not pinned: {exc}"
        return None

    async def _blocked(self, row: AnnouncementDelivery, why: str) -> None:
        now = self.clock()
        async with self.db.session() as session:
            if row.member_id is not None:
                await reminders.mark_unreachable(session, row.member_id, now)
            await announcements.record(session, row.id, SendState.BLOCKED, now, note=why)

    # -- the author's view -------------------------------------------------------------------

    async def _report_progress(self, active: list[int]) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(max(0.0, PROGRESS_EVERY - (time.monotonic() - last)))
            last = time.monotonic()
            for announcement_id in active:
                try:
                    await self._status(announcement_id, final=False)
                except TelegramError as exc:
                    log.info("progress of announcement %s not shown: %s", announcement_id, exc)

    async def _finish(self, announcement_id: int) -> None:
        async with self.db.session() as session:
            finished = await announcements.finish_if_done(session, announcement_id, self.clock())
        if finished:
            self._content.pop(announcement_id, None)
            await self._status(announcement_id, final=True)

    async def _report_reads(self) -> None:
        async with self.db.session() as session:
            waiting = await announcements.unreported_reads(session)
        for announcement_id in waiting:
            await self._status(announcement_id, final=True)

    async def _status(self, announcement_id: int, *, final: bool) -> None:
        """Send or edit the author's status message: progress while sending, then the report."""
        async with self.db.session() as session:
            announcement = await announcements.get(session, announcement_id)
            figures = await announcements.progress(session, announcement_id)
            missing = await announcements.unreached(session, announcement_id) if final else []
            silent = (
                await announcements.non_readers(session, announcement_id)
                if final and announcement.ask_read
                else []
            )
            remind = bool(silent) and not await announcements.was_reminded(session, announcement_id)
            author = announcement.author
            frame = await load_frame(session, announcement)
        t = translator(author.language if author else None)
        text = (
            _report(t, frame, figures, missing, announcement.ask_read, silent)
            if final
            else _progress(t, figures)
        )
        text = split_message(text)[0]
        # The button stays on every redraw of the report until the reminder is sent.
        markup = keyboard([[remind_button(t, announcement_id, "r")]] if remind else None)
        message_id = announcement.status_message_id
        try:
            if announcement.author_chat_id == ERASED_CHAT_ID:
                pass  # the author erased their data: nobody to report to
            elif message_id is None or (message_id == 0 and final):
                # One process sends it (or, if that one died before noting its id, the report).
                async with self.db.session() as session:
                    if message_id is None and not await announcements.claim_status_message(
                        session, announcement_id
                    ):
                        return
                sent = await self.bot.send_message(
                    announcement.author_chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
                async with self.db.session() as session:
                    await announcements.set_status_message(
                        session, announcement_id, sent.message_id
                    )
            elif message_id:
                await self.bot.edit_message_text(
                    text,
                    announcement.author_chat_id,
                    message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
        except BadRequest as exc:
            if "not modified" not in exc.message:
                log.info("status of announcement %s not shown: %s", announcement_id, exc)
        except Forbidden as exc:
            log.info("author of announcement %s unreachable: %s", announcement_id, exc.message)
        if final:
            async with self.db.session() as session:
                await announcements.mark_reads_reported(
                    session, announcement_id, announcement.read_count
                )


def _progress(t: Translator, figures: announcements.Progress) -> str:
    return t._("📤 Sending the announcement… {done} of {total}").format(
        done=figures.done, total=figures.total
    )


def _report(
    t: Translator,
    frame: Frame,
    figures: announcements.Progress,
    missing: list[announcements.Unreached],
    ask_read: bool,
    silent: list[announcements.Reader],
) -> str:
    title = t._("Announcement sent")
    lines = [
        f"✅ <b>{title}</b> · {audience_text(t, frame.audience, frame.audience_name)}",
        t._("Delivered: {sent} of {total}").format(sent=figures.sent, total=figures.total),
    ]
    if figures.blocked:
        lines.append(
            t._("Not reachable (blocked the bot or never started it): {n}").format(
                n=figures.blocked
            )
        )
    if figures.failed:
        lines.append(t._("Failed: {n}").format(n=figures.failed))
    if ask_read:
        lines.append(
            t._("Confirmed reading: {read} of {people}").format(
                read=figures.read, people=figures.people
            )
        )
    if missing:
        names = [m.name + (" " + t._("(group)") if m.is_group else "") for m in missing]
        listed = capped_names(t, names, NAMES_BUDGET, most=NAMES_SHOWN)
        lines.append(t._("Not delivered to: {names}").format(names=listed))
        if figures.blocked:
            lines.append(
                t._(
                    "They need to open a private chat with me (press Start) to get announcements "
                    "and reminders."
                )
            )
    if silent:
        lines.append(not_confirmed_line(t, silent, NAMES_BUDGET, most=NAMES_SHOWN))
    return "\n".join(lines)
