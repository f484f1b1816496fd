"""What people are told about a time they typed: examples, refusals, and what was read.

One place for every flow that reads a typed time (/nowe, moving a meeting, an announcement's
"send later", /termin dates), so they all answer alike and in the member's language.
"""

from __future__ import annotations

from datetime import datetime

from bot.dates import EXAMPLES_PL, When, WhenStatus, find_when, format_when
from bot.dates.formatting import format_span
from bot.dates.model import Reading
from bot.render import esc
from handlers.base import Ctx

# Examples shown in prompts and refusals: each is read by the parser (tests/test_typed_when).
EXAMPLES_EN: tuple[str, ...] = (
    "tomorrow at 10",
    "Tuesday 2:30pm",
    "15 December at 9",
    "next Friday at noon",
    "in a week at 10",
)
QUOTED_MAX = 30  # characters of a word quoted back in a refusal


def examples(ctx: Ctx, count: int | None = None) -> tuple[str, ...]:
    chosen = EXAMPLES_EN if ctx.t.language == "en" else EXAMPLES_PL
    return chosen[:count] if count else chosen


def examples_text(ctx: Ctx, count: int | None = None) -> str:
    return ctx.t._("For example: {examples}.").format(
        examples=", ".join(f"<i>{esc(e)}</i>" for e in examples(ctx, count))
    )


def read(ctx: Ctx, text: str, now: datetime) -> When:
    """The time in what the member typed (a whole message may hold it), in their language."""
    return find_when(text, now, ctx.t.language)


def refusal(ctx: Ctx, when: When) -> str:
    """Why the typed time cannot be used, with what was understood and a working example."""
    t = ctx.t
    if when.status == WhenStatus.PAST:
        return t._("That time has already passed. Please give a future time.")
    if when.status == WhenStatus.NONEXISTENT:
        return t._(
            "That hour does not exist that day: the clocks move forward at night. "
            "Please choose another hour."
        )
    if when.status == WhenStatus.NEEDS_TIME:
        return t._("Please give the hour too, e.g. <i>{example}</i>.").format(
            example=esc(examples(ctx)[1])
        )
    text = t._("I couldn't read that date and time.")
    if when.understood:
        text += " " + t._("I understand: {words}.").format(
            words=", ".join(f"<i>{esc(w)}</i>" for w in when.understood)
        )
    if when.not_understood:
        text += " " + t._("I don't understand: {words}.").format(
            words=", ".join(f"«{esc(w[:QUOTED_MAX])}»" for w in when.not_understood)
        )
    return text + " " + examples_text(ctx)


def described(ctx: Ctx, when: When) -> str:
    """ "<b>wtorek, 15 grudnia 2026, 16:00–18:00</b>", with where it was found and which
    reading of the hour was taken."""
    assert when.value is not None
    t = ctx.t
    shown = (
        format_span(when.value, when.end, t.language)
        if when.end is not None
        else format_when(when.value, t.language)
    )
    lines = [f"<b>{shown}</b>"]
    if when.source:
        lines.append(t._("Read from your message: «{words}»").format(words=esc(when.source)))
    if when.reading == Reading.AFTERNOON:
        lines.append(t._("I took {hour} as the afternoon.").format(hour=f"{when.value:%H:%M}"))
    return "\n".join(lines)


def other_reading_label(ctx: Ctx, when: When) -> str | None:
    """The button for the reading not taken: "No, 04:00" or the weekday's day."""
    other = when.alternative
    if other is None:
        return None
    if when.status == WhenStatus.CONFLICT:
        return format_when(other, ctx.t.language)
    return ctx.t._("No, at {hour}").format(hour=f"{other:%H:%M}")
