"""How an announcement looks to its recipients, and how long that is for Telegram."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.constants import ParseMode

from bot.delivery import BULK
from bot.i18n import LANGUAGES, Translator, translator
from bot.outbox import perform
from bot.render import TELEGRAM_TEXT_LIMIT, esc
from bot.views import buttons
from bot.views.keyboard import Keyboard, keyboard_json
from storage import announcements
from storage.models import Announcement, Audience, Institution, Member
from storage.outbox import Outgoing

CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Frame:
    """What the bot adds around the author's words."""

    audience: Audience
    audience_name: str  # the team, municipality or region; empty for every region
    author: str
    institution: str | None


def audience_text(t: Translator, audience: Audience, name: str) -> str:
    if audience == Audience.TEAM:
        return esc(name)
    if audience == Audience.MUNICIPALITY:
        return t._("all teams of {municipality}").format(municipality=esc(name))
    if name:  # one region of several
        return t._("all teams of {region}").format(region=esc(name))
    return t._("all teams of the region")


def render(
    t: Translator, frame: Frame, text_html: str, *, announcement_id: int | None, ask_read: bool
) -> tuple[str, Keyboard]:
    """`text_html` is already safe HTML (Telegram's entities rendered by PTB, text escaped)."""
    signature = esc(frame.author) + (f", {esc(frame.institution)}" if frame.institution else "")
    title = t._("Announcement")
    text = (
        f"📢 <b>{title}</b> · {audience_text(t, frame.audience, frame.audience_name)}"
        f"\n\n{text_html}\n\n— <i>{signature}</i>"
    )
    rows: list[list[tuple[str, str]]] = []
    if ask_read:
        target = announcement_id if announcement_id is not None else 0
        rows.append([(read_label(t), buttons.AnnouncementButton("r", target).pack())])
    return text, rows


def read_label(t: Translator) -> str:
    # Worded without a grammatical gender (not "Przeczytałem").
    return t._("✅ Confirm reading")


def capped_names(t: Translator, names: list[str], budget: int, most: int = 1000) -> str:
    """Escaped names joined, at most `most` and as many as fit in `budget` characters, then
    "and N more": the report has to stay one message however large the audience."""
    shown: list[str] = []
    used = 0
    for name in names:
        piece = esc(name)
        if len(shown) >= most or (shown and used + len(piece) + 2 > budget):
            break
        shown.append(piece)
        used += len(piece) + 2
    more = len(names) - len(shown)
    return ", ".join(shown) + (
        " " + t.n_("and {n} more", "and {n} more", more).format(n=more) if more > 0 else ""
    )


def not_confirmed_line(
    t: Translator, readers: list[announcements.Reader], budget: int, most: int = 1000
) -> str:
    """Who has not confirmed reading: name and institution."""
    names = [r.name + (f" ({r.institution})" if r.institution else "") for r in readers]
    return t._("Not confirmed yet: {names}").format(names=capped_names(t, names, budget, most))


def remind_button(t: Translator, announcement_id: int, where: str) -> tuple[str, str]:
    """`where`: "r" on the author's report, "h" in /ogloszenia (each redrawn its own way)."""
    return (
        t._("🔔 Remind those who have not confirmed"),
        buttons.RemindReaders(announcement_id, where).pack(),
    )


def reminder(
    t: Translator, frame: Frame, text_html: str, announcement_id: int
) -> tuple[str, Keyboard]:
    """The one reminder to a recipient who has not confirmed: a short prompt, the read button."""
    title = t._("Reminder")
    text = (
        f"🔔 <b>{title}</b> · {audience_text(t, frame.audience, frame.audience_name)}\n\n"
        + t._("Please confirm that you have read this announcement from {author}:").format(
            author=esc(frame.author)
        )
        + f"\n<i>{esc(snippet(text_html, 120))}</i>"
    )
    return text, [[(read_label(t), buttons.AnnouncementButton("r", announcement_id).pack())]]


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    attachment_kind: str | None,
    attachment_file_id: str | None,
    rows: Keyboard | None = None,
    protect: bool = False,
) -> int | None:
    """The announcement as one message, sent now (the broadcaster's rows are its own); its
    id."""
    request = announcement_request(
        chat_id, text, attachment_kind, attachment_file_id, rows, protect
    )
    return await perform(bot, request, BULK)


def announcement_request(
    chat_id: int,
    text: str,
    attachment_kind: str | None,
    attachment_file_id: str | None,
    rows: Keyboard | None = None,
    protect: bool = False,
) -> Outgoing:
    """The announcement as one message: the text alone, or as the caption of its file."""
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "parse_mode": ParseMode.HTML,
        "reply_markup": keyboard_json(rows),
        "protect_content": protect,
    }
    if attachment_kind in ("photo", "document"):
        params |= {attachment_kind: attachment_file_id, "caption": text}
        return Outgoing(f"send_{attachment_kind}", chat_id, params)
    return Outgoing("send_message", chat_id, params | {"text": text})


def visible_length(text_html: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    plain = html.unescape(_TAG.sub("", text_html)).strip()
    return len(plain.encode("utf-16-le")) // 2


def snippet(text_html: str, limit: int = 60) -> str:
    """The beginning of the text, plain, for lists."""
    plain = " ".join(html.unescape(_TAG.sub("", text_html)).split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def overflow(frame: Frame, text_html: str, *, with_attachment: bool) -> tuple[int, int]:
    """(length, limit) of the longest rendering among the interface languages."""
    limit = CAPTION_LIMIT if with_attachment else TELEGRAM_TEXT_LIMIT
    longest = max(
        visible_length(
            render(translator(language), frame, text_html, announcement_id=0, ask_read=False)[0]
        )
        for language in LANGUAGES
    )
    return longest, limit


async def load_frame(session: AsyncSession, announcement: Announcement) -> Frame:
    assert announcement.audience is not None
    signed = (
        await session.execute(
            select(Member.name, Institution.name)
            .outerjoin(Institution, Institution.id == Member.institution_id)
            .where(Member.id == announcement.author_id)
        )
    ).first()
    return Frame(
        audience=announcement.audience,
        audience_name=await announcements.audience_label(
            session, announcement.audience, announcement.audience_id
        ),
        author=signed[0] if signed else "",
        institution=signed[1] if signed else None,
    )
