"""Events of the region invite members of several teams: a training of one team inviting
another reaches the other's members (the card, their answer, reminders, the register, the
figures); a team's own meeting invites nobody; a coordinator invites only teams of the own
municipality."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from storage import audience, feeds, figures, meetings, regions, teams
from storage.errors import DomainError
from storage.members import find_member
from storage.models import EventKind, Meeting, MeetingSeries, Role, Rsvp, TeamKind
from storage.recurrence import Preset
from tests import arrange
from tests.conftest import Harness
from tests.test_meetings import GROUP, KASIA, MAREK, MONDAY_9, OLA, WARSAW

WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=WARSAW)
ZOSIA, PIOTR = 4001, 4002  # of the ZZK of the same town; of the PZK of Sieradz
INVITE = "Zaproś inne zespoły"
ZZK = "ZZK Zduńska Wola · Zduńska Wola"


@pytest.fixture
async def teams_abc(harness: Harness) -> dict[str, int]:
    """Kasia coordinates the PZK of Zduńska Wola (with Marek and Ola); Zosia is in the ZZK of
    the same town; Piotr in the PZK of Sieradz."""
    people = arrange.three(KASIA, MAREK, OLA)
    own = await arrange.linked_team(harness, people, clock=MONDAY_9, group=GROUP)
    async with harness.session() as session:
        zzk = await teams.add_team(session, "Zduńska Wola", TeamKind.ZZK)
        await arrange.person(session, zzk.id, ZOSIA, "Zofia Kowalczyk", Role.MEMBER)
        sieradz = await arrange.team(session, "Sieradz")
        await arrange.person(session, sieradz.team_id, PIOTR, "Piotr Lis", Role.MEMBER)
    harness.user(ZOSIA, "Zofia")
    harness.user(PIOTR, "Piotr")
    return {"own": own.team_id, "zzk": zzk.id, "sieradz": sieradz.team_id}


async def _training_asked(harness: Harness) -> dict:
    question = await harness.say(KASIA, "/nowe")
    assert INVITE not in harness.button_labels(question)  # the team's own meeting: no invites
    await harness.press(KASIA, question, "Szkolenie międzysektorowe")
    return await harness.edited(question)


async def _tick(harness: Harness, at: datetime) -> None:
    harness.set_clock(at.astimezone(UTC))
    await harness.tick()


async def test_an_invited_teams_member_gets_answers_is_reminded_and_counted(
    harness: Harness, teams_abc: dict[str, int]
) -> None:
    asked = await _training_asked(harness)
    assert INVITE in harness.button_labels(asked)
    await harness.press(KASIA, asked, INVITE)
    listed = await harness.edited(asked)
    labels = harness.button_labels(listed)
    assert f"⬜ {ZZK}" in labels
    assert not any("Sieradz" in label for label in labels)  # another municipality: out of reach
    await harness.press(KASIA, listed, f"⬜ {ZZK}")
    ticked = await harness.edited(listed)
    assert f"✅ {ZZK}" in harness.button_labels(ticked)
    await harness.press(KASIA, ticked, "Gotowe")
    back = await harness.edited(listed)
    assert "Kiedy?" in back["text"] and "Zaproszone zespoły: ZZK Zduńska Wola" in back["text"]
    assert f"{INVITE} (1)" in harness.button_labels(back)

    echo = await harness.say(KASIA, "środa 10:00")
    await harness.press(KASIA, echo, "Zgadza się")
    await harness.edited(echo)
    await harness.say(KASIA, "MOPS, sala 2")
    repeat = await harness.say(KASIA, "przemoc w rodzinie")
    await harness.press(KASIA, repeat, "Tylko raz")
    assert "Spotkanie zwołane" in (await harness.edited(repeat))["text"]

    card = await harness.emu.next_message(ZOSIA)
    assert card["text"].startswith("Szkolenie międzysektorowe · PZK Zduńska Wola")
    assert "Zaproszone zespoły: ZZK Zduńska Wola" in card["text"]
    assert harness.emu.messages(PIOTR) == []  # not invited
    await harness.press(ZOSIA, card, "Będę")
    mine = await harness.edited(card)
    assert "Twoja odpowiedź: Będę" in mine["text"]
    async with harness.session() as session:
        (event,) = list(await session.scalars(select(Meeting)))
        zosia = await find_member(session, ZOSIA)
        assert zosia is not None
        rsvp = await session.get(Rsvp, (event.id, zosia.id))
        assert rsvp is not None
        invited = [m.telegram_id for m in await audience.members(session, event)]
        # Her calendar feed shows it too.
        scope = await feeds.resolve(session, await feeds.issue(session, zosia.id))
        assert scope is not None
        shown = await feeds.feed_events(session, scope, WEDNESDAY_10 - timedelta(days=2))
        assert [e.uid for e in shown] == [event.uid]
    assert sorted(invited) == sorted([KASIA, MAREK, OLA, ZOSIA])

    # Reminded the day before, like the team's own.
    await _tick(harness, WEDNESDAY_10 - timedelta(days=1))
    assert [m for m in harness.emu.messages(ZOSIA) if "Przypomnienie" in m.get("text", "")]
    assert not [m for m in harness.emu.messages(PIOTR) if "Przypomnienie" in m.get("text", "")]

    # The register lists her; marked present, she counts once in the team's figures.
    await _tick(harness, WEDNESDAY_10 + timedelta(minutes=30))
    await harness.drain(KASIA)
    register = await harness.say(KASIA, "/obecnosc")
    zofia = next(label for label in harness.button_labels(register) if "Zofia" in label)
    assert zofia.startswith("⬜")
    await harness.press(KASIA, register, zofia)
    marked = await harness.edited(register)
    assert "✅ Zofia" in marked["text"]
    async with harness.session() as session:
        found = await figures.compute(
            session,
            [teams_abc["own"]],
            figures.Period(date(2026, 11, 1), date(2026, 11, 30)),
            WEDNESDAY_10 + timedelta(hours=3),
        )
    assert found.total.meetings_held == 1
    assert found.total.participants == 1 and found.total.unique_participants == 1


async def test_a_pzk_meeting_invites_no_other_team(
    harness: Harness, teams_abc: dict[str, int]
) -> None:
    question = await harness.say(KASIA, "/nowe")
    assert INVITE not in harness.button_labels(question)
    forged = harness.emu.send_callback(KASIA, KASIA, question["message_id"], "it:0")
    answer = await harness.emu.callback_answer(forged)
    assert "tylko na wydarzenia regionu" in answer["text"]
    async with harness.session() as session:
        team = await teams.get_team(session, teams_abc["own"])
        with pytest.raises(DomainError, match="kind_cannot_invite"):
            await meetings.schedule(
                session,
                team,
                WEDNESDAY_10.astimezone(UTC),
                "MOPS",
                None,
                None,
                invited=[teams_abc["zzk"]],
                now=MONDAY_9.astimezone(UTC),
            )


async def test_a_coordinator_invites_only_teams_of_the_own_municipality(
    harness: Harness, teams_abc: dict[str, int]
) -> None:
    asked = await _training_asked(harness)
    forged = harness.emu.send_callback(
        KASIA, KASIA, asked["message_id"], f"it:{teams_abc['sieradz']}"
    )
    answer = await harness.emu.callback_answer(forged)
    assert answer.get("show_alert") and "Nie możesz zaprosić tego zespołu" in answer["text"]
    # Nothing chosen: "Done" brings back the question without invited teams.
    await harness.press(KASIA, asked, INVITE)
    listed = await harness.edited(asked)
    await harness.press(KASIA, listed, "Gotowe")
    back = await harness.edited(listed)
    assert "Zaproszone zespoły" not in back["text"]


async def test_a_series_invites_at_every_occurrence_and_the_digest_shows_it(
    harness: Harness, teams_abc: dict[str, int]
) -> None:
    """A monthly working group of the PZK inviting the ZZK: every occurrence (also those made
    later) invites it, and the ZZK member's digest lists it under her team."""
    async with harness.session() as session:
        team = await teams.get_team(session, teams_abc["own"])
        first = await meetings.schedule(
            session,
            team,
            datetime(2026, 12, 3, 10, 0, tzinfo=WARSAW).astimezone(UTC),
            "MOPS, sala 2",
            None,
            None,
            preset=Preset.MONTHLY,
            kind=EventKind.WORKING_GROUP,
            invited=[teams_abc["zzk"]],
            now=MONDAY_9.astimezone(UTC),
        )
        series = await session.get(MeetingSeries, first.series_id)
        assert series is not None
        later = await meetings.materialize(
            session,
            series,
            MONDAY_9.astimezone(UTC) + meetings.HORIZON,
            MONDAY_9.astimezone(UTC) + meetings.HORIZON + timedelta(days=62),
        )
        assert later
        occurrences = list(
            await session.scalars(select(Meeting).where(Meeting.series_id == series.id))
        )
        for occurrence in occurrences:
            assert await audience.invited_team_ids(session, occurrence) == [
                teams_abc["own"],
                teams_abc["zzk"],
            ]
    await _tick(harness, datetime(2026, 12, 1, 8, 0, tzinfo=WARSAW))
    digests = [m for m in harness.emu.messages(ZOSIA) if "Najbliższe spotkania" in m["text"]]
    assert len(digests) == 1
    assert "ZZK Zduńska Wola" in digests[0]["text"]
    assert "czwartek, 3 grudnia 2026, 10:00" in digests[0]["text"]
    assert not [m for m in harness.emu.messages(PIOTR) if "Najbliższe" in m.get("text", "")]


async def test_a_region_admin_invites_any_team_of_the_region_only(
    harness: Harness, teams_abc: dict[str, int]
) -> None:
    """Kasia, made admin of the region of Zduńska Wola and Sieradz, may invite the PZK of
    Sieradz too, but not a team of another region."""
    async with harness.session() as session:
        home = await regions.default_region(session)
        opole = await regions.get_or_create_region(session, "opolskie")
        brzeg = await arrange.team(session, "Brzeg", institutions=())
        town = await teams.get_municipality(session, brzeg.municipality_id)
        await regions.place_municipality(session, town, opole, None, None)
        await regions.appoint(session, KASIA, home, None)
    asked = await _training_asked(harness)
    await harness.press(KASIA, asked, INVITE)
    listed = await harness.edited(asked)
    labels = harness.button_labels(listed)
    assert f"⬜ {ZZK}" in labels and "⬜ PZK Sieradz · Sieradz" in labels
    assert not any("Brzeg" in label for label in labels)
    forged = harness.emu.send_callback(KASIA, KASIA, listed["message_id"], f"it:{brzeg.team_id}")
    answer = await harness.emu.callback_answer(forged)
    assert answer.get("show_alert") and "Nie możesz zaprosić tego zespołu" in answer["text"]
