"""Announcements through the emulator: audiences, permissions, one delivery per chat, pin,
read confirmations, scheduled sending, Telegram's refusals, restarts and the report."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.broadcast import TASKS
from botapi_emulator import BotApiEmulator
from storage import announcements, members, teams
from storage.db import Database
from storage.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementState,
    Audience,
    AuditEntry,
    Role,
    SendState,
    TeamKind,
)
from tests import arrange, processes
from tests.conftest import ADMIN_ID, Harness

WARSAW = ZoneInfo("Europe/Warsaw")
PZK_GROUP, ZZK_GROUP = -1001900, -1001901
KASIA, OLA, MAREK, PIOTR, EWA = 3001, 3002, 3003, 3004, 3005  # Zduńska Wola
ANNA, JAN = 3101, 3102  # Sieradz
PEOPLE = {
    KASIA: "Katarzyna Nowak",
    OLA: "Aleksandra Zielińska",
    MAREK: "Marek Wiśniewski",
    PIOTR: "Piotr Kowalski",
    EWA: "Ewa Lis",
    ANNA: "Anna Wójcik",
    JAN: "Jan Mazur",
    ADMIN_ID: "Admin",
}


async def _region(harness: Harness) -> dict[str, int]:
    """Zduńska Wola: PZK (Kasia coordinates; Ola, Marek) with a group, ZZK (Ewa coordinates;
    Marek again, Piotr) with a group. Sieradz: PZK (Anna coordinates; Jan)."""
    for user_id, name in PEOPLE.items():
        harness.user(user_id, name.split()[0])
    for group, title in ((PZK_GROUP, "PZK Zduńska Wola"), (ZZK_GROUP, "ZZK Zduńska Wola")):
        harness.emu.add_group(group, title, kind="supergroup")
        harness.emu.add_bot_to_group(group, by_user_id=KASIA, status="administrator")
    for user_id in (KASIA, OLA, MAREK):
        harness.emu.set_member(PZK_GROUP, user_id)
    for user_id in (EWA, MAREK, PIOTR):
        harness.emu.set_member(ZZK_GROUP, user_id)
    await harness.emu.settle(quiet=0.2)
    async with harness.session() as session:
        pzk = await arrange.team(session)
        zzk = await teams.add_team(session, "Zduńska Wola", TeamKind.ZZK, name="ZZK Rodzina")
        sieradz = await arrange.team(session, town="Sieradz", institutions=())
        mops = next(iter(pzk.institution_ids.values()))
        await arrange.person(session, pzk.team_id, KASIA, PEOPLE[KASIA], Role.COORDINATOR, mops)
        await arrange.person(session, pzk.team_id, OLA, PEOPLE[OLA])
        await arrange.person(session, pzk.team_id, MAREK, PEOPLE[MAREK])
        await arrange.person(session, zzk.id, EWA, PEOPLE[EWA], Role.COORDINATOR)
        await arrange.person(session, zzk.id, MAREK, PEOPLE[MAREK])
        await arrange.person(session, zzk.id, PIOTR, PEOPLE[PIOTR])
        await arrange.person(session, sieradz.team_id, ANNA, PEOPLE[ANNA], Role.COORDINATOR)
        await arrange.person(session, sieradz.team_id, JAN, PEOPLE[JAN])
        (await teams.get_team(session, pzk.team_id)).chat_id = PZK_GROUP
        (await teams.get_team(session, zzk.id)).chat_id = ZZK_GROUP
    return {"pzk": pzk.team_id, "zzk": zzk.id, "sieradz": sieradz.team_id}


def _announcements_in(harness: Harness, chat_id: int) -> list[dict]:
    return [
        m
        for m in harness.emu.messages(chat_id)
        if "Ogłoszenie" in (m.get("text") or m.get("caption") or "")
    ]


def _sends_to(harness: Harness, chat_id: int) -> int:
    return sum(
        1
        for c in harness.emu.calls
        if c.method in ("sendMessage", "sendPhoto", "sendDocument")
        and c.params.get("chat_id") == chat_id
        and c.status == 200
        # A copy of the announcement (or its preview), not the author's status or report,
        # which may already have come when a test counts.
        and str(c.params.get("text") or c.params.get("caption") or "").startswith("📢")
    )


async def _finished(harness: Harness, timeout: float = 30) -> Announcement:
    """Wait until the last announcement is done (the broadcaster runs every second)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with harness.session() as session:
            last = await session.scalar(select(Announcement).order_by(Announcement.id.desc()))
        if last is not None and last.state == AnnouncementState.DONE:
            await harness.emu.settle(quiet=0.3)
            return last
        assert asyncio.get_running_loop().time() < deadline, "announcement not finished"
        await asyncio.sleep(0.1)


