"""A member's personal data under the GDPR (RODO): all of it as one document, or erased.

Erasure deletes the member row: memberships, answers, votes, read confirmations and queued
reminders go with it (foreign keys cascade); attendance records, decisions, tasks and
announcements stay without the person (foreign keys set to NULL), so past figures keep their
anonymous counts by institution and sector. What holds the Telegram id without a foreign key
(posted cards, delivery rows of private chats, dialogue state, the audit log, the author's
chat of announcements, the basket's last editor) is cleared here, and so is the member's
row id where the audit log names it. tests/test_erasure.py lists every column that can hold
a Telegram id or a name and checks each after an erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage import feeds, inbox, outbox
from storage.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementRead,
    AnnouncementState,
    Attendance,
    AuditEntry,
    ConversationState,
    DatePoll,
    Decision,
    Declaration,
    FeedToken,
    Institution,
    Meeting,
    MeetingCard,
    Member,
    Membership,
    PollSlot,
    PollVote,
    RegionAdmin,
    Rsvp,
    ScheduledMessage,
    Service,
    Task,
    Team,
)

# An announcement's author_chat_id once erased: no chat has this id, and the broadcaster
# reports to nobody (the column is NOT NULL; a migration for this is not worth it).
ERASED_CHAT_ID = 0


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def export(session: AsyncSession, member: Member) -> dict[str, Any]:
    """Everything the bot holds about the member, in plain JSON-ready values."""
    memberships = (
        await session.scalars(
            select(Membership)
            .where(Membership.member_id == member.id)
            .options(selectinload(Membership.team))
        )
    ).all()
    answers = await session.execute(
        select(Meeting.starts_at, Meeting.place, Rsvp.answer, Rsvp.answered_at)
        .join(Rsvp, Rsvp.meeting_id == Meeting.id)
        .where(Rsvp.member_id == member.id)
        .order_by(Meeting.starts_at)
    )
    attended = await session.execute(
        select(Meeting.starts_at, Meeting.place, Attendance.institution_name)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(Attendance.member_id == member.id)
        .order_by(Meeting.starts_at)
    )
    decisions = await session.scalars(select(Decision).where(Decision.author_id == member.id))
    tasks = await session.scalars(
        select(Task).where((Task.owner_id == member.id) | (Task.created_by_id == member.id))
    )
    votes = await session.execute(
        select(DatePoll.id, PollSlot.starts_at, PollVote.answer)
        .join(PollSlot, PollSlot.poll_id == DatePoll.id)
        .join(PollVote, PollVote.slot_id == PollSlot.id)
        .where(PollVote.member_id == member.id)
    )
    announcements = await session.scalars(
        select(Announcement).where(Announcement.author_id == member.id)
    )
    reads = await session.scalars(
        select(AnnouncementRead.announcement_id).where(AnnouncementRead.member_id == member.id)
    )
    declared = await session.execute(
        select(Declaration, Team.name, Institution.name)
        .join(Team, Team.id == Declaration.team_id)
        .join(Institution, Institution.id == Declaration.institution_id)
        .where(Declaration.member_id == member.id)
        .order_by(Declaration.accepted_at)
    )
    feed_links = await feeds.links_of(session, member.id)
    audit = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.actor_telegram_id == member.telegram_id)
        .order_by(AuditEntry.at)
    )
    return {
        "member": {
            "telegram_id": member.telegram_id,
            "name": member.name,
            "username": member.username,
            "institution": member.institution.name if member.institution else None,
            "language": member.language,
            "reminders_muted": member.reminders_muted,
            "unreachable_since": _when(member.unreachable_since),
            "created_at": _when(member.created_at),
            "last_seen_at": _when(member.last_seen_at),
        },
        "teams": [
            {
                "team": m.team.name,
                "role": m.role.value,
                "joined_at": _when(m.joined_at),
                "reminders_muted": m.reminders_muted,
            }
            for m in memberships
        ],
        "meeting_answers": [
            {"meeting": _when(at), "place": place, "answer": a.value, "answered_at": _when(when)}
            for at, place, a, when in answers.all()
        ],
        "attendance": [
            {"meeting": _when(at), "place": place, "institution": institution}
            for at, place, institution in attended.all()
        ],
        "decisions": [{"text": d.text, "created_at": _when(d.created_at)} for d in decisions],
        "tasks": [
            {
                "text": t.text,
                "due_on": t.due_on.isoformat(),
                "state": t.state.value,
                "owner": t.owner_id == member.id,
                "created_by_me": t.created_by_id == member.id,
            }
            for t in tasks
        ],
        "date_poll_votes": [
            {"poll": poll, "date": _when(at), "answer": a.value} for poll, at, a in votes.all()
        ],
        "announcements": [
            {"text_html": a.text_html, "state": a.state.value, "created_at": _when(a.created_at)}
            for a in announcements
        ],
        "announcements_confirmed_read": list(reads),
        "declarations_of_accession": [
            {
                "team": team,
                "institution": institution,
                "rules_version": d.rules_version,
                "role": d.signer_role,
                "accepted_at": _when(d.accepted_at),
            }
            for d, team, institution in declared.all()
        ],
        # Calendar subscription links: when made, and of which team (None: the member's own
        # feed of all their teams). The links themselves are not kept, only their hashes.
        "calendar_feed_links": [{"created_at": _when(at), "team": team} for at, team in feed_links],
        "actions_logged": [
            {"at": _when(e.at), "action": e.action, "details": e.details} for e in audit
        ],
    }


@dataclass(frozen=True)
class Erased:
    attendance_kept: int  # anonymous: institution and sector only


async def erase(session: AsyncSession, member: Member) -> Erased:
    telegram_id = member.telegram_id
    kept = await session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.member_id == member.id)
    )
    await session.execute(delete(MeetingCard).where(MeetingCard.chat_id == telegram_id))
    # Calendar feed links stop at once (the foreign key cascades too; said here, not assumed).
    await session.execute(delete(FeedToken).where(FeedToken.member_id == member.id))
    await session.execute(
        delete(AnnouncementDelivery).where(AnnouncementDelivery.chat_id == telegram_id)
    )
    await session.execute(delete(ConversationState).where(ConversationState.user_id == telegram_id))
    # What they sent the bot and what it wrote to them, kept for tracing: gone with them.
    await inbox.erase_person(session, telegram_id)
    await outbox.erase_person(session, telegram_id)
    # Private rows carry member_id and would cascade; by chat too, whatever planned them.
    await session.execute(delete(ScheduledMessage).where(ScheduledMessage.chat_id == telegram_id))
    await session.execute(
        delete(Announcement).where(
            Announcement.author_id == member.id, Announcement.state == AnnouncementState.DRAFT
        )
    )
    await session.execute(
        update(Announcement)
        .where(Announcement.author_chat_id == telegram_id)
        .values(author_chat_id=ERASED_CHAT_ID)
    )
    await session.execute(
        update(Service).where(Service.updated_by == telegram_id).values(updated_by=None)
    )
    await session.execute(delete(RegionAdmin).where(RegionAdmin.telegram_id == telegram_id))
    await session.execute(
        update(RegionAdmin).where(RegionAdmin.appointed_by == telegram_id).values(appointed_by=None)
    )
    # A declaration binds the institution and stays in its register; the signer's name goes.
    await session.execute(
        update(Declaration).where(Declaration.member_id == member.id).values(signer_name=None)
    )
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.actor_telegram_id == telegram_id)
        .values(actor_telegram_id=None)
    )
    naming = await session.scalars(
        select(AuditEntry).where(AuditEntry.details["member_id"].as_integer() == member.id)
    )
    for entry in naming:
        # Joins, role changes, removals name the member concerned; a later member may get the
        # same row id (SQLite reuses the highest), so it says nobody now.
        entry.details = {**entry.details, "member_id": None}
    await session.execute(delete(Member).where(Member.id == member.id))
    session.expunge(member)
    return Erased(kept or 0)
