"""The Mini App's server (issue 25, bot/webapp/API.md) over real HTTP, on the bot's own server
with PUBLIC_URL set, on SQLite and PostgreSQL: sign-in refusals, session tokens, the basket
editor's permissions and validation (the file import's, with the PESEL guard) and its audit
trail, the calendar month, a meeting with answers by institution, figures as JSON and XLSX."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from multidict import CIMultiDict
from openpyxl import load_workbook
from sqlalchemy import select

from bot.application import build_application, polling
from bot.i18n import translator
from bot.webapp.auth import MAX_AGE, session_token, sign_init_data
from bot.webapp.server import STATIC_DIR
from bot.webhook import http_server
from botapi_emulator import BotApiEmulator
from storage import attendance, meetings, members, personal_data, teams
from storage.basket.rows import BasketImportError, check_rows
from storage.db import Database
from storage.members import find_member
from storage.models import Answer, AuditEntry, Role, Service
from tests import arrange
from tests.conftest import TOKEN, Harness, make_settings

PUBLIC = "https://mini.example.org"  # what Telegram opens; the test reaches the server over http
KASIA, MAREK, OLA = 2501, 2502, 2503  # coordinator (MOPS), member (police), member (MOPS)
KUBA = 2510  # coordinator of a team of another municipality
STRANGER = 2520  # in no team
OTHER_BOT = "654321:another-bot-token-0002"
# A valid PESEL (checksum and birth date), as in tests/test_privacy.py.
PESEL = "44051401359"
SERVICE = {
    "name": "Poradnictwo rodzinne",
    "institution": arrange.MOPS,
    "categories": ["dzieci i rodzina", "przemoc"],
    "description": "Konsultacje dla rodzin w kryzysie.",
    "audience": "rodziny z dziećmi",
    "how_to_get": "Zadzwoń i umów się.",
    "phone": "43 823 23 23",
    "email": "poradnia@mops.example.pl",
    "address": "ul. Łaska 11",
    "hours": "pon.–pt. 8–16",
    "url": "https://mops.example.pl/poradnia",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mini:
    harness: Harness
    base: str
    http: aiohttp.ClientSession
    team_id: int
    municipality_id: int
    other_municipality_id: int

    @property
    def db(self) -> Database:
        return self.harness.db

    async def raw(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> tuple[int, CIMultiDict[str], bytes]:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, **kwargs
        ) as response:
            return response.status, response.headers.copy(), await response.read()

    async def call(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, Any]:
        kwargs = {} if body is None else {"json": body}
        status, headers, raw = await self.raw(method, path, token=token, **kwargs)
        if status == 204:
            return status, None
        assert headers["Content-Type"].startswith("application/json"), (status, headers)
        return status, json.loads(raw)

    def init_data(
        self, user_id: int, *, language: str = "pl", age: int = 5, token: str = TOKEN
    ) -> str:
        user = {"id": user_id, "first_name": "Ktoś", "language_code": language}
        return sign_init_data(token, user, int(time.time()) - age, query_id=f"q{time.time_ns()}")

    async def sign_in(self, user_id: int, language: str = "pl") -> str:
        status, body = await self.call(
            "POST",
            "/app/api/session",
            body={"init_data": self.init_data(user_id, language=language)},
        )
        assert status == 200, body
        return str(body["token"])


@pytest.fixture
async def mini(emulator: BotApiEmulator, db: Database, db_url: str) -> AsyncIterator[Mini]:
    app = build_application(make_settings(emulator, db_url, public_url=PUBLIC))
    port = _free_port()
    async with polling(app), http_server(app, port=port), aiohttp.ClientSession() as http:
        async with db.session() as session:
            people = arrange.three(KASIA, MAREK, OLA)
            ids = await arrange.team_of(session, people)
            other = await arrange.team(session, town="Sieradz")
            await arrange.person(session, other.team_id, KUBA, "Jakub Lis", Role.COORDINATOR)
            await members.ensure_member(session, STRANGER, "Obcy Ktoś", None)
        yield Mini(
            Harness(emulator, db, app),
            f"http://127.0.0.1:{port}",
            http,
            ids.team_id,
            ids.municipality_id,
            other.municipality_id,
        )


# Static ------------------------------------------------------------------------------------


async def test_static_files(mini: Mini) -> None:
    status, headers, body = await mini.raw("GET", "/app/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == (STATIC_DIR / "index.html").read_bytes()
    assert headers["Cache-Control"] == "no-cache" and headers["ETag"].startswith('"')
    status, again, body = await mini.raw("GET", "/app/", headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, headers, _ = await mini.raw("GET", "/app")
    assert status == 301 and headers["Location"] == "/app/"
    kinds = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    for path in sorted(STATIC_DIR.iterdir()):
        status, headers, body = await mini.raw("GET", f"/app/static/{path.name}")
        assert status == 200 and body == path.read_bytes(), path.name
        if path.suffix in kinds:
            assert headers["Content-Type"] == kinds[path.suffix]
        status, headers, body = await mini.raw("HEAD", f"/app/static/{path.name}")
        assert status == 200 and body == b""
    for bad in (
        "/app/static/",
        "/app/static/nothing.js",
        "/app/static/../auth.py",
        "/app/static/%2e%2e/auth.py",
        "/app/static/..%2fauth.py",
        "/app/static/.hidden",
        "/app/static/sub/index.html",
        "/app/nothing",
        "/app/api/nothing",
    ):
        status, headers, body = await mini.raw("GET", bad)
        assert status == 404, bad
        assert b"auth" not in body
    status, headers, _ = await mini.raw("POST", "/app/")
    assert status == 405


# Sign-in ---------------------------------------------------------------------------------


async def test_sign_in_and_every_refusal(mini: Mini) -> None:
    async def refused(init_data: object) -> tuple[int, str, str]:
        status, body = await mini.call("POST", "/app/api/session", body={"init_data": init_data})
        return status, body["code"], body["error"]

    good = mini.init_data(KASIA)
    status, body = await mini.call("POST", "/app/api/session", body={"init_data": good})
    assert status == 200
    assert body["language"] == "pl" and body["member"] == {"name": "Katarzyna Nowak"}
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=1)

    assert await refused(good) == (
        401,
        "init_data_replayed",
        "To logowanie zostało już użyte. Zamknij stronę i otwórz ją ponownie przyciskiem "
        "menu bota.",
    )
    assert (await refused(None))[:2] == (401, "init_data_missing")
    assert (await refused(""))[:2] == (401, "init_data_missing")
    assert (await refused("to nie są dane"))[:2] == (401, "init_data_malformed")
    assert (await refused("user=%7B%7D&auth_date=1"))[:2] == (401, "init_data_malformed")
    forged = good.replace(f"%22id%22%3A{KASIA}", "%22id%22%3A9000")
    assert forged != good
    assert (await refused(forged))[:2] == (401, "init_data_forged")
    assert (await refused(mini.init_data(KASIA, token=OTHER_BOT)))[:2] == (401, "init_data_forged")
    assert (await refused(mini.init_data(KASIA, age=MAX_AGE + 5)))[:2] == (
        401,
        "init_data_expired",
    )
    assert (await refused(mini.init_data(KASIA, age=-120)))[:2] == (401, "init_data_expired")
    status, code, error = await refused(mini.init_data(STRANGER))
    assert (status, code) == (403, "not_a_member") and "zespołu" in error
    status, code, error = await refused(mini.init_data(424242, language="en"))
    assert (status, code) == (403, "not_a_member") and error.startswith("You are not in any team")

    # Not JSON, not an object, too large: the request itself is refused.
    for body_bytes in (b"{", b"[1]", b'"x"', b"\xff\xfe", b"{}" + b" " * 70_000):
        status, headers, raw = await mini.raw("POST", "/app/api/session", data=body_bytes)
        assert status in (400, 413) and b'"code"' in raw, raw
    status, _, _ = await mini.raw("GET", "/app/api/session")
    assert status == 405


async def test_session_token_refusals(mini: Mini) -> None:
    token = await mini.sign_in(MAREK)
    assert (await mini.call("GET", "/app/api/me", token))[0] == 200
    now = int(time.time())
    cases = {
        None: "session_invalid",
        "": "session_invalid",
        "garbage": "session_invalid",
        token + "x": "session_invalid",
        token.replace(str(MAREK), str(KASIA), 1): "session_invalid",
        session_token(OTHER_BOT, MAREK, now + 600): "session_invalid",
        mini.init_data(MAREK): "session_invalid",
        session_token(TOKEN, MAREK, now - 1): "session_expired",
    }
    for candidate, code in cases.items():
        status, body = await mini.call("GET", "/app/api/me", candidate)
        assert (status, body["code"]) == (401, code), candidate
    status, headers, raw = await mini.raw("GET", "/app/api/me", headers={"Authorization": token})
    assert status == 401  # no "Bearer"
    # A member erased after signing in: their token opens nothing any more.
    async with mini.db.session() as session:
        marek = await find_member(session, MAREK)
        assert marek is not None
        await personal_data.erase(session, marek)
    status, body = await mini.call("GET", "/app/api/me", token)
    assert (status, body["code"]) == (403, "not_a_member")


async def test_me(mini: Mini) -> None:
    status, body = await mini.call("GET", "/app/api/me", await mini.sign_in(KASIA))
    assert status == 200
    assert body["member"] == {"name": "Katarzyna Nowak", "language": "pl"}
    assert body["is_admin"] is False
    assert body["teams"] == [
        {
            "id": mini.team_id,
            "name": body["teams"][0]["name"],
            "municipality_id": mini.municipality_id,
            "municipality": "Zduńska Wola",
            "role": "coordinator",
            "may_edit_basket": True,
        }
    ]
    status, body = await mini.call("GET", "/app/api/me", await mini.sign_in(MAREK))
    assert body["teams"][0]["role"] == "member" and body["teams"][0]["may_edit_basket"] is False


# The basket ------------------------------------------------------------------------------


async def _services(mini: Mini) -> list[Service]:
    async with mini.db.session() as session:
        return list(await session.scalars(select(Service).order_by(Service.id)))


async def _audit(mini: Mini) -> list[AuditEntry]:
    async with mini.db.session() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("basket.%")).order_by(AuditEntry.id)
        )
        return list(found)


async def test_create_search_edit_delete_with_audit(mini: Mini) -> None:
    kasia = await mini.sign_in(KASIA)
    here = f"/app/api/municipalities/{mini.municipality_id}/services"
    status, made = await mini.call("POST", here, kasia, SERVICE)
    assert status == 201, made
    assert {key: made[key] for key in SERVICE} == SERVICE | {
        "categories": ["dzieci i rodzina", "przemoc w rodzinie"]
    }

    status, listed = await mini.call("GET", here, kasia)
    assert status == 200 and listed["may_edit"] is True
    assert [s["id"] for s in listed["services"]] == [made["id"]]
    assert "dzieci i rodzina" in listed["categories"]
    for query in (
        "?q=poradnictwo",
        "?q=rodzinny",
        "?category=przemoc",
        "?category=przemoc w rodzinie",
    ):
        status, found = await mini.call("GET", here + query, kasia)
        assert [s["id"] for s in found["services"]] == [made["id"]], query
    status, found = await mini.call("GET", here + "?q=bezdomność", kasia)
    assert found["services"] == []
    status, found = await mini.call("GET", here + "?category=nic", kasia)
    assert (status, found["code"]) == (400, "category_unknown")
    # Members see the basket; they do not edit it.
    status, seen = await mini.call("GET", here, await mini.sign_in(MAREK))
    assert status == 200 and seen["may_edit"] is False and len(seen["services"]) == 1

    one = f"/app/api/services/{made['id']}"
    status, edited = await mini.call("PUT", one, kasia, SERVICE | {"phone": "43 823 00 00"})
    assert status == 200 and edited["phone"] == "43 823 00 00"
    status, same = await mini.call("PUT", one, kasia, SERVICE | {"phone": "43 823 00 00"})
    assert status == 200
    status, renamed = await mini.call(
        "PUT", one, kasia, SERVICE | {"name": "Poradnia rodzinna", "phone": "43 823 00 00"}
    )
    assert status == 200 and renamed["id"] == made["id"]
    status, found = await mini.call("GET", here + "?q=poradnia", kasia)
    assert [s["name"] for s in found["services"]] == ["Poradnia rodzinna"]

    status, _ = await mini.call("DELETE", one, kasia)
    assert status == 204
    assert await _services(mini) == []
    status, body = await mini.call("DELETE", one, kasia)
    assert (status, body["code"]) == (404, "service_unknown")

    entries = await _audit(mini)
    assert [(e.action, e.actor_telegram_id) for e in entries] == [
        ("basket.service_created", KASIA),
        ("basket.service_updated", KASIA),
        ("basket.service_updated", KASIA),
        ("basket.service_deleted", KASIA),
    ]
    assert entries[1].details["changed"] == ["phone"]
    assert entries[2].details["changed"] == ["name"]
    assert entries[3].details["service"] == "Poradnia rodzinna"


async def test_who_may_edit_which_basket(mini: Mini) -> None:
    kasia = await mini.sign_in(KASIA)
    here = f"/app/api/municipalities/{mini.municipality_id}/services"
    status, made = await mini.call("POST", here, kasia, SERVICE)
    assert status == 201
    one = f"/app/api/services/{made['id']}"

    kuba = await mini.sign_in(KUBA)  # coordinates a team of Sieradz, not of Zduńska Wola
    status, listed = await mini.call("GET", here, kuba)
    assert status == 200 and listed["may_edit"] is False
    status, body = await mini.call("POST", here, kuba, SERVICE | {"name": "Inna usługa"})
    assert (status, body["code"]) == (403, "forbidden")
    assert body["error"] == "Koszyk gminy zmieniają tylko koordynatorzy jej zespołów."
    status, body = await mini.call("PUT", one, kuba, SERVICE | {"phone": "000"})
    assert (status, body["code"]) == (403, "forbidden")
    status, body = await mini.call("DELETE", one, kuba)
    assert (status, body["code"]) == (403, "forbidden")
    # Their own municipality's basket they do edit.
    there = f"/app/api/municipalities/{mini.other_municipality_id}/services"
    status, theirs = await mini.call("POST", there, kuba, SERVICE | {"institution": "GOPS Sieradz"})
    assert status == 201

    marek = await mini.sign_in(MAREK, language="en")
    async with mini.db.session() as session:
        found = await find_member(session, MAREK)
        assert found is not None
        found.language = "en"
    status, body = await mini.call("PUT", one, marek, SERVICE | {"phone": "000"})
    assert (status, body["code"]) == (403, "forbidden")
    assert (
        body["error"] == "Only coordinators of a team of this municipality can change its basket."
    )

    services = await _services(mini)
    assert [(s.id, s.phone) for s in services] == [
        (made["id"], SERVICE["phone"]),
        (theirs["id"], SERVICE["phone"]),
    ]
    assert [e.actor_telegram_id for e in await _audit(mini)] == [KASIA, KUBA]
    status, body = await mini.call("GET", "/app/api/municipalities/999999/services", kasia)
    assert status == 404


async def test_the_forms_validation_is_the_file_imports(mini: Mini) -> None:
    kasia = await mini.sign_in(KASIA)
    here = f"/app/api/municipalities/{mini.municipality_id}/services"

    async def refused(service: dict[str, Any]) -> dict[str, str]:
        status, body = await mini.call("POST", here, kasia, service)
        assert (status, body["code"]) == (422, "invalid"), body
        assert body["error"] == "Popraw zaznaczone pola. Nic nie zostało zapisane."
        return dict(body["fields"])

    fields = await refused(SERVICE | {"description": "x" * 10_000})
    assert list(fields) == ["description"] and "najwyżej 4000 znaków" in fields["description"]
    fields = await refused(SERVICE | {"description": f"Pani Anna, PESEL {PESEL}, prosi o pomoc"})
    assert list(fields) == ["description"] and "PESEL" in fields["description"]
    fields = await refused(SERVICE | {"how_to_get": f"zgłoś się z numerem {PESEL[:6]} {PESEL[6:]}"})
    assert list(fields) == ["how_to_get"]
    fields = await refused(SERVICE | {"name": "", "institution": "  "})
    assert set(fields) == {"name", "institution"}
    fields = await refused(SERVICE | {"email": "nie-mail", "url": "to nie adres"})
    assert set(fields) == {"email", "url"}
    fields = await refused(SERVICE | {"phone": '=HYPERLINK("http://zly.example")'})
    assert list(fields) == ["phone"]
    fields = await refused(SERVICE | {"categories": []})
    assert list(fields) == ["categories"]
    fields = await refused(SERVICE | {"categories": ["nie ma takiej"]})
    assert list(fields) == ["categories"]
    fields = await refused(SERVICE | {"description": 5, "categories": 7})
    assert set(fields) == {"description", "categories"}
    assert await _services(mini) == [] and await _audit(mini) == []

    # HTML is text: stored and returned as typed (escaping it is the page's job).
    html = '<b>Pomoc</b> & <script>alert("x")</script> <img src=x onerror=alert(1)>'
    status, made = await mini.call("POST", here, kasia, SERVICE | {"description": html})
    assert status == 201 and made["description"] == html
    status, listed = await mini.call("GET", here, kasia)
    assert listed["services"][0]["description"] == html
    # The same service (institution and name, in any case) twice: refused.
    fields = await refused(SERVICE | {"name": SERVICE["name"].upper()})
    assert list(fields) == ["name"]
    # A new institution by name is made as the file import would.
    status, made = await mini.call("POST", here, kasia, SERVICE | {"institution": "Poradnia PP"})
    assert status == 201 and made["institution"] == "Poradnia PP"
    for body_bytes in (b"not json", b"[]", b"{" * 10):
        status, headers, raw = await mini.raw(
            "POST", here, token=kasia, data=body_bytes, headers={"Content-Type": "application/json"}
        )
        assert status == 400, raw
    assert len(await _services(mini)) == 2


def test_the_file_import_refuses_a_pesel_too() -> None:
    """The form's PESEL guard is the file import's own (storage/basket/rows.py)."""
    row = {
        "gmina": "Zduńska Wola",
        "instytucja": arrange.MOPS,
        "usluga": "Pomoc",
        "kategorie": "przemoc",
        "jak_skorzystac": f"z numerem {PESEL[:4]}-{PESEL[4:]}",
        "telefon": "43 823 23 23 wew. 123",  # a phone number is no PESEL
    }
    with pytest.raises(BasketImportError) as refused:
        check_rows([row], "Zduńska Wola")
    assert refused.value.problems == [
        (2, "pole „jak_skorzystac” zawiera numer PESEL: danych klientów nie wpisujemy")
    ]


# The calendar ----------------------------------------------------------------------------


async def test_calendar_month_and_meeting_with_answers(mini: Mini) -> None:
    start = datetime(2030, 11, 20, 9, 0, tzinfo=UTC)
    async with mini.db.session() as session:
        team = await teams.get_team(session, mini.team_id)
        before = start - timedelta(days=30)
        first = await meetings.schedule(
            session, team, start, "MOPS, sala 3", "1. Dyżury", None, now=before
        )
        later = await meetings.schedule(
            session, team, start + timedelta(days=11), "Urząd", None, None, now=before
        )
        kasia, marek = await find_member(session, KASIA), await find_member(session, MAREK)
        await meetings.answer(session, first, kasia, Answer.YES, now=before)
        await meetings.answer(session, first, marek, Answer.NO, now=before)
        first_id, later_id = first.id, later.id

    kasia_token = await mini.sign_in(KASIA)
    path = f"/app/api/teams/{mini.team_id}/meetings"
    status, month = await mini.call("GET", path + "?month=2030-11", kasia_token)
    assert status == 200 and month["month"] == "2030-11"
    assert [m["id"] for m in month["meetings"]] == [first_id]
    meeting = month["meetings"][0]
    assert meeting["starts_at"] == "2030-11-20T10:00:00+01:00"
    assert meeting["ends_at"] == "2030-11-20T12:00:00+01:00"
    assert meeting["place"] == "MOPS, sala 3" and meeting["agenda"] == "1. Dyżury"
    assert meeting["answers"] == {"yes": 1, "maybe": 0, "no": 1}
    assert meeting["my_answer"] == "yes" and meeting["status"] == "scheduled"
    assert meeting["kind_label"]
    status, december = await mini.call("GET", path + "?month=2030-12", kasia_token)
    assert [m["id"] for m in december["meetings"]] == [later_id]
    assert december["meetings"][0]["my_answer"] is None
    for bad in ("2030-13", "2030-1", "30-11", "listopad"):
        status, body = await mini.call("GET", f"{path}?month={bad}", kasia_token)
        assert (status, body["code"]) == (400, "month_invalid"), bad
    status, now = await mini.call("GET", path, kasia_token)
    assert status == 200 and now["month"] == datetime.now(UTC).strftime("%Y-%m")

    status, detail = await mini.call("GET", f"/app/api/meetings/{first_id}", kasia_token)
    assert status == 200
    assert detail["by_institution"] == {
        "yes": {arrange.MOPS: ["Katarzyna Nowak"]},
        "maybe": {},
        "no": {arrange.POLICE: ["Marek Wiśniewski"]},
    }
    assert detail["silent"] == ["Aleksandra Zielińska"]
    assert detail["register"] is None  # not started yet

    kuba = await mini.sign_in(KUBA)
    for denied in (path, f"/app/api/meetings/{first_id}"):
        status, body = await mini.call("GET", denied, kuba)
        assert (status, body["code"]) == (403, "forbidden"), denied
    status, body = await mini.call("GET", "/app/api/meetings/999999", kasia_token)
    assert (status, body["code"]) == (404, "meeting_unknown")


async def _held(mini: Mini, now: datetime, present: tuple[int, ...], guest: str = "") -> int:
    """A meeting of the team three hours ago; Kasia marks these people present (and a guest)."""
    async with mini.db.session() as session:
        team = await teams.get_team(session, mini.team_id)
        held = await meetings.schedule(
            session, team, now - timedelta(hours=3), "MOPS", None, None, now=now - timedelta(days=1)
        )
        kasia = await find_member(session, KASIA)
        for telegram_id in present:
            person = await find_member(session, telegram_id)
            assert person is not None
            await attendance.mark(session, held, person.id, True, kasia, now=now)
        if guest:
            await attendance.add_guest(session, held, guest, kasia, now=now)
        return held.id


async def test_register_after_the_meeting(mini: Mini) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    held_id = await _held(mini, now, (OLA,), guest="Jan Gość, Sąd Rejonowy")
    status, detail = await mini.call(
        "GET", f"/app/api/meetings/{held_id}", await mini.sign_in(KASIA)
    )
    assert status == 200
    register = {row["name"]: row for row in detail["register"]}
    assert register["Aleksandra Zielińska"] == {
        "name": "Aleksandra Zielińska",
        "institution": arrange.MOPS,
        "present": True,
        "hours": 2.0,
        "guest": False,
    }
    assert register["Marek Wiśniewski"]["present"] is False
    assert register["Marek Wiśniewski"]["hours"] is None
    assert register["Jan Gość"]["guest"] is True and register["Jan Gość"]["present"] is True
    status, detail = await mini.call(
        "GET", f"/app/api/meetings/{held_id}", await mini.sign_in(MAREK)
    )
    assert status == 200 and detail["register"] is None  # members do not keep the register


# Figures ---------------------------------------------------------------------------------


async def test_figures_json_xlsx_and_chart(mini: Mini) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    await _held(mini, now, (OLA, KASIA))
    kasia_token = await mini.sign_in(KASIA)
    # The year the meeting was held in, in the town's time (not today's: on 1 January it differs).
    year = (now - timedelta(hours=3)).astimezone(ZoneInfo("Europe/Warsaw")).year
    status, found = await mini.call("GET", f"/app/api/figures?period={year}", kasia_token)
    assert status == 200
    assert found["period"]["start"] == f"{year}-01-01" and found["period"]["end"] == f"{year}-12-31"
    assert found["totals"]["meetings_held"] == 1 and found["totals"]["participants"] == 2
    assert found["totals"]["by_institution"] == {arrange.MOPS: 2}
    assert [row["team_id"] for row in found["rows"]] == [mini.team_id]
    assert len(found["months"]) == 12

    status, headers, body = await mini.raw(
        "GET", f"/app/api/figures.xlsx?period={year}", token=kasia_token
    )
    assert status == 200 and headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert f'filename="raport-{year}-01-01_{year}-12-31.xlsx"' in headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(body))
    assert "Podsumowanie" in workbook.sheetnames
    status, headers, body = await mini.raw(
        "GET", f"/app/api/figures.png?period={year}", token=kasia_token
    )
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert body.startswith(b"\x89PNG\r\n\x1a\n")

    status, body = await mini.call("GET", "/app/api/figures?period=kiedyś", kasia_token)
    assert (status, body["code"]) == (422, "report_period_invalid")
    status, body = await mini.call("GET", "/app/api/figures", await mini.sign_in(MAREK))
    assert (status, body["code"]) == (403, "forbidden")
    figures_for = "Figures are for coordinators (of their teams) and admins."
    assert body["error"] == translator("pl")._(figures_for) != figures_for
    status, headers, _ = await mini.raw(
        "GET", "/app/api/figures.xlsx", token=await mini.sign_in(OLA)
    )
    assert status == 403


# The menu button -------------------------------------------------------------------------


async def test_menu_button_opens_the_mini_app(mini: Mini) -> None:
    world = mini.harness.emu.world
    assert world.menu_buttons[None] == {
        "type": "web_app",
        "text": "Panel zespołu",
        "web_app": {"url": f"{PUBLIC}/app/"},
    }
    # The emulator is as strict as Telegram: a Web App only over https.
    url = f"{mini.harness.emu.base_url}{TOKEN}/setChatMenuButton"
    for button in (
        {"type": "web_app", "text": "x", "web_app": {"url": "http://mini.example.org/app/"}},
        {"type": "web_app", "text": "x", "web_app": "https://mini.example.org/app/"},
        {"type": "web_app", "text": "", "web_app": {"url": "https://mini.example.org/app/"}},
        {"type": "web_app", "text": "x"},
        {"type": "link"},
    ):
        async with mini.http.post(url, json={"menu_button": button}) as response:
            assert response.status == 400, button


async def test_no_menu_button_without_https(emulator: BotApiEmulator, db_url: str) -> None:
    app = build_application(make_settings(emulator, db_url, public_url="http://127.0.0.1:8080"))
    async with polling(app):
        assert emulator.world.menu_buttons == {}