def _is_status(message: dict) -> bool:
    return (message.get("text") or "").startswith(
        ("📤 Wysyłam ogłoszenie", "✅ Ogłoszenie wysłane")
    )


async def _next(harness: Harness, chat_id: int) -> dict:
    """The bot's next message there, past the author's status messages (they come any time)."""
    while True:
        message = await harness.emu.next_message(chat_id)
        if not _is_status(message):
            return message


async def _say(harness: Harness, user_id: int, text: str) -> dict:
    harness.emu.send_message(user_id, text)
    return await _next(harness, user_id)


async def _becomes(harness: Harness, message: dict, expected: str, timeout: float = 10) -> None:
    """Edits wait for the chat's pace (1 a second), so they can land after settling."""
    deadline = asyncio.get_running_loop().time() + timeout
    while expected not in (harness.current(message).get("text") or ""):
        assert asyncio.get_running_loop().time() < deadline, harness.current(message)["text"]
        await asyncio.sleep(0.1)


async def _report(harness: Harness, author: int, expected: str, timeout: float = 10) -> str:
    """The author's status message once it says `expected` (it is edited as sending goes)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        texts = [m.get("text", "") for m in harness.emu.messages(author)]
        found = [t for t in texts if "Ogłoszenie wysłane" in t or "Wysyłam ogłoszenie" in t]
        if found and expected in found[-1]:
            return found[-1]
        assert asyncio.get_running_loop().time() < deadline, f"{expected!r} not in {found}"
        await asyncio.sleep(0.1)


async def _write(harness: Harness, author: int, html: str) -> dict:
    """/ogloszenie, then the text; returns the bot's answer to the text."""
    prompt = await _say(harness, author, "/ogloszenie")
    assert "Napisz ogłoszenie" in prompt["text"]
    harness.emu.send_message(author, html, parse_mode="HTML")
    return await _next(harness, author)


async def _preview(harness: Harness, author: int, html: str, audience: str | None) -> dict:
    """Write the text, pick the audience; returns the control message under the preview."""
    answer = await _write(harness, author, html)
    if audience is not None:
        assert answer["text"] == "Do kogo?"
        await harness.press(author, answer, audience)
        await harness.edited(answer)
        answer = await _next(harness, author)  # the preview
    assert "Ogłoszenie" in (answer.get("text") or answer.get("caption") or "")
    return await _next(harness, author)


async def test_a_member_cannot_announce(harness: Harness) -> None:
    await _region(harness)
    answer = await harness.say(OLA, "/ogloszenie")
    assert "Tylko koordynatorzy" in answer["text"]
    answer = await harness.say(OLA, "/announce")
    assert "Tylko koordynatorzy" in answer["text"]
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Announcement)) == 0


async def test_team_announcement_keeps_formatting_and_reports(harness: Harness) -> None:
    ids = await _region(harness)
    controls = await _preview(
        harness,
        KASIA,
        '<b>Pilne:</b> zebranie w <i>MOPS</i> &amp; policji, <a href="https://mops.example/x">'
        "szczegóły</a>",
        "PZK Zduńska Wola",
    )
    assert "Do: 2 osoby i 1 grupa" in controls["text"]
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    report = await _finished(harness)
    assert report.total == 3
    for chat in (OLA, MAREK, PZK_GROUP):
        (message,) = _announcements_in(harness, chat)
        assert "Pilne: zebranie w MOPS & policji, szczegóły" in message["text"]
        kinds = {e["type"] for e in message["entities"]}
        assert {"bold", "italic", "text_link"} <= kinds
        assert "Katarzyna Nowak, MOPS" in message["text"]
    for chat in (PIOTR, EWA, ZZK_GROUP, ANNA, JAN):
        assert not _announcements_in(harness, chat)
    assert _sends_to(harness, KASIA) == 1  # her preview only
    await _becomes(harness, controls, "Wysyłam do 3 odbiorców")
    await _report(harness, KASIA, "Dostarczono: 3 z 3")
    async with harness.session() as session:
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "announcement_sent")
        )
    assert audit is not None and audit.team_id == ids["pzk"]
    assert audit.actor_telegram_id == KASIA and audit.details["recipients"] == 3


