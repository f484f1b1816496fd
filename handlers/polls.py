"""/termin: a date poll. The coordinator proposes dates, members tap, the best becomes a meeting."""

from __future__ import annotations

from datetime import datetime

from babel.dates import get_day_names

from bot.dates import WhenStatus, format_when, parse_when
from bot.i18n import Translator, translator
from bot.permissions import Action, Actor, PermissionDenied, allowed, require
from bot.render import esc
from bot.views import buttons
from bot.views.labels import vote_label
from handlers import typed_when
from handlers.base import Ctx
from handlers.meeting_card import post_cards
from storage import conversations, meetings, polls, teams
from storage.errors import DomainError, Problem
from storage.models import Answer, DatePoll, Member, PollState, Team

TEAM = "poll.team"  # waiting for a team button; keeps a one-line form typed meanwhile
PLACE = "poll.place"
SLOTS = "poll.slots"

VOTE_CODES = {"y": Answer.YES, "m": Answer.MAYBE, "n": Answer.NO}
MARKS = {Answer.YES: "✅", Answer.MAYBE: "❔", Answer.NO: "❌"}

Rows = list[list[tuple[str, str]]]
# Dates with vote buttons per page of a card: 4 vote rows, the ‹ › row and the coordinator's
# row keep a card within 6 rows, one phone screen.
PAGE = 4


def _local(poll: DatePoll, moment: datetime) -> datetime:
    return moment.astimezone(meetings.zone_of(poll.team))


def _short(t: Translator, local: datetime) -> str:
    """ "wt. 24.11": a button row of three has to fit a phone."""
    day = get_day_names("abbreviated", locale=t.language)[local.weekday()]
    return f"{day} {local.strftime('%d.%m')}"


def _counts_line(slot: polls.SlotTally) -> str:
    return " · ".join(f"{MARKS[a]} {slot.count(a)}" for a in (Answer.YES, Answer.MAYBE, Answer.NO))


def _heading(t: Translator, poll: DatePoll) -> list[str]:
    lines = [
        "📊 " + t._("Date poll of {team}").format(team=f"<b>{esc(poll.team.name)}</b>"),
        f"📍 {esc(poll.place or '')}",
    ]
    if poll.agenda:
        lines.append(f"📝 {esc(poll.agenda)}")
    return lines


def card_manage_rows(t: Translator, poll: DatePoll) -> Rows:
    # No "best date" here: a posted card is not refreshed by others' votes, results are.
    # One row: the dates' rows need the height.
    return [
        [
            (t._("Results"), buttons.PollResults(poll.id).pack()),
            (t._("Close the poll"), buttons.PollButton("x", poll.id).pack()),
        ]
    ]


def _page_of(tally: polls.Tally, slot_id: int) -> int:
    ids = [slot.slot_id for slot in tally.slots]
    return ids.index(slot_id) // PAGE if slot_id in ids else 0


def _page_row(poll: DatePoll, count: int, page: int) -> list[tuple[str, str]]:
    return buttons.page_row(count, PAGE, page, lambda p: buttons.PollPage(poll.id, p).pack())


def results_rows(t: Translator, tally: polls.Tally) -> Rows:
    poll = tally.poll
    rows: Rows = []
    if tally.best is not None:
        local = _local(poll, tally.best.starts_at)
        label = t._("Call the meeting: {when}").format(
            when=f"{_short(t, local)} {local.strftime('%H:%M')}"
        )
        rows.append([(label, buttons.PollCall(poll.id, tally.best.slot_id).pack())])
    rows.append([(t._("Another date…"), buttons.PollButton("c", poll.id).pack())])
    rows.append([(t._("Refresh"), buttons.PollResults(poll.id, "e").pack())])
    rows.append([(t._("Close the poll"), buttons.PollButton("x", poll.id).pack())])
    return rows


