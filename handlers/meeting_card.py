"""The meeting card: what a meeting looks like in a chat, and keeping posted cards current."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from babel.dates import get_day_names
from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.dates.formatting import format_span
from bot.i18n import Translator, pick_language, translator
from bot.permissions import Action, Actor, allowed
from bot.render import esc
from handlers import buttons
from handlers.base import Ctx, keyboard
from storage import meetings
from storage.db import Database, connection_lost
from storage.members import find_member
from storage.models import Answer, Meeting, MeetingStatus
from storage.recurrence import Preset

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
        lines.append("🔁 " + repeat_label(t, meeting.series.rule, local.weekday()))
    if meeting.holiday:
        lines.append("⚠️ " + t._("Public holiday: {name}").format(name=esc(meeting.holiday)))
    if meeting.created_by is not None:
        lines.append(t._("Called by: {name}").format(name=esc(meeting.created_by.name)))
    c = state.counts
    lines.append(f"✅ {c.yes} · ❔ {c.maybe} · ❌ {c.no}")
    if c.open_task_count and not cancelled:
        lines.append("📌 " + t._("Open tasks of the team ({n}):").format(n=c.open_task_count))
        lines += [f"• {esc(task)}" for task in c.open_tasks]
        if c.open_task_count > len(c.open_tasks):
            lines.append("• … /zadania")
    if state.mine is not None:
        lines.append(t._("Your answer: {answer}").format(answer=answer_label(t, state.mine)))
    if cancelled:
        return "\n".join(lines), []
    answer_row = [
        (
            ("✓ " if state.mine == answer else "") + answer_label(t, answer),
            buttons.data("rv", meeting.id, code),
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


async def post_cards(ctx: Ctx, meeting: Meeting, *, include_group: bool = True) -> None:
    """Queue the card to the team's group and privately to every member, remembering each."""
    counts = await meetings.counts(ctx.session, meeting.id)
    targets: list[tuple[int, Translator, CardState]] = []
    if include_group and meeting.team.chat_id is not None:
        targets.append((meeting.team.chat_id, translator("pl"), CardState(meeting, counts)))
    for member in await meetings.team_members(ctx.session, meeting.team_id):
        role = await meetings.membership_of(ctx.session, meeting.team_id, member)
        actor = Actor(
            member.telegram_id,
            member.telegram_id in ctx.settings.bot_admin_ids,
            {meeting.team_id: role.role} if role else {},
        )
        mine = await meetings.my_answer(ctx.session, meeting.id, member)
        t = translator(pick_language(member.language, None))
        targets.append(
            (member.telegram_id, t, CardState(meeting, counts, mine, may_change(actor, meeting)))
        )
    for chat_id, t, state in targets:
        text, rows = render_card(t, state)
        ctx.outbox.append(
            _send_and_remember(
                ctx.context, meeting.id, chat_id, text, rows, meeting.team.protect_content
            )
        )


def _send_and_remember(
    context: ContextTypes.DEFAULT_TYPE,
    meeting_id: int,
    chat_id: int,
    text: str,
    rows: list[list[tuple[str, str]]],
    protect: bool,
):  # type: ignore[no-untyped-def]
    async def send() -> None:
        try:
            message = await context.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(rows),
                disable_web_page_preview=True,
                protect_content=protect,
            )
        except Forbidden:
            log.info("meeting %s: chat %s cannot be reached", meeting_id, chat_id)
            return
        await remember(context, meeting_id, message)

    return send


async def remember(context: ContextTypes.DEFAULT_TYPE, meeting_id: int, message: Message) -> None:
    """Note where a card went, so that changes edit it. Runs after the card was sent: with the
    database away, the card just stays as sent (no apology for an answer already given)."""
    db: Database = context.application.bot_data["db"]
    try:
        async with db.session() as session:
            await meetings.remember_card(session, meeting_id, message.chat.id, message.message_id)
    except Exception as error:
        if not connection_lost(error):
            raise
        log.warning("meeting %s: card in %s not remembered: %s", meeting_id, message.chat.id, error)


async def refresh_cards(
    ctx: Ctx,
    meeting: Meeting,
    *,
    skip_message: tuple[int, int] | None = None,
    groups_only: bool = False,
) -> None:
    """Queue edits of the posted cards so their counts and details are current."""
    counts = await meetings.counts(ctx.session, meeting.id)
    for card in await meetings.cards_of(ctx.session, meeting.id):
        if skip_message == (card.chat_id, card.message_id):
            continue
        if card.chat_id < 0:
            text, rows = render_card(translator("pl"), CardState(meeting, counts))
        elif groups_only:
            continue
        else:
            owner = await find_member(ctx.session, card.chat_id)
            mine = await meetings.my_answer(ctx.session, meeting.id, owner)
            t = translator(pick_language(owner.language if owner else None, None))
            actor = Actor.of(card.chat_id, owner, ctx.settings.bot_admin_ids)
            text, rows = render_card(
                t, CardState(meeting, counts, mine, may_change(actor, meeting))
            )
        ctx.outbox.append(_edit_card(ctx.context, card.chat_id, card.message_id, text, rows))


def _edit_card(
    context: ContextTypes.DEFAULT_TYPE,
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
