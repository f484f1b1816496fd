"""The attendance register card: who was present, by institution, with one-tap toggles."""

from __future__ import annotations

import itertools

from bot.dates import format_when
from bot.i18n import Translator
from bot.render import esc
from bot.views import buttons
from storage import meetings
from storage.attendance import Person, Register
from storage.models import Answer

SHORT_NAME = 18
TOGGLES_PAGE = 6  # three rows of two, then ‹ › and two rows of actions: six rows on a phone
TEXT_BUDGET = 3300  # characters of the list; headings and notes take the rest of 4096


def _short(name: str) -> str:
    """ "Katarzyna Nowak" -> "Katarzyna N.": toggles two to a row stay readable on a phone."""
    parts = name.split()
    short = f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else name
    return short if len(short) <= SHORT_NAME else short[: SHORT_NAME - 1] + "…"


def hours_text(t: Translator, minutes: int) -> str:
    """90 -> "1,5" (Polish) or "1.5": a person's hours."""
    shown = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    return shown if t.language == "en" else shown.replace(".", ",")


def _person_line(t: Translator, person: Person) -> str:
    mark = "✅" if person.present else "⬜"
    note = ""
    if person.present and person.minutes is not None:
        note = f" · ⏱ {hours_text(t, person.minutes)} h"
    if not person.present and person.answer == Answer.MAYBE:
        note = " " + t._("(maybe)")
    elif not person.present and person.answer is None:
        note = " " + t._("(did not answer)")
    return f"{mark} {esc(person.name)}{note}"


def render_register(
    t: Translator, register: Register, everyone: bool = False, page: int = 0
) -> tuple[str, list[list[tuple[str, str]]]]:
    meeting = register.meeting
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    lines = [
        "📋 <b>{title}</b> · {team}".format(title=t._("Attendance"), team=esc(meeting.team.name)),
        f"🗓 {format_when(local, t.language)}",
        f"📍 {esc(meeting.place)}",
        t._("Present: {n}").format(n=register.total),
    ]
    listed = register.people + (register.others if everyone else [])
    institution: str | None = "\0"
    nameless = t._("(no institution)")
    entries: list[str] = []
    ordered = sorted(listed, key=lambda p: ((p.institution or "\uffff").lower(), p.name))
    for person in ordered:
        if person.institution != institution:
            institution = person.institution
            entries.append(f"<b>{esc(institution or nameless)}</b>")
        entries.append(_person_line(t, person))
    if register.guests:
        entries.append("<b>{}</b>".format(t._("Guests")))
        entries += [
            f"✅ {esc(guest.name)}, {esc(guest.institution or '')}" for guest in register.guests
        ]
    # One Telegram message (4096 characters) whatever the team's size; the export has all.
    shown = list(itertools.accumulate(len(entry) + 1 for entry in entries))
    fits = sum(1 for total in shown if total <= TEXT_BUDGET)
    lines += entries[:fits]
    if fits < len(entries):
        lines.append(t._("… and more: the export lists everyone."))
    if register.former:
        lines.append(
            t.n_(
                "and {n} person no longer in the team",
                "and {n} people no longer in the team",
                len(register.former),
            )
        )
    if not listed and not register.guests:
        lines.append(t._("Nobody answered yes or maybe. Show all members to mark them."))
    e = int(everyone)
    if register.closed:
        lines.append("🔒 " + t._("The register is closed."))
        return "\n".join(lines), [
            [
                (t._("Reopen"), buttons.RegisterButton("op", meeting.id, e).pack()),
                (t._("Export XLSX + CSV"), buttons.RegisterButton("x", meeting.id).pack()),
            ]
        ]
    # In the order of the text above, a page at a time; each button keeps its page.
    count = len(ordered) + len(register.guests)
    page = min(max(page, 0), max(0, (count - 1) // TOGGLES_PAGE))
    toggles = [
        (
            ("✅ " if person.present else "⬜ ") + _short(person.name),
            buttons.RegisterMark(
                meeting.id, person.member_id, int(not person.present), e, page
            ).pack(),
        )
        for person in ordered
    ]
    toggles += [
        (
            "✖ " + _short(guest.name),
            buttons.RegisterGuest(meeting.id, guest.attendance_id, e, page).pack(),
        )
        for guest in register.guests
    ]
    rows = buttons.paged(
        toggles,
        page,
        lambda p: buttons.RegisterButton("v", meeting.id, e, p).pack(),
        per_row=2,
        rows=3,
    )
    view = (
        (t._("Only those who answered"), buttons.RegisterButton("v", meeting.id, 0).pack())
        if everyone
        else (
            t._("All members ({n})").format(n=len(register.people) + len(register.others)),
            buttons.RegisterButton("v", meeting.id, 1).pack(),
        )
    )
    actions = [(t._("Add a guest"), buttons.RegisterButton("add", meeting.id).pack()), view]
    if any(person.present for person in ordered):  # their own time, coaching's clock hours
        actions.append(("⏱ " + t._("Hours"), buttons.RegisterHours(meeting.id).pack()))
    rows.append(actions)
    rows.append(
        [
            (t._("Close the register"), buttons.RegisterButton("cl", meeting.id, e).pack()),
            (t._("Export XLSX + CSV"), buttons.RegisterButton("x", meeting.id).pack()),
        ]
    )
    return "\n".join(lines), rows