def render_card(
    t: Translator,
    tally: polls.Tally,
    mine: dict[int, Answer] | None = None,
    can_manage: bool = False,
    meeting_at: datetime | None = None,
    page: int = 0,
) -> tuple[str, Rows]:
    """The poll as a chat shows it; `mine` only on a voter's private card. The text lists
    every date; the buttons are those of one page of dates."""
    poll = tally.poll
    pages = max(1, -(-len(tally.slots) // PAGE))
    page = min(max(page, 0), pages - 1)
    lines = _heading(t, poll)
    closed = poll.state != PollState.OPEN
    if closed:
        lines.append("🔒 " + t._("The poll is closed."))
        if meeting_at is not None:
            lines.append(
                t._("Meeting called: {when}").format(
                    when=f"<b>{format_when(_local(poll, meeting_at), t.language)}</b>"
                )
            )
    else:
        legend = ", ".join(f"{MARKS[a]} {vote_label(t, a)}" for a in MARKS)
        lines.append(
            t._("Which dates suit you? Tap under each date: {legend}.").format(legend=legend)
        )
    rows: Rows = []
    for index, slot in enumerate(tally.slots, start=1):
        local = _local(poll, slot.starts_at)
        line = f"{_counts_line(slot)}"
        answer = (mine or {}).get(slot.slot_id)
        if answer is not None:
            line += " · " + t._("You: {answer}").format(answer=vote_label(t, answer))
        lines += ["", f"{index}. <b>{format_when(local, t.language)}</b>", line]
        if not closed and (index - 1) // PAGE == page:
            rows.append(
                [
                    (
                        ("• " if answer == vote else "")
                        + f"{MARKS[vote]} {index} {_short(t, local)}",
                        buttons.PollVote(slot.slot_id, code).pack(),
                    )
                    for code, vote in VOTE_CODES.items()
                ]
            )
    if not closed and pages > 1:
        rows.append(_page_row(poll, len(tally.slots), page))
    if can_manage and not closed:
        rows += card_manage_rows(t, poll)
    return "\n".join(lines), rows


def split_slots(text: str) -> list[str]:
    """Dates one per line or separated by ';' (commas belong to phrases: "jutro, o 10")."""
    return [part.strip() for line in text.splitlines() for part in line.split(";") if part.strip()]


def read_slots(texts: list[str], now: datetime, team: Team, language: str) -> list[datetime]:
    """Each typed date with its hour, read in the team's zone; a day alone is not enough to
    vote on."""
    local_now = now.astimezone(meetings.zone_of(team))
    moments: list[datetime] = []
    for text in (text.strip() for text in texts):
        if not text:
            continue
        when = parse_when(text, local_now, language)
        if when.status == WhenStatus.PAST:
            raise DomainError(Problem.POLL_SLOT_PAST, text=text)
        if when.status != WhenStatus.OK or when.value is None:
            raise DomainError(Problem.POLL_SLOT_INVALID, text=text)
        moments.append(when.value)
    return moments


def _may_run(actor: Actor, team_id: int) -> bool:
    return allowed(actor, Action.RUN_POLL, team_id)


async def _poll_teams(ctx: Ctx) -> list[Team]:
    if ctx.member is None:
        return []
    found = [
        await teams.get_team(ctx.session, m.team_id)
        for m in ctx.member.memberships
        if _may_run(ctx.actor, m.team_id)
    ]
    return sorted(found, key=lambda team: team.name)


def _after_command(ctx: Ctx) -> str:
    # The raw text, not ctx.args: dates may come one per line.
    message = ctx.update.effective_message
    text = message.text if message and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def new_poll(ctx: Ctx) -> None:
    """`/termin`, or in one go: `/termin MOPS sala 12; wtorek 14:30; środa 10`."""
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please start date polls in a private chat with me."))
        return
    if ctx.member is None or not ctx.member.memberships:
        ctx.reply(
            t._("You are not in any team yet. Ask your team's coordinator for an invitation link.")
        )
        return
    options = await _poll_teams(ctx)
    if not options:
        raise PermissionDenied(Action.RUN_POLL)
    line = _after_command(ctx)
    if len(options) > 1:
        await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, TEAM, {"line": line})
        picks = [(team.name, buttons.PollButton("t", team.id).pack()) for team in options]
        rows = buttons.grid(picks, 1 if len(picks) <= buttons.MAX_ROWS else 2)
        ctx.reply(t._("Which team is the date poll for?"), rows)
        return
    await _start(ctx, options[0], line)


async def _start(ctx: Ctx, team: Team, line: str, edit: bool = False) -> None:
    """A place and dates given: create at once; a place alone: ask the dates; dates alone:
    ask the place; else ask all."""
    place, dates = _place_and_dates(ctx, split_slots(line))
    if place and dates:  # too few dates are refused with the count, as documented
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        await _create(ctx, team, place, dates)
    elif place:
        await _ask_slots(ctx, team, meetings.check_place(place), edit)
    elif dates:  # the dates are kept while the place is asked
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, PLACE, {"team_id": team.id, "slots": dates}
        )
        text = ctx.t._("Where will the meeting be? Type the place.")
        ctx.edit(text) if edit else ctx.reply(text)
    else:
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, PLACE, {"team_id": team.id}
        )
        text = ctx.t._("Date poll for {team}. Where will the meeting be? Type the place.").format(
            team=f"<b>{esc(team.name)}</b>"
        )
        ctx.edit(text) if edit else ctx.reply(text)