async def test_municipality_audience_reaches_each_chat_once_and_pins(harness: Harness) -> None:
    await _region(harness)
    controls = await _preview(
        harness, KASIA, "Zmiana godzin pracy MOPS", "Wszystkie zespoły gminy Zduńska Wola"
    )
    # Ola, Marek (in both teams, counted once), Ewa, Piotr; two groups; not Kasia herself.
    assert "Do: 4 osoby i 2 grupy" in controls["text"]
    await harness.press(KASIA, controls, "📌 Przypinanie: nie")
    controls = await harness.edited(controls)
    assert "📌 Przypinanie w grupach: tak" in controls["text"]
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    for chat in (OLA, MAREK, EWA, PIOTR, PZK_GROUP, ZZK_GROUP):
        assert _sends_to(harness, chat) == 1, chat
    assert not _announcements_in(harness, ANNA) and not _announcements_in(harness, JAN)
    pins = [c.params["chat_id"] for c in harness.emu.calls if c.method == "pinChatMessage"]
    assert sorted(pins) == sorted([PZK_GROUP, ZZK_GROUP])


async def test_only_a_pzk_coordinator_addresses_the_municipality(harness: Harness) -> None:
    ids = await _region(harness)
    # Ewa coordinates a ZZK only: her one choice is her team, taken without asking.
    controls = await _preview(harness, EWA, "Spotkanie ZZK przesunięte", None)
    assert "Do: 2 osoby i 1 grupa" in controls["text"]
    await harness.press(EWA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    assert _sends_to(harness, PIOTR) == 1 and _sends_to(harness, OLA) == 0
    # A forged button for the whole municipality is refused.
    async with harness.session() as session:
        municipality_id = (await teams.get_team(session, ids["zzk"])).municipality_id
    answer = await _write(harness, EWA, "Do wszystkich")
    await _next(harness, EWA)  # preview
    del answer
    async with harness.session() as session:
        draft = await session.scalar(select(Announcement).order_by(Announcement.id.desc()))
    query = harness.emu.send_callback(
        EWA, EWA, 1, f"an:a:{draft.id}:municipality:{municipality_id}"
    )
    refusal = await harness.emu.callback_answer(query)
    assert "Tylko koordynatorzy" in refusal["text"]


async def test_admin_reaches_the_region(harness: Harness) -> None:
    await _region(harness)
    async with harness.session() as session:
        await arrange.person(
            session,
            (await teams.find_team(session, "PZK Sieradz")).id,
            ADMIN_ID,
            "Admin",
            Role.MEMBER,
        )
    controls = await _preview(
        harness, ADMIN_ID, "Szkolenie dla wszystkich", "Wszystkie zespoły regionu"
    )
    assert "Do: 7 osób i 2 grupy" in controls["text"]
    await harness.press(ADMIN_ID, controls, "📤 Wyślij teraz")
    await _finished(harness)
    for chat in (KASIA, OLA, MAREK, EWA, PIOTR, ANNA, JAN, PZK_GROUP, ZZK_GROUP):
        assert _sends_to(harness, chat) == 1, chat


async def test_read_confirmations_counted_live(harness: Harness) -> None:
    await _region(harness)
    controls = await _preview(harness, KASIA, "Proszę potwierdzić", "PZK Zduńska Wola")
    await harness.press(KASIA, controls, "✅ Potwierdzenie: nie")
    controls = await harness.edited(controls)
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    await _report(harness, KASIA, "Potwierdziło przeczytanie: 0 z 2")
    (to_ola,) = _announcements_in(harness, OLA)
    answer = await harness.press(OLA, to_ola, "✅ Potwierdzam przeczytanie")
    assert answer["text"] == "Dziękuję!"
    await harness.emu.settle(quiet=0.3)
    assert harness.emu.buttons(harness.current(to_ola)) == []
    # In the group the button stays for the others; a second press changes nothing.
    (in_group,) = _announcements_in(harness, PZK_GROUP)
    first = await harness.press(MAREK, in_group, "✅ Potwierdzam przeczytanie")
    assert first["text"] == "Dziękuję!"
    again = await harness.press(MAREK, in_group, "✅ Potwierdzam przeczytanie")
    assert "już" in again["text"]
    # Someone from another team cannot confirm.
    harness.emu.set_member(PZK_GROUP, JAN, status="member")
    refusal = await harness.press(JAN, in_group, "✅ Potwierdzam przeczytanie")
    assert "nie było wysłane do Ciebie" in refusal["text"]
    await _report(harness, KASIA, "Potwierdziło przeczytanie: 2 z 2")


async def test_pressing_send_twice_sends_once_and_cancel_sends_nothing(harness: Harness) -> None:
    await _region(harness)
    controls = await _preview(harness, KASIA, "Raz", "PZK Zduńska Wola")
    first = harness.emu.press_button(KASIA, controls, "📤 Wyślij teraz")
    second = harness.emu.press_button(KASIA, controls, "📤 Wyślij teraz")
    answers = [await harness.emu.callback_answer(q) for q in (first, second)]
    assert any("już wysłane" in (a.get("text") or "") for a in answers)
    await _finished(harness)
    assert _sends_to(harness, OLA) == 1 and _sends_to(harness, PZK_GROUP) == 1
    controls = await _preview(harness, KASIA, "Jednak nie", "PZK Zduńska Wola")
    await harness.press(KASIA, controls, "Anuluj")
    assert "Nic nie zostało wysłane" in (await harness.edited(controls))["text"]
    await asyncio.sleep(1.2)
    assert _sends_to(harness, OLA) == 1
    # The old button, pressed again (as from a stale copy of the message).
    send = next(
        data for row in harness.emu.buttons(controls) for label, data in row if "Wyślij" in label
    )
    query = harness.emu.send_callback(KASIA, KASIA, controls["message_id"], send)
    assert "już wysłane lub anulowane" in (await harness.emu.callback_answer(query))["text"]


async def test_scheduled_announcement_goes_at_its_time(harness: Harness) -> None:
    await _region(harness)
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW)
    harness.set_clock(monday.astimezone(UTC))
    controls = await _preview(harness, KASIA, "Przypominam o sprawozdaniach", "PZK Zduńska Wola")
    await harness.press(KASIA, controls, "🕒 Wyślij później")
    question = await _next(harness, KASIA)
    assert "Kiedy" in question["text"]
    assert "minął" in (await _say(harness, KASIA, "wczoraj o 8"))["text"]
    controls = await _say(harness, KASIA, "jutro o 8")
    assert "🕒 Wysyłka: wtorek, 24 listopada 2026, 08:00" in controls["text"]
    await harness.press(KASIA, controls, "📤 Zaplanuj")
    assert "Zaplanowane na" in (await harness.edited(controls))["text"]
    await asyncio.sleep(1.5)
    assert _sends_to(harness, OLA) == 0
    listing = await _say(harness, KASIA, "/ogloszenia")
    assert "zaplanowane" in listing["text"]
    harness.set_clock(datetime(2026, 11, 24, 8, 0, tzinfo=WARSAW).astimezone(UTC))
    await _finished(harness)
    assert _sends_to(harness, OLA) == 1 and _sends_to(harness, MAREK) == 1
    await _report(harness, KASIA, "Dostarczono: 3 z 3")


