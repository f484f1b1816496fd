"""No client data in the bot: PESEL numbers in free texts are refused before anything is kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage import meetings, teams
from storage.members import find_member
from storage.models import Announcement, Decision, Meeting, Role, Task
from storage.privacy import contains_pesel, is_pesel
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=WARSAW)
KASIA = 2301
PESEL = "44051401359"  # the checksum-valid example of the PESEL rules


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        (PESEL, True),
        ("02070803628", True),  # born in 2002: the month carries +20
        ("44051401358", False),  # checksum off by one
        ("48601234567", False),  # a phone number with the country code
        ("44133101359", False),  # no 13th month
        ("4405140135", False),
    ],
)
def test_pesel_rules(digits: str, valid: bool) -> None:
    assert is_pesel(digits) is valid


def test_pesel_found_only_as_a_whole_number() -> None:
    assert contains_pesel(f"Rodzina Kowalskich, PESEL {PESEL}, wymaga wsparcia")
    assert contains_pesel(f"pesel:{PESEL}.")
    assert not contains_pesel(f"sygnatura 1{PESEL}")  # twelve digits: not a PESEL
    assert not contains_pesel("tel. 42 123 45 67, sala 12, 2026-11-24")


async def test_client_data_refused_everywhere_before_it_is_kept(harness: Harness) -> None:
    harness.set_clock(NOW)
    async with harness.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        team = await teams.get_team(session, ids.team_id)
        kasia = await find_member(session, KASIA)
        started = NOW - timedelta(hours=13)  # its register card is long dropped
        meeting = await meetings.schedule(
            session,
            team,
            started.astimezone(UTC),
            "MOPS",
            None,
            kasia,
            now=started - timedelta(days=1),
        )
        meeting_id = meeting.id
    harness.user(KASIA, "Katarzyna")
    refusal = "To wygląda na numer PESEL"

    for text in (
        f"/nowe jutro o 10; MOPS; sprawa {PESEL}",
        f"/decyzja Wsparcie dla rodziny {PESEL}",
        f"/zadanie Katarzyna do piątku: zadzwonić w sprawie {PESEL}",
        f"/ogloszenie Uwaga, klient {PESEL} zgłosi się jutro",
        f"/termin MOPS {PESEL}; jutro o 10; środa o 12",
    ):
        answer = await harness.say(KASIA, text)
        assert refusal in answer["text"], text

    card = await harness.say(KASIA, "/obecnosc")
    await harness.press(KASIA, card, "Dodaj gościa")
    await harness.emu.next_message(KASIA)
    answer = await harness.say(KASIA, f"Jan Nowak {PESEL}, Kuratorium")
    assert refusal in answer["text"]

    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Meeting)) == 1
        for model in (Decision, Task):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
        texts = (await session.scalars(select(Announcement.text_html))).all()
        assert not any(PESEL in text for text in texts)
        assert (await meetings.load_meeting(session, meeting_id)).agenda is None