def _place_and_dates(ctx: Ctx, parts: list[str]) -> tuple[str, list[str]]:
    """`place; date; date` as documented; else the dates wherever they stand ("wtorek 14:30;
    środa 10; MOPS", "MOPS sala 12 wtorek 14:30; środa 10"), the other words the place."""
    if not parts:
        return "", []
    now = ctx.now()
    found = [typed_when.read(ctx, part, now) for part in parts]
    whole = [f.status != WhenStatus.INVALID and f.source is None for f in found]
    documented = all(whole[1:]) and len(parts) > polls.MIN_SLOTS
    if not whole[0] and (documented or found[0].status == WhenStatus.INVALID):
        return parts[0], parts[1:]  # the first part is the place (it may hold "3 Maja 10")
    place: list[str] = []
    dates: list[str] = []
    for part, when in zip(parts, found, strict=True):
        if when.status == WhenStatus.INVALID or when.source is None:
            (place if when.status == WhenStatus.INVALID else dates).append(part)
            continue
        before, _, after = part.partition(when.source)
        dates.append(when.source)
        if rest := " ".join(f"{before} {after}".split()).strip(" ,.-–"):
            place.append(rest)
    return ", ".join(place), dates


def _kept(pending: dict[str, object]) -> list[str]:
    """Dates typed with /termin, kept while the rest is asked."""
    slots = pending.get("slots")
    return [str(slot) for slot in slots] if isinstance(slots, list) else []


async def _ask_slots(
    ctx: Ctx, team: Team, place: str, edit: bool = False, kept: list[str] | None = None
) -> None:
    data: dict[str, object] = {"team_id": team.id, "place": place}
    if kept:
        data["slots"] = kept  # dates typed with /termin: the answer adds to them
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, SLOTS, data)
    text = (
        ctx.t._(
            "Now the dates to choose from: {min} to {max}, each with its hour, one per line "
            "or separated by ;"
        ).format(min=polls.MIN_SLOTS, max=polls.MAX_SLOTS)
        + "\n"
        + ctx.t._("For example: {examples}.").format(
            examples=", ".join(f"<i>{e}</i>" for e in typed_when.examples(ctx)[1:4])
        )
    )
    if kept:
        text += "\n" + ctx.t._("Already given: {dates}").format(
            dates="; ".join(f"<i>{esc(d)}</i>" for d in kept)
        )
    ctx.edit(text) if edit else ctx.reply(text)


async def _pending(ctx: Ctx, expected: str) -> dict[str, object]:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != expected:
        raise DomainError(Problem.STALE_BUTTON)
    return pending.data


async def on_place(ctx: Ctx, text: str) -> None:
    pending = await _pending(ctx, PLACE)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    kept = _kept(pending)
    if len(kept) >= polls.MIN_SLOTS:
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        await _create(ctx, team, meetings.check_place(text), kept)
        return
    await _ask_slots(ctx, team, meetings.check_place(text), kept=kept)


async def on_slots(ctx: Ctx, text: str) -> None:
    pending = await _pending(ctx, SLOTS)
    team = await teams.get_team(ctx.session, int(str(pending["team_id"])))
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    # A refusal rolls back: the question stays open for a corrected list.
    kept = _kept(pending)
    await _create(ctx, team, str(pending["place"]), kept + split_slots(text))


