"""Who has not confirmed reading an announcement: named in the author's report and in
/ogloszenia, reminded once by a button; and a region admin in no team announcing anywhere."""

from __future__ import annotations

from sqlalchemy import func, select, update

from storage import members, teams
from storage.models import Announcement, AuditEntry, Membership, Role, TeamKind
from tests import arrange
from tests.conftest import ADMIN_ID, Harness
from tests.test_announcements import (
    ANNA,
    EWA,
    JAN,
    KASIA,
    MAREK,
    OLA,
    PIOTR,
    PZK_GROUP,
    ZZK_GROUP,
    _announcements_in,
    _finished,
    _next,
    _preview,
    _region,
    _report,
    _say,
    _sends_to,
)

READ = "✅ Potwierdzam przeczytanie"
REMIND = "🔔 Przypomnij osobom bez potwierdzenia"


def _reminders_to(harness: Harness, chat_id: int) -> list[dict]:
    return [
        m for m in harness.emu.messages(chat_id) if (m.get("text") or "").startswith("🔔 Przypom")
    ]


async def _asking_to_confirm(harness: Harness, author: int, text: str, audience: str) -> None:
    controls = await _preview(harness, author, text, audience)
    await harness.press(author, controls, "✅ Potwierdzenie: nie")
    controls = await harness.edited(controls)
    await harness.press(author, controls, "📤 Wyślij teraz")
    await _finished(harness)


async def _with_institution(harness: Harness, telegram_id: int) -> None:
    """Marek works at the team's MOPS, so his institution shows next to his name."""
    async with harness.session() as session:
        member = await members.find_member(session, telegram_id)
        kasia = await members.find_member(session, KASIA)
        assert member is not None and kasia is not None
        member.institution_id = kasia.institution_id


async def _history(harness: Harness, user_id: int) -> dict:
    """/ogloszenia, skipping what came to that chat before (an announcement, a report)."""
    harness.emu.send_message(user_id, "/ogloszenia")
    while True:
        message = await _next(harness, user_id)
        if (message.get("text") or "").startswith("Ogłoszenia"):
            return message


async def _report_message(harness: Harness, author: int) -> dict:
    found = [
        m for m in harness.emu.messages(author) if "Ogłoszenie wysłane" in (m.get("text") or "")
    ]
    return harness.current(found[-1])


async def test_report_and_history_name_those_who_have_not_confirmed(harness: Harness) -> None:
    await _region(harness)
    await _with_institution(harness, MAREK)
    await _asking_to_confirm(harness, KASIA, "Proszę potwierdzić", "PZK Zduńska Wola")
    await _report(harness, KASIA, "Bez potwierdzenia przeczytania: Aleksandra Zielińska, Marek")
    (to_ola,) = _announcements_in(harness, OLA)
    assert harness.button_labels(to_ola) == [READ]
    assert (await harness.press(OLA, to_ola, READ))["text"] == "Dziękuję!"
    text = await _report(harness, KASIA, "Potwierdziło przeczytanie: 1 z 2")
    assert "Bez potwierdzenia przeczytania: Marek Wiśniewski (MOPS" in text
    assert "Zielińska" not in text.split("Bez potwierdzenia")[1]
    history = await _history(harness, KASIA)
    assert "Bez potwierdzenia przeczytania: Marek Wiśniewski (MOPS" in history["text"]
    assert any(label.startswith(REMIND) for label in harness.button_labels(history))


async def test_many_non_readers_fit_one_message(harness: Harness) -> None:
    ids = await _region(harness)
    async with harness.session() as session:
        for n in range(120):
            user_id = harness.user(500000 + n, f"Osoba{n}")
            name = f"Osoba z bardzo długim nazwiskiem numer {n}"
            await arrange.person(session, ids["pzk"], user_id, name)
    await _asking_to_confirm(harness, KASIA, "Dużo osób", "PZK Zduńska Wola")
    text = await _report(harness, KASIA, "Bez potwierdzenia przeczytania:", timeout=60)
    assert "i jeszcze" in text.split("Bez potwierdzenia")[1]
    assert len(text) <= 4096


