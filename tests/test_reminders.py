"""Reminders and digests: on time by a controllable clock, once, across restarts and processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.dates.phrases import parse_offset
from botapi_emulator import BotApiEmulator
from storage import meetings, reminders, teams
from storage.db import Database
from storage.models import Answer, Delivery, Member, ScheduledMessage
from tests import arrange, processes
from tests.conftest import Harness, running_bot

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=WARSAW)
GROUP = -1001800
KASIA, MAREK, OLA = 2001, 2002, 2003
PEOPLE = arrange.three(KASIA, MAREK, OLA, institutions=False)


async def _team(session, *, group: bool = True) -> int:  # type: ignore[no-untyped-def]
    return (await arrange.team_of(session, PEOPLE, group=GROUP if group else None)).team_id


async def _meeting(
    session,
    team_id: int,
    start: datetime = WEDNESDAY_10,  # type: ignore[no-untyped-def]
    now: datetime = MONDAY_9,
) -> int:
    team = await teams.get_team(session, team_id)
    meeting = await meetings.schedule(
        session, team, start, "MOPS, sala 12", None, None, now=now.astimezone(UTC)
    )
    return meeting.id


def _people(harness: Harness) -> None:
    arrange.in_telegram(harness, PEOPLE, group=GROUP, title="PZK")


async def _tick(harness: Harness, at: datetime) -> None:
    harness.set_clock(at.astimezone(UTC))
    await harness.tick()


def _reminders_in(harness: Harness, chat_id: int) -> list[dict]:
    return [m for m in harness.emu.messages(chat_id) if "Przypomnienie" in m.get("text", "")]


async def test_due_times_keep_the_local_hour_across_dst(db: Database) -> None:
    async with db.session() as session:
        team_id = await _team(session, group=False)
        after_switch = datetime(2026, 3, 30, 10, 0, tzinfo=WARSAW)  # day after 29 March
        meeting_id = await _meeting(
            session, team_id, after_switch, now=datetime(2026, 3, 20, 9, 0, tzinfo=WARSAW)
        )
        due = {
            p.offset_minutes: p.due_at
            for p in await reminders.pending_for_meeting(session, meeting_id)
        }
    assert due[1440].astimezone(WARSAW) == datetime(2026, 3, 29, 10, 0, tzinfo=WARSAW)
    assert due[1440] == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # summer time already
    assert due[60] == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_offsets_people_type() -> None:
    assert parse_offset("3 dni") == 3 * 1440
    assert parse_offset("2h") == 120
    assert parse_offset("30 min") == 30
    assert parse_offset("1 tydzień") == 7 * 1440
    assert parse_offset("1,5 godz") == 90
    # Abbreviations with their dots, amounts in words or left out (issue 17).
    assert parse_offset("2 tyg.") == 14 * 1440
    assert parse_offset("1 godz.") == 60
    assert parse_offset("30 min.") == 30
    assert parse_offset("1 tydz.") == 7 * 1440
    assert parse_offset("2 Dni.") == 2 * 1440
    assert parse_offset("godzinę") == 60
    assert parse_offset("pół godziny") == 30
    assert parse_offset("dwa dni") == 2 * 1440
    for bad in ("0 min", "-2h", "31 dni", "5 lat", "jutro", "", "h", "ty dzień", "sto dni"):
        with pytest.raises(Exception):  # noqa: B017 - DomainError(OFFSET_INVALID)
            parse_offset(bad)


async def test_reminder_arrives_at_the_right_instant(harness: Harness) -> None:
    _people(harness)
    await harness.emu.next_message(GROUP)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        team_id = await _team(session)
        meeting_id = await _meeting(session, team_id)
        await meetings.answer(
            session,
            await meetings.load_meeting(session, meeting_id),
            await session.scalar(select(Member).where(Member.telegram_id == OLA)),
            Answer.NO,
            now=MONDAY_9.astimezone(UTC),
        )
    await _tick(harness, WEDNESDAY_10 - timedelta(days=1, seconds=1))
    assert not _reminders_in(harness, MAREK)
    await _tick(harness, WEDNESDAY_10 - timedelta(days=1))
    reminder = _reminders_in(harness, MAREK)
    assert len(reminder) == 1
    assert "za 24 godziny" in reminder[0]["text"]
    assert "środa, 25 listopada 2026, 10:00" in reminder[0]["text"]
    assert harness.button_labels(reminder[0])[:3] == ["Będę", "Może", "Nie będę"]
    assert len(_reminders_in(harness, GROUP)) == 1
    assert not _reminders_in(harness, OLA)  # she declined
    await _tick(harness, WEDNESDAY_10 - timedelta(hours=1))
    assert len(_reminders_in(harness, MAREK)) == 2
    await _tick(harness, WEDNESDAY_10 - timedelta(minutes=30))
    assert len(_reminders_in(harness, MAREK)) == 2  # nothing twice

    # An undecided member answers from the reminder itself.
    await harness.press(MAREK, _reminders_in(harness, MAREK)[-1], "Będę")
    assert "Twoja odpowiedź: Będę" in (await harness.emu.next_edit(MAREK))["text"]


async def test_moving_and_cancelling_move_the_reminders(db: Database) -> None:
    now = MONDAY_9.astimezone(UTC)
    async with db.session() as session:
        team_id = await _team(session)
        meeting_id = await _meeting(session, team_id)
        meeting = await meetings.load_meeting(session, meeting_id)
        await meetings.reschedule(
            session,
            meeting,
            starts_at=WEDNESDAY_10 + timedelta(days=1),
            actor_telegram_id=KASIA,
            now=now,
        )
        pending = await reminders.pending_for_meeting(session, meeting_id)
        assert len(pending) == 8  # 3 members and the group, 24 h and 1 h
        assert min(p.due_at for p in pending) == (WEDNESDAY_10).astimezone(UTC)
        # Moved into the next 10 minutes: one reminder at once rather than none.
        await meetings.reschedule(
            session,
            meeting,
            starts_at=now + timedelta(minutes=10),
            actor_telegram_id=KASIA,
            now=now,
        )
        pending = await reminders.pending_for_meeting(session, meeting_id)
        assert {p.due_at for p in pending} == {now} and len(pending) == 4
        await meetings.cancel(session, meeting, actor_telegram_id=KASIA, now=now)
        assert await reminders.pending_for_meeting(session, meeting_id) == []


async def test_mute_and_unreachable_members(harness: Harness) -> None:
    _people(harness)
    await harness.emu.next_message(GROUP)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        team_id = await _team(session)
        await _meeting(session, team_id)
    menu = await harness.say(OLA, "/przypomnienia")
    await harness.press(OLA, menu, "Wycisz PZK Zduńska Wola")
    assert "Przypomnienia tego zespołu są wyciszone" in (await harness.edited(menu))["text"]
    harness.emu.block_bot(MAREK)
    await _tick(harness, WEDNESDAY_10 - timedelta(days=1))
    assert not _reminders_in(harness, OLA)
    assert len(_reminders_in(harness, KASIA)) == 1
    group = _reminders_in(harness, GROUP)
    assert len(group) == 1
    calls_to_marek = [
        c
        for c in harness.emu.calls
        if c.method == "sendMessage" and c.params.get("chat_id") == MAREK
    ]
    assert len(calls_to_marek) == 1  # tried once, then marked unreachable
    await _tick(harness, WEDNESDAY_10 - timedelta(hours=1))
    calls_to_marek = [
        c
        for c in harness.emu.calls
        if c.method == "sendMessage" and c.params.get("chat_id") == MAREK
    ]
    assert len(calls_to_marek) == 1  # not retried every minute
    assert "Marek Wiśniewski" in _reminders_in(harness, GROUP)[-1]["text"]
    harness.emu.send_message(KASIA, "/zespol")
    # Kasia had three messages this minute (the day-before summary too): a 429 may delay it.
    await harness.emu.settle(quiet=1.5)
    assert "Marek Wiśniewski ⚠️" in harness.emu.messages(KASIA)[-1]["text"]


async def test_coordinator_changes_reminder_times(harness: Harness) -> None:
    _people(harness)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        team_id = await _team(session, group=False)
        meeting_id = await _meeting(session, team_id)
    menu = await harness.say(KASIA, "/przypomnienia")
    assert "1 dzień, 1 godzina" in menu["text"]
    await harness.press(KASIA, menu, "Dodaj czas przypomnienia (PZK Zduńska Wola)")
    await harness.edited(menu)
    for bad in ("0 min", "40 dni", "kiedyś"):
        assert "30 dni" in (await harness.say(KASIA, bad))["text"]
    updated = await harness.say(KASIA, "30 min")
    assert "1 dzień, 1 godzina, 30 minut" in updated["text"]
    await harness.press(KASIA, updated, "✕ 1 dzień")
    assert "1 godzina, 30 minut" in (await harness.edited(updated))["text"]
    async with harness.session() as session:
        offsets = {
            p.offset_minutes for p in await reminders.pending_for_meeting(session, meeting_id)
        }
    assert offsets == {60, 30}
    refused = await harness.say(MAREK, "/przypomnienia")
    assert "Dodaj" not in " ".join(harness.button_labels(refused))


async def test_twice_monthly_digest(harness: Harness) -> None:
    _people(harness)
    await harness.emu.next_message(GROUP)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        team_id = await _team(session)
        await _meeting(session, team_id, datetime(2026, 12, 3, 10, 0, tzinfo=WARSAW))
        await _meeting(session, team_id, datetime(2026, 12, 17, 10, 0, tzinfo=WARSAW))
    await _tick(harness, datetime(2026, 12, 1, 7, 59, tzinfo=WARSAW))
    assert not [m for m in harness.emu.messages(GROUP) if "Najbliższe" in m.get("text", "")]
    await _tick(harness, datetime(2026, 12, 1, 8, 0, tzinfo=WARSAW))
    digests = [m for m in harness.emu.messages(MAREK) if "Najbliższe spotkania" in m["text"]]
    assert len(digests) == 1
    assert "czwartek, 3 grudnia 2026, 10:00" in digests[0]["text"]
    assert "czwartek, 17 grudnia 2026, 10:00" in digests[0]["text"]
    assert "brak odpowiedzi" in digests[0]["text"]
    assert len([m for m in harness.emu.messages(GROUP) if "Najbliższe" in m["text"]]) == 1
    await _tick(harness, datetime(2026, 12, 1, 8, 5, tzinfo=WARSAW))
    assert len([m for m in harness.emu.messages(MAREK) if "Najbliższe" in m["text"]]) == 1


async def test_after_a_restart_due_reminders_go_out_or_are_dropped(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    async with db.session() as session:
        team_id = await _team(session, group=False)
        soon = await _meeting(session, team_id, WEDNESDAY_10)
        started = await _meeting(session, team_id, datetime(2026, 11, 24, 10, 0, tzinfo=WARSAW))
    for user_id in (KASIA, MAREK, OLA):
        emulator.add_user(user_id, "X")
    # The bot was down all Tuesday: it comes back at 09:30 on Wednesday.
    async with running_bot(emulator, db_url) as app:
        app.bot_data["clock"] = lambda: datetime(2026, 11, 25, 9, 30, tzinfo=WARSAW)
        await app.bot_data["scheduler"].tick()
        await emulator.settle(quiet=0.2)
    async with db.session() as session:
        states = dict(
            (
                await session.execute(
                    select(ScheduledMessage.meeting_id, func.count())
                    .where(ScheduledMessage.state == Delivery.SENT)
                    .group_by(ScheduledMessage.meeting_id)
                )
            ).all()
        )
        dropped = await session.scalar(
            select(func.count())
            .select_from(ScheduledMessage)
            .where(
                ScheduledMessage.meeting_id == started, ScheduledMessage.state == Delivery.DROPPED
            )
        )
    assert states == {soon: 6}  # 24 h (late) and 1 h (late) for 3 members
    # Both reminders for 3 members, the coordinator's register card and day-before summary.
    assert dropped == 8


async def _worker(db_url: str, emu: BotApiEmulator) -> asyncio.subprocess.Process:
    return await processes.start(db_url, emu, "reminders", "send")


async def _many_due(db: Database, emu: BotApiEmulator, people: int) -> None:
    """`people` members with one reminder each, all due now, for a meeting in an hour."""
    now = datetime.now(UTC)
    async with db.session() as session:
        ids = await arrange.team(session, institutions=())
        for index in range(people):
            await arrange.person(session, ids.team_id, 10_000 + index, f"Osoba {index}")
            emu.add_user(10_000 + index, f"Osoba {index}")
        team = await teams.get_team(session, ids.team_id)
        team.reminder_offsets = [90]
        # Planned half an hour ago: its reminder (90 min before) is due now.
        await meetings.schedule(
            session,
            team,
            now + timedelta(minutes=60),
            "MOPS",
            None,
            None,
            now=now - timedelta(minutes=31),
        )


def _delivered(emu: BotApiEmulator) -> list[int]:
    return [c.params["chat_id"] for c in emu.calls if c.method == "sendMessage" and c.status == 200]


async def test_two_processes_never_send_a_reminder_twice(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    emulator.limits = None  # this test is about claiming, not about flood limits
    await _many_due(db, emulator, 120)
    first, second = await _worker(db_url, emulator), await _worker(db_url, emulator)
    results = await asyncio.wait_for(
        asyncio.gather(first.communicate(), second.communicate()), timeout=120
    )
    assert first.returncode == 0 and second.returncode == 0, results
    delivered = _delivered(emulator)
    assert len(delivered) == 120 and len(set(delivered)) == 120


async def test_kill_during_sending_repeats_at_most_one_message(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    emulator.limits = None
    await _many_due(db, emulator, 40)
    emulator.inject_delay(0.05, method="sendMessage", count=1000)
    worker = await _worker(db_url, emulator)
    await processes.kill_mid_run(
        worker,
        lambda: len(_delivered(emulator)),
        10,
        db,
        ScheduledMessage,
        Delivery.SENDING,
        reminders.LEASE,
    )
    again = await _worker(db_url, emulator)
    await asyncio.wait_for(again.communicate(), timeout=120)
    delivered = _delivered(emulator)
    assert set(delivered) == {10_000 + i for i in range(40)}
    assert len(delivered) - len(set(delivered)) <= 1


async def test_coordinator_moves_the_digest(harness: Harness) -> None:
    _people(harness)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        team_id = await _team(session, group=False)
        await _meeting(session, team_id, datetime(2026, 12, 10, 10, 0, tzinfo=WARSAW))
    menu = await harness.say(KASIA, "/przypomnienia")
    assert "1., 15. dnia miesiąca o 08:00" in menu["text"]
    await harness.press(KASIA, menu, "Zmień zestawienie (PZK Zduńska Wola)")
    await harness.edited(menu)
    assert "1–28" in (await harness.say(KASIA, "31 8:00"))["text"]
    updated = await harness.say(KASIA, "5, 20 9:30")
    assert "5., 20. dnia miesiąca o 09:30" in updated["text"]
    await _tick(harness, datetime(2026, 12, 1, 8, 0, tzinfo=WARSAW))
    assert not [m for m in harness.emu.messages(MAREK) if "Najbliższe" in m["text"]]
    await _tick(harness, datetime(2026, 12, 5, 9, 30, tzinfo=WARSAW))
    assert len([m for m in harness.emu.messages(MAREK) if "Najbliższe" in m["text"]]) == 1
