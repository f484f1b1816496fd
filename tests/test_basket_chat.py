"""The service basket in Telegram: search, browse, details, file upload, inline mode."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.basket.demo import load_demo_basket
from storage.models import Role, Service
from tests import arrange
from tests.conftest import Harness

KASIA, MAREK = 2001, 2002
HEADER = (
    "gmina;instytucja;sektor;usluga;opis;kategorie;dla_kogo;jak_skorzystac;adres;telefon;"
    "email;www;godziny;odplatnosc"
)


@pytest.fixture
async def basket_ready(harness: Harness) -> None:
    """The demo basket, and a ZZK in Sieradz with a coordinator and a member."""
    async with harness.session() as session:
        await load_demo_basket(session)
        ids = await arrange.team(session, town="Sieradz", institutions=())
        await arrange.person(session, ids.team_id, KASIA, "Katarzyna", Role.COORDINATOR)
        await arrange.person(session, ids.team_id, MAREK, "Marek")
    harness.user(KASIA, "Katarzyna")
    harness.user(MAREK, "Marek")


async def test_search_ranks_my_town_first_and_pages(harness: Harness, basket_ready: None) -> None:
    results = await harness.say(MAREK, "/koszyk przemocy")
    assert results["text"].startswith("Znaleziono")
    first = results["text"].split("\n\n")[1]
    assert "Sieradz" in first
    assert "1. Więcej" in harness.button_labels(results)
    assert "▶" in harness.button_labels(results)
    await harness.press(MAREK, results, "▶")
    second = await harness.edited(results)
    assert "\n6. " in second["text"]
    await harness.press(MAREK, second, "6. Więcej")
    details = await harness.emu.next_message(MAREK)
    assert "Ostatnia aktualizacja" in details["text"]
    assert "Dane przykładowe" in details["text"]


async def test_natural_phrase_and_typos(harness: Harness, basket_ready: None) -> None:
    reply = await harness.say(MAREK, "/koszyk gdzie skierować osobę bezdomną")
    assert "bezdomn" in reply["text"].split("\n\n")[1].lower()
    reply = await harness.say(MAREK, "/services PRZEMC")
    assert reply["text"].startswith("Znaleziono")


async def test_bad_queries(harness: Harness, basket_ready: None) -> None:
    assert "co najmniej 2 litery" in (await harness.say(MAREK, "/koszyk !!!"))["text"]
    assert "co najmniej 2 litery" in (await harness.say(MAREK, "/koszyk a"))["text"]
    assert "200 znaków" in (await harness.say(MAREK, "/koszyk " + "przemoc " * 40))["text"]
    nothing = await harness.say(MAREK, "/koszyk kosmonauta")
    assert "Nie znaleziono usług" in nothing["text"]


async def test_browse_by_category(harness: Harness, basket_ready: None) -> None:
    menu = await harness.say(MAREK, "/koszyk")
    assert "bezdomność" in harness.button_labels(menu)
    await harness.press(MAREK, menu, "bezdomność")
    listing = await harness.edited(menu)
    assert listing["text"].startswith("bezdomność · ")
    assert "Sieradz" in listing["text"].split("\n\n")[1]


async def test_template_and_coordinator_upload(harness: Harness, basket_ready: None) -> None:
    template = await harness.say(KASIA, "/koszyk_szablon")
    workbook = load_workbook(BytesIO(harness.emu.file_bytes(template["document"]["file_id"])))
    assert [c.value for c in next(workbook.active.iter_rows(max_row=1))][:4] == [
        "gmina",
        "instytucja",
        "sektor",
        "usluga",
    ]

    row = (
        "Sieradz;Poradnia Rodzinna w Sieradzu;pomoc społeczna;Konsultacje dla rodzin;"
        "Rozmowa z psychologiem;dzieci i rodzina;rodziny;telefonicznie;;;;;pn-pt 8-16;"
        "bezpłatna"
    )
    content = f"{HEADER}\n{row}\n".encode("cp1250")
    harness.emu.send_document(KASIA, "koszyk.csv", content)
    assert "nowe 1" in (await harness.emu.next_message(KASIA))["text"]
    harness.emu.send_document(KASIA, "koszyk.csv", content)
    assert "bez zmian 1" in (await harness.emu.next_message(KASIA))["text"]

    async with harness.session() as session:
        before = await session.scalar(select(func.count()).select_from(Service))
    bad = f"{HEADER}\n{row}\nŁódź;X;policja;Y;;kosmos;;;;;;;;\n".encode()
    harness.emu.send_document(KASIA, "koszyk.csv", bad)
    refused = await harness.emu.next_message(KASIA)
    assert "nie został zmieniony" in refused["text"] and "wiersz 3" in refused["text"]
    harness.emu.send_document(KASIA, "zdjecie.png", b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert "Nie mogę odczytać" in (await harness.emu.next_message(KASIA))["text"]
    async with harness.session() as session:
        assert await session.scalar(select(func.count()).select_from(Service)) == before

    harness.emu.send_document(MAREK, "koszyk.csv", content)
    assert "koordynatorzy" in (await harness.emu.next_message(MAREK))["text"]


async def test_inline_mode_shares_a_service(harness: Harness, basket_ready: None) -> None:
    query = harness.emu.send_inline_query(MAREK, "przemoc", chat_type="supergroup")
    answer = await harness.emu.answers_to_inline(query)
    assert 1 <= len(answer["results"]) <= 10
    first = answer["results"][0]
    assert "Sieradz" in first["description"]
    group = -1001900
    harness.emu.add_group(group, "Grupa")
    harness.emu.set_member(group, MAREK, status="member")
    shared = harness.emu.choose_inline_result(MAREK, query, first["id"], group)
    assert shared["via_bot"]["username"] == "kooperacje_test_bot"
    assert "Ostatnia aktualizacja" in shared["text"]
    empty = harness.emu.send_inline_query(MAREK, "!")
    assert (await harness.emu.answers_to_inline(empty))["results"] == []
