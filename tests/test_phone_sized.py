"""Short on a phone: /pomoc on one screen with topics, a short privacy notice, keyboards of at
most 6 rows (poll dates paged), and "start over" as a button."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage import teams
from storage.models import ConversationState, PollVote, Role, Sector
from tests import arrange
from tests.conftest import Harness

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
KASIA, MAREK = 2201, 2202  # a coordinator and a member
GROUP = -1002200
MAX_LINES, MAX_ROWS = 12, 6
# Six dates: the most a poll takes (storage.polls.MAX_SLOTS); the 5th and 6th are on page 2.
SIX_DATES = (
    "/termin MOPS sala 12; wtorek 14:30; środa 10; czwartek 10; piątek 10; "
    "1 grudnia o 9; 2 grudnia o 9"
)


@pytest.fixture
async def team(harness: Harness) -> arrange.TeamIds:
    people = (
        arrange.Person(KASIA, "Katarzyna Nowak", Role.COORDINATOR),
        arrange.Person(MAREK, "Marek Wiśniewski"),
    )
    return await arrange.linked_team(harness, people, clock=MONDAY_9)


def _lines(message: dict[str, Any]) -> int:
    return len(message["text"].splitlines())


def _rows(harness: Harness, message: dict[str, Any]) -> int:
    return len(harness.emu.buttons(message))


@pytest.mark.parametrize("who", [KASIA, MAREK])
async def test_help_fits_one_screen_with_topic_buttons(
    harness: Harness, team: arrange.TeamIds, who: int
) -> None:
    shown = await harness.say(who, "/pomoc")
    assert _lines(shown) <= MAX_LINES, shown["text"]
    assert _rows(harness, shown) <= MAX_ROWS
    labels = harness.button_labels(shown)
    assert {"Spotkania", "Obecność i protokół", "Koszyk usług", "Prywatność"} <= set(labels)
    # Announcements are a coordinator's topic.
    assert ("Ogłoszenia" in labels) == (who == KASIA)
    await harness.press(who, shown, "Zespół i zaproszenia")
    topic = await harness.edited(shown)
    assert topic["text"].startswith("Zespół i zaproszenia") and _lines(topic) <= MAX_LINES
    assert "/zespol" in topic["text"]
    assert ("/zaproszenie" in topic["text"]) == (who == KASIA)
    await harness.press(who, topic, "↩ Wstecz")
    back = await harness.edited(topic)
    assert back["text"] == shown["text"] and harness.button_labels(back) == labels


async def test_every_help_topic_is_one_screen(harness: Harness, team: arrange.TeamIds) -> None:
    shown = await harness.say(KASIA, "/pomoc")
    assert len(harness.button_labels(shown)) == 6  # a coordinator's topics
    for label in harness.button_labels(shown):
        await harness.press(KASIA, harness.current(shown), label)
        topic = await harness.edited(shown)
        assert topic["text"].startswith(label) and _lines(topic) <= MAX_LINES, topic["text"]
        await harness.press(KASIA, topic, "↩ Wstecz")
        await harness.edited(shown)


async def test_a_member_cannot_draw_the_coordinators_topic(
    harness: Harness, team: arrange.TeamIds
) -> None:
    shown = await harness.say(MAREK, "/pomoc")
    query = harness.emu.send_callback(MAREK, MAREK, shown["message_id"], "hp:t:o")
    assert (await harness.emu.callback_answer(query)).get("show_alert")


async def test_start_privacy_is_short_with_a_button_for_the_full_text(harness: Harness) -> None:
    harness.app.bot_data["settings"] = harness.app.bot_data["settings"].model_copy(
        update={"privacy_controller": "RCPS w Łodzi"}
    )
    harness.user(KASIA, "Katarzyna")
    hello = await harness.say(KASIA, "/start")
    notice = hello["text"].split("\n\n")[-1]
    assert notice.startswith("Prywatność:")
    # 2–3 lines on a phone: about 40 characters a line.
    assert "\n" not in notice and len(notice) <= 3 * 40, notice
    await harness.press(KASIA, hello, "Prywatność: pełny tekst")
    full = await harness.emu.next_message(KASIA)
    assert "Administrator danych: RCPS w Łodzi" in full["text"]
    assert "nieaktywnych przez 24 mies." in full["text"]


async def test_a_poll_pages_its_dates_and_votes_on_page_two(
    harness: Harness, team: arrange.TeamIds
) -> None:
    async with harness.session() as session:
        (await teams.get_team(session, team.team_id)).chat_id = GROUP
    harness.emu.add_group(GROUP, "PZK Zduńska Wola")
    for user_id in (KASIA, MAREK):
        harness.emu.set_member(GROUP, user_id, status="member")
    harness.emu.add_bot_to_group(GROUP, by_user_id=KASIA)
    await harness.emu.next_message(GROUP)
    done = await harness.say(KASIA, SIX_DATES)
    assert "Ankieta utworzona" in done["text"], done["text"]
    cards = {chat: await harness.emu.next_message(chat) for chat in (GROUP, MAREK, KASIA)}
    for card in cards.values():
        assert _rows(harness, card) <= MAX_ROWS, harness.emu.buttons(card)
        assert "6. " in card["text"]  # the text lists every date
    assert "✅ 5 wt. 01.12" not in harness.button_labels(cards[MAREK])
    await harness.press(MAREK, cards[MAREK], "5–6 ›")
    page_two = await harness.edited(cards[MAREK])
    assert "✅ 5 wt. 01.12" in harness.button_labels(page_two)
    assert "‹ 1–4" in harness.button_labels(page_two)
    voted = await harness.press(MAREK, page_two, "✅ 5 wt. 01.12")
    assert not voted.get("show_alert"), voted
    card = await harness.edited(page_two)
    # The card stays on the page voted on, with the vote marked.
    assert "• ✅ 5 wt. 01.12" in harness.button_labels(card)
    assert "Ty: pasuje" in card["text"]
    # The group's card pages too, for anyone in the group.
    await harness.press(KASIA, cards[GROUP], "5–6 ›")
    group = await harness.edited(cards[GROUP])
    assert _rows(harness, group) <= MAX_ROWS and "❌ 6 śr. 02.12" in harness.button_labels(group)
    async with harness.session() as session:
        assert len((await session.scalars(select(PollVote))).all()) == 1


async def test_start_over_is_a_button_that_forgets_the_question(
    harness: Harness, team: arrange.TeamIds
) -> None:
    newcomer = harness.user(2203, "Ola")
    async with harness.session() as session:
        token = await arrange.invitation(session, team.team_id)
    question = await harness.say(newcomer, f"/start {token}")
    assert "W jakiej instytucji pracujesz?" in question["text"]
    hint = await harness.say(newcomer, "MOPS")
    assert "Zacznij od nowa" in harness.button_labels(hint)
    await harness.press(newcomer, hint, "Zacznij od nowa")
    dropped = await harness.edited(hint)
    assert "Anulowano" in dropped["text"]
    async with harness.session() as session:
        assert (await session.get(ConversationState, (newcomer, newcomer))) is None
    # Typed text is no longer taken for the dropped question.
    after = await harness.say(newcomer, "MOPS")
    assert "Nie rozumiem" in after["text"]


async def test_join_keyboards_stay_within_six_rows(harness: Harness, team: arrange.TeamIds) -> None:
    async with harness.session() as session:
        for n in range(1, 9):
            await teams.get_or_create_institution(
                session, team.municipality_id, f"Szkoła Podstawowa nr {n}", Sector.EDUCATION
            )
        token = await arrange.invitation(session, team.team_id)
    newcomer = harness.user(2204, "Jan")
    question = await harness.say(newcomer, f"/start {token}")
    assert _rows(harness, question) <= MAX_ROWS, harness.emu.buttons(question)
    assert "Mojej instytucji nie ma na liście" in " ".join(harness.button_labels(question))
    # Ten institutions, four a page: "nr 8" is on the third.
    page = question
    for _ in range(2):
        more = next(label for label in harness.button_labels(page) if label.endswith("›"))
        await harness.press(newcomer, page, more)
        page = await harness.edited(page)
        assert _rows(harness, page) <= MAX_ROWS, harness.emu.buttons(page)
    assert "Szkoła Podstawowa nr 8" in harness.button_labels(page)
    await harness.press(newcomer, page, "Szkoła Podstawowa nr 8")
    assert "Witaj" in (await harness.edited(page))["text"]


async def test_sector_question_stays_within_six_rows(
    harness: Harness, team: arrange.TeamIds
) -> None:
    async with harness.session() as session:
        token = await arrange.invitation(session, team.team_id)
    newcomer = harness.user(2205, "Ewa")
    question = await harness.say(newcomer, f"/start {token}")
    await harness.press(newcomer, question, "Mojej instytucji nie ma na liście")
    await harness.edited(question)
    sectors = await harness.say(newcomer, "Fundacja Dobry Start")
    assert _rows(harness, sectors) <= MAX_ROWS, harness.emu.buttons(sectors)
