"""The meeting card: what a meeting looks like in a chat, and keeping posted cards current."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.dates import get_day_names
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ContextTypes

from bot.dates import format_when
from bot.dates.formatting import format_span
from bot.i18n import Translator, translator
from bot.permissions import Action, Actor, allowed
from bot.render import esc
from handlers import buttons
from handlers.base import Ctx, edit_request, keyboard, message_request
from storage import meetings
from storage.db import Database, connection_lost
from storage.members import find_member
from storage.models import Answer, Meeting, MeetingStatus
from storage.recurrence import LOCAL_FORMAT, Preset

log = logging.getLogger(__name__)

ANSWER_CODES = {"y": Answer.YES, "m": Answer.MAYBE, "n": Answer.NO}


def answer_label(t: Translator, answer: Answer) -> str:
    return {
        Answer.YES: t._("I'll come"),
        Answer.MAYBE: t._("Maybe"),
        Answer.NO: t._("I can't come"),
    }[answer]


def repeat_label(t: Translator, rule: str, weekday: int) -> str:
    day = get_day_names("wide", locale=t.language)[weekday]
    if "INTERVAL=2" in rule:
        return t._("every two weeks")
    if rule == "FREQ=WEEKLY":
        return t._("every week")
    if "+1" in rule and "+3" in rule:
        return t._("1st and 3rd {weekday} of the month").format(weekday=day)
    if "+2" in rule and "+4" in rule:
        return t._("2nd and 4th {weekday} of the month").format(weekday=day)
    return t._("every month")


def preset_label(t: Translator, preset: Preset, weekday: int) -> str:
    day = get_day_names("wide", locale=t.language)[weekday]
    return {
        Preset.WEEKLY: t._("every week"),
        Preset.BIWEEKLY: t._("every two weeks"),
        Preset.FIRST_THIRD: t._("1st and 3rd {weekday} of the month").format(weekday=day),
        Preset.SECOND_FOURTH: t._("2nd and 4th {weekday} of the month").format(weekday=day),
        Preset.MONTHLY: t._("every month"),
    }[preset]


@dataclass(frozen=True)
class CardState:
    meeting: Meeting
    counts: meetings.Counts
    mine: Answer | None = None  # the viewer's answer, on a private card
    can_manage: bool = False
    answers_reset: bool = False  # the time has just changed: everyone is asked again
    carried: bool = False  # `mine` came from the viewer's vote in the date poll


def series_weekday(meeting: Meeting) -> int:
    """The series' own weekday: a moved occurrence of "2. i 4. wtorek" stays a Tuesday one."""
    assert meeting.series is not None
    return datetime.strptime(meeting.series.local_start, LOCAL_FORMAT).weekday()


def render_card(t: Translator, state: CardState) -> tuple[str, list[list[tuple[str, str]]]]:
    meeting = state.meeting
    zone = meetings.zone_of(meeting)
    local = meeting.starts_at.astimezone(zone)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    heading = t._("Meeting of {team}").format(team=f"<b>{esc(meeting.team.name)}</b>")
    cancelled_mark = t._("CANCELLED")
    lines = [f"❌ <b>{cancelled_mark}</b> — {heading}" if cancelled else heading]
    end = local + timedelta(minutes=meeting.duration_minutes)
    lines.append(f"🗓 {format_span(local, end, t.language)}")
    lines.append(f"📍 {esc(meeting.place)}")
    if meeting.agenda:
        lines.append(f"📝 {esc(meeting.agenda)}")
    if meeting.series is not None:
        lines.append("🔁 " + repeat_label(t, meeting.series.rule, series_weekday(meeting)))
        original = meetings.moved_from(meeting)
        if original is not None:
            lines.append(
                "↪ "
                + t._("moved from {day}").format(
                    day=format_when(original, t.language, with_time=False)
                )
            )
    if meeting.holiday:
        lines.append("⚠️ " + t._("Public holiday: {name}").format(name=esc(meeting.holiday)))
    if meeting.created_by is not None:
        lines.append(t._("Called by: {name}").format(name=esc(meeting.created_by.name)))
    c = state.counts
    lines.append(f"✅ {c.yes} · ❔ {c.maybe} · ❌ {c.no}")
    if state.answers_reset and not cancelled:
        lines.append("🔄 " + t._("Answers were reset after the change: please answer again."))
    if c.open_task_count and not cancelled:
        lines.append("📌 " + t._("Open tasks of the team ({n}):").format(n=c.open_task_count))
        lines += [f"• {esc(task)}" for task in c.open_tasks]
        if c.open_task_count > len(c.open_tasks):
            lines.append("• … /zadania")
    if state.mine is not None:
        answer = answer_label(t, state.mine)
        if state.carried:
            answer = t._("{answer} (from the poll)").format(answer=answer)
        lines.append(t._("Your answer: {answer}").format(answer=answer))
    if cancelled:
        return "\n".join(lines), []
    answer_row = [
        (
            ("✓ " if state.mine == answer else "") + answer_label(t, answer),
            # The version: a button of an earlier state of the meeting changes nothing.
            buttons.data("rv", meeting.id, code, meeting.sequence),
        )
        for code, answer in ANSWER_CODES.items()
    ]
    rows = [
        answer_row,
        [
            (t._("Add to calendar"), buttons.data("ic", meeting.id)),
            (t._("Who's coming"), buttons.data("at", meeting.id)),
        ],
    ]
    if state.can_manage:
        rows.append([(t._("Manage"), buttons.data("mg", meeting.id))])
    return "\n".join(lines), rows