async def test_a_scheduled_announcement_can_be_cancelled(harness: Harness) -> None:
    await _region(harness)
    harness.set_clock(datetime(2026, 11, 23, 9, 0, tzinfo=WARSAW).astimezone(UTC))
    controls = await _preview(harness, KASIA, "Może później", "PZK Zduńska Wola")
    await harness.press(KASIA, controls, "🕒 Wyślij później")
    await _next(harness, KASIA)
    controls = await _say(harness, KASIA, "piątek 10:00")
    await harness.press(KASIA, controls, "📤 Zaplanuj")
    await harness.edited(controls)
    listing = await _say(harness, KASIA, "/ogloszenia")
    await harness.press(KASIA, listing, "Anuluj to z 27.11 10:00")
    assert "anulowane" in (await harness.edited(listing))["text"]
    harness.set_clock(datetime(2026, 11, 27, 10, 0, tzinfo=WARSAW).astimezone(UTC))
    await asyncio.sleep(1.5)
    assert _sends_to(harness, OLA) == 0


async def test_bad_input_gets_clear_answers(harness: Harness) -> None:
    await _region(harness)
    too_long = "Długi tekst. " * 314  # 4082 characters: with the heading over 4096
    answer = await _write(harness, KASIA, too_long)
    assert answer["text"] == "Do kogo?"
    await harness.press(KASIA, answer, "PZK Zduńska Wola")
    refusal = await _next(harness, KASIA)
    assert "za długi" in refusal["text"] and "4096" in refusal["text"]
    harness.emu.send_media(KASIA, "voice")
    assert "tylko zdjęcie albo dokument" in (await _next(harness, KASIA))["text"]
    harness.emu.send_photo(KASIA, _png(), caption="Plakat " * 142)
    refusal = await _next(harness, KASIA)
    assert "1024" in refusal["text"]
    # A shorter caption with the photo: the preview is the photo itself.
    harness.emu.send_photo(KASIA, _png(), caption="Plakat akcji")
    preview = await _next(harness, KASIA)
    assert "photo" in preview and "Plakat akcji" in preview["caption"]
    controls = await _next(harness, KASIA)
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    (photo,) = _announcements_in(harness, OLA)
    assert "photo" in photo and "Plakat akcji" in photo["caption"]