async def _create(ctx: Ctx, team: Team, place: str, slots: list[str]) -> None:
    require(ctx.actor, Action.RUN_POLL, team.id)
    now = ctx.now()
    place = meetings.check_place(place)  # refused before the dates, as create_poll would
    times = read_slots(slots, now, team, ctx.t.language)
    poll = await polls.create_poll(ctx.session, team, times, place, None, ctx.member, now=now)
    tally = await polls.tally(ctx.session, poll.id, ctx.now())
    people = await meetings.team_members(ctx.session, team.id)
    t = ctx.t
    text = t.n_(
        "Date poll created. I am sending it to {n} person.",
        "Date poll created. I am sending it to {n} people.",
        len(people),
    )
    if team.chat_id is not None:
        text += " " + t._("And to the team's group.")
    ctx.reply(text)
    ctx.protect = team.protect_content  # the cards, not the note to the coordinator
    if team.chat_id is not None:
        ctx.reply(*render_card(translator(team.language), tally), chat_id=team.chat_id)
    for person in people:
        await _send_private_card(ctx, tally, person)


async def _send_private_card(ctx: Ctx, tally: polls.Tally, person: Member) -> None:
    role = await meetings.membership_of(ctx.session, tally.poll.team_id, person)
    actor = Actor(
        person.telegram_id,
        person.telegram_id in ctx.settings.bot_admin_ids,
        {tally.poll.team_id: role.role} if role else {},
    )
    t = translator(person.language)
    text, rows = render_card(t, tally, {}, _may_run(actor, tally.poll.team_id))
    ctx.reply(text, rows, chat_id=person.telegram_id)


async def on_button(ctx: Ctx) -> None:
    """`pl:v:<slot>:<y|m|n>` vote; `pl:p:<poll>:<page>` a page of dates; `pl:t:<team>`;
    `pl:<r|m|c|x|xx>:<poll>[:<slot>]`."""
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(
        raw,
        buttons.PollVote,
        buttons.PollPage,
        buttons.PollCall,
        buttons.PollResults,
        buttons.PollButton,
    )
    if isinstance(button, buttons.PollVote):
        await _on_vote(ctx, button.slot_id, button.code)
        return
    if isinstance(button, buttons.PollPage):
        await _on_page(ctx, button.poll_id, button.page)
        return
    if isinstance(button, buttons.PollButton) and button.action == "t":
        if not ctx.is_private:  # asked only in a private chat; drawn in a group it names teams
            raise DomainError(Problem.STALE_BUTTON)
        team = await teams.get_team(ctx.session, button.target_id)
        require(ctx.actor, Action.RUN_POLL, team.id)
        pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
        line = str(pending.data.get("line", "")) if pending and pending.name == TEAM else ""
        await _start(ctx, team, line, edit=True)
        return
    poll_id = button.target_id if isinstance(button, buttons.PollButton) else button.poll_id
    poll = await polls.load_poll(ctx.session, poll_id)
    require(ctx.actor, Action.RUN_POLL, poll.team_id)
    ctx.ensure_team_chat(poll.team.chat_id)
    if isinstance(button, buttons.PollResults):
        # From the card: a new message; "Refresh" on the results: the same one, updated.
        await _show_results(ctx, poll, edit=button.edit is not None)
        return
    if isinstance(button, buttons.PollCall):
        await _call_meeting(ctx, poll, button.slot_id)
        return
    action = button.action
    if action == "c":
        await _choose_slot(ctx, poll)
    elif action == "x":
        polls.ensure_open(poll)
        ctx.reply(
            ctx.t._("Close the poll without calling a meeting?"),
            [[(ctx.t._("Yes, close it"), buttons.PollButton("xx", poll.id).pack())]],
        )
    elif action == "xx":
        await polls.close_poll(ctx.session, poll.id, actor_telegram_id=ctx.user.id)
        ctx.edit(ctx.t._("The poll is closed."))
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def _on_vote(ctx: Ctx, slot_id: int, code: str) -> None:
    answer = VOTE_CODES.get(code)
    if answer is None:
        raise DomainError(Problem.STALE_BUTTON)
    slot = await polls.load_slot(ctx.session, slot_id)
    poll = await polls.load_poll(ctx.session, slot.poll_id)
    require(ctx.actor, Action.ANSWER_MEETING, poll.team_id)
    ctx.ensure_team_chat(poll.team.chat_id)
    changed = await polls.vote(ctx.session, slot_id, ctx.member, answer)
    ctx.notice(ctx.t._("Saved: {answer}").format(answer=vote_label(ctx.t, answer)))
    if not changed:
        return
    tally = await polls.tally(ctx.session, poll.id, ctx.now())
    await _redraw(ctx, poll, tally, _page_of(tally, slot_id))


