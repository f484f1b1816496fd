"""Date polls: a coordinator proposes 2-6 dates, members vote, the best one becomes a meeting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, meetings
from storage.db import rowcount
from storage.errors import DomainError, Problem
from storage.models import (
    Answer,
    DatePoll,
    Institution,
    Meeting,
    Member,
    Membership,
    PollSlot,
    PollState,
    PollVote,
    Rsvp,
    Team,
    utcnow,
)

MIN_SLOTS = 2
MAX_SLOTS = 6


def _zone(team: Team) -> ZoneInfo:
    return ZoneInfo(team.municipality.timezone)


def _slot_times(slots: Sequence[datetime], now: datetime, zone: ZoneInfo) -> list[datetime]:
    # Typed dates are read, and a past one refused in the words typed, by handlers/polls.py;
    # "before now" as parse_when has it (the present moment is not past).
    found: set[datetime] = set()
    for moment in slots:
        if moment < now:
            raise DomainError(Problem.POLL_SLOT_PAST, at=moment.astimezone(zone))
        found.add(moment)  # aware datetimes compare by instant: duplicates count once
    if not MIN_SLOTS <= len(found) <= MAX_SLOTS:
        raise DomainError(Problem.POLL_SLOT_COUNT, min=MIN_SLOTS, max=MAX_SLOTS, count=len(found))
    return sorted(found)


async def create_poll(
    session: AsyncSession,
    team: Team,
    slots: Sequence[datetime],
    place: str,
    agenda: str | None,
    created_by: Member | None,
    *,
    now: datetime | None = None,
) -> DatePoll:
    """A new open poll at the given aware times (typed dates are read by the handler)."""
    now = now or utcnow()
    place, agenda = meetings.check_place(place), meetings.check_agenda(agenda)
    times = _slot_times(slots, now, _zone(team))
    poll = DatePoll(
        team_id=team.id,
        place=place,
        agenda=agenda,
        state=PollState.OPEN,
        created_by_id=created_by.id if created_by else None,
        slots=[PollSlot(starts_at=moment) for moment in times],
    )
    session.add(poll)
    await session.flush()
    audit.record(
        session,
        "poll.create",
        actor_telegram_id=created_by.telegram_id if created_by else None,
        team_id=team.id,
        poll_id=poll.id,
        slots=len(times),
    )
    return await load_poll(session, poll.id)


async def load_poll(session: AsyncSession, poll_id: int) -> DatePoll:
    poll = await session.scalar(
        select(DatePoll)
        .where(DatePoll.id == poll_id)
        .options(
            selectinload(DatePoll.team).selectinload(Team.municipality),
            selectinload(DatePoll.slots),
        )
        .execution_options(populate_existing=True)
    )
    if poll is None:
        raise DomainError(Problem.POLL_UNKNOWN)
    return poll


async def load_slot(session: AsyncSession, slot_id: int) -> PollSlot:
    slot = await session.get(PollSlot, slot_id)
    if slot is None:
        raise DomainError(Problem.POLL_UNKNOWN)
    return slot


def ensure_open(poll: DatePoll) -> None:
    if poll.state != PollState.OPEN:
        raise DomainError(Problem.POLL_CLOSED)


async def _claim(session: AsyncSession, poll: DatePoll) -> None:
    """Close the poll only if it is still open: two coordinators tapping at once make one
    meeting, not two (the loser's transaction sees no row to change)."""
    result = await session.execute(
        update(DatePoll)
        .where(DatePoll.id == poll.id, DatePoll.state == PollState.OPEN)
        .values(state=PollState.CLOSED)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise DomainError(Problem.POLL_CLOSED)
    poll.state = PollState.CLOSED


async def vote(session: AsyncSession, slot_id: int, member: Member | None, answer: Answer) -> bool:
    """A member's answer for one date; a new answer replaces the old. False: no change."""
    slot = await load_slot(session, slot_id)
    poll = await load_poll(session, slot.poll_id)
    ensure_open(poll)
    if await meetings.membership_of(session, poll.team_id, member) is None:
        raise DomainError(Problem.NOT_IN_TEAM)
    assert member is not None
    current = await session.get(PollVote, (slot.id, member.id))
    if current is not None and current.answer == answer:
        return False
    if current is None:
        session.add(PollVote(slot_id=slot.id, member_id=member.id, answer=answer))
    else:
        current.answer, current.voted_at = answer, utcnow()
    await session.flush()
    return True


async def my_votes(session: AsyncSession, poll_id: int, member: Member | None) -> dict[int, Answer]:
    """slot id -> the member's answer."""
    if member is None:
        return {}
    rows = await session.execute(
        select(PollVote.slot_id, PollVote.answer)
        .join(PollSlot, PollSlot.id == PollVote.slot_id)
        .where(PollSlot.poll_id == poll_id, PollVote.member_id == member.id)
    )
    return {slot_id: answer for slot_id, answer in rows.all()}


@dataclass
class SlotTally:
    slot_id: int
    starts_at: datetime
    # answer -> institution name (None: not given) -> names of the people who gave it
    by_answer: dict[Answer, dict[str | None, list[str]]] = field(default_factory=dict)

    def count(self, answer: Answer) -> int:
        return sum(len(names) for names in self.by_answer.get(answer, {}).values())

    @property
    def rank(self) -> tuple[int, int, float]:
        # Most "pasuje", then most "ewentualnie", then the earliest.
        return (-self.count(Answer.YES), -self.count(Answer.MAYBE), self.starts_at.timestamp())


@dataclass
class Tally:
    poll: DatePoll
    slots: list[SlotTally]
    silent: list[str]  # names of members who have not voted on any date
    best: SlotTally | None  # None when every date has passed


async def tally(session: AsyncSession, poll_id: int, now: datetime | None = None) -> Tally:
    """Votes per date, grouped by institution; the best date among those still ahead."""
    poll = await load_poll(session, poll_id)
    now = now or utcnow()
    by_slot = {s.id: SlotTally(s.id, s.starts_at) for s in poll.slots}
    rows = (
        await session.execute(
            select(Member.id, Member.name, Institution.name, PollVote.slot_id, PollVote.answer)
            .join(Membership, Membership.member_id == Member.id)
            .outerjoin(Institution, Member.institution_id == Institution.id)
            .outerjoin(
                PollVote,
                (PollVote.member_id == Member.id) & PollVote.slot_id.in_(list(by_slot)),
            )
            .where(Membership.team_id == poll.team_id)
        )
    ).all()
    voted: set[int] = set()
    names: dict[int, str] = {}
    for member_id, name, institution, slot_id, answer in rows:
        names[member_id] = name
        if slot_id is None:
            continue
        voted.add(member_id)
        group = by_slot[slot_id].by_answer.setdefault(answer, {})
        group.setdefault(institution, []).append(name)
    slots = [by_slot[s.id] for s in poll.slots]
    ahead = [s for s in slots if s.starts_at > now]
    best = min(ahead, key=lambda s: s.rank) if ahead else None
    silent = sorted(name for member_id, name in names.items() if member_id not in voted)
    return Tally(poll, slots, silent, best)


async def to_meeting(
    session: AsyncSession,
    poll_id: int,
    slot_id: int,
    actor: Member | None,
    *,
    now: datetime | None = None,
) -> Meeting:
    """Call the meeting at the chosen date with the poll's place and agenda; close the poll."""
    poll = await load_poll(session, poll_id)
    ensure_open(poll)
    slot = next((s for s in poll.slots if s.id == slot_id), None)
    if slot is None:
        raise DomainError(Problem.POLL_UNKNOWN)
    await _claim(session, poll)
    meeting = await meetings.schedule(
        session, poll.team, slot.starts_at, poll.place or "", poll.agenda, actor, now=now
    )
    poll.meeting_id = meeting.id
    carried = await _carry_votes(session, poll.team_id, slot.id, meeting, now)
    audit.record(
        session,
        "poll.to_meeting",
        actor_telegram_id=actor.telegram_id if actor else None,
        team_id=poll.team_id,
        poll_id=poll.id,
        meeting_id=meeting.id,
        carried=len(carried),
    )
    await session.flush()
    return meeting


# "nie pasuje" is not carried as "Nie będę": a date one could not make is asked about again.
CARRIED = {Answer.YES: Answer.YES, Answer.MAYBE: Answer.MAYBE}


async def _carry_votes(
    session: AsyncSession, team_id: int, slot_id: int, meeting: Meeting, now: datetime | None
) -> dict[int, Answer]:
    """The chosen date's "pasuje" / "ewentualnie" become "Będę" / "Może" on the meeting, for
    those still in the team. Member id -> the answer carried."""
    rows = await session.execute(
        select(Member, PollVote.answer)
        .join(PollVote, PollVote.member_id == Member.id)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            PollVote.slot_id == slot_id,
            PollVote.answer.in_(list(CARRIED)),
            Membership.team_id == team_id,
        )
    )
    carried: dict[int, Answer] = {}
    for member, vote in rows.all():
        await meetings.answer(session, meeting, member, CARRIED[vote], now=now)
        carried[member.id] = CARRIED[vote]
    return carried


async def carried_answers(session: AsyncSession, meeting: Meeting) -> set[int]:
    """Member ids whose answer to a meeting a poll made is still the one their vote carried
    (the poll's date is still the meeting's: a moved meeting asks everyone again)."""
    rows = await session.execute(
        select(Rsvp.member_id)
        .join(PollVote, PollVote.member_id == Rsvp.member_id)
        .join(PollSlot, PollSlot.id == PollVote.slot_id)
        .join(DatePoll, DatePoll.id == PollSlot.poll_id)
        .where(
            DatePoll.meeting_id == meeting.id,
            Rsvp.meeting_id == meeting.id,
            PollSlot.starts_at == meeting.starts_at,
            PollVote.answer.in_(list(CARRIED)),
            PollVote.answer == Rsvp.answer,
        )
    )
    return set(rows.scalars())


async def close_poll(session: AsyncSession, poll_id: int, *, actor_telegram_id: int | None) -> None:
    """Close without a meeting (no date suits, or it was settled elsewhere)."""
    poll = await load_poll(session, poll_id)
    ensure_open(poll)
    await _claim(session, poll)
    audit.record(
        session,
        "poll.close",
        actor_telegram_id=actor_telegram_id,
        team_id=poll.team_id,
        poll_id=poll.id,
    )
    await session.flush()
