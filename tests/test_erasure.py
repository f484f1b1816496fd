"""Erasure leaves no Telegram id and no name of the member anywhere in the database.

Every column that can hold a Telegram id, a member's row id or a person's name is listed here
with the reason it is judged so, and a column whose name suggests a person (or a BigInteger,
the type Telegram ids need, or a foreign key to `member`) that is not listed fails the first
test: a new table or column cannot slip past the erasure unnoticed. The second test puts the
member's data into every listed column, checks it is there, erases the member by /usun_dane
and by the retention job (the same `storage.personal_data.erase`), and checks it is gone,
while another member's data stays.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import BigInteger, Column, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import (
    announcements,
    attendance,
    audit,
    conversations,
    declarations,
    feeds,
    meetings,
    minutes,
    polls,
    regions,
    retention,
    teams,
)
from storage.members import find_member
from storage.models import (
    AnnouncementDelivery,
    AnnouncementRead,
    AnnouncementState,
    Answer,
    Audience,
    AuditEntry,
    Base,
    EventKind,
    InboxUpdate,
    Invitation,
    MeetingCard,
    Member,
    OutboxMessage,
    OutboxState,
    Role,
    SendState,
    Service,
)
from storage.recurrence import Preset
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=WARSAW)
MAREK, ZOFIA = 2401, 2402
MAREK_NAME, MAREK_USERNAME = "Marek Wiśniewski", "marek_w"

# What a column holds of the member: their Telegram id, their member row id, name, username.
TELEGRAM_ID, MEMBER_ID, NAME, USERNAME = "telegram id", "member id", "name", "username"
# The audit log's details (JSON) name the member concerned by row id (joins, roles, removals).
MEMBER_ID_IN_DETAILS = "member id in details"

PERSONAL: dict[str, tuple[str, str]] = {
    "member.telegram_id": (TELEGRAM_ID, "the member row: deleted"),
    "member.name": (NAME, "the member row: deleted"),
    "member.username": (USERNAME, "the member row: deleted"),
    "membership.member_id": (MEMBER_ID, "cascades with the member"),
    "team_removal.member_id": (MEMBER_ID, "cascades with the member"),
    "invitation.created_by_id": (MEMBER_ID, "set null: the link stays the team's"),
    "meeting_series.created_by_id": (MEMBER_ID, "set null: the series stays the team's"),
    "meeting.created_by_id": (MEMBER_ID, "set null: the meeting stays the team's"),
    "rsvp.member_id": (MEMBER_ID, "cascades: answers are the member's"),
    "meeting_card.chat_id": (TELEGRAM_ID, "cards posted in the private chat: deleted"),
    "scheduled_message.member_id": (MEMBER_ID, "cascades: reminders to the member"),
    "scheduled_message.chat_id": (TELEGRAM_ID, "private reminders: deleted (groups stay)"),
    "conversation_state.chat_id": (TELEGRAM_ID, "the private dialogue: deleted"),
    "conversation_state.user_id": (TELEGRAM_ID, "every dialogue of the person: deleted"),
    "service.updated_by": (TELEGRAM_ID, "the basket's last editor: set null"),
    "announcement.author_id": (MEMBER_ID, "set null: a sent announcement stays the team's"),
    "announcement.author_chat_id": (TELEGRAM_ID, "NOT NULL: set to 0, no chat has that id"),
    "announcement_delivery.chat_id": (TELEGRAM_ID, "delivery to the private chat: deleted"),
    "announcement_delivery.member_id": (MEMBER_ID, "set null (its private row is deleted)"),
    "announcement_read.member_id": (MEMBER_ID, "cascades: confirmations are the member's"),
    "attendance.member_id": (MEMBER_ID, "set null: an anonymous count by institution stays"),
    "attendance.marked_by_id": (MEMBER_ID, "set null: the mark stays"),
    "decision.author_id": (MEMBER_ID, "set null: the minutes keep the decision"),
    "task.owner_id": (MEMBER_ID, "set null: the team keeps the task"),
    "task.created_by_id": (MEMBER_ID, "set null: the team keeps the task"),
    "date_poll.created_by_id": (MEMBER_ID, "set null: the poll stays the team's"),
    "poll_vote.member_id": (MEMBER_ID, "cascades: votes are the member's"),
    "audit_log.actor_telegram_id": (TELEGRAM_ID, "set null: the action stays logged"),
    "audit_log.details": (MEMBER_ID_IN_DETAILS, "member_id in details set to null"),
    "inbox_update.order_key": (TELEGRAM_ID, "updates the person sent, with their text: deleted"),
    "outbox_message.chat_id": (TELEGRAM_ID, "what the bot wrote to the private chat: deleted"),
    "coached_worker.member_id": (MEMBER_ID, "cascades: who was coached is the member's"),
    "declaration.member_id": (MEMBER_ID, "set null: the institution's declaration stays"),
    "declaration.signer_name": (NAME, "set null: the register keeps institution and role"),
    "team_rules.uploaded_by_id": (MEMBER_ID, "set null: the rules stay the team's"),
    "region_admin.telegram_id": (TELEGRAM_ID, "the appointment: deleted"),
    "region_admin.appointed_by": (TELEGRAM_ID, "set null: the appointment stays"),
    "feed_token.member_id": (MEMBER_ID, "calendar feed links: deleted, the feeds stop"),
}
NOT_PERSONAL: dict[str, str] = {
    "team.chat_id": "the team's group chat (/polacz works in groups only): the team's",
    "team.meetings_by": "a role (member or coordinator), not a person",
    "team.name": "a team",
    "municipality.name": "a municipality",
    "institution.name": "an institution",
    "service.name": "a service of the basket",
    "conversation_state.name": "the name of a dialogue step",
    "conversation_state.data": (
        "the row's own person's answers, deleted with their rows; a draft task of someone "
        "else may name a member row id for at most a day (STATE_TTL), and is then refused"
    ),
    "attendance.institution_name": "the institution copied at marking time, for the figures",
    "attendance.guest_name": (
        "a guest's own name (guests are never members): kept with the register, deleted with "
        "the meeting by the retention job"
    ),
    "announcement_delivery.claimed_by": "host:pid of the sending process",
    "scheduled_message.claimed_by": "host:pid of the sending process",
    "announcement.status_message_id": "a message number within the author's chat",
    "announcement_delivery.message_id": "a message number within the chat",
    "meeting_card.message_id": "a message number within the chat",
    "inbox_update.update_id": "Telegram's number of an update",
    "outbox_message.file_name": "a file name the bot chose (moje-dane.json, obecnosc.xlsx)",
    "region.name": "a voivodeship",
    "team_rules.file_name": "the name of the team's rules document, as uploaded",
}
# Names that suggest a person (or a chat, which may be a person's private one).
PERSON_LIKE = re.compile(
    r"telegram|chat_id|user|name|^author|owner|member|actor|guest|_by$|_by_id$|^by_|details"
)


def _columns() -> dict[str, Column[Any]]:
    return {
        f"{table.name}.{column.name}": column
        for table in Base.metadata.sorted_tables
        for column in table.columns
    }


def _suspect(column: Column[Any]) -> bool:
    return (
        bool(PERSON_LIKE.search(column.name))
        or isinstance(column.type, BigInteger)
        or any(fk.column.table.name == "member" for fk in column.foreign_keys)
    )


def test_every_column_that_could_hold_a_person_is_judged() -> None:
    columns = _columns()
    assert not set(PERSONAL) & set(NOT_PERSONAL)
    judged = set(PERSONAL) | set(NOT_PERSONAL)
    unjudged = sorted(name for name, column in columns.items() if _suspect(column))
    unjudged = [name for name in unjudged if name not in judged]
    assert not unjudged, f"judge these columns in PERSONAL or NOT_PERSONAL: {unjudged}"
    gone = sorted(judged - set(columns))
    assert not gone, f"listed columns that no longer exist: {gone}"


async def _arrange(session: AsyncSession) -> dict[str, Any]:
    """Marek, a coordinator, leaves his data in every PERSONAL column; Zofia some too."""
    ids = await arrange.team(session)
    await arrange.person(session, ids.team_id, MAREK, MAREK_NAME, Role.COORDINATOR)
    await arrange.person(session, ids.team_id, ZOFIA, "Zofia Kowal", Role.MEMBER)
    other = await arrange.team(session, "Sieradz")
    await arrange.person(session, other.team_id, ZOFIA, "Zofia Kowal", Role.COORDINATOR)
    team = await teams.get_team(session, ids.team_id)
    marek, zofia = await find_member(session, MAREK), await find_member(session, ZOFIA)
    assert marek is not None and zofia is not None
    marek.username = MAREK_USERNAME
    # Removed from the other team once (the row that keeps old links from bringing him back).
    await session.execute(
        insert(Base.metadata.tables["team_removal"]).values(
            team_id=other.team_id, member_id=marek.id
        )
    )
    token = await arrange.invitation(session, ids.team_id)
    await session.execute(
        update(Invitation).where(Invitation.token == token).values(created_by_id=marek.id)
    )
    started = (NOW - timedelta(hours=1)).astimezone(UTC)
    held = await meetings.schedule(
        session, team, started, "MOPS", None, marek, now=started - timedelta(days=1)
    )
    await meetings.schedule(
        session,
        team,
        (NOW + timedelta(days=7)).astimezone(UTC),
        "MOPS",
        None,
        marek,
        preset=Preset.BIWEEKLY,
        now=NOW,
    )  # a series, with reminders planned to each member's private chat
    found, _ = await meetings.upcoming_for(session, marek, NOW, 0, 1)
    upcoming = await meetings.load_meeting(session, found[0].id)
    for person in (marek, zofia):
        await meetings.answer(session, upcoming, person, Answer.YES, NOW)
        session.add(MeetingCard(meeting_id=upcoming.id, chat_id=person.telegram_id, message_id=7))
        await conversations.set_pending(
            session, person.telegram_id, person.telegram_id, "meet.when", {"team_id": team.id}
        )
    await attendance.mark(session, held, marek.id, True, marek, NOW)
    await attendance.add_guest(session, held, "Jan Gość, Kuratorium", marek, NOW)
    await minutes.add_decision(session, held, "Dyżury w ferie", marek)
    await minutes.add_task(
        session, team.id, held.id, "Lista dyżurów", marek, date(2026, 11, 30), marek, NOW
    )
    poll = await polls.create_poll(
        session,
        team,
        [NOW + timedelta(days=2), NOW + timedelta(days=3)],
        "Szkoła",
        None,
        marek,
        now=NOW,
    )
    await polls.vote(session, poll.slots[0].id, marek, Answer.YES)
    institution_id = next(iter(ids.institution_ids.values()))
    session.add(
        Service(
            municipality_id=ids.municipality_id,
            institution_id=institution_id,
            name="Punkt interwencji kryzysowej",
            key="punkt-interwencji",
            search_text="punkt interwencji kryzysowej",
            updated_by=marek.telegram_id,
        )
    )
    sent = await announcements.start_draft(session, marek, marek.telegram_id, NOW)
    sent.audience, sent.audience_id, sent.text_html = Audience.TEAM, team.id, "Zebranie"
    sent.state, sent.started_at = AnnouncementState.DONE, NOW
    await announcements.start_draft(session, marek, marek.telegram_id, NOW)  # a draft
    await session.flush()
    for number, person in enumerate((marek, zofia)):
        session.add(
            InboxUpdate(update_id=10**12 + number, order_key=person.telegram_id, payload="{}")
        )
        session.add(
            OutboxMessage(
                chat_id=person.telegram_id,
                method="send_message",
                params={"chat_id": person.telegram_id, "text": "…"},
                state=OutboxState.SENT,
            )
        )
    for person in (marek, zofia):
        session.add(
            AnnouncementDelivery(
                announcement_id=sent.id,
                chat_id=person.telegram_id,
                member_id=person.id,
                team_id=team.id,
                state=SendState.SENT,
                next_try_at=NOW,
                sent_at=NOW,
                message_id=9,
            )
        )
        session.add(AnnouncementRead(announcement_id=sent.id, member_id=person.id))
    marek.institution_id = institution_id
    await declarations.upload_rules(session, team, "regulamin.pdf", b"%PDF-1.4", marek)
    await declarations.declare(session, team, marek, "kierownik", 1, NOW)
    await meetings.schedule(
        session,
        team,
        (NOW + timedelta(days=3)).astimezone(UTC),
        "MOPS",
        None,
        zofia,
        kind=EventKind.COACHING,
        coached=[marek],
        now=NOW,
    )
    await feeds.issue(session, marek.id)
    await feeds.issue(session, marek.id, team.id)
    region = await regions.default_region(session)
    await regions.appoint(session, MAREK, region, by=ZOFIA)
    await regions.appoint(session, ZOFIA, region, by=MAREK)
    audit.record(session, "member.role", actor_telegram_id=ZOFIA, member_id=marek.id)
    await session.flush()
    return {TELEGRAM_ID: MAREK, MEMBER_ID: marek.id, NAME: MAREK_NAME, USERNAME: MAREK_USERNAME}


async def _holding(session: AsyncSession, values: dict[str, Any]) -> dict[str, int]:
    """For each PERSONAL column, how many rows hold Marek's value of its kind."""
    columns = _columns()
    found = {}
    for name, (kind, _) in PERSONAL.items():
        if kind == MEMBER_ID_IN_DETAILS:
            details = (await session.scalars(select(AuditEntry.details))).all()
            found[name] = sum(1 for d in details if d.get("member_id") == values[MEMBER_ID])
            continue
        column = columns[name]
        found[name] = (
            await session.scalar(
                select(func.count()).select_from(column.table).where(column == values[kind])
            )
            or 0
        )
    return found


