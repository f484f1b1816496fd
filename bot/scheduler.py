"""The clock of reminders and digests: APScheduler (PTB's JobQueue) ticks, the database decides.

No job is kept per reminder: one repeating job asks the database what is due, so start-up
and memory do not grow with the number of future reminders, and a restart (even `kill -9`)
loses nothing. See storage/reminders.py for the one window in which a message can repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes

from bot.broadcast import Broadcaster
from bot.config import Settings
from bot.dates import format_when
from bot.delivery import BULK
from bot.i18n import Translator, translator
from bot.outbox import perform
from bot.render import esc
from bot.views import buttons
from bot.views.keyboard import Keyboard, message_request
from bot.views.meeting_card import CardState, answer_label, day_before_summary, render_card
from bot.views.register_card import render_register
from bot.workers import is_gone, worker_name
from storage import attendance, audience, digest, housekeeping, meetings, reminders, retention
from storage.db import Database
from storage.models import (
    Answer,
    Delivery,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    ScheduledKind,
    ScheduledMessage,
    Task,
    TaskState,
    Team,
    utcnow,
)

log = logging.getLogger(__name__)


class NotSent(NamedTuple):
    """Why a due row is not to be sent."""

    state: Delivery
    note: str


# What a due row becomes: its text and buttons, or why not.
Verdict = tuple[str, Keyboard] | NotSent

TICK = timedelta(seconds=1)
# Series extension and digest planning are cheap but need not run every second.
HOUSEKEEPING_EVERY = timedelta(minutes=1)
PURGE_EVERY = timedelta(days=1)
MAX_PER_TICK = 500
# Rows claimed in one transaction: a claim per row would cost each message a transaction more,
# and digests sent one by one would keep a digest to thousands far below Telegram's 30/s.
BATCH = 8
# A register card not sent by then (the bot was down) is not worth sending: /obecnosc is there.
REGISTER_LATE = timedelta(hours=12)
# The day-before summary is worth sending only around its time (the bot was down).
SUMMARY_LATE = timedelta(hours=6)


def _is_due(last: datetime | None, now: datetime, every: timedelta) -> bool:
    """Periodic work: never done, due again, or the clock went back (tests, the sandbox)."""
    return last is None or now - last >= every or now < last


async def _failure_of(delivery: Awaitable[None]) -> BaseException | None:
    try:
        await delivery
    except Exception as error:
        return error
    return None


class Scheduler:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
        retention_rules: retention.Rules | None = None,
        keep: housekeeping.Keep | None = None,
    ) -> None:
        self.db = db
        self.retention_rules = retention_rules or retention.Rules()
        self.keep = keep or housekeeping.Keep()
        self.bot = bot
        self.clock = clock
        self.worker = worker or worker_name()
        self._last_housekeeping: datetime | None = None
        self._last_purge: datetime | None = None
        self._digests_planned: set[tuple[int, date]] = set()
        # One tick at a time per process: the repeating job and an explicit call (tests, the
        # sandbox's clock jump) must not interleave, or a member found unreachable by one could
        # still be written to by the other.
        self._ticking = asyncio.Lock()

    async def tick(self) -> int:
        """Plan what is due, then send due rows. Returns how many were handled."""
        async with self._ticking:
            return await self._tick()

    async def _tick(self) -> int:
        now = self.clock()
        if _is_due(self._last_housekeeping, now, HOUSEKEEPING_EVERY):
            await self.housekeeping(now)
        handled = 0
        # Urgent rows (reminders, registers, summaries) before digests, claimed a batch at a
        # time. Urgent ones are sent one after another, so a crash repeats at most one of them;
        # digests side by side (a crash may repeat a batch of overviews), one chat's in order.
        chats: dict[int, asyncio.Lock] = {}

        async def deliver(row: ScheduledMessage) -> None:
            async with chats.setdefault(row.chat_id, asyncio.Lock()):
                await self._deliver(row)

        while handled < MAX_PER_TICK:
            async with self.db.session() as session:
                rows = await reminders.claim_batch(session, self.worker, self.clock(), BATCH)
            if not rows:
                break
            handled += len(rows)
            if rows[0].kind == ScheduledKind.DIGEST:
                outcomes = await asyncio.gather(*map(deliver, rows), return_exceptions=True)
            else:
                outcomes = [await _failure_of(self._deliver(row)) for row in rows]
            # Every claimed row is tried before a failure is raised: one left claimed would
            # wait out the lease.
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
        return handled

    async def housekeeping(self, now: datetime) -> None:
        self._last_housekeeping = now
        if _is_due(self._last_purge, now, PURGE_EVERY):
            await self.purge(now)
        async with self.db.session() as session:
            taken = await reminders.recover(session, now, is_gone)
            if taken:
                log.warning("took over %d reminders of a sender that stopped", taken)
        async with self.db.session() as session:
            await meetings.extend_series(session, now)
        async with self.db.session() as session:
            await reminders.plan_digests(session, now, self._digests_planned)
        # A digest is due for a day at most: older pairs can go.
        recent = (now - timedelta(days=2)).date()
        self._digests_planned = {p for p in self._digests_planned if p[1] >= recent}

    async def purge(self, now: datetime) -> None:
        """The retention rules of the settings; safe to repeat, so every process may run it."""
        self._last_purge = now
        async with self.db.session() as session:
            purged = await retention.purge(session, now, self.retention_rules)
        if purged.members or purged.meetings:
            log.info("retention: erased %d members, %d meetings", purged.members, purged.meetings)
        async with self.db.session() as session:
            # Real time: the rows' times are real, whatever the tests' clock says.
            pruned = await housekeeping.prune_queues(session, utcnow(), self.keep)
        async with self.db.session() as session:
            sizes = await housekeeping.queue_sizes(session)
        log.info("inbox and outbox: pruned %d and %d rows; now %s", *pruned, sizes)

    async def _deliver(self, row: ScheduledMessage) -> None:
        now = self.clock()
        async with self.db.reading() as session:  # beside SQLite's writer
            verdict = await self._compose(session, row, now)
            team = await session.get(Team, row.team_id)
            protect = team is not None and team.protect_content
        if isinstance(verdict, NotSent):
            state, note = verdict
            if state == Delivery.DROPPED:
                log.info("reminder %s dropped: %s", row.id, note)
            async with self.db.session() as session:
                await reminders.finish(session, row.id, state, now, note)
            return
        text, rows = verdict
        try:
            message_id = await perform(
                self.bot,
                message_request(row.chat_id, text, rows, protect),
                BULK if row.kind == ScheduledKind.DIGEST else None,
            )
        except Forbidden as exc:
            async with self.db.session() as session:
                if row.member_id is not None:
                    await reminders.mark_unreachable(session, row.member_id, now)
                await reminders.finish(session, row.id, Delivery.UNREACHABLE, now, exc.message)
            return
        except BadRequest as exc:
            async with self.db.session() as session:
                await reminders.finish(session, row.id, Delivery.FAILED, now, exc.message[:200])
            return
        except (NetworkError, TelegramError) as exc:
            async with self.db.session() as session:
                await reminders.retry_later(session, row, now, str(exc)[:200])
            return
        async with self.db.session() as session:
            await reminders.finish(session, row.id, Delivery.SENT, self.clock())
            if (
                row.kind == ScheduledKind.REMINDER
                and row.chat_id < 0
                and row.meeting_id
                and message_id
            ):
                await meetings.remember_card(session, row.meeting_id, row.chat_id, message_id)

    async def _compose(
        self, session: AsyncSession, row: ScheduledMessage, now: datetime
    ) -> Verdict:
        """The message for a row, or (state, why) when it must not be sent."""
        member = await session.get(Member, row.member_id) if row.member_id else None
        if row.member_id is not None:
            if member is None:
                return NotSent(Delivery.SKIPPED, "member gone")
            seats = await self._seats(session, row, member)
            if not seats:
                return NotSent(Delivery.SKIPPED, "left the team")
            # Muting silences reminders, not the coordinator's register or one's own tasks; an
            # event inviting several of one's teams is muted when all of them are.
            muted = member.reminders_muted or all(seat.reminders_muted for seat in seats)
            if muted and row.kind in (ScheduledKind.REMINDER, ScheduledKind.DIGEST):
                return NotSent(Delivery.SKIPPED, "muted")
            if member.unreachable_since is not None:
                return NotSent(Delivery.UNREACHABLE, "marked unreachable earlier")
        if member is not None:
            t = translator(member.language)
        else:  # the team's group
            team = await session.get(Team, row.team_id) if row.team_id else None
            t = translator(team.language if team else None)
        if row.kind == ScheduledKind.DIGEST:
            return await self._digest(session, row, member, t, now)
        if row.kind == ScheduledKind.TASK:
            return await self._task(session, row, t)
        meeting = await meetings.load_meeting(session, row.meeting_id or 0)
        if meeting.status == MeetingStatus.CANCELLED:
            return NotSent(Delivery.SKIPPED, "meeting cancelled")
        if row.kind == ScheduledKind.REGISTER:
            if now - meeting.starts_at > REGISTER_LATE:
                return NotSent(Delivery.DROPPED, "meeting long over")
            if meeting.starts_at > now:
                return NotSent(Delivery.SKIPPED, "meeting moved later")  # replanned with the move
            register = await attendance.load_register(session, meeting)
            text, rows = render_register(t, register)
            intro = t._("The meeting has started. Mark who came:")
            return f"{intro}\n\n{text}", rows
        if meeting.starts_at <= now:
            return NotSent(Delivery.DROPPED, "meeting already started")
        if row.kind == ScheduledKind.SUMMARY:
            if now - row.due_at > SUMMARY_LATE:
                return NotSent(Delivery.DROPPED, "summary late")  # the reminders say it better now
            return await day_before_summary(session, meeting, row.chat_id, t)
        mine = await meetings.my_answer(session, meeting.id, member) if member else None
        if mine == Answer.NO:
            return NotSent(Delivery.SKIPPED, "declined")
        counts = await meetings.counts(session, meeting.id)
        text, rows = render_card(t, CardState(meeting, counts, mine))
        heading = "⏰ " + _when_label(t, meeting, now)
        if member is None:
            missing = await reminders.unreachable_members(session, meeting.team_id)
            if missing:
                text += "\n\n" + t._(
                    "I cannot write to: {names}. Please open a private chat with me "
                    "(press Start) to get reminders."
                ).format(names=", ".join(esc(n) for n in missing))
        return f"<b>{heading}</b>\n\n{text}", rows

    async def _seats(
        self, session: AsyncSession, row: ScheduledMessage, member: Member
    ) -> list[Membership]:
        """The member's memberships the row is sent for: of the teams a meeting invites
        (storage/audience.py), or of the row's team."""
        if row.kind in (ScheduledKind.REMINDER, ScheduledKind.SUMMARY) and row.meeting_id:
            meeting = await session.get(Meeting, row.meeting_id)
            if meeting is not None:
                return await audience.memberships(session, meeting, member.id)
        membership = await session.scalar(
            select(Membership).where(
                Membership.team_id == row.team_id, Membership.member_id == member.id
            )
        )
        return [membership] if membership is not None else []

    async def _task(self, session: AsyncSession, row: ScheduledMessage, t: Translator) -> Verdict:
        task = await session.get(Task, row.task_id or 0)
        if task is None or task.state != TaskState.OPEN:
            return NotSent(Delivery.SKIPPED, "task closed")
        if task.owner_id != row.member_id:
            return NotSent(Delivery.SKIPPED, "task given to someone else")
        text = "⏰ <b>{}</b>\n„{}”".format(
            t._("Tomorrow is the due day of your task:"), esc(task.text)
        )
        return text, [[(t._("Done"), buttons.MinutesButton("d", task.id).pack())]]

    async def _digest(
        self,
        session: AsyncSession,
        row: ScheduledMessage,
        member: Member | None,
        t: Translator,
        now: datetime,
    ) -> Verdict:
        """Grouped by team with the member's answers; nothing planned, nothing sent, except a
        one-line prompt to the coordinators of an empty team."""
        if member is None:
            team = await session.get(Team, row.team_id)
            if team is None:
                return NotSent(Delivery.SKIPPED, "team gone")
            found = [await digest.for_team(session, team, now)]
        else:
            found = await digest.for_member(session, member, row.digest_date, now)
        planned = [entry for entry in found if entry.meetings]
        prompts = [
            t._(
                "Nothing is planned in {team} in the coming weeks. Call a meeting with /nowe."
            ).format(team=esc(entry.team.name))
            for entry in found
            if not entry.meetings and entry.coordinator
        ]
        if not planned and not prompts:
            return NotSent(Delivery.SKIPPED, "nothing planned")
        if not planned:
            return "\n".join(prompts), []
        lines = [f"<b>{t._('Upcoming meetings')}</b>"]
        rows: list[list[tuple[str, str]]] = []
        for entry in planned:
            lines.append(f"\n<b>{esc(entry.team.name)}</b>")
            for meeting, mine in entry.meetings:
                lines.append(_digest_line(t, meeting, mine, member is not None))
                if member is not None and mine is None:
                    rows.append([_answer_button(t, meeting)])
        if prompts:
            lines.append("\n" + "\n".join(prompts))
        return "\n".join(lines), rows


