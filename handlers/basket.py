"""/koszyk: search and browse the local service basket; coordinators upload its file."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal
from telegram import (
    Chat,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import Translator, pick_language, translator
from bot.permissions import Action, allowed
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from storage import basket, teams
from storage.basket import SearchPage, ServiceHit
from storage.basket.reading import MAX_CELLS, MAX_ROWS, MAX_UNPACKED_BYTES
from storage.db import Database
from storage.errors import DomainError, Problem
from storage.members import find_member
from storage.models import Service

log = logging.getLogger(__name__)

PAGE = 5
INLINE_RESULTS = 10
# `kq:<offset>:<query>` must fit Telegram's 64 bytes; longer queries get no "next page".
_QUERY_BYTES = 50


def _home(ctx: Ctx) -> int | None:
    return basket.municipality_of_member(ctx.member)


def _hit_line(t: Translator, index: int, hit: ServiceHit) -> str:
    line = f"{index}. <b>{esc(hit.name)}</b>\n{esc(hit.institution)} · {esc(hit.municipality)}"
    if hit.categories:
        line += f"\n<i>{esc(', '.join(hit.categories))}</i>"
    if hit.phone:
        line += f"\n☎ {esc(hit.phone)}"
    if hit.is_example:
        line += "\n" + t._("(example data)")
    return line


def _page_view(
    t: Translator, heading: str, page: SearchPage, offset: int, more: buttons.PageData | None
) -> tuple[str, list[list[tuple[str, str]]]]:
    lines = [heading]
    rows: list[list[tuple[str, str]]] = []
    for index, hit in enumerate(page.hits, start=offset + 1):
        lines += ["", _hit_line(t, index, hit)]
        rows.append([(t._("{n}. More").format(n=index), buttons.ServiceButton(hit.id).pack())])
    nav = []
    if more is not None and offset > 0:
        nav.append(("◀", more(max(0, offset - PAGE))))
    if more is not None and offset + PAGE < page.total:
        nav.append(("▶", more(offset + PAGE)))
    if nav:
        rows.append(nav)
    return "\n".join(lines), rows


def _more_data(query: str) -> buttons.PageData | None:
    """`kq:<offset>:<query>`, built by hand: the query may hold ':' (read back whole)."""
    if len(query.encode()) > _QUERY_BYTES:
        return None
    return lambda offset: f"kq:{offset}:{query}"


async def _show_search(ctx: Ctx, query: str, offset: int) -> None:
    t = ctx.t
    page = await basket.search(
        ctx.session, query, municipality_id=_home(ctx), limit=PAGE, offset=offset
    )
    if page.total == 0:
        ctx.reply(
            t._(
                "I found no services for “{query}”. Try another word, or browse the "
                "categories with /koszyk."
            ).format(query=esc(query))
        )
        return
    heading = t.n_(
        "{n} service found for “{query}”", "{n} services found for “{query}”", page.total
    ).replace("{query}", esc(query))
    text, rows = _page_view(t, heading, page, offset, _more_data(query))
    ctx.edit(text, rows) if ctx.query else ctx.reply(text, rows)


def _categories_keyboard() -> list[list[tuple[str, str]]]:
    items = [
        (label, buttons.CategoryPage(slug, 0).pack()) for slug, label in basket.CATEGORIES.items()
    ]
    return [items[i : i + 2] for i in range(0, len(items), 2)]


async def services(ctx: Ctx) -> None:
    query = " ".join(ctx.args)
    if not query:
        ctx.reply(
            ctx.t._(
                "<b>Local service basket</b>\nChoose a category, or search: "
                "<i>/koszyk przemoc</i>, <i>/koszyk osoba bezdomna</i>."
            ),
            _categories_keyboard(),
        )
        return
    await _show_search(ctx, query, 0)


async def on_search_page(ctx: Ctx) -> None:
    """`kq:<offset>:<query>`."""
    raw = ctx.query.data if ctx.query else ""
    parts = (raw or "").split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        raise DomainError(Problem.STALE_BUTTON)
    await _show_search(ctx, parts[2], int(parts[1]))


async def on_category(ctx: Ctx) -> None:
    """`kc:<slug>:<offset>`."""
    button = buttons.CategoryPage.unpack(ctx.query.data if ctx.query else None)
    slug, offset = button.slug, button.offset
    if slug not in basket.CATEGORIES:
        raise DomainError(Problem.STALE_BUTTON)
    page = await basket.by_category(
        ctx.session, slug, municipality_id=_home(ctx), limit=PAGE, offset=max(0, offset)
    )
    t = ctx.t
    label = basket.CATEGORIES[slug]
    if page.total == 0:
        ctx.edit(
            t._("No services in the category {category} yet.").format(
                category=f"<b>{esc(label)}</b>"
            ),
            _categories_keyboard(),
        )
        return
    heading = f"<b>{esc(label)}</b> · " + t.n_("{n} service", "{n} services", page.total)
    text, rows = _page_view(
        t, heading, page, max(0, offset), lambda o: buttons.CategoryPage(slug, o).pack()
    )
    ctx.edit(text, rows)


def service_details(t: Translator, service: Service) -> str:
    lines = [
        f"<b>{esc(service.name)}</b>",
        f"{esc(service.institution.name)} · {esc(service.municipality.name)}",
    ]
    labels = [basket.CATEGORIES.get(c, c) for c in service.categories]
    if labels:
        lines.append(f"<i>{esc(', '.join(labels))}</i>")
    fields = [
        (t._("What"), service.description),
        (t._("For whom"), service.target_groups),
        (t._("How to get it"), service.how_to_access),
        (t._("Address"), service.address),
        (t._("Phone"), service.phone),
        (t._("E-mail"), service.email),
        (t._("Web page"), service.www),
        (t._("Opening hours"), service.opening_hours),
        (t._("Cost"), service.paid),
    ]
    for label, value in fields:
        if value:
            lines.append(f"<b>{label}:</b> {esc(value)}")
    updated = format_date(service.updated_at, format="long", locale=t.language)
    lines.append(t._("Last updated: {date}").format(date=updated))
    if service.is_example:
        lines.append(
            "⚠️ " + t._("Example data: check with the institution before you refer anyone.")
        )
    return "\n".join(lines)


async def on_details(ctx: Ctx) -> None:
    """`kd:<service>`: everything about one service, with a link to its page."""
    button = buttons.ServiceButton.unpack(ctx.query.data if ctx.query else None)
    service = await basket.get_service(ctx.session, button.service_id)
    rows = None
    if service.www and service.www.startswith(("http://", "https://")):
        rows = [[(ctx.t._("Web page"), service.www)]]
    ctx.reply(service_details(ctx.t, service), rows)


async def template(ctx: Ctx) -> None:
    if not ctx.is_private:
        # The filled file comes back in private only (on_document).
        ctx.reply(ctx.t._("Please ask for the basket file in a private chat with me."))
        return
    ctx.send_file(
        "koszyk_uslug_szablon.xlsx",
        basket.template_xlsx(),
        ctx.t._(
            "Fill in one row per service and send the file back to me. Categories are "
            "separated by “;”. The “Instrukcja” sheet explains every column; the names of "
            "sectors and categories are on the “Słowniki” sheet."
        ),
    )


def _basket_municipality(ctx: Ctx) -> int | None:
    """The municipality whose basket this coordinator keeps: that of a team they coordinate."""
    for membership in ctx.member.memberships if ctx.member else []:
        if allowed(ctx.actor, Action.MANAGE_BASKET, membership.team_id):
            return membership.team.municipality_id
    return None


@dataclass(frozen=True)
class Upload:
    """A document as fetch_upload found it: its rows as a basket file, or the problem that
    stops it being one; neither when Telegram did not hand it over."""

    rows: list[dict[str, str]] | None = None
    problem: basket.BasketFileError | None = None


async def fetch_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Upload | None:
    """Download and read a document sent in private, before the transaction (the handler's
    `before` step): a slow download or a long read holds nobody's database turn. Whether it
    is for the basket, and from a coordinator, is decided in the transaction (on_document)."""
    message = update.effective_message
    document = message.document if message else None
    chat = update.effective_chat
    if document is None or chat is None or chat.type != Chat.PRIVATE:
        return None
    too_big = Upload(problem=basket.BasketFileTooBig(basket.TOO_LARGE, "bytes"))
    if (document.file_size or 0) > basket.MAX_FILE_BYTES:
        return too_big  # not a byte downloaded
    try:
        file = await context.bot.get_file(document.file_id)
        if (file.file_size or 0) > basket.MAX_FILE_BYTES:
            return too_big
        content = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        log.warning("a sent document could not be downloaded: %s", error)
        return Upload()
    try:
        return Upload(rows=await basket.read_upload(document.file_name or "", content))
    except basket.BasketFileError as problem:
        return Upload(problem=problem)


def _file_problem(t: Translator, problem: basket.BasketFileError) -> str:
    limit = problem.limit if isinstance(problem, basket.BasketFileTooBig) else None
    if limit == "bytes":
        return t._(
            "The file is too large (over 10 MB). Please send the basket as a CSV or XLSX file."
        )
    if limit == "rows":
        return t._(
            "The file has more than {n} rows (empty rows count too), so the basket was not "
            "changed. Please delete the empty rows below the services, or split the file."
        ).format(n=format_decimal(MAX_ROWS, locale=t.language))
    if limit == "cells":
        return t._(
            "The file has more than {n} cells, so the basket was not changed. Please keep only "
            "the columns of the template (/koszyk_szablon)."
        ).format(n=format_decimal(MAX_CELLS, locale=t.language))
    if limit == "unpacked":
        return t._(
            "The spreadsheet is too big once unpacked (over {mb} MB), so the basket was not "
            "changed. Please keep only the sheet with the services, or send it as a CSV file."
        ).format(mb=MAX_UNPACKED_BYTES >> 20)
    if limit == "time":
        return t._(
            "Reading this file took too long, so I stopped; the basket was not changed. "
            "Please send a smaller file, or save it as CSV."
        )
    return t._("I could not read this file: {reason} The basket was not changed.").format(
        reason=esc(problem.reason)
    )


async def on_document(ctx: Ctx) -> None:
    """A coordinator sends the basket file, already read (fetch_upload): it replaces nothing
    unless every row is valid."""
    message = ctx.update.effective_message
    document = message.document if message else None
    t = ctx.t
    if document is None or not ctx.is_private:
        return
    municipality_id = _basket_municipality(ctx)
    if municipality_id is None:
        ctx.reply(
            t._("Only team coordinators can update the service basket. I keep no other files.")
        )
        return
    upload = ctx.prepared if isinstance(ctx.prepared, Upload) else Upload()
    if upload.problem is not None:
        ctx.reply(_file_problem(t, upload.problem))
        return
    if upload.rows is None:
        ctx.reply(t._("I could not download the file from Telegram. Please send it again."))
        return
    municipality = (await teams.get_municipality(ctx.session, municipality_id)).name
    try:
        report = await basket.import_rows(
            ctx.session, upload.rows, municipality=municipality, actor_telegram_id=ctx.user.id
        )
    except basket.BasketImportError as problem:
        listed = "\n".join(
            t._("row {row}: {reason}").format(row=row, reason=esc(reason))
            for row, reason in problem.problems[:20]
        )
        more = len(problem.problems) - 20
        if more > 0:
            listed += "\n" + t.n_("… and {n} more problem", "… and {n} more problems", more)
        ctx.reply(t._("The file has errors, so the basket was not changed:") + "\n" + listed)
        return
    ctx.reply(
        t._(
            "Basket of {place} updated: {created} new, {updated} changed, {unchanged} unchanged."
        ).format(
            place=f"<b>{esc(municipality)}</b>",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        )
        + _unknown_names_note(t, report)
    )


_NAMES_SHOWN, _ROWS_SHOWN, _NAME_CHARS = 10, 5, 60


def _listed(t: Translator, unknown: tuple[basket.Unknown, ...]) -> str:
    """ "„kultura fizyczna” (row 7), „sport” (rows 3, 5)", kept short whatever the file."""
    parts = []
    for item in unknown[:_NAMES_SHOWN]:
        rows = ", ".join(map(str, item.rows[:_ROWS_SHOWN])) + (
            "…" if len(item.rows) > _ROWS_SHOWN else ""
        )
        where = t.n_("row {rows}", "rows {rows}", len(item.rows)).replace("{rows}", rows)
        parts.append(f"„{esc(item.name[:_NAME_CHARS])}” ({where})")
    more = len(unknown) - _NAMES_SHOWN
    if more > 0:
        parts.append(t.n_("and {n} more", "and {n} more", more))
    return ", ".join(parts)


def _unknown_names_note(t: Translator, report: basket.ImportReport) -> str:
    """The sector and category names of the file the bot did not know: the rows were kept."""
    lines = []
    if report.unknown_sectors:
        lines.append(
            t._(
                "Sectors I do not know (rows kept, a new institution gets “other”): {names}"
            ).format(names=_listed(t, report.unknown_sectors))
        )
    if report.unknown_categories:
        lines.append(
            t._(
                "Categories I do not know, left out (search still finds the service): {names}"
            ).format(names=_listed(t, report.unknown_categories))
        )
    if not lines:
        return ""
    lines.append(t._("The names I know are in the template (/koszyk_szablon), sheet “Słowniki”."))
    return "\n\n" + "\n".join(lines)


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot przemoc` in any chat: matching services, to share as a message."""
    inline = update.inline_query
    if inline is None:
        return
    db: Database = context.bot_data["db"]
    results = []
    async with db.session() as session:
        member = await find_member(session, inline.from_user.id)
        t = translator(
            pick_language(member.language if member else None, inline.from_user.language_code)
        )
        home = basket.municipality_of_member(member)
        try:
            page = await basket.search(
                session, inline.query, municipality_id=home, limit=INLINE_RESULTS
            )
        except DomainError:
            page = SearchPage([], 0)
        for hit in page.hits:
            service = await basket.get_service(session, hit.id)
            results.append(
                InlineQueryResultArticle(
                    id=str(hit.id),
                    title=hit.name[:100],
                    description=f"{hit.institution} · {hit.municipality}"[:200],
                    input_message_content=InputTextMessageContent(
                        service_details(t, service),
                        parse_mode=ParseMode.HTML,
                        link_preview_options=None,
                    ),
                )
            )
    await inline.answer(results, cache_time=60, is_personal=True)
