"""Minutes of a meeting: decisions and tasks (action items with an owner and a due day).

Members write them during or after a meeting; they belong to the team's latest meeting that
has started. Tasks stay open until their owner or a coordinator closes them, and their owner
is reminded the day before the due day (a row of the reminder queue, sent once).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import audit, meetings, teams
from storage.basket.text import fold
from storage.errors import DomainError, Problem
from storage.models import (
    Decision,
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
)
from storage.privacy import refuse_client_data

TEXT_MAX = 2000
# Minutes go to a meeting that started at most this long ago.
WINDOW_DAYS = 14
REMINDER_HOUR = time(9, 0)


@dataclass(frozen=True)
class TaskLine:
    """What `/zadanie` was given: `[@osoba | Imię] [do <kiedy>]: tekst`."""

    owner: str | None
    due: str | None
    text: str


# Before the colon: an owner (@username, or a name of up to three words) and/or "do <day>".
_HEADER = re.compile(
    r"^(?P<owner>@\S+|[^\s:]+(?:\s+[^\s:]+){0,2}?)?\s*(?:\bdo\s+(?P<due>[^:]+))?$",
    re.IGNORECASE,
)


def parse_task_line(line: str) -> TaskLine:
    line = " ".join(line.split())
    header, colon, rest = line.partition(":")
    if colon:
        match = _HEADER.match(header.strip())
        if match is not None and rest.strip():
            owner, due = match.group("owner"), match.group("due")
            if owner is not None and due is None and owner.lower().startswith("do "):
                due, owner = owner[3:], None  # "do piątku: ..." has no owner
            return TaskLine(owner, due.strip() if due else None, check_text(rest))
    return TaskLine(None, None, check_text(line))


def check_text(text: str) -> str:
    cleaned = "\n".join(" ".join(part.split()) for part in text.strip().splitlines()).strip()
    if not cleaned:
        raise DomainError(Problem.TEXT_EMPTY)
    refuse_client_data(cleaned)
    if len(cleaned) > TEXT_MAX:
        raise DomainError(Problem.TEXT_TOO_LONG, max_length=TEXT_MAX)
    return cleaned


async def latest_meeting(session: AsyncSession, team_ids: set[int], now: datetime) -> Meeting:
    """The newest meeting of these teams that has started within the window."""
    meeting = await session.scalar(
        select(Meeting)
        .where(
            Meeting.team_id.in_(team_ids or {-1}),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at <= now,
            Meeting.starts_at > now - timedelta(days=WINDOW_DAYS),
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
        .options(selectinload(Meeting.team).selectinload(Team.municipality))
    )
    if meeting is None:
        raise DomainError(Problem.NO_RECENT_MEETING, days=WINDOW_DAYS)
    return meeting


async def add_decision(
    session: AsyncSession, meeting: Meeting, text: str, author: Member | None
) -> Decision:
    decision = Decision(
        meeting_id=meeting.id, text=check_text(text), author_id=author.id if author else None
    )
    session.add(decision)
    await session.flush()
    return decision


async def undo_decision(session: AsyncSession, decision_id: int, author: Member | None) -> None:
    decision = await session.get(Decision, decision_id)
    if decision is None or author is None or decision.author_id != author.id:
        raise DomainError(Problem.STALE_BUTTON)
    await session.delete(decision)
    await session.flush()


async def find_owner(session: AsyncSession, team_id: int, reference: str) -> Member:
    """A team member by @username, full name or first name (unique), ignoring case and
    diacritics."""
    wanted = fold(reference.lstrip("@"))
    people = await meetings.team_members(session, team_id)
    if reference.startswith("@"):
        found = [m for m in people if m.username and fold(m.username) == wanted]
    else:
        found = [m for m in people if fold(m.name) == wanted] or [
            m for m in people if fold(m.name).split()[:1] == [wanted]
        ]
    if len(found) != 1:
        raise DomainError(Problem.OWNER_UNKNOWN, name=reference)
    return found[0]


async def add_task(
    session: AsyncSession,
    team_id: int,
    meeting_id: int | None,
    text: str,
    owner: Member,
    due_on: date,
    created_by: Member | None,
    now: datetime,
) -> Task:
    membership = await session.scalar(
        select(Membership).where(Membership.team_id == team_id, Membership.member_id == owner.id)
    )
    if membership is None:
        raise DomainError(Problem.OWNER_UNKNOWN, name=owner.name)
    task = Task(
        team_id=team_id,
        meeting_id=meeting_id,
        text=check_text(text),
        owner_id=owner.id,
        due_on=due_on,
        created_by_id=created_by.id if created_by else None,
    )
    session.add(task)
    await session.flush()
    await _plan_reminder(session, task, owner, now)
    audit.record(
        session,
        "task.add",
        actor_telegram_id=created_by.telegram_id if created_by else None,
        team_id=team_id,
        task_id=task.id,
    )
    return task


async def _plan_reminder(session: AsyncSession, task: Task, owner: Member, now: datetime) -> None:
    team = await teams.get_team(session, task.team_id)
    zone = ZoneInfo(team.municipality.timezone)
    due_at = datetime.combine(task.due_on - timedelta(days=1), REMINDER_HOUR, zone)
    if due_at <= now:
        return  # given on the eve or the day itself: the owner has just been told
    session.add(
        ScheduledMessage(
            kind=ScheduledKind.TASK,
            team_id=task.team_id,
            task_id=task.id,
            member_id=owner.id,
            chat_id=owner.telegram_id,
            due_at=due_at,
        )
    )
    await session.flush()


async def load_task(session: AsyncSession, task_id: int) -> Task:
    task = await session.get(
        Task, task_id, options=[selectinload(Task.owner), selectinload(Task.team)]
    )
    if task is None:
        raise DomainError(Problem.TASK_UNKNOWN)
    return task


async def close_task(
    session: AsyncSession, task: Task, state: TaskState, by: Member | None, now: datetime
) -> None:
    if task.state != TaskState.OPEN:
        raise DomainError(Problem.TASK_CLOSED)
    task.state, task.closed_at = state, now
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.task_id == task.id, ScheduledMessage.state == Delivery.PENDING)
        .values(state=Delivery.SKIPPED, note="task closed")
    )
    audit.record(
        session,
        "task.close",
        actor_telegram_id=by.telegram_id if by else None,
        team_id=task.team_id,
        task_id=task.id,
        state=state.value,
    )
    await session.flush()


async def open_tasks(session: AsyncSession, team_ids: set[int]) -> Sequence[Task]:
    if not team_ids:
        return []
    return (
        await session.scalars(
            select(Task)
            .where(Task.team_id.in_(team_ids), Task.state == TaskState.OPEN)
            .order_by(Task.due_on, Task.id)
            .options(selectinload(Task.owner), selectinload(Task.team))
        )
    ).all()


@dataclass(frozen=True)
class Minutes:
    decisions: Sequence[Decision]
    tasks: Sequence[Task]


async def minutes_of(session: AsyncSession, meeting_id: int) -> Minutes:
    decisions = (
        await session.scalars(
            select(Decision).where(Decision.meeting_id == meeting_id).order_by(Decision.id)
        )
    ).all()
    tasks = (
        await session.scalars(
            select(Task)
            .where(Task.meeting_id == meeting_id)
            .order_by(Task.id)
            .options(selectinload(Task.owner))
        )
    ).all()
    return Minutes(decisions, tasks)