def _digest_line(t: Translator, meeting: Meeting, mine: Answer | None, personal: bool) -> str:
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    line = f"• {format_when(local, t.language)} — {esc(meeting.place)}"
    if not personal:
        return line
    answer = answer_label(t, mine) if mine else t._("no answer yet")
    return line + "\n  " + t._("Your answer: {answer}").format(answer=answer)


def _answer_button(t: Translator, meeting: Meeting) -> tuple[str, str]:
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    label = t._("Answer: {day}").format(day=local.strftime("%d.%m %H:%M"))
    return label, buttons.MeetingButton(meeting.id).pack()


def _when_label(t: Translator, meeting: Meeting, now: datetime) -> str:
    left = meeting.starts_at - now
    minutes = max(1, round(left.total_seconds() / 60))
    if minutes < 60:
        return t.n_(
            "Reminder: the meeting starts in {n} minute",
            "Reminder: the meeting starts in {n} minutes",
            minutes,
        )
    hours = round(minutes / 60)
    if hours < 36:
        return t.n_(
            "Reminder: the meeting starts in {n} hour",
            "Reminder: the meeting starts in {n} hours",
            hours,
        )
    return t.n_(
        "Reminder: the meeting is in {n} day",
        "Reminder: the meeting is in {n} days",
        round(hours / 24),
    )


async def _tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    scheduler: Scheduler = context.bot_data["scheduler"]
    await scheduler.tick()


async def _broadcast_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    broadcaster: Broadcaster = context.bot_data["broadcaster"]
    await broadcaster.run()


def start(app: Application) -> Scheduler:
    """Create the scheduler and the broadcaster, each with its repeating APScheduler job
    (through PTB's JobQueue). Separate jobs: a long announcement does not hold up reminders."""
    clock = lambda: app.bot_data.get("clock", utcnow)()  # noqa: E731 - tests move the clock
    settings: Settings = app.bot_data["settings"]
    scheduler = Scheduler(
        app.bot_data["db"],
        app.bot,
        clock=clock,
        retention_rules=settings.retention_rules,
        keep=settings.queue_keep,
    )
    app.bot_data["scheduler"] = scheduler
    app.bot_data["broadcaster"] = Broadcaster(app.bot_data["db"], app.bot, clock=clock)
    assert app.job_queue is not None, "install python-telegram-bot[job-queue]"
    app.job_queue.run_repeating(
        _broadcast_job,
        interval=TICK,
        first=0.7,
        name="announcements",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    app.job_queue.run_repeating(
        _tick_job,
        interval=TICK,
        first=0.5,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
    return scheduler
