"""The meeting card: what a meeting looks like in a chat, and keeping posted cards current."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, ContextTypes

from bot.i18n import Translator, translator
from bot.permissions import Actor
from bot.views.keyboard import edit_request, keyboard, message_request
from bot.views.meeting_card import CardState, may_change, render_card
from handlers.base import Ctx
from storage import audience, meetings
from storage.db import Database, connection_lost
from storage.members import find_member
from storage.models import Answer, Meeting

log = logging.getLogger(__name__)


async def card_for(
    ctx: Ctx, meeting: Meeting, private: bool, mine: Answer | None = None
) -> tuple[str, list[list[tuple[str, str]]]]:
    """The card as `ctx`'s member sees it; `mine`: their answer, when the caller knows it."""
    counts = await meetings.counts(ctx.session, meeting.id)
    if private and mine is None:
        mine = await meetings.my_answer(ctx.session, meeting.id, ctx.member)
    return render_card(
        ctx.t,
        CardState(
            meeting, counts, mine if private else None, private and may_change(ctx.actor, meeting)
        ),
    )


async def post_cards(
    ctx: Ctx, meeting: Meeting, *, include_group: bool = True, carried: frozenset[int] = frozenset()
) -> None:
    """Queue the card to the team's group and privately to everyone invited (the team's
    members and those of the teams it invites), remembering each; `carried`: member ids whose
    answer came from a date poll."""
    counts = await meetings.counts(ctx.session, meeting.id)
    targets: list[tuple[int, Translator, CardState]] = []
    if include_group and meeting.team.chat_id is not None:
        group_t = translator(meeting.team.language)
        targets.append((meeting.team.chat_id, group_t, CardState(meeting, counts)))
    for member in await audience.members(ctx.session, meeting):
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
    context: ContextTypes.DEFAULT_TYPE | Application,
    chat_id: int,
    message_id: int,
    text: str,
    rows: list[list[tuple[str, str]]],
) -> Callable[[], Awaitable[None]]:
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

    def mark(self, app: Application, meeting_id: int, chat_id: int, message_id: int) -> None:
        key = (chat_id, message_id)
        if not app.running:
            return  # stopping: nobody would await the flush; the next answer redraws the card
        if key in self.dirty:
            return  # a flush is already waiting; it will read the newest state
        self.dirty.add(key)
        every = self.every if chat_id > 0 else self.group_every
        wait = max(0.0, self.last.get(key, -1e9) + every - time.monotonic())
        app.create_task(self._flush(app, meeting_id, key, wait), name=f"live-card-{chat_id}")

    async def _flush(
        self,
        app: Application,
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


def live_cards(app: Application) -> LiveCards:
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


def _marker(
    app: Application, meeting_id: int, key: tuple[int, int]
) -> Callable[[], Awaitable[None]]:
    async def mark() -> None:
        live_cards(app).mark(app, meeting_id, *key)

    return mark