async def test_remind_reaches_only_those_who_have_not_confirmed_once(harness: Harness) -> None:
    ids = await _region(harness)
    # Marek coordinates the team too, so he is both a recipient and one who may remind.
    async with harness.session() as session:
        marek = await members.find_member(session, MAREK)
        assert marek is not None
        await session.execute(
            update(Membership)
            .where(Membership.member_id == marek.id, Membership.team_id == ids["pzk"])
            .values(role=Role.COORDINATOR)
        )
    harness.user(3009, "Zosia")
    async with harness.session() as session:
        await arrange.person(session, ids["pzk"], 3009, "Zofia Blokująca")
    harness.emu.block_bot(3009)
    await _asking_to_confirm(harness, KASIA, "Proszę potwierdzić", "PZK Zduńska Wola")
    await _report(harness, KASIA, "Bez potwierdzenia przeczytania: Aleksandra Zielińska, Marek")
    sends_before = _sends_to(harness, OLA)
    # Marek presses it in /ogloszenia: Ola is reminded, not Marek himself, not the blocked one.
    history = await _history(harness, MAREK)
    remind = next(label for label in harness.button_labels(history) if label.startswith(REMIND))
    answer = await harness.press(MAREK, history, remind)
    assert answer["text"] == "Przypomniano 1 osobie."
    await harness.emu.settle(quiet=0.3)
    (reminder,) = _reminders_to(harness, OLA)
    assert "Proszę potwierdzić" in reminder["text"]
    assert harness.button_labels(reminder) == [READ]
    assert not _reminders_to(harness, MAREK) and not _reminders_to(harness, KASIA)
    assert not _reminders_to(harness, 3009)
    assert _sends_to(harness, OLA) == sends_before  # the announcement is not sent again
    # The history no longer offers it; the author's button answers that it was done.
    assert not any(
        label.startswith(REMIND) for label in harness.button_labels(harness.current(history))
    )
    report = await _report_message(harness, KASIA)
    again = await harness.press(KASIA, report, REMIND)
    assert "już wysłane" in again["text"]
    await harness.emu.settle(quiet=0.3)
    assert len(_reminders_to(harness, OLA)) == 1
    # The reminder's own button confirms reading.
    assert (await harness.press(OLA, reminder, READ))["text"] == "Dziękuję!"
    await _report(harness, KASIA, "Potwierdziło przeczytanie: 1 z 3")
    async with harness.session() as session:
        reminded = await session.scalar(
            select(func.count()).where(AuditEntry.action == "announcement_reminded")
        )
    assert reminded == 1


async def test_two_presses_at_once_remind_once(harness: Harness) -> None:
    await _region(harness)
    await _asking_to_confirm(harness, KASIA, "Proszę potwierdzić", "PZK Zduńska Wola")
    await _report(harness, KASIA, "Bez potwierdzenia")
    report = await _report_message(harness, KASIA)
    first = harness.emu.press_button(KASIA, report, REMIND)
    second = harness.emu.press_button(KASIA, report, REMIND)
    answers = [await harness.emu.callback_answer(q) for q in (first, second)]
    assert sorted(a["text"] for a in answers) == [
        "Przypomniano 2 osobom.",
        "Przypomnienie zostało już wysłane.",
    ]
    await harness.emu.settle(quiet=0.3)
    assert len(_reminders_to(harness, OLA)) == 1 and len(_reminders_to(harness, MAREK)) == 1


async def test_stranger_cannot_remind(harness: Harness) -> None:
    await _region(harness)
    await _asking_to_confirm(harness, KASIA, "Proszę potwierdzić", "PZK Zduńska Wola")
    async with harness.session() as session:
        announcement_id = await session.scalar(select(func.max(Announcement.id)))
    query = harness.emu.send_callback(EWA, EWA, 1, f"an:rem:{announcement_id}:h")
    refusal = await harness.emu.callback_answer(query)
    assert "Tylko koordynatorzy" in refusal["text"]
    await harness.emu.settle(quiet=0.3)
    assert not _reminders_to(harness, OLA)