def may_change(actor: Actor, meeting: Meeting) -> bool:
    author = meeting.created_by.telegram_id if meeting.created_by else None
    return allowed(actor, Action.CHANGE_MEETING, meeting.team_id, author_telegram_id=author)


async def card_for(
    ctx: Ctx, meeting: Meeting, private: bool
) -> tuple[str, list[list[tuple[str, str]]]]:
    counts = await meetings.counts(ctx.session, meeting.id)
    mine = await meetings.my_answer(ctx.session, meeting.id, ctx.member) if private else None
    return render_card(
        ctx.t, CardState(meeting, counts, mine, private and may_change(ctx.actor, meeting))
    )


async def post_cards(
    ctx: Ctx, meeting: Meeting, *, include_group: bool = True, carried: frozenset[int] = frozenset()
) -> None:
    """Queue the card to the team's group and privately to every member, remembering each;
    `carried`: member ids whose answer came from a date poll."""
    counts = await meetings.counts(ctx.session, meeting.id)
    targets: list[tuple[int, Translator, CardState]] = []
    if include_group and meeting.team.chat_id is not None:
        group_t = translator(meeting.team.language)
        targets.append((meeting.team.chat_id, group_t, CardState(meeting, counts)))
    for member in await meetings.team_members(ctx.session, meeting.team_id):
        role = await meetings.membership_of(ctx.session, meeting.team_id, member)
        actor = Actor(
            member.telegram_id,
            member.telegram_id in ctx.settings.bot_admin_ids,
            {meeting.team_id: role.role} if role else {},
        )
        mine = await meetings.my_answer(ctx.session, meeting.id, member)
        t = translator(member.language)
        targets.append(
            (
                member.telegram_id,
                t,
                CardState(
                    meeting,
                    counts,
                    mine,
                    may_change(actor, meeting),
                    carried=mine is not None and member.id in carried,
                ),
            )
        )
    for chat_id, t, state in targets:
        text, rows = render_card(t, state)
        protect = meeting.team.protect_content
        ctx.outbox.append(message_request(chat_id, text, rows, protect, after={"card": meeting.id}))


async def refresh_cards(
    ctx: Ctx,
    meeting: Meeting,
    *,
    skip_message: tuple[int, int] | None = None,
    answers_reset: bool = False,
) -> None:
    """Queue edits of the posted cards so their counts and details are current."""
    counts = await meetings.counts(ctx.session, meeting.id)
    for card in await meetings.cards_of(ctx.session, meeting.id):
        if skip_message == (card.chat_id, card.message_id):
            continue
        if card.chat_id < 0:
            text, rows = render_card(
                translator(meeting.team.language),
                CardState(meeting, counts, answers_reset=answers_reset),
            )
        else:
            owner = await find_member(ctx.session, card.chat_id)
            mine = await meetings.my_answer(ctx.session, meeting.id, owner)
            t = translator(owner.language if owner else None)
            actor = Actor.of(card.chat_id, owner, ctx.settings.bot_admin_ids)
            state = CardState(meeting, counts, mine, may_change(actor, meeting), answers_reset)
            text, rows = render_card(t, state)
        ctx.outbox.append(edit_request(card.chat_id, card.message_id, text, rows))


def _edit_card(
    context: ContextTypes.DEFAULT_TYPE | Application,  # type: ignore[type-arg]
    chat_id: int,
    message_id: int,
    text: str,
    rows: list[list[tuple[str, str]]],
):  # type: ignore[no-untyped-def]
    async def edit() -> None:
        try:
            await context.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(rows),
                disable_web_page_preview=True,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message and "not found" not in exc.message:
                raise
        except Forbidden:
            log.info("card in chat %s can no longer be edited", chat_id)

    return edit


# The caller's and coordinators' own cards and the group's card follow the answers live, but
# each is edited at most once per LIVE_EVERY (private) or GROUP_EVERY seconds: 50 answers at
# once must not become 50 edits, and a group takes 20 messages a minute. An answer marks the
# card dirty, one delayed flush renders the state of that moment. The flush reads after
# un-marking, so the last state always shows.
LIVE_EVERY = 10.0
GROUP_EVERY = 3.0