async def _on_page(ctx: Ctx, poll_id: int, page: int) -> None:
    """`pl:p:<poll>:<page>`: the card's buttons for another page of dates."""
    poll = await polls.load_poll(ctx.session, poll_id)
    require(ctx.actor, Action.ANSWER_MEETING, poll.team_id)
    ctx.ensure_team_chat(poll.team.chat_id)
    await _redraw(ctx, poll, await polls.tally(ctx.session, poll.id, ctx.now()), page)


async def _redraw(ctx: Ctx, poll: DatePoll, tally: polls.Tally, page: int) -> None:
    if ctx.is_private:
        mine = await polls.my_votes(ctx.session, poll.id, ctx.member)
        can_manage = _may_run(ctx.actor, poll.team_id)
        ctx.edit(*render_card(ctx.t, tally, mine, can_manage, page=page))
    else:
        # A group card shows no one's own answers, in the team's language.
        ctx.edit(*render_card(translator(poll.team.language), tally, page=page))


def _institutions(t: Translator, groups: dict[str | None, list[str]]) -> str:
    return "; ".join(
        f"{esc(name) if name else t._('Institution not given')} "
        f"({', '.join(esc(n) for n in sorted(groups[name]))})"
        for name in sorted(groups, key=lambda i: (i is None, i or ""))
    )


async def _show_results(ctx: Ctx, poll: DatePoll, edit: bool = False) -> None:
    """For each date: counts, which institutions said yes or maybe; who has not voted."""
    t = ctx.t
    tally = await polls.tally(ctx.session, poll.id, ctx.now())
    lines = ["📊 " + t._("Results of the date poll of {team}").format(team=esc(poll.team.name))]
    for index, slot in enumerate(tally.slots, start=1):
        star = "⭐ " if tally.best is not None and slot.slot_id == tally.best.slot_id else ""
        when = format_when(_local(poll, slot.starts_at), t.language)
        lines += ["", f"{star}{index}. <b>{when}</b>", _counts_line(slot)]
        for answer in (Answer.YES, Answer.MAYBE):
            groups = slot.by_answer.get(answer)
            if groups:
                lines.append(f"{MARKS[answer]} <i>{vote_label(t, answer)}</i>: ")
                lines[-1] += _institutions(t, groups)
    lines += ["", "<b>" + t._("No vote yet") + f"</b> ({len(tally.silent)})"]
    if tally.silent:
        lines.append(", ".join(esc(n) for n in tally.silent))
    if poll.state != PollState.OPEN:
        lines += ["", "🔒 " + t._("The poll is closed.")]
    rows = results_rows(t, tally) if poll.state == PollState.OPEN else []
    ctx.edit("\n".join(lines), rows) if edit else ctx.reply("\n".join(lines), rows)


async def _choose_slot(ctx: Ctx, poll: DatePoll) -> None:
    polls.ensure_open(poll)
    t = ctx.t
    now = ctx.now()
    rows: Rows = [
        [
            (
                f"{index}. {format_when(_local(poll, slot.starts_at), t.language)}",
                buttons.PollCall(poll.id, slot.id).pack(),
            )
        ]
        for index, slot in enumerate(poll.slots, start=1)
        if slot.starts_at > now
    ]
    if not rows:
        raise DomainError(Problem.MEETING_IN_PAST)
    ctx.reply(t._("Which date should the meeting be?"), rows)


async def _call_meeting(ctx: Ctx, poll: DatePoll, slot_id: int) -> None:
    meeting = await polls.to_meeting(ctx.session, poll.id, slot_id, ctx.member, now=ctx.now())
    meeting = await meetings.load_meeting(ctx.session, meeting.id)
    poll = await polls.load_poll(ctx.session, poll.id)
    tally = await polls.tally(ctx.session, poll.id, ctx.now())
    text, _ = render_card(ctx.t, tally, meeting_at=meeting.starts_at)
    ctx.edit(text + "\n\n" + ctx.t._("I am sending the meeting card to the team."))
    carried = frozenset(await polls.carried_answers(ctx.session, meeting))
    await post_cards(ctx, meeting, carried=carried)
