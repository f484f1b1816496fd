"""The Mini App (issue 25) in a real headless Chromium at a phone's viewport (390×844),
against the real bot server on SQLite and PostgreSQL, signed in with initData signed by the
test's token: the month's meetings, a meeting by institution, the basket searched and a service
edited (the change in the database, a refused one leaving it alone), the figures downloaded, a
forged signature refused with a message. Screenshots go to $SCREENSHOT_DIR (default
test-artifacts/screenshots), which CI keeps.

Debian's `chromium` (installed by .ci/run) is driven by Playwright for Python; Playwright's own
browser download is not used. Without chromium the tests skip here and fail in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.application import build_application, polling
from bot.webhook import http_server
from botapi_emulator import BotApiEmulator
from storage import basket, meetings, teams
from storage.db import Database
from storage.members import find_member
from storage.models import Answer, Service
from tests import arrange
from tests.conftest import TOKEN, make_settings

playwright_api = pytest.importorskip("playwright.async_api")
async_playwright, expect = playwright_api.async_playwright, playwright_api.expect

KASIA, MAREK, OLA = 2501, 2502, 2503
PUBLIC = "https://app.example.org"
WARSAW = ZoneInfo("Europe/Warsaw")
PHONE = {"width": 390, "height": 844}
# "44051401359": the checksum-valid example of the PESEL rules (tests/test_privacy.py).
PESEL = "44051401359"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or "test-artifacts/screenshots")
# Telegram's dark theme, as its apps pass it in tgWebAppThemeParams.
DARK_THEME = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
}


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    why = "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why}: the browser tests must run in CI")
    pytest.skip(why)


# The contrast ratio (WCAG 2) of an element's text against the first opaque background under it.
CONTRAST = """(element) => {
  const rgb = (color) => {
    const legacy = color.match(/rgba?\\(([^)]+)\\)/);
    if (legacy) return legacy[1].split(",").slice(0, 3).map((v) => Number(v) / 255);
    return color.match(/color\\(srgb ([^)]+)\\)/)[1].trim().split(/\\s+/).slice(0, 3).map(Number);
  };
  const opaque = (color) => !/^(transparent|rgba\\(.*, 0\\))$/.test(color);
  const luminance = (color) => {
    const f = (s) => (s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4);
    const [r, g, b] = rgb(color).map(f);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let under = element;
  while (under && !opaque(getComputedStyle(under).backgroundColor)) under = under.parentElement;
  const back = under ? getComputedStyle(under).backgroundColor : "rgb(255, 255, 255)";
  const [a, b] = [luminance(getComputedStyle(element).color), luminance(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""
READABLE = ("main h1", "main .hint", "nav a", "main button", "main label")


async def readable(page: Any) -> None:
    """Text and secondary text keep 4.5:1 against what is under them."""
    for selector in READABLE:
        ratio = await page.locator(selector).first.evaluate(CONTRAST)
        assert ratio >= 4.5, (selector, round(ratio, 2))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def init_data(user_id: int, first_name: str, language: str = "pl", age: int = 0) -> str:
    """initData as Telegram's app passes it, signed with the test bot's token."""
    from bot.webapp.auth import sign_init_data

    user = {"id": user_id, "first_name": first_name, "language_code": language}
    # A query id of its own: the same data twice would be a replay.
    return sign_init_data(
        TOKEN, user, int(time.time()) - age, query_id=f"AAH{secrets.token_hex(8)}"
    )


def launch_url(base: str, data: str, theme: dict[str, str] | None = None) -> str:
    """The page's address as Telegram opens it: launch parameters in the hash."""
    fragment = f"tgWebAppData={quote(data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=ios"
    if theme is not None:
        fragment += "&tgWebAppThemeParams=" + quote(json.dumps(theme), safe="")
    return f"{base}/app/#{fragment}"


@dataclass
class App:
    db: Database
    base: str  # http://127.0.0.1:<port>
    browser: Any  # playwright Browser
    team_id: int
    municipality_id: int
    shots: Path

    async def page(self, scheme: str = "light") -> Any:
        context = await self.browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            color_scheme=scheme,
            locale="pl-PL",
            timezone_id="Europe/Warsaw",
            accept_downloads=True,
        )
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors  # type: ignore[attr-defined]
        return page

    async def open(self, page: Any, user_id: int, name: str, **kw: Any) -> None:
        theme = kw.pop("theme", None)
        await page.goto(launch_url(self.base, init_data(user_id, name, **kw), theme))
        await ready(page, "calendar")

    async def shot(self, page: Any, name: str) -> None:
        await page.screenshot(path=self.shots / f"{name}.png", full_page=True)


async def ready(page: Any, view: str) -> None:
    """The page has drawn `view` from the server's answers."""
    await page.wait_for_selector(f"html[data-state=ready][data-view={view}]", timeout=15_000)
    assert page.errors == [], page.errors


def _this_month(day: int, hour: int) -> datetime:
    now = datetime.now(WARSAW)
    return now.replace(day=day, hour=hour, minute=0, second=0, microsecond=0)


SERVICES = [
    {
        "usluga": "Punkt interwencji kryzysowej",
        "kategorie": "przemoc w rodzinie",
        "opis": "Wsparcie dla osób doznających przemocy domowej; Niebieska Karta.",
        "telefon": "43 823 11 11",
        "godziny": "pn–pt 8:00–16:00",
    },
    {"usluga": "Noclegownia dla mężczyzn", "kategorie": "bezdomność", "opis": "Nocleg i posiłek."},
    {"usluga": "Staże dla bezrobotnych", "kategorie": "bezrobocie i praca", "opis": "Staże."},
]


async def _arrange(db: Database) -> tuple[int, int]:
    """Kasia (coordinator, MOPS), Marek (police), Ola (MOPS); two meetings this month, one
    last month; three services of the town."""
    async with db.session() as session:
        ids = await arrange.team_of(session, arrange.three(KASIA, MAREK, OLA))
        team = await teams.get_team(session, ids.team_id)
        marek, ola = await find_member(session, MAREK), await find_member(session, OLA)
        assert marek is not None and ola is not None
        for when, place in (
            (_this_month(2, 10), "Sala 3, MOPS"),
            (_this_month(16, 12), "Urząd Miasta <b>sala</b>"),
            (_this_month(1, 9) - timedelta(days=20), "Poprzedni miesiąc"),
        ):
            start = when.astimezone(ZoneInfo("UTC"))
            made = await meetings.schedule(
                session, team, start, place, "1. Dyżury\n2. Ferie", None, now=start - timedelta(1)
            )
            if place.startswith("Sala"):
                await meetings.answer(session, made, marek, Answer.YES, start - timedelta(hours=5))
                await meetings.answer(session, made, ola, Answer.NO, start - timedelta(hours=5))
        rows = [
            {column: "" for column in basket.COLUMNS}
            | {"gmina": "Zduńska Wola", "instytucja": arrange.MOPS, "sektor": "pomoc społeczna"}
            | row
            for row in SERVICES
        ]
        await basket.import_rows(session, rows)
        return ids.team_id, ids.municipality_id


@pytest.fixture
async def app(emulator: BotApiEmulator, db: Database, db_url: str) -> AsyncIterator[App]:
    """The bot polling the emulator with PUBLIC_URL set, its HTTP server on a free port,
    Chromium, and the team's data."""
    executable = _chromium()
    team_id, municipality_id = await _arrange(db)
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    shots = SHOTS / backend
    shots.mkdir(parents=True, exist_ok=True)
    application = build_application(make_settings(emulator, db_url, public_url=PUBLIC))
    port = _free_port()
    async with (
        polling(application),
        http_server(application, port=port),
        async_playwright() as playwright,
    ):
        browser = await playwright.chromium.launch(executable_path=executable)
        try:
            yield App(db, f"http://127.0.0.1:{port}", browser, team_id, municipality_id, shots)
        finally:
            await browser.close()


async def test_the_months_meetings_and_one_by_institution(app: App) -> None:
    page = await app.page()
    await app.open(page, KASIA, "Kasia")
    assert await page.get_attribute("html", "lang") == "pl"
    items = page.locator("#meetings > li")
    await expect(items).to_have_count(2)
    await expect(items.nth(0)).to_contain_text("Sala 3, MOPS")
    await expect(items.nth(0)).to_contain_text("Będą: 1")
    # Server text is text: the place's "<b>" shows as written, no element made of it.
    await expect(items.nth(1)).to_contain_text("Urząd Miasta <b>sala</b>")
    assert await page.locator("#meetings b").count() == 0
    # The month grid marks both days, as buttons that say so.
    marked = page.locator("#month-grid button.day")
    await expect(marked).to_have_count(2)
    assert "spotkania: 1" in (await marked.nth(0).get_attribute("aria-label") or "")
    # Text at least 16 px on the phone.
    sizes = await page.eval_on_selector_all(
        "main *:not(:empty)", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert min(sizes) >= 16, min(sizes)
    await readable(page)
    await app.shot(page, "calendar")

    await page.locator("#meetings > li a").first.click()
    await ready(page, "meeting")
    main = page.locator("main")
    await expect(main).to_contain_text(arrange.POLICE)
    await expect(main).to_contain_text("Marek Wiśniewski")
    await expect(main).to_contain_text("Aleksandra Zielińska")
    await expect(main).to_contain_text("1. Dyżury")
    await app.shot(page, "meeting")

    # Back, and a month earlier: the third meeting.
    await page.go_back()
    await ready(page, "calendar")
    await page.get_by_role("button", name="Poprzedni miesiąc").click()
    await expect(page.locator("#meetings > li")).to_contain_text(["Poprzedni miesiąc"])
    # A meeting that is over: its register, for the coordinator.
    await page.locator("#meetings > li a").first.click()
    await ready(page, "meeting")
    register = page.locator("#register")
    await expect(register).to_contain_text("Marek Wiśniewski")
    await expect(register).to_contain_text("Katarzyna Nowak")
    await app.shot(page, "meeting-register")


async def test_search_the_basket_and_edit_a_service(app: App) -> None:
    page = await app.page()
    await app.open(page, KASIA, "Kasia")
    await page.locator("#nav-basket").click()
    await ready(page, "basket")
    services = page.locator("#services > li")
    await expect(services).to_have_count(len(SERVICES))

    # The same search as /koszyk: inflected, without Polish letters.
    await page.get_by_label("Czego szukasz?").fill("przemocy")
    await page.get_by_label("Czego szukasz?").press("Enter")
    await expect(services).to_have_count(1)
    await expect(services.first).to_contain_text("Punkt interwencji kryzysowej")
    await app.shot(page, "basket-search")

    # Browse by category.
    await page.get_by_label("Czego szukasz?").fill("")
    await page.get_by_label("Kategoria").select_option(label="bezdomność")
    await expect(services).to_have_count(1)
    await expect(services.first).to_contain_text("Noclegownia")

    await page.get_by_label("Kategoria").select_option(index=0)
    await expect(services).to_have_count(len(SERVICES))
    card = services.filter(has_text="Punkt interwencji kryzysowej")
    await card.get_by_role("button", name="Edytuj").click()
    await ready(page, "service-form")
    async with app.db.session() as session:
        service = await session.scalar(
            select(Service).where(Service.name == "Punkt interwencji kryzysowej")
        )
        assert service is not None
        service_id, before = service.id, service.description

    # A PESEL in the description: refused next to the field, nothing stored, nothing lost.
    description = page.get_by_label("Opis")
    await description.fill(f"Zgłoszenie pani {PESEL} — pilne")
    await page.get_by_label("Telefon").fill("43 823 99 99")
    await page.get_by_role("button", name="Zapisz").click()
    error = page.locator("#f-description-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("PESEL")
    assert await description.get_attribute("aria-invalid") == "true"
    assert await description.input_value() == f"Zgłoszenie pani {PESEL} — pilne"
    assert await page.get_by_label("Telefon").input_value() == "43 823 99 99"
    await app.shot(page, "service-refused")
    async with app.db.session() as session:
        unchanged = await session.get(Service, service_id)
        assert unchanged is not None
        assert (unchanged.description, unchanged.phone) == (before, "43 823 11 11")

    await description.fill("Wsparcie dla osób doznających przemocy; dyżur także w soboty.")
    await page.get_by_role("button", name="Zapisz").click()
    await ready(page, "basket")
    await expect(page.locator("#status")).to_contain_text("Zapisano")
    await expect(services.filter(has_text="dyżur także w soboty")).to_have_count(1)
    await app.shot(page, "service-saved")
    async with app.db.session() as session:
        saved = await session.get(Service, service_id)
        assert saved is not None
        assert saved.phone == "43 823 99 99"
        assert saved.description and "w soboty" in saved.description
        assert saved.updated_by == KASIA


async def test_a_forged_signature_is_refused_with_a_message(app: App) -> None:
    page = await app.page()
    data = init_data(KASIA, "Kasia")
    forged = re.sub(r"hash=([0-9a-f])", lambda m: "hash=" + "01"[m[1] == "0"], data)
    assert forged != data
    await page.goto(launch_url(app.base, forged))
    await page.wait_for_selector("html[data-state=refused]", timeout=15_000)
    refusal = page.locator("#refusal")
    await expect(refusal).to_be_visible()
    await expect(refusal).to_contain_text("Otwórz stronę ponownie z menu bota")
    assert await page.locator("#nav").is_hidden()
    await app.shot(page, "refused-forged")

    # Reloaded, the page keeps its session (the initData is not sent twice: that would be
    # a replay); a session that no longer holds gets the same advice.
    page = await app.page()
    await app.open(page, KASIA, "Kasia")
    await page.reload()
    await ready(page, "calendar")
    await page.evaluate(
        """() => {
            const key = "kooperacje.webapp.session";
            const kept = JSON.parse(sessionStorage.getItem(key));
            sessionStorage.setItem(key, JSON.stringify({ ...kept, token: "1.2.forged" }));
        }"""
    )
    await page.reload()
    await page.wait_for_selector("html[data-state=refused]", timeout=15_000)
    await expect(page.locator("#refusal")).to_contain_text("Otwórz stronę ponownie z menu bota")
    await app.shot(page, "refused-session")

    # Opened outside Telegram (no initData at all): the same advice, not a blank page.
    other = await app.page()
    await other.goto(f"{app.base}/app/")
    await other.wait_for_selector("html[data-state=refused]", timeout=15_000)
    await expect(other.locator("#refusal")).to_contain_text("Otwórz stronę ponownie z menu bota")


async def test_figures_in_the_dark_theme_and_the_xlsx_download(app: App) -> None:
    page = await app.page("dark")
    await app.open(page, KASIA, "Kasia", theme=DARK_THEME)
    assert await page.get_attribute("html", "data-scheme") == "dark"
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(23, 33, 43)"
    await readable(page)
    await page.locator("#nav-figures").click()
    await ready(page, "figures")
    await readable(page)
    await expect(page.locator("#chart img")).to_be_visible()
    assert await page.locator("#chart img").evaluate("img => img.naturalWidth") > 100
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Pobierz XLSX").click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    path = await download.path()
    assert Path(path).read_bytes()[:2] == b"PK"
    await app.shot(page, "figures-dark")

    # Keyboard: Tab goes from the period to its button, and the focus is visible.
    await page.get_by_label("Okres").focus()
    await page.keyboard.press("Tab")
    focused = await page.evaluate(
        "(e => [e.textContent, getComputedStyle(e).outlineStyle])(document.activeElement)"
    )
    assert focused == ["Pokaż", "solid"], focused
    await page.get_by_label("Okres").fill("2025")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#period-label")).to_contain_text("2025")


async def test_english_for_an_english_member(app: App) -> None:
    page = await app.page()
    await app.open(page, MAREK, "Marek", language="en")
    assert await page.get_attribute("html", "lang") == "en"
    await expect(page.locator("#nav-basket")).to_have_text("Services")
    await page.locator("#nav-basket").click()
    await ready(page, "basket")
    # A member, not a coordinator: no editing.
    assert await page.get_by_role("button", name="Edit").count() == 0
    await app.shot(page, "basket-member-en")


async def test_add_a_service_after_a_refusal_and_remove_one(app: App) -> None:
    page = await app.page()
    await app.open(page, KASIA, "Kasia")
    await page.locator("#nav-basket").click()
    await ready(page, "basket")
    await page.get_by_role("button", name="Dodaj usługę").click()
    await ready(page, "service-form")
    # Nothing filled in: the required fields say so, each next to itself.
    await page.get_by_label("Opis").fill("Porady prawne dla seniorów.")
    await page.get_by_role("button", name="Zapisz").click()
    await expect(page.locator("#form-error")).to_be_visible()
    await expect(page.locator("#f-name-error")).to_be_visible()
    assert await page.get_by_label("Opis").input_value() == "Porady prawne dla seniorów."
    await app.shot(page, "service-new-refused")

    await page.get_by_label("Nazwa usługi").fill("Punkt nieodpłatnej pomocy prawnej")
    await page.get_by_label("Instytucja").fill(arrange.MOPS)
    await page.get_by_label("pomoc prawna").check()
    await page.get_by_role("button", name="Zapisz").click()
    await ready(page, "basket")
    services = page.locator("#services > li")
    await expect(services).to_have_count(len(SERVICES) + 1)
    async with app.db.session() as session:
        added = await session.scalar(
            select(Service).where(Service.name == "Punkt nieodpłatnej pomocy prawnej")
        )
        assert added is not None
        assert added.categories == ["pomoc_prawna"]
        assert added.description == "Porady prawne dla seniorów."

    # Removing asks first; "Anuluj" keeps it, "Tak, usuń" removes it.
    card = services.filter(has_text="Noclegownia dla mężczyzn")
    await card.get_by_role("button", name="Usuń").click()
    await card.get_by_role("button", name="Anuluj").click()
    await expect(card.get_by_role("button", name="Tak, usuń")).to_be_hidden()
    await card.get_by_role("button", name="Usuń").click()
    await app.shot(page, "service-remove-confirm")
    await card.get_by_role("button", name="Tak, usuń").click()
    await expect(page.locator("#status")).to_contain_text("Usunięto")
    await expect(services).to_have_count(len(SERVICES))
    async with app.db.session() as session:
        gone = await session.scalar(
            select(Service).where(Service.name == "Noclegownia dla mężczyzn")
        )
        assert gone is None
