"""Calendar subscription feeds (issue 23), fetched over real HTTP from the bot's own server and
read with `icalendar`: a move raises SEQUENCE, a cancel shows STATUS:CANCELLED, an unchanged
feed answers 304, a replaced, guessed or erased link 404, many requests 429."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from icalendar import Calendar, Event
from multidict import CIMultiDict

from bot.application import build_application, polling
from bot.config import ConfigError, load_settings
from bot.feed_http import Buckets, feed_server, feed_url, webcal_url
from bot.feed_ics import google_calendar_url
from bot.i18n import translator
from bot.views.buttons import FeedLink
from bot.webhook import http_server, webhook
from botapi_emulator import BotApiEmulator
from storage import feeds, meetings, personal_data, teams
from storage.db import Database
from storage.members import find_member
from storage.models import Answer, Member, Membership, Role, utcnow
from tests import arrange, processes
from tests.conftest import Harness, make_settings

KASIA, MAREK = 2301, 2302
PUBLIC = "https://kal.example.org"
UNICODE_PLACE = "Sala 3; ul. Łąkowa 12, Zduńska Wola — świetlica „Pod Dębem” 😀 " + "ąęłńóśźż" * 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Feeds:
    harness: Harness
    base: str  # http://127.0.0.1:<port>
    http: aiohttp.ClientSession

    def url(self, token: str) -> str:
        return feed_url(self.base, token)

    async def get(
        self, token_or_url: str, method: str = "GET", **headers: str
    ) -> tuple[int, CIMultiDict[str], bytes]:
        url = token_or_url if "://" in token_or_url else self.url(token_or_url)
        async with self.http.request(method, url, headers=headers) as response:
            return response.status, response.headers.copy(), await response.read()

    async def calendar(self, token: str) -> tuple[Calendar, CIMultiDict[str]]:
        status, headers, body = await self.get(token)
        assert status == 200, status
        return Calendar.from_ical(body), headers


@pytest.fixture
async def served(emulator: BotApiEmulator, db: Database, db_url: str) -> AsyncIterator[Feeds]:
    """The bot polling the emulator with PUBLIC_URL set, and its feed server on a free port."""
    app = build_application(make_settings(emulator, db_url, public_url=PUBLIC))
    port = _free_port()
    async with polling(app), http_server(app, port=port), aiohttp.ClientSession() as http:
        yield Feeds(Harness(emulator, db, app), f"http://127.0.0.1:{port}", http)


async def _team(db: Database, protect: bool = False) -> tuple[int, Member, Member]:
    async with db.session() as session:
        ids = await arrange.team(session)
        await arrange.person(session, ids.team_id, KASIA, "Kasia Nowak", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek Wiśniewski")
        if protect:
            team = await teams.get_team(session, ids.team_id)
            team.protect_content = True
        kasia, marek = await find_member(session, KASIA), await find_member(session, MAREK)
        assert kasia is not None and marek is not None
        return ids.team_id, kasia, marek


async def _meeting(
    db: Database,
    team_id: int,
    starts_at: datetime,
    place: str = "MOPS",
    agenda: str | None = "1. Dyżury\n2. Wolne wnioski",
) -> int:
    async with db.session() as session:
        team = await teams.get_team(session, team_id)
        made = await meetings.schedule(
            session, team, starts_at, place, agenda, None, now=starts_at - timedelta(days=1)
        )
        return made.id


def _events(calendar: Calendar) -> dict[str, Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def _uid(db: Database, meeting_id: int) -> str:
    async with db.session() as session:
        return (await meetings.load_meeting(session, meeting_id)).uid


async def test_member_feed_follows_moves_cancels_and_answers(served: Feeds) -> None:
    db = served.harness.db
    team_id, kasia, marek = await _team(db)
    now = utcnow().replace(microsecond=0)
    soon = await _meeting(db, team_id, now + timedelta(days=3))
    later = await _meeting(db, team_id, now + timedelta(days=10), agenda=None)
    held = await _meeting(db, team_id, now - timedelta(days=10))
    await _meeting(db, team_id, now - timedelta(days=100))  # past the 90 days: not shown
    async with db.session() as session:
        meeting = await meetings.load_meeting(session, soon)
        await meetings.answer(session, meeting, marek, Answer.YES, now)
        token = await feeds.issue(session, marek.id)

    calendar, headers = await served.calendar(token)
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["X-WR-CALNAME"]) == "Kooperacje: moje spotkania"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert "Europe/Warsaw" in [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    events = _events(calendar)
    assert set(events) == {await _uid(db, m) for m in (soon, later, held)}
    first = events[await _uid(db, soon)]
    assert str(first["SUMMARY"]) == "✓ PZK Zduńska Wola: Spotkanie PZK"
    assert "Twoja odpowiedź: Będę" in str(first["DESCRIPTION"])
    assert "1. Dyżury\n2. Wolne wnioski" in str(first["DESCRIPTION"])
    assert int(first["SEQUENCE"]) == 0 and str(first["STATUS"]) == "CONFIRMED"
    start = first.decoded("DTSTART")
    assert start.tzinfo is not None and str(first["DTSTART"].params["TZID"]) == "Europe/Warsaw"
    assert first.decoded("DTEND") - start == timedelta(hours=2)
    assert start == now + timedelta(days=3)
    assert "LAST-MODIFIED" in first and str(first["LOCATION"]) == "MOPS"
    etag, modified = headers["ETag"], headers["Last-Modified"]

    # Unchanged: 304 for its ETag, and for its date; no body either way.
    status, again, body = await served.get(token, **{"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    status, _, body = await served.get(token, **{"If-Modified-Since": modified})
    assert (status, body) == (304, b"")
    # HEAD: the headers of the GET, no body.
    status, head, body = await served.get(token, "HEAD")
    assert (status, body, head["ETag"]) == (200, b"", etag)
    assert head["Content-Length"] == headers["Content-Length"] != "0"

    # The coordinator moves one meeting and cancels the other.
    async with db.session() as session:
        moved = await meetings.load_meeting(session, soon)
        await meetings.reschedule(
            session,
            moved,
            starts_at=now + timedelta(days=4),
            actor_telegram_id=KASIA,
            now=now,
        )
        gone = await meetings.load_meeting(session, later)
        await meetings.cancel(session, gone, actor_telegram_id=KASIA, now=now)
    status, changed, body = await served.get(token, **{"If-None-Match": etag})
    assert status == 200 and changed["ETag"] != etag
    events = _events(Calendar.from_ical(body))
    first = events[await _uid(db, soon)]
    assert int(first["SEQUENCE"]) == 1
    assert first.decoded("DTSTART") == now + timedelta(days=4)
    # A move resets the answers: the mark goes.
    assert str(first["SUMMARY"]) == "PZK Zduńska Wola: Spotkanie PZK"
    assert "Twoja odpowiedź: jeszcze bez odpowiedzi" in str(first["DESCRIPTION"])
    cancelled = events[await _uid(db, later)]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    assert str(cancelled["SUMMARY"]).startswith("Odwołane: ")
    assert cancelled.decoded("LAST-MODIFIED") >= now
    status, _, _ = await served.get(token, **{"If-None-Match": changed["ETag"]})
    assert status == 304
    # Changed within the same second as before: still not "unchanged since" the old date.
    status, _, _ = await served.get(token, **{"If-Modified-Since": modified})
    assert status == 200 and changed["Last-Modified"] != modified


async def test_cancelled_meetings_stay_30_days(served: Feeds) -> None:
    db = served.harness.db
    team_id, kasia, marek = await _team(db)
    now = utcnow()
    meeting_id = await _meeting(db, team_id, now + timedelta(days=50))
    async with db.session() as session:
        meeting = await meetings.load_meeting(session, meeting_id)
        await meetings.cancel(session, meeting, actor_telegram_id=KASIA, now=now)
        token = await feeds.issue(session, marek.id)
    calendar, _ = await served.calendar(token)
    assert [str(e["STATUS"]) for e in calendar.walk("VEVENT")] == ["CANCELLED"]
    served.harness.set_clock(now + timedelta(days=31))
    calendar, _ = await served.calendar(token)
    assert calendar.walk("VEVENT") == []


async def test_replaced_guessed_malformed_and_erased_links_answer_404(served: Feeds) -> None:
    db = served.harness.db
    team_id, kasia, marek = await _team(db)
    await _meeting(db, team_id, utcnow() + timedelta(days=2))
    async with db.session() as session:
        old = await feeds.issue(session, marek.id)
        new = await feeds.issue(session, marek.id)  # "new link": the old one stops
        other = await feeds.issue(session, kasia.id)
    assert len(new) >= 22 and old != new  # >= 128 bits, URL-safe
    assert (await served.get(new))[0] == 200
    nothing = (404, b"")
    answers = []
    for token in (
        old,
        "A" * 32,  # well-formed, guessed
        new[:-1] + ("A" if new[-1] != "A" else "B"),  # one character off
        new[:20],
        new + "x",
        "../../etc/passwd",
        "żółw" * 8,
        "%00" * 11,
    ):
        status, headers, body = await served.get(feed_url(served.base, token))
        answers.append((status, body))
        assert "ETag" not in headers
    assert answers == [nothing] * len(answers)
    status, _, _ = await served.get(served.base + "/kalendarz/" + new)  # no .ics
    assert status == 404
    status, _, _ = await served.get(new, "POST")
    assert status == 405
    # Marek leaves the team: a member in no team has no feed.
    async with db.session() as session:
        membership = await session.get(Membership, 2)
        assert membership is not None and membership.member_id == marek.id
        await teams.remove_membership(session, membership, actor_telegram_id=KASIA)
    assert (await served.get(new))[:1] == (404,)
    # Kasia erases her data: her link stops at once, and nothing of it is kept.
    assert (await served.get(other))[0] == 200
    async with db.session() as session:
        me = await find_member(session, KASIA)
        assert me is not None
        exported = await personal_data.export(session, me)  # /moje_dane names the link
        assert [link["team"] for link in exported["calendar_feed_links"]] == [None]
        await personal_data.erase(session, me)
    assert (await served.get(other))[0] == 404
    async with db.session() as session:
        assert await feeds.links_of(session, kasia.id) == []


async def test_team_feed_of_a_protected_team_leaves_the_agenda_out(served: Feeds) -> None:
    db = served.harness.db
    team_id, kasia, marek = await _team(db, protect=True)
    meeting_id = await _meeting(db, team_id, utcnow() + timedelta(days=2), agenda="Sprawa X")
    async with db.session() as session:
        team_token = await feeds.issue(session, kasia.id, team_id)
        own = await feeds.issue(session, marek.id)
    calendar, _ = await served.calendar(team_token)
    assert str(calendar["X-WR-CALNAME"]) == "Kooperacje: PZK Zduńska Wola"
    (event,) = calendar.walk("VEVENT")
    assert "DESCRIPTION" not in event and str(event["UID"]) == await _uid(db, meeting_id)
    # The member's own feed keeps it: it is theirs to see, in their own calendar.
    mine, _ = await served.calendar(own)
    assert "Sprawa X" in str(mine.walk("VEVENT")[0]["DESCRIPTION"])
    # A coordinator made member: the team's feed stops; and Marek's team feed never works.
    async with db.session() as session:
        wrong = await feeds.issue(session, marek.id, team_id)
        membership = await session.get(Membership, 1)
        assert membership is not None and membership.member_id == kasia.id
        await arrange.person(session, team_id, 2399, "Ola Zawadzka", Role.COORDINATOR)
        membership.role = Role.MEMBER
    assert (await served.get(wrong))[0] == 404
    assert (await served.get(team_token))[0] == 404


async def test_many_requests_are_refused_with_429_and_retry_after(served: Feeds) -> None:
    db = served.harness.db
    team_id, _, marek = await _team(db)
    async with db.session() as session:
        token = await feeds.issue(session, marek.id)
    server = feed_server(served.harness.app)
    server.by_token = Buckets(3, 60.0)
    statuses = [(await served.get(token))[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    status, headers, _ = await served.get(token)
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 60
    # Per address: guessing many tokens is cut off too, before any lookup.
    server.by_address = Buckets(5, 60.0)
    guesses = [(await served.get(f"{n:032d}"))[0] for n in range(7)]
    assert guesses == [404] * 5 + [429] * 2
    # Behind the reverse proxy on this host, each client has its own bucket.
    status, _, _ = await served.get(f"{7:032d}", **{"X-Forwarded-For": "203.0.113.5"})
    assert status == 404


async def test_unicode_place_and_agenda_are_escaped_and_folded(served: Feeds) -> None:
    db = served.harness.db
    team_id, _, marek = await _team(db)
    agenda = "Punkt 1; uwagi, wnioski\nPunkt 2: „cudzysłów” \\ ukośnik 🎉"
    await _meeting(db, team_id, utcnow() + timedelta(days=1), UNICODE_PLACE, agenda)
    async with db.session() as session:
        token = await feeds.issue(session, marek.id)
    status, _, body = await served.get(token)
    assert status == 200
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75  # octets, folded (RFC 5545 3.1)
    body.decode("utf-8")  # folding never splits a character
    unfolded = body.replace(b"\r\n ", b"").decode()
    assert "LOCATION:Sala 3\\; ul. Łąkowa 12\\, Zduńska Wola" in unfolded
    assert "Punkt 1\\; uwagi\\, wnioski\\nPunkt 2: „cudzysłów” \\\\ ukośnik 🎉" in unfolded
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["LOCATION"]) == UNICODE_PLACE.strip()
    assert str(event["DESCRIPTION"]).startswith(agenda)


async def test_a_member_in_many_teams_sees_all_their_meetings(served: Feeds) -> None:
    db = served.harness.db
    start = utcnow() + timedelta(days=1)
    async with db.session() as session:
        for n in range(30):
            ids = await arrange.team(session, f"Gmina {n}", institutions=())
            await arrange.person(session, ids.team_id, MAREK, "Marek Wiśniewski")
            team = await teams.get_team(session, ids.team_id)
            await meetings.schedule(
                session, team, start + timedelta(hours=n), "Urząd", None, None, now=utcnow()
            )
        marek = await find_member(session, MAREK)
        assert marek is not None
        token = await feeds.issue(session, marek.id)
    calendar, _ = await served.calendar(token)
    assert len(calendar.walk("VEVENT")) == 30


async def test_webhook_mode_serves_feeds_beside_the_webhook(
    emulator: BotApiEmulator, db: Database, db_url: str
) -> None:
    team_id, _, marek = await _team(db)
    await _meeting(db, team_id, utcnow() + timedelta(days=1))
    async with db.session() as session:
        token = await feeds.issue(session, marek.id)
    app = build_application(make_settings(emulator, db_url, public_url=PUBLIC))
    port = _free_port()
    async with (
        webhook(app, "https://bot.example.org/telegram", port=port),
        aiohttp.ClientSession() as http,
    ):
        async with http.get(feed_url(f"http://127.0.0.1:{port}", token)) as response:
            assert response.status == 200
            assert len(Calendar.from_ical(await response.read()).walk("VEVENT")) == 1
        async with http.get(f"http://127.0.0.1:{port}/health") as response:
            assert response.status == 200


def _local(url: str, served: Feeds) -> str:
    return url.replace(PUBLIC, served.base)


async def test_kalendarz_offers_the_link_and_a_new_one(served: Feeds) -> None:
    harness = served.harness
    team_id, _, _ = await _team(harness.db)
    await _meeting(harness.db, team_id, utcnow() + timedelta(days=2))
    harness.user(MAREK, "Marek")
    document = await harness.say(MAREK, "/kalendarz")
    assert document["document"]["file_name"] == "kooperacje.ics"
    offer = await harness.emu.next_message(MAREK)
    text = offer["text"]
    https = next(word for word in text.split() if word.startswith(PUBLIC + "/kalendarz/"))
    token = https.removeprefix(PUBLIC + "/kalendarz/").removesuffix(".ics")
    assert webcal_url(PUBLIC, token) in text
    for app_name in ("Outlook", "Google", "iPhone", "Android"):
        assert app_name in text
    assert (await served.get(_local(https, served)))[0] == 200
    # Again: the link is not shown twice (only its hash is kept); a new one on request.
    await harness.say(MAREK, "/kalendarz")
    again = await harness.emu.next_message(MAREK)
    assert PUBLIC not in again["text"] and "🔗 Nowy link" in harness.button_labels(again)
    await harness.press(MAREK, again, "🔗 Nowy link")
    renewed = (await harness.edited(again))["text"]
    fresh = next(word for word in renewed.split() if word.startswith(PUBLIC + "/kalendarz/"))
    assert fresh != https
    assert (await served.get(_local(https, served)))[0] == 404
    assert (await served.get(_local(fresh, served)))[0] == 200


async def test_kalendarz_without_public_url_says_feeds_are_off(harness: Harness) -> None:
    team_id, _, _ = await _team(harness.db)
    await _meeting(harness.db, team_id, utcnow() + timedelta(days=2))
    harness.user(MAREK, "Marek")
    document = await harness.say(MAREK, "/kalendarz")
    assert document["document"]["file_name"] == "kooperacje.ics"
    assert "wyłączone" in document["caption"]


async def test_google_calendar_link_of_one_meeting(db: Database) -> None:
    team_id, _, _ = await _team(db)
    start = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    meeting_id = await _meeting(db, team_id, start, UNICODE_PLACE, "Porządek: " + "x" * 1900)
    async with db.session() as session:
        meeting = await meetings.load_meeting(session, meeting_id)
        url = google_calendar_url(translator("pl"), meeting)
        meeting.team.protect_content = True
        protected = google_calendar_url(translator("pl"), meeting)
    parts = urlsplit(url)
    query: dict[str, Any] = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.netloc == "calendar.google.com" and query["action"] == "TEMPLATE"
    assert query["dates"] == "20270302T090000Z/20270302T110000Z"
    assert query["location"] == UNICODE_PLACE.strip() and query["ctz"] == "Europe/Warsaw"
    assert query["text"] == "PZK Zduńska Wola: Spotkanie PZK"
    assert query["details"].startswith("Porządek: ") and len(query["details"]) <= 800
    assert "details" not in parse_qs(urlsplit(protected).query)


async def test_do_kalendarza_offers_google_calendar_next_to_the_file(harness: Harness) -> None:
    await _team(harness.db)
    harness.user(KASIA, "Kasia")
    harness.user(MAREK, "Marek")
    harness.emu.send_message(KASIA, "/nowe za tydzień o 10; Sala „Pod Dębem”")
    await harness.emu.next_message(KASIA)  # "Spotkanie zwołane"
    card = await harness.emu.next_message(KASIA)
    await harness.press(KASIA, card, "Do kalendarza")
    document = await harness.emu.next_message(KASIA)
    assert document["document"]["file_name"].endswith(".ics")
    assert "Albo dodaj je do Kalendarza Google" in document["caption"]
    (link,) = [e["url"] for e in document["caption_entities"] if e["type"] == "text_link"]
    query = parse_qs(urlsplit(link).query)
    assert query["action"] == ["TEMPLATE"] and query["location"] == ["Sala „Pod Dębem”"]


async def test_team_feed_button_for_coordinators_only(served: Feeds) -> None:
    harness = served.harness
    team_id, _, _ = await _team(harness.db)
    await _meeting(harness.db, team_id, utcnow() + timedelta(days=2))
    for user, name in ((KASIA, "Kasia"), (MAREK, "Marek")):
        harness.user(user, name)
        await harness.say(user, "/kalendarz")  # the file
        await harness.emu.next_message(user)  # the own link
    data = FeedLink(team_id, 0).pack()  # what /zespol's coordinator menu carries
    harness.emu.send_callback(KASIA, KASIA, harness.emu.messages(KASIA)[-1]["message_id"], data)
    offer = await harness.emu.next_message(KASIA)
    assert "Kalendarz zespołu PZK Zduńska Wola" in offer["text"]
    https = next(w for w in offer["text"].split() if w.startswith(PUBLIC + "/kalendarz/"))
    calendar, _ = await served.calendar(_local(https, served).rsplit("/", 1)[1][:-4])
    assert str(calendar["X-WR-CALNAME"]) == "Kooperacje: PZK Zduńska Wola"
    # A member's forged press: refused, no link made.
    query = harness.emu.send_callback(
        MAREK, MAREK, harness.emu.messages(MAREK)[-1]["message_id"], data
    )
    answer = await harness.emu.callback_answer(query)
    assert "koordynator" in str(answer)
    async with harness.db.session() as session:
        marek = await find_member(session, MAREK)
        assert marek is not None
        assert await feeds.made_at(session, marek.id, team_id) is None


def test_public_url_is_checked_and_trimmed() -> None:
    assert load_settings(_env_file=None, public_url="https://bot.example.org/").public_url == (
        "https://bot.example.org"
    )
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_settings(_env_file=None, public_url="bot.example.org")
    assert webcal_url("https://bot.example.org", "x" * 32).startswith("webcal://bot.example.org/")


async def test_run_in_polling_mode_serves_feeds_with_public_url(
    emulator: BotApiEmulator, db: Database, db_url: str, tmp_path: Path
) -> None:
    """`kooperacje-bot run --port N` with PUBLIC_URL: long polling, and the feeds and /health
    on that port."""
    team_id, _, marek = await _team(db)
    await _meeting(db, team_id, utcnow() + timedelta(days=1))
    async with db.session() as session:
        token = await feeds.issue(session, marek.id)
    port = _free_port()
    environment = {
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "PUBLIC_URL": PUBLIC,
    }
    process = await processes.cli(
        db_url, "run", "--port", str(port), env=environment, cwd=tmp_path, stdout=None
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(150):  # the bot starts: migrations, getMe
                try:
                    async with http.get(f"http://127.0.0.1:{port}/health") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.2)
            async with http.get(feed_url(f"http://127.0.0.1:{port}", token)) as response:
                assert response.status == 200
                assert len(Calendar.from_ical(await response.read()).walk("VEVENT")) == 1
            async with http.post(f"http://127.0.0.1:{port}/telegram", data=b"{}") as response:
                assert response.status == 404  # no webhook in polling mode
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0