async def _admin_picks(harness: Harness, text: str, *presses: str) -> dict:
    prompt = await _say(harness, ADMIN_ID, "/ogloszenie")
    assert "Napisz ogłoszenie" in prompt["text"]
    harness.emu.send_message(ADMIN_ID, text, parse_mode="HTML")
    question = await _next(harness, ADMIN_ID)
    assert question["text"] == "Do kogo?"
    for label in presses:
        await harness.press(ADMIN_ID, question, label)
        question = await harness.edited(question)
    preview = await _next(harness, ADMIN_ID)
    assert "Ogłoszenie" in (preview.get("text") or "")
    return await _next(harness, ADMIN_ID)


async def test_admin_in_no_team_announces_to_a_team_and_the_region(harness: Harness) -> None:
    await _region(harness)
    async with harness.session() as session:
        assert await members.find_member(session, ADMIN_ID) is None
    controls = await _admin_picks(harness, "Dla ZZK", "👥 Zespół…", "ZZK Rodzina")
    assert "Do: 3 osoby i 1 grupa" in controls["text"]
    await harness.press(ADMIN_ID, controls, "📤 Wyślij teraz")
    await _finished(harness)
    for chat in (EWA, MAREK, PIOTR, ZZK_GROUP):
        assert _sends_to(harness, chat) == 1, chat
    assert _sends_to(harness, OLA) == 0 and _sends_to(harness, PZK_GROUP) == 0
    (to_piotr,) = _announcements_in(harness, PIOTR)
    assert "— Admin" in to_piotr["text"]  # signed by the admin's name
    controls = await _admin_picks(harness, "Dla regionu", "Wszystkie zespoły regionu")
    assert "Do: 7 osób i 2 grupy" in controls["text"]
    await harness.press(ADMIN_ID, controls, "📤 Wyślij teraz")
    await _finished(harness)
    for chat in (KASIA, OLA, ANNA, JAN, PZK_GROUP):
        assert len(_announcements_in(harness, chat)) == 1, chat
    assert len(_announcements_in(harness, EWA)) == 2  # her team's, then the region's


async def test_admin_in_no_team_picks_a_municipality_from_pages(harness: Harness) -> None:
    await _region(harness)
    async with harness.session() as session:
        for n in range(10):
            await teams.add_team(session, f"Gmina {n:02d}", TeamKind.PZK)
    prompt = await _say(harness, ADMIN_ID, "/ogloszenie Dla Sieradza")
    del prompt
    question = await _admin_question(harness)
    await harness.press(ADMIN_ID, question, "🏘 Gmina…")
    question = await harness.edited(question)
    assert question["text"].startswith("Która gmina? (1/")
    assert "Sieradz" not in harness.button_labels(question)
    while "Sieradz" not in harness.button_labels(question):  # pages of 4: at most 6 rows
        forward = [label for label in harness.button_labels(question) if label.endswith("›")]
        await harness.press(ADMIN_ID, question, forward[0])
        question = await harness.edited(question)
    assert len(harness.emu.buttons(question)) <= 6
    await harness.press(ADMIN_ID, question, "Sieradz")
    await harness.edited(question)
    await _next(harness, ADMIN_ID)  # the preview
    controls = await _next(harness, ADMIN_ID)
    assert "Do: 2 osoby" in controls["text"]
    await harness.press(ADMIN_ID, controls, "📤 Wyślij teraz")
    await _finished(harness)
    assert len(_announcements_in(harness, JAN)) == 1 and not _announcements_in(harness, OLA)


async def test_a_member_in_no_team_is_still_refused(harness: Harness) -> None:
    harness.user(3999, "Obcy")
    answer = await harness.say(3999, "/ogloszenie")
    assert "Tylko koordynatorzy" in answer["text"]


async def _admin_question(harness: Harness) -> dict:
    await harness.emu.settle(quiet=0.2)
    asked = [m for m in harness.emu.messages(ADMIN_ID) if m.get("text") == "Do kogo?"]
    return asked[-1]