async def test_blocked_unstarted_and_failing_recipients_are_reported(harness: Harness) -> None:
    await _region(harness)
    harness.emu.block_bot(OLA)
    harness.emu.add_user(MAREK, "Marek", started=False)  # never opened a chat with the bot
    # The group refuses for good; Piotr's server errors outlast the limiter's retries once;
    # Ewa's chat answers 429 once.
    harness.emu.inject_error(
        400,
        method="sendMessage",
        count=1,
        chat_id=PZK_GROUP,
        description="Bad Request: not enough rights to send text messages to the chat",
    )
    harness.emu.inject_error(500, method="sendMessage", count=4, chat_id=PIOTR)
    harness.app.bot.rate_limiter.budget = 2.0  # retries for 2 s, not a minute: 3 tries
    harness.emu.inject_error(429, method="sendMessage", count=1, chat_id=EWA)
    await harness.emu.settle(quiet=0.2)
    controls = await _preview(
        harness, KASIA, "Test dostarczenia", "Wszystkie zespoły gminy Zduńska Wola"
    )
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    # Piotr's row waits for a later try; bring it forward instead of waiting 15 s.
    state = SendState.PENDING
    while state in (SendState.PENDING, SendState.SENDING):
        await asyncio.sleep(0.3)
        async with harness.session() as session:
            row = await session.scalar(
                select(AnnouncementDelivery).where(AnnouncementDelivery.chat_id == PIOTR)
            )
            assert row is not None
            state = row.state
            if state == SendState.PENDING and row.attempts == 1:
                row.next_try_at = row.next_try_at - timedelta(hours=1)
    assert state == SendState.SENT and row.attempts == 2
    await _finished(harness)
    assert _sends_to(harness, EWA) == 1 and _sends_to(harness, PIOTR) == 1
    report = await _report(harness, KASIA, "Dostarczono: 3 z 6")  # Ewa, Piotr, ZZK group
    assert "Poza zasięgiem (bot zablokowany lub nieuruchomiony): 2" in report
    assert "Nie udało się: 1" in report
    assert "Aleksandra Zielińska" in report and "Marek Wiśniewski" in report
    assert "PZK Zduńska Wola (grupa)" in report
    listing = await _say(harness, KASIA, "/ogloszenia")
    assert "dostarczono 3 z 6, zablokowane 2, błędy 1" in listing["text"]


async def test_passing_faults_are_retried_a_bounded_number_of_times(db: Database) -> None:
    async with db.session() as session:
        ids = await arrange.team(session, institutions=())
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, OLA, "Aleksandra")
        author = await members.find_member(session, KASIA)
        assert author is not None
        now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        draft = await announcements.start_draft(session, author, KASIA, now)
        draft.text_html, draft.audience, draft.audience_id = "x", Audience.TEAM, ids.team_id
        assert await announcements.confirm(session, draft, now, actor_telegram_id=KASIA) == 1
    seen = []
    for attempt in range(1, announcements.MAX_ATTEMPTS + 2):
        now += timedelta(hours=1)
        async with db.session() as session:
            row = await announcements.claim(session, "test", now)
            if row is None:
                break
            assert row.attempts == attempt
            await announcements.retry_later(session, row, now, "Internal Server Error")
            seen.append(attempt)
    assert seen == list(range(1, announcements.MAX_ATTEMPTS + 1))
    async with db.session() as session:
        figures = await announcements.progress(session, draft.id)
        assert (figures.failed, figures.pending) == (1, 0)
        assert await announcements.finish_if_done(session, draft.id, now)
        assert not await announcements.finish_if_done(session, draft.id, now)  # reported once