@dataclass
class LiveCards:
    every: float = LIVE_EVERY
    group_every: float = GROUP_EVERY
    last: dict[tuple[int, int], float] = field(default_factory=dict)
    dirty: set[tuple[int, int]] = field(default_factory=set)
    edits: int = 0  # of private cards, sent so far (the benchmark's figure)
    group_edits: int = 0

    def mark(self, app: Application, meeting_id: int, chat_id: int, message_id: int) -> None:  # type: ignore[type-arg]
        key = (chat_id, message_id)
        if key in self.dirty:
            return  # a flush is already waiting; it will read the newest state
        self.dirty.add(key)
        every = self.every if chat_id > 0 else self.group_every
        wait = max(0.0, self.last.get(key, -1e9) + every - time.monotonic())
        app.create_task(self._flush(app, meeting_id, key, wait), name=f"live-card-{chat_id}")

    async def _flush(
        self,
        app: Application,  # type: ignore[type-arg]
        meeting_id: int,
        key: tuple[int, int],
        wait: float,
    ) -> None:
        await asyncio.sleep(wait)
        self.dirty.discard(key)
        self.last[key] = time.monotonic()
        chat_id, message_id = key
        db: Database = app.bot_data["db"]
        admins = app.bot_data["settings"].bot_admin_ids
        try:
            async with db.session() as session:
                meeting = await meetings.load_meeting(session, meeting_id)
                counts = await meetings.counts(session, meeting_id)
                if chat_id < 0:  # the group's card: no one's own answer
                    group_t = translator(meeting.team.language)
                    text, rows = render_card(group_t, CardState(meeting, counts))
                else:
                    owner = await find_member(session, chat_id)
                    mine = await meetings.my_answer(session, meeting_id, owner)
                    t = translator(owner.language if owner else None)
                    actor = Actor.of(chat_id, owner, admins)
                    text, rows = render_card(
                        t, CardState(meeting, counts, mine, may_change(actor, meeting))
                    )
        except Exception as error:
            if not connection_lost(error):
                raise
            log.warning("live card %s not refreshed: %s", key, error)
            return
        if chat_id < 0:
            self.group_edits += 1
        else:
            self.edits += 1
        await _edit_card(app, chat_id, message_id, text, rows)()


def live_cards(app: Application) -> LiveCards:  # type: ignore[type-arg]
    return app.bot_data.setdefault("live_cards", LiveCards())


async def refresh_watchers(
    ctx: Ctx, meeting: Meeting, *, skip_message: tuple[int, int] | None = None
) -> None:
    """Queue a throttled refresh of the group's card and of the caller's and coordinators'
    private cards."""
    watching = set(await meetings.watchers(ctx.session, meeting))
    app = ctx.context.application
    for card in await meetings.cards_of(ctx.session, meeting.id):
        key = (card.chat_id, card.message_id)
        if (card.chat_id < 0 or card.chat_id in watching) and key != skip_message:
            ctx.after_commit.append(_marker(app, meeting.id, key))


def _marker(app: Application, meeting_id: int, key: tuple[int, int]):  # type: ignore[no-untyped-def, type-arg]
    async def mark() -> None:
        live_cards(app).mark(app, meeting_id, *key)

    return mark


async def day_before_summary(
    session: AsyncSession, meeting: Meeting, chat_id: int, t: Translator
) -> tuple[str, list[list[tuple[str, str]]]]:
    """The caller's and coordinators' summary the day before: who comes, by institution, and
    who has not answered, with the one-tap nudge (which never reaches the reader)."""
    found = await meetings.attendance(session, meeting)
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    heading = t._("Tomorrow: {team}").format(team=esc(meeting.team.name))
    lines = [f"📋 <b>{heading}</b>", f"🗓 {format_when(local, t.language)} · {esc(meeting.place)}"]
    for answer in (Answer.YES, Answer.MAYBE):
        groups = found.by_answer.get(answer, {})
        total = sum(len(names) for names in groups.values())
        lines += ["", f"<b>{answer_label(t, answer)}</b> ({total})"]
        for institution in sorted(groups, key=lambda i: (i is None, i or "")):
            label = esc(institution) if institution else t._("Institution not given")
            names = ", ".join(esc(n) for n in sorted(groups[institution]))
            lines.append(f"<i>{label}</i>: {names}")
    declined = sum(len(names) for names in found.by_answer.get(Answer.NO, {}).values())
    lines += ["", f"<b>{answer_label(t, Answer.NO)}</b> ({declined})"]
    silent = sorted(name for tg, name in found.silent if tg != chat_id)
    lines += ["", "<b>" + t._("No answer yet") + f"</b> ({len(silent)})"]
    if silent:
        lines.append(", ".join(esc(n) for n in silent))
    rows = []
    if silent:
        rows = [[(t._("Remind those who have not answered"), buttons.data("nd", meeting.id))]]
    return "\n".join(lines), rows
