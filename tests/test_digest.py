"""The twice-monthly digest "Najbliższe spotkania" (issue 18): nothing planned, nothing sent
(a prompt to coordinators instead); otherwise one message grouped by team, with the answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from storage import meetings, reminders, teams
from storage.db import Database
from storage.models import (
    Answer,
    Member,
    Membership,
    Role,
    ScheduledKind,
    ScheduledMessage,
)
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
DIGEST_DAY = datetime(2026, 12, 1, 8, 0, tzinfo=WARSAW)
GROUP = -1001810
KASIA, MAREK, OLA = 2101, 2102, 2103
PROMPT = "Zwołaj spotkanie: /nowe"


def _people(harness: Harness) -> None:
    people = arrange.three(KASIA, MAREK, OLA, institutions=False)
    arrange.in_telegram(harness, people, group=GROUP, title="PZK")


async def _tick(harness: Harness, at: datetime) -> None:
    harness.set_clock(at.astimezone(UTC))
    await harness.tick()


def _texts(harness: Harness, chat_id: int, needle: str) -> list[str]:
    texts = [m.get("text", "") for m in harness.emu.messages(chat_id)]
    return [text for text in texts if needle in text]


async def _meeting(session, team_id: int, start: datetime) -> int:  # type: ignore[no-untyped-def]
    team = await teams.get_team(session, team_id)
    made = await meetings.schedule(
        session, team, start, "MOPS, sala 12", None, None, now=MONDAY_9.astimezone(UTC)
    )
    return made.id


async def _answer(session, meeting_id: int, telegram_id: int, reply: Answer) -> None:  # type: ignore[no-untyped-def]
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    meeting = await meetings.load_meeting(session, meeting_id)
    await meetings.answer(session, meeting, member, reply, now=MONDAY_9.astimezone(UTC))


async def test_nothing_planned_no_digest_but_a_prompt_for_the_coordinator(
    harness: Harness,
) -> None:
    _people(harness)
    await harness.emu.next_message(GROUP)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek Wiśniewski")
        (await teams.get_team(session, ids.team_id)).chat_id = GROUP
    await _tick(harness, DIGEST_DAY)
    await _tick(harness, DIGEST_DAY.replace(minute=5))  # a later tick repeats nothing
    assert not _texts(harness, MAREK, "")
    assert not _texts(harness, GROUP, "Najbliższe")
    prompts = _texts(harness, KASIA, PROMPT)
    assert len(prompts) == 1
    assert "PZK Zduńska Wola" in prompts[0]
    assert "\n" not in prompts[0].strip()  # one line
    assert "Najbliższe" not in prompts[0]


async def test_two_teams_in_one_digest_grouped_with_answers(harness: Harness) -> None:
    _people(harness)
    await harness.emu.next_message(GROUP)
    harness.set_clock(MONDAY_9.astimezone(UTC))
    async with harness.session() as session:
        zdunska = (await arrange.team(session)).team_id
        sieradz = (await arrange.team(session, "Sieradz", institutions=())).team_id
        lask = (await arrange.team(session, "Łask", institutions=())).team_id
        await arrange.person(session, zdunska, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        await arrange.person(session, zdunska, MAREK, "Marek Wiśniewski")
        await arrange.person(session, sieradz, MAREK, "Marek Wiśniewski")
        await arrange.person(session, sieradz, OLA, "Aleksandra Zielińska", Role.COORDINATOR)
        await arrange.person(session, lask, MAREK, "Marek Wiśniewski")
        await arrange.person(session, lask, OLA, "Aleksandra Zielińska", Role.COORDINATOR)
        (await teams.get_team(session, zdunska)).chat_id = GROUP
        first = await _meeting(session, zdunska, datetime(2026, 12, 3, 10, 0, tzinfo=WARSAW))
        second = await _meeting(session, sieradz, datetime(2026, 12, 10, 12, 0, tzinfo=WARSAW))
        third = await _meeting(session, sieradz, datetime(2026, 12, 17, 9, 0, tzinfo=WARSAW))
        await _meeting(session, zdunska, datetime(2026, 12, 18, 10, 0, tzinfo=WARSAW))
        await _answer(session, first, MAREK, Answer.YES)
        await _answer(session, second, MAREK, Answer.MAYBE)
        await _answer(session, third, MAREK, Answer.NO)
    await _tick(harness, DIGEST_DAY)
    await _tick(harness, DIGEST_DAY.replace(minute=5))

    digests = _texts(harness, MAREK, "Najbliższe spotkania")
    assert len(digests) == 1  # one message for all of Marek's teams, not one per team
    text = digests[0]
    # Teams by name, each heading followed by its own meetings; Łask has nothing: left out.
    assert "PZK Łask" not in text
    sieradz_at, zdunska_at = text.index("PZK Sieradz"), text.index("PZK Zduńska Wola")
    assert sieradz_at < zdunska_at
    sieradz_part, zdunska_part = text[sieradz_at:zdunska_at], text[zdunska_at:]
    assert "10 grudnia 2026, 12:00" in sieradz_part
    assert "Twoja odpowiedź: Może" in sieradz_part
    assert "17 grudnia 2026, 09:00" in sieradz_part
    assert "Twoja odpowiedź: Nie będę" in sieradz_part
    assert "3 grudnia 2026, 10:00" in zdunska_part
    assert "Twoja odpowiedź: Będę" in zdunska_part
    assert "18 grudnia 2026, 10:00" in zdunska_part
    assert "Twoja odpowiedź: brak odpowiedzi" in zdunska_part
    assert PROMPT not in text
    marek = next(m for m in harness.emu.messages(MAREK) if "Najbliższe" in m.get("text", ""))
    assert len(harness.button_labels(marek)) == 1  # only the unanswered meeting asks

    # Ola coordinates Sieradz (planned) and Łask (empty): the digest, and the prompt for Łask.
    olas = _texts(harness, OLA, "Najbliższe spotkania")
    assert len(olas) == 1 and len(_texts(harness, OLA, PROMPT)) == 1
    assert "PZK Sieradz" in olas[0] and "PZK Zduńska Wola" not in olas[0]
    assert "PZK Łask" in olas[0].split(PROMPT)[0].splitlines()[-1]
    # The group of Zduńska Wola: its own meetings once, no one's answers.
    group = _texts(harness, GROUP, "Najbliższe spotkania")
    assert len(group) == 1
    assert "PZK Sieradz" not in group[0] and "Twoja odpowiedź" not in group[0]
    async with harness.session() as session:
        rows = await session.scalar(
            select(func.count()).where(
                ScheduledMessage.kind == ScheduledKind.DIGEST,
                ScheduledMessage.chat_id == MAREK,
            )
        )
    assert rows == 1


async def test_a_digest_to_thousands_is_planned_in_slices(db: Database) -> None:
    """4,500 members of one team: more rows than one INSERT may carry on PostgreSQL (32,767
    parameters) or SQLite; the whole morning's rows are planned once, and again nothing."""
    people = 4_500
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Warsaw: the 08:00 digest is due
    async with db.session() as session:
        ids = await arrange.team(session, institutions=())
        first = 500_000
        await session.execute(
            insert(Member),
            [{"telegram_id": first + i, "name": f"Osoba {i}"} for i in range(people)],
        )
        member_ids = await session.scalars(select(Member.id).where(Member.telegram_id >= first))
        await session.execute(
            insert(Membership),
            [{"team_id": ids.team_id, "member_id": m, "role": Role.MEMBER} for m in member_ids],
        )
        meeting_id = await _meeting(session, ids.team_id, datetime(2026, 12, 8, 13, 0, tzinfo=UTC))
    async with db.session() as session:
        planned = await reminders.plan_digests(session, now)
    async with db.session() as session:
        again = await reminders.plan_digests(session, now)
        rows = await session.scalar(
            select(func.count())
            .select_from(ScheduledMessage)
            .where(ScheduledMessage.kind == ScheduledKind.DIGEST)
        )
    assert planned == rows and rows >= people
    assert again == 0

    # A reminder due after all those digests is sent before them.
    async with db.session() as session:
        session.add(
            ScheduledMessage(
                kind=ScheduledKind.REMINDER,
                team_id=ids.team_id,
                meeting_id=meeting_id,
                chat_id=first,
                offset_minutes=7,  # none of the planned ones
                due_at=now + timedelta(minutes=5),
            )
        )
    async with db.session() as session:
        [claimed] = await reminders.claim_batch(session, "test", now + timedelta(minutes=6), 1)
        assert claimed is not None and claimed.kind == ScheduledKind.REMINDER
        [claimed] = await reminders.claim_batch(session, "test", now + timedelta(minutes=6), 1)
        assert claimed is not None and claimed.kind == ScheduledKind.DIGEST