def _png() -> bytes:
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
    )


# -- restarts and processes (the sender as a separate worker) -----------------------------------


async def _worker(db_url: str, emu: BotApiEmulator) -> asyncio.subprocess.Process:
    return await processes.start(db_url, emu, "announcements", "send")


async def _big_announcement(db: Database, emu: BotApiEmulator, people: int) -> None:
    emu.add_user(KASIA, "Katarzyna")
    async with db.session() as session:
        ids = await arrange.team(session, institutions=())
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna Nowak", Role.COORDINATOR)
        for index in range(people):
            await arrange.person(session, ids.team_id, 20_000 + index, f"Osoba {index}")
            emu.add_user(20_000 + index, f"Osoba {index}")
        author = await members.find_member(session, KASIA)
        assert author is not None
        draft = await announcements.start_draft(session, author, KASIA, datetime.now(UTC))
        draft.text_html = "Ważne"
        draft.audience, draft.audience_id = Audience.TEAM, ids.team_id
        await announcements.confirm(session, draft, datetime.now(UTC), actor_telegram_id=KASIA)


def _delivered(emu: BotApiEmulator) -> list[int]:
    return [
        c.params["chat_id"]
        for c in emu.calls
        if c.method == "sendMessage" and c.status == 200 and c.params["chat_id"] != KASIA
    ]


async def test_restart_in_the_middle_loses_nothing(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    emulator.limits = None
    await _big_announcement(db, emulator, 60)
    emulator.inject_delay(0.05, method="sendMessage", count=1000)
    worker = await _worker(db_url, emulator)
    await processes.kill_mid_run(
        worker,
        lambda: len(_delivered(emulator)),
        15,
        db,
        AnnouncementDelivery,
        SendState.SENDING,
        announcements.LEASE,
    )
    again = await _worker(db_url, emulator)
    _, stderr = await asyncio.wait_for(again.communicate(), timeout=120)
    assert again.returncode == 0, stderr.decode()
    delivered = _delivered(emulator)
    assert set(delivered) == {20_000 + i for i in range(60)}
    assert len(delivered) - len(set(delivered)) <= TASKS  # at most the messages in flight
    async with db.session() as session:
        last = await session.scalar(select(Announcement))
        assert last is not None and last.state == AnnouncementState.DONE


async def test_two_processes_never_send_twice(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    emulator.limits = None
    await _big_announcement(db, emulator, 120)
    first, second = await _worker(db_url, emulator), await _worker(db_url, emulator)
    results = await asyncio.wait_for(
        asyncio.gather(first.communicate(), second.communicate()), timeout=120
    )
    assert first.returncode == 0 and second.returncode == 0, results
    delivered = _delivered(emulator)
    assert len(delivered) == 120 and len(set(delivered)) == 120
    reports = [
        c for c in emulator.calls if c.params.get("chat_id") == KASIA and "wysłane" in str(c.params)
    ]
    assert len(reports) == 1  # one report, from the process that finished it


async def test_a_team_that_protects_its_messages_gets_protected_announcements(
    harness: Harness,
) -> None:
    ids = await _region(harness)
    async with harness.session() as session:
        (await teams.get_team(session, ids["pzk"])).protect_content = True
    controls = await _preview(harness, KASIA, "Tylko dla zespołu", "PZK Zduńska Wola")
    assert "Blokada przekazywania i zapisywania: tak" in controls["text"]  # the team's default
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    for chat in (OLA, MAREK, PZK_GROUP):
        (message,) = _announcements_in(harness, chat)
        assert message.get("has_protected_content") is True


async def test_the_author_chooses_protection_for_any_audience(harness: Harness) -> None:
    await _region(harness)
    controls = await _preview(harness, KASIA, "Do przekazania dalej", "PZK Zduńska Wola")
    assert "Blokada przekazywania i zapisywania: nie" in controls["text"]
    await harness.press(KASIA, controls, "🔒 Bez przekazywania: nie")
    controls = await harness.edited(controls)
    assert "Blokada przekazywania i zapisywania: tak" in controls["text"]
    await harness.press(KASIA, controls, "🔒 Bez przekazywania: tak")
    controls = await harness.edited(controls)
    await harness.press(KASIA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    for chat in (OLA, MAREK, PZK_GROUP):
        (message,) = _announcements_in(harness, chat)
        assert "has_protected_content" not in message