async def _zofia_kept(session: AsyncSession) -> None:
    zofia = await find_member(session, ZOFIA)
    assert zofia is not None and zofia.name == "Zofia Kowal"
    cards = await session.scalar(
        select(func.count()).select_from(MeetingCard).where(MeetingCard.chat_id == ZOFIA)
    )
    deliveries = await session.scalar(
        select(func.count())
        .select_from(AnnouncementDelivery)
        .where(AnnouncementDelivery.chat_id == ZOFIA)
    )
    assert (cards, deliveries) == (1, 1)
    assert await conversations.pending_exists(session, ZOFIA, ZOFIA)
    actors = (await session.scalars(select(AuditEntry.actor_telegram_id))).all()
    assert ZOFIA in actors


@pytest.mark.parametrize("how", ["usun_dane", "retention"])
async def test_erasure_clears_every_column_that_held_the_member(harness: Harness, how: str) -> None:
    harness.set_clock(NOW)
    async with harness.session() as session:
        values = await _arrange(session)
    async with harness.session() as session:
        before = await _holding(session, values)
    empty = sorted(name for name, count in before.items() if not count)
    assert not empty, f"the arrangement put nothing of Marek's into {empty}"

    if how == "usun_dane":
        harness.user(MAREK, "Marek", username=MAREK_USERNAME)
        question = await harness.say(MAREK, "/usun_dane")
        while "Tak, usuń moje dane" not in harness.button_labels(question):
            question = await harness.emu.next_message(MAREK)  # the register may come first
        await harness.press(MAREK, question, "Tak, usuń moje dane")
        assert "Twoje dane zostały usunięte" in (await harness.edited(question))["text"]
        # The confirmation's outbox row goes once its sending is recorded, just after.
        for _ in range(30):
            async with harness.session() as session:
                if not (await _holding(session, values))["outbox_message.chat_id"]:
                    break
            await asyncio.sleep(0.1)
    else:
        # One transaction, so that nothing the running bot does in between (a CI run once
        # saw the purge find no one) stands between the last sighting and the purge.
        async with harness.session() as session:
            await session.execute(
                update(Member)
                .where(Member.telegram_id == MAREK)
                .values(last_seen_at=NOW - relativedelta(months=25))
            )
            purged = await retention.purge(session, NOW, retention.Rules())
        assert purged.members == 1

    async with harness.session() as session:
        after = await _holding(session, values)
        left = {name: count for name, count in after.items() if count}
        assert not left, f"still holding Marek's data after erasure by {how}: {left}"
        assert await session.scalar(select(func.count()).select_from(Member)) == 1
        await _zofia_kept(session)
