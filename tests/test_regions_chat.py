"""Regions in the chat: a region admin announces to their region only and cannot act in
another; a super-admin lists regions, appoints a region admin with /region and dismisses
them with a button."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.views import buttons
from storage import members, regions, teams
from storage.members import find_member
from storage.models import Announcement, Role
from tests import arrange
from tests.conftest import ADMIN_ID, Harness
from tests.test_announcements import _finished, _next, _say, _sends_to

KASIA, OLA = 4001, 4002  # Zduńska Wola (łódzkie): coordinator, member
ANNA, JAN = 4101, 4102  # Brzeg (opolskie): coordinator, member
REGINA = 4201  # admin of łódzkie, in no team
PEOPLE = {
    KASIA: ("Katarzyna Nowak", "kasia_n"),
    OLA: ("Aleksandra Zielińska", None),
    ANNA: ("Anna Wójcik", "anna_w"),
    JAN: ("Jan Mazur", None),
    REGINA: ("Regina Rolska", "regina_r"),
    ADMIN_ID: ("Admin", None),
}
OUTSIDE = "To wykracza poza Twój region: opiekujesz się tylko regionem łódzkie."


async def _two_regions(harness: Harness) -> dict[str, int]:
    for user_id, (name, username) in PEOPLE.items():
        harness.user(user_id, name.split()[0], username=username)
    async with harness.session() as session:
        lodz = await regions.get_or_create_region(session, "łódzkie", "RCPS w Łodzi")
        opole = await regions.get_or_create_region(session, "opolskie", "ROPS w Opolu")
        zdunska = await arrange.team(session, "Zduńska Wola", institutions=())
        brzeg = await arrange.team(session, "Brzeg", institutions=())
        for ids, region in ((zdunska, lodz), (brzeg, opole)):
            town = await teams.get_municipality(session, ids.municipality_id)
            await regions.place_municipality(session, town, region, None, None)
        for team_id, user_id, role in (
            (zdunska.team_id, KASIA, Role.COORDINATOR),
            (zdunska.team_id, OLA, Role.MEMBER),
            (brzeg.team_id, ANNA, Role.COORDINATOR),
            (brzeg.team_id, JAN, Role.MEMBER),
        ):
            await arrange.person(session, team_id, user_id, PEOPLE[user_id][0], role)
        for user_id in (KASIA, ANNA):  # as the bot learns them from Telegram
            member = await find_member(session, user_id)
            assert member is not None
            member.username = PEOPLE[user_id][1]
        await members.ensure_member(session, REGINA, PEOPLE[REGINA][0], PEOPLE[REGINA][1])
        await regions.appoint(session, REGINA, lodz, ADMIN_ID)
    return {"lodz": lodz.id, "opole": opole.id, "zdunska": zdunska.team_id, "brzeg": brzeg.team_id}


async def _write(harness: Harness, author: int, text: str) -> dict[str, Any]:
    prompt = await _say(harness, author, "/ogloszenie")
    assert "Napisz ogłoszenie" in prompt["text"]
    harness.emu.send_message(author, text)
    return await _next(harness, author)


async def test_a_region_admin_announces_to_their_region_only(harness: Harness) -> None:
    await _two_regions(harness)
    question = await _write(harness, REGINA, "Szkolenie regionalne w marcu")
    assert question["text"] == "Do kogo?"
    labels = harness.button_labels(question)
    assert "Wszystkie zespoły regionu łódzkie" in labels
    assert not [label for label in labels if "opolskie" in label or "wszystkich" in label]

    # The municipality list holds their region's municipalities only.
    await harness.press(REGINA, question, "🏘 Gmina…")
    listing = await harness.edited(question)
    assert "Zduńska Wola" in harness.button_labels(listing)
    assert "Brzeg" not in harness.button_labels(listing)
    await harness.press(REGINA, listing, "↩ Wstecz")
    question = await harness.edited(question)

    await harness.press(REGINA, question, "Wszystkie zespoły regionu łódzkie")
    await harness.edited(question)
    preview = await _next(harness, REGINA)
    assert "wszystkie zespoły regionu łódzkie" in preview["text"]
    controls = await _next(harness, REGINA)
    assert "Do: 2 osoby" in controls["text"]
    await harness.press(REGINA, controls, "📤 Wyślij teraz")
    await _finished(harness)
    assert _sends_to(harness, KASIA) == 1 and _sends_to(harness, OLA) == 1
    assert _sends_to(harness, ANNA) == 0 and _sends_to(harness, JAN) == 0


async def test_a_region_admin_cannot_act_in_another_region(harness: Harness) -> None:
    ids = await _two_regions(harness)
    answer = await harness.say(REGINA, "/region opolskie")
    assert answer["text"].startswith(OUTSIDE)
    mine = await harness.say(REGINA, "/region")
    assert "łódzkie" in mine["text"] and "opolskie" not in mine["text"]
    assert not harness.button_labels(mine)  # no dismissing for a region admin
    refused = await harness.say(REGINA, "/region łódzkie @anna_w")
    assert refused["text"] == (
        "Regionami i osobami, które nimi administrują, zarządza administracja programu."
    )

    # A crafted button for a team of the other region: refused, nothing chosen.
    question = await _write(harness, REGINA, "Do Brzegu")
    async with harness.session() as session:
        draft = await session.scalar(select(Announcement).order_by(Announcement.id.desc()))
        assert draft is not None
    data = buttons.AudienceChoice(draft.id, "team", ids["brzeg"]).pack()
    query = harness.emu.send_callback(REGINA, REGINA, question["message_id"], data)
    answer = await harness.emu.callback_answer(query)
    # A pop-up shows no HTML (the refusal's bold comes through as tags: see handlers/base.py).
    assert re.sub("<[^>]+>", "", answer["text"]).startswith(OUTSIDE)
    async with harness.session() as session:
        again = await session.get(Announcement, draft.id)
        assert again is not None and again.audience is None

    # Members of teams are no admins of anything.
    for someone in (OLA, JAN):
        refusal = await harness.say(someone, "/region")
        assert refusal["text"].startswith("Regionami i osobami")


async def test_a_super_admin_appoints_and_dismisses_in_chat(harness: Harness) -> None:
    await _two_regions(harness)
    listing = await harness.say(ADMIN_ID, "/region")
    text = listing["text"]
    assert "łódzkie · RCPS w Łodzi" in text and "opolskie · ROPS w Opolu" in text
    assert "1 gmina" in text
    assert "Osoby administrujące: Regina Rolska (@regina_r)" in text
    assert "Osoby administrujące: jeszcze nikt" in text

    unknown = await harness.say(ADMIN_ID, "/region opolskie @nikt_taki")
    assert unknown["text"].startswith("Nie znam @nikt_taki.")
    nowhere = await harness.say(ADMIN_ID, "/region mazowieckie @anna_w")
    assert nowhere["text"].startswith("Nie znam takiego regionu.")

    done = await harness.say(ADMIN_ID, "/region OPOLSKIE @Anna_W")
    assert done["text"] == (
        "✅ Anna Wójcik (@anna_w) ma teraz uprawnienia administracyjne w regionie opolskie."
    )
    told = await harness.emu.next_message(ANNA)
    assert "Masz teraz uprawnienia administracyjne w regionie opolskie" in told["text"]
    region = await harness.emu.next_message(ADMIN_ID)
    assert "Osoby administrujące: Anna Wójcik (@anna_w)" in region["text"]
    async with harness.session() as session:
        reach = await regions.reach_of(session, ANNA, {ADMIN_ID})
        opole = await regions.find_region(session, "opolskie")
        assert reach.regions == {opole.id}

    # Anna now announces to her region.
    question = await _write(harness, ANNA, "Spotkanie regionu")
    assert "Wszystkie zespoły regionu opolskie" in harness.button_labels(question)

    # The super-admin addresses each region, or all of them.
    question = await _write(harness, ADMIN_ID, "Do wszystkich")
    assert "Wszystkie zespoły wszystkich regionów" in harness.button_labels(question)
    await harness.press(ADMIN_ID, question, "🗺 Region…")
    listing = await harness.edited(question)
    assert listing["text"] == "Który region?"
    assert harness.button_labels(listing)[:2] == ["łódzkie", "opolskie"]

    again = await harness.say(ADMIN_ID, "/region opolskie @anna_w")
    assert "ma już uprawnienia" in again["text"]
    listing = await harness.say(ADMIN_ID, "/region")
    label = "✖ Odwołaj: Anna Wójcik (@anna_w) (opolskie)"
    assert label in harness.button_labels(listing)
    answer = await harness.press(ADMIN_ID, listing, label)
    assert answer["text"] == "Odwołano."
    edited = await harness.edited(listing)
    assert label not in harness.button_labels(edited)
    async with harness.session() as session:
        assert not (await regions.reach_of(session, ANNA, {ADMIN_ID})).is_admin
