"""/ogloszenie: a coordinator writes, picks the audience, previews and sends; /ogloszenia
lists what was sent, who has not confirmed reading, and reminds them once; the read button
confirms reading. Delivery itself is bot/broadcast.py."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Message

from bot.dates import WhenStatus, format_when
from bot.i18n import translator
from bot.permissions import Action, PermissionDenied, may_announce_anywhere, may_announce_to
from bot.refusals import refusal_text
from bot.render import esc
from bot.views import buttons
from bot.views.announcement_card import (
    announcement_request,
    audience_text,
    load_frame,
    not_confirmed_line,
    overflow,
    remind_button,
    reminder,
    render,
    snippet,
)
from bot.views.keyboard import message_request
from handlers import typed_when
from handlers.base import Ctx
from handlers.regions import outside_region
from storage import announcements, conversations, members, regions, teams
from storage.errors import DomainError, Problem
from storage.models import Announcement, AnnouncementState, Audience, Region, Team, TeamKind
from storage.privacy import refuse_client_data
from storage.text import sort_key

TEXT = "ann.text"  # waiting for the text (or a photo or document with a caption)
PREVIEW = "ann.preview"  # preview shown; a new text or attachment replaces the old one
WHEN = "ann.when"  # waiting for a typed time to send at
HISTORY = 10
PAGE = 4  # municipalities or teams per page of an admin's audience list (and ‹ › and ↩)
HISTORY_NAMES = 400  # characters of non-readers' names per entry of /ogloszenia


async def _audiences(ctx: Ctx) -> list[tuple[Audience, int | None, str]]:
    """What this actor may address: (audience, id, button label)."""
    t = ctx.t
    found: list[tuple[Audience, int | None, str]] = []
    municipalities: dict[int, str] = {}
    for team_id in sorted(ctx.actor.roles):
        team = await teams.get_team(ctx.session, team_id)
        if not may_announce_to(ctx.actor, Audience.TEAM, team.id):
            continue
        found.append((Audience.TEAM, team.id, team.name))
        if team.kind == TeamKind.PZK:
            municipalities[team.municipality_id] = team.municipality.name
    for municipality_id, name in sorted(municipalities.items(), key=lambda item: item[1]):
        found.append(
            (
                Audience.MUNICIPALITY,
                municipality_id,
                t._("All teams of {municipality}").format(municipality=name),
            )
        )
    if not ctx.actor.is_region_admin:
        return found
    if ctx.actor.is_admin:
        # Each of several regions is on the next screen ("🗺 A region…", `_pick_list`).
        several = await _several_regions(ctx)
        label = t._("All teams of every region") if several else t._("All teams of the region")
        found.append((Audience.REGION, None, label))
        return found
    for region in await _regions_of(ctx):
        label = t._("All teams of {region}").format(region=region.name)
        found.append((Audience.REGION, region.id, label))
    return found


async def _regions_of(ctx: Ctx) -> list[Region]:
    """The regions the actor addresses, by name."""
    return sorted(
        (
            region
            for region in await regions.list_regions(ctx.session)
            if may_announce_to(ctx.actor, Audience.REGION, region.id)
        ),
        key=lambda region: sort_key(region.name),
    )


async def _several_regions(ctx: Ctx) -> bool:
    return len(await regions.list_regions(ctx.session)) > 1


async def _require_audience(ctx: Ctx, audience: Audience, audience_id: int | None) -> None:
    pzk = (
        await announcements.pzk_teams(ctx.session, audience_id)
        if audience == Audience.MUNICIPALITY and audience_id is not None
        else []
    )
    if not may_announce_to(ctx.actor, audience, audience_id, pzk):
        if ctx.actor.regions:
            raise await outside_region(ctx)  # a region admin, past their regions
        raise PermissionDenied(Action.ANNOUNCE)


async def announce(ctx: Ctx) -> None:
    t = ctx.t
    if not ctx.is_private:
        ctx.reply(t._("Please write announcements in a private chat with me."))
        return
    if ctx.member is None and may_announce_anywhere(ctx.actor):
        # A region admin in no team: the announcement is still signed by a person.
        ctx.member = await members.ensure_member(
            ctx.session, ctx.user.id, ctx.user.full_name, ctx.user.username, ctx.t.language
        )
    if ctx.member is None or not await _audiences(ctx):
        raise PermissionDenied(Action.ANNOUNCE)
    draft = await announcements.start_draft(ctx.session, ctx.member, ctx.chat.id, ctx.now())
    await _set_step(ctx, TEXT, draft)
    message = ctx.update.effective_message
    words = _after_command(message.text_html) if message and message.text else ""
    if words:
        await _take_text(ctx, draft, words)
        return
    ctx.reply(
        t._(
            "Write the announcement. Bold, italics and links are kept. You can also send a "
            "photo or a document (PDF, Word…) with the text as its caption."
        )
    )


def _after_command(text_html: str) -> str:
    parts = text_html.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def _set_step(ctx: Ctx, step: str, draft: Announcement) -> None:
    await conversations.set_pending(ctx.session, ctx.chat.id, ctx.user.id, step, {"id": draft.id})


async def _draft(ctx: Ctx) -> Announcement:
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or ctx.member is None:
        raise DomainError(Problem.STALE_BUTTON)
    return await announcements.get_draft(ctx.session, int(pending.data["id"]), ctx.member)


async def on_text(ctx: Ctx, _text: str) -> None:
    """The text, typed at first or to replace the previewed one."""
    message = ctx.update.effective_message
    await _take_text(ctx, await _draft(ctx), message.text_html if message else "")


async def on_attachment(ctx: Ctx) -> None:
    """A photo or a document, with the text as its caption (or keeping the text given)."""
    message = ctx.update.effective_message
    assert message is not None
    draft = await _draft(ctx)
    if message.photo:
        draft.attachment_kind, draft.attachment_file_id = "photo", message.photo[-1].file_id
    elif message.document:
        draft.attachment_kind, draft.attachment_file_id = "document", message.document.file_id
    else:
        raise DomainError(Problem.ATTACHMENT_UNSUPPORTED)
    if message.caption:
        await _take_text(ctx, draft, message.caption_html)
        return
    if not draft.text_html:
        ctx.reply(ctx.t._("Got the file. Now write the text of the announcement."))
        return
    await _next_step(ctx, draft)


async def _take_text(ctx: Ctx, draft: Announcement, text_html: str) -> None:
    if not text_html.strip():
        raise DomainError(Problem.TEXT_EMPTY)
    refuse_client_data(text_html)
    draft.text_html = text_html.strip()
    await _next_step(ctx, draft)


async def _next_step(ctx: Ctx, draft: Announcement) -> None:
    if draft.audience is None:
        choices = await _audiences(ctx)
        if len(choices) == 1 and not may_announce_anywhere(ctx.actor):
            audience, audience_id, _ = choices[0]
            draft.audience, draft.audience_id = audience, audience_id
        else:
            await _set_step(ctx, PREVIEW, draft)
            ctx.reply(ctx.t._("Who is it for?"), await _audience_rows(ctx, draft, choices))
            return
    await _preview(ctx, draft)


async def _audience_rows(
    ctx: Ctx, draft: Announcement, choices: list[tuple[Audience, int | None, str]]
) -> list[list[tuple[str, str]]]:
    rows = [
        [(label, buttons.AudienceChoice(draft.id, audience.value, audience_id or 0).pack())]
        for audience, audience_id, label in choices
    ]
    if may_announce_anywhere(ctx.actor):
        # Any municipality or team, listed on the next screen (there may be many).
        rows.append(
            [
                (
                    ctx.t._("🏘 A municipality…"),
                    buttons.AnnouncementButton("am", draft.id, 0).pack(),
                ),
                (ctx.t._("👥 A team…"), buttons.AnnouncementButton("at", draft.id, 0).pack()),
            ]
        )
    if ctx.actor.is_admin and await _several_regions(ctx):
        rows[-1].insert(
            0, (ctx.t._("🗺 A region…"), buttons.AnnouncementButton("ar", draft.id, 0).pack())
        )
    return rows


async def _pick_list(ctx: Ctx, draft: Announcement, kind: str, page: int) -> None:
    """An admin's list of regions ("ar"), municipalities ("am") or teams ("at"), a page at a
    time: a region admin's within their regions."""
    if not may_announce_anywhere(ctx.actor):
        raise PermissionDenied(Action.ANNOUNCE)
    found = [
        team
        for team in await teams.list_teams(ctx.session)
        if ctx.actor.is_admin or team.id in ctx.actor.region_teams
    ]
    if kind == "ar":
        items = [(Audience.REGION, region.id, region.name) for region in await _regions_of(ctx)]
        question = ctx.t._("Which region?")
    elif kind == "am":
        places = {team.municipality_id: team.municipality.name for team in found}
        items = [
            (Audience.MUNICIPALITY, place_id, name)
            for place_id, name in places.items()  # already in the order of their names
        ]
        question = ctx.t._("Which municipality?")
    else:
        items = [(Audience.TEAM, team.id, team.name) for team in found]
        question = ctx.t._("Which team?")
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 0), pages - 1)
    choices = [
        (label, buttons.AudienceChoice(draft.id, audience.value, item_id).pack())
        for audience, item_id, label in items
    ]
    rows = buttons.paged(
        choices, page, lambda p: buttons.AnnouncementButton(kind, draft.id, p).pack(), rows=PAGE
    )
    rows.append([(ctx.t._("↩ Back"), buttons.AnnouncementButton("aud", draft.id).pack())])
    suffix = f" ({page + 1}/{pages})" if pages > 1 else ""
    ctx.edit(question + suffix, rows)


async def _preview(ctx: Ctx, draft: Announcement) -> None:
    """The announcement as recipients will see it, then the options and *Wyślij*."""
    await _set_step(ctx, PREVIEW, draft)
    if not draft.text_html:
        ctx.reply(ctx.t._("Got the file. Now write the text of the announcement."))
        return
    frame = await load_frame(ctx.session, draft)
    length, limit = overflow(frame, draft.text_html, with_attachment=bool(draft.attachment_kind))
    if length > limit:
        # Said as a message, not raised: the draft keeps its audience and the next text
        # replaces this one.
        problem = (
            Problem.CAPTION_TOO_LONG if draft.attachment_kind else Problem.ANNOUNCEMENT_TOO_LONG
        )
        ctx.reply(refusal_text(ctx.t, DomainError(problem, max=limit, over=length - limit)))
        return
    text, _ = render(ctx.t, frame, draft.text_html, announcement_id=None, ask_read=False)
    _send_as_recipients_see(ctx, draft, text)
    await _controls(ctx, draft, edit=False)


def _send_as_recipients_see(ctx: Ctx, draft: Announcement, text: str) -> None:
    ctx.outbox.append(
        announcement_request(ctx.chat.id, text, draft.attachment_kind, draft.attachment_file_id)
    )


def _zone(ctx: Ctx, team: Team | None) -> ZoneInfo:
    return ZoneInfo(team.municipality.timezone) if team else ctx.settings.timezone


async def _draft_zone(ctx: Ctx, draft: Announcement) -> ZoneInfo:
    if draft.audience == Audience.TEAM and draft.audience_id:
        return _zone(ctx, await teams.get_team(ctx.session, draft.audience_id))
    if draft.audience == Audience.MUNICIPALITY and draft.audience_id:
        municipality = await teams.get_municipality(ctx.session, draft.audience_id)
        return ZoneInfo(municipality.timezone)
    return ctx.settings.timezone


async def _controls(ctx: Ctx, draft: Announcement, *, edit: bool) -> None:
    t = ctx.t
    assert draft.audience is not None
    found = await announcements.recipients(
        ctx.session, draft.audience, draft.audience_id, author_telegram_id=ctx.user.id
    )
    people = sum(1 for r in found if r.member_id is not None)
    groups = len(found) - people
    yes, no = t._("yes"), t._("no")
    when = (
        format_when(draft.send_at.astimezone(await _draft_zone(ctx, draft)), t.language)
        if draft.send_at
        else t._("now")
    )
    lines = [
        t._("Above: the announcement as recipients will see it."),
        "",
        t.n_("To: {n} person", "To: {n} people", people).format(n=people)
        + (
            " " + t.n_("and {n} group", "and {n} groups", groups).format(n=groups) if groups else ""
        ),
        t._("📌 Pin in group chats: {answer}").format(answer=yes if draft.pin else no),
        t._("✅ Ask to confirm reading: {answer}").format(answer=yes if draft.ask_read else no),
        t._("🔒 Block forwarding and saving: {answer}").format(
            answer=yes if draft.protect_content else no
        ),
        t._("🕒 Sending: {when}").format(when=when),
        "",
        t._("To change the text, just send a new one (or a photo or document)."),
    ]
    send_label = t._("📤 Schedule") if draft.send_at else t._("📤 Send now")
    rows = [
        [(send_label, buttons.AnnouncementButton("s", draft.id).pack())],
        [
            (
                t._("📌 Pin: {answer}").format(answer=yes if draft.pin else no),
                buttons.AnnouncementButton("pin", draft.id).pack(),
            ),
            (
                t._("✅ Confirm: {answer}").format(answer=yes if draft.ask_read else no),
                buttons.AnnouncementButton("ask", draft.id).pack(),
            ),
        ],
        [
            (
                t._("🔒 No forwarding: {answer}").format(
                    answer=yes if draft.protect_content else no
                ),
                buttons.AnnouncementButton("prot", draft.id).pack(),
            )
        ],
        [
            (
                t._("🕒 Send now instead") if draft.send_at else t._("🕒 Send later"),
                buttons.AnnouncementButton("now" if draft.send_at else "later", draft.id).pack(),
            ),
            (t._("👥 Recipients"), buttons.AnnouncementButton("aud", draft.id).pack()),
        ],
        [(t._("Cancel"), buttons.AnnouncementButton("x", draft.id).pack())],
    ]
    if edit:
        ctx.edit("\n".join(lines), rows)
    else:
        ctx.reply("\n".join(lines), rows)


async def on_when(ctx: Ctx, text: str) -> None:
    draft = await _draft(ctx)
    zone = await _draft_zone(ctx, draft)
    when = typed_when.read(ctx, text, ctx.now().astimezone(zone))
    if when.status == WhenStatus.CONFLICT:
        ctx.reply(
            ctx.t._(
                "The weekday and the date you typed are different days. Please type the day again."
            )
        )
        return
    if when.status != WhenStatus.OK or when.value is None:
        ctx.reply(typed_when.refusal(ctx, when))
        return
    draft.send_at = when.value
    await _set_step(ctx, PREVIEW, draft)
    await _controls(ctx, draft, edit=False)


# -- buttons -----------------------------------------------------------------------------------


async def on_button(ctx: Ctx) -> None:
    raw = ctx.query.data if ctx.query else None
    button = buttons.unpack_any(
        raw, buttons.AudienceChoice, buttons.RemindReaders, buttons.AnnouncementButton
    )
    if isinstance(button, buttons.AnnouncementButton) and button.action == "r":
        await _on_read(ctx, button.target_id)
        return
    if not ctx.is_private:
        # Only the read button is ever put in a group; drafts and the history are private.
        raise DomainError(Problem.STALE_BUTTON)
    if isinstance(button, buttons.RemindReaders):
        await _on_remind(ctx, button.announcement_id, button.where)
        return
    if isinstance(button, buttons.AnnouncementButton) and button.action == "c":
        await _on_cancel_scheduled(ctx, button.target_id)
        return
    if ctx.member is None:
        raise DomainError(Problem.STALE_BUTTON)
    t = ctx.t
    if isinstance(button, buttons.AudienceChoice):
        draft = await announcements.get_draft(ctx.session, button.draft_id, ctx.member)
        audience = _audience(button.audience)
        audience_id = button.audience_id or None
        await _require_audience(ctx, audience, audience_id)
        draft.audience, draft.audience_id = audience, audience_id
        if audience == Audience.TEAM and audience_id is not None:
            # The team's own choice is the default; the author may still change it.
            team = await teams.get_team(ctx.session, audience_id)
            draft.protect_content = team.protect_content
        ctx.edit(t._("Recipients chosen."))
        await _preview(ctx, draft)
        return
    draft = await announcements.get_draft(ctx.session, button.target_id, ctx.member)
    action = button.action
    if action == "aud":
        rows = await _audience_rows(ctx, draft, await _audiences(ctx))
        ctx.edit(t._("Who is it for?"), rows)
    elif action in ("am", "at", "ar"):
        await _pick_list(ctx, draft, action, buttons.given(button.page))
    elif action == "pin":
        draft.pin = not draft.pin
        await _controls(ctx, draft, edit=True)
    elif action == "ask":
        draft.ask_read = not draft.ask_read
        await _controls(ctx, draft, edit=True)
    elif action == "prot":
        draft.protect_content = not draft.protect_content
        await _controls(ctx, draft, edit=True)
    elif action == "now":
        draft.send_at = None
        await _controls(ctx, draft, edit=True)
    elif action == "later":
        await _set_step(ctx, WHEN, draft)
        examples = ", ".join(f"<i>{e}</i>" for e in typed_when.examples(ctx, 3))
        ctx.reply(t._("When should I send it? For example: {examples}.").format(examples=examples))
    elif action == "x":
        draft.state = AnnouncementState.CANCELLED
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        ctx.edit(t._("Cancelled. Nothing was sent."))
    elif action == "s":
        await _send(ctx, draft)
    else:
        raise DomainError(Problem.STALE_BUTTON)


def _audience(value: str) -> Audience:
    try:
        return Audience(value)
    except ValueError:
        raise DomainError(Problem.STALE_BUTTON) from None


async def _send(ctx: Ctx, draft: Announcement) -> None:
    t = ctx.t
    assert draft.audience is not None
    # Checked again: roles may have changed since the preview.
    await _require_audience(ctx, draft.audience, draft.audience_id)
    if draft.send_at is not None and draft.send_at <= ctx.now():
        draft.send_at = None
    later = draft.send_at is not None
    if not later and not await announcements.recipients(
        ctx.session, draft.audience, draft.audience_id, author_telegram_id=ctx.user.id
    ):
        raise DomainError(Problem.NO_RECIPIENTS)
    count = await announcements.confirm(
        ctx.session, draft, ctx.now(), actor_telegram_id=ctx.user.id
    )
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if later:
        assert draft.send_at is not None
        when = format_when(draft.send_at.astimezone(await _draft_zone(ctx, draft)), t.language)
        ctx.edit(
            t._("🕒 Scheduled for {when}. You can cancel it in /ogloszenia.").format(
                when=f"<b>{when}</b>"
            )
        )
        return
    ctx.notice(t._("Sending…"))
    ctx.edit(
        t.n_("📤 Sending to {n} recipient…", "📤 Sending to {n} recipients…", count).format(n=count)
    )


async def _on_read(ctx: Ctx, announcement_id: int) -> None:
    if ctx.member is None:
        raise DomainError(Problem.NOT_A_RECIPIENT)
    announcement = await announcements.get(ctx.session, announcement_id)
    added = await announcements.confirm_read(ctx.session, announcement, ctx.member, ctx.now())
    ctx.notice(ctx.t._("Thank you!") if added else ctx.t._("You have already confirmed."))
    message = ctx.query.message if ctx.query else None
    if ctx.is_private and isinstance(message, Message):
        # The button has done its work in a private chat; in a group others still need it.
        ctx.drop_buttons()


async def _may_manage(ctx: Ctx, announcement: Announcement) -> None:
    """The author, or whoever may address its audience (as in /ogloszenia)."""
    assert announcement.audience is not None
    if announcement.author_id != (ctx.member.id if ctx.member else None):
        await _require_audience(ctx, announcement.audience, announcement.audience_id)


async def _on_remind(ctx: Ctx, announcement_id: int, where: str) -> None:
    """One reminder to those who have not confirmed reading; a second press changes nothing."""
    t = ctx.t
    announcement = await announcements.get(ctx.session, announcement_id)
    await _may_manage(ctx, announcement)
    targets = await announcements.claim_reminder(
        ctx.session,
        announcement,
        actor_telegram_id=ctx.user.id,
        actor_member_id=ctx.member.id if ctx.member else None,
    )
    if targets is None:
        ctx.notice(t._("The reminder was already sent."), alert=True)
    elif not targets:
        ctx.notice(t._("There is nobody to remind."), alert=True)
    else:
        await _send_reminders(ctx, announcement, targets)
        reminded = t.n_("Reminded {n} person.", "Reminded {n} people.", len(targets))
        ctx.notice(reminded.format(n=len(targets)))
    if where == "h":
        await show_history(ctx, edit=True)
    else:
        ctx.drop_buttons()  # two presses at once: "not modified" is harmless


async def _send_reminders(
    ctx: Ctx, announcement: Announcement, targets: list[announcements.Reader]
) -> None:
    """Queued: sent after the commit that records the reminder, each in its reader's language."""
    frame = await load_frame(ctx.session, announcement)
    for target in targets:
        theirs = translator(target.language)
        text, rows = reminder(theirs, frame, announcement.text_html, announcement.id)
        ctx.outbox.append(message_request(target.chat_id, text, rows, announcement.protect_content))


async def _on_cancel_scheduled(ctx: Ctx, announcement_id: int) -> None:
    announcement = await announcements.get(ctx.session, announcement_id)
    await _may_manage(ctx, announcement)
    await announcements.cancel_scheduled(
        ctx.session, announcement_id, actor_telegram_id=ctx.user.id
    )
    ctx.notice(ctx.t._("Cancelled. Nothing was sent."))
    await show_history(ctx, edit=True)


# -- history -----------------------------------------------------------------------------------


async def show_history(ctx: Ctx, edit: bool = False) -> None:
    t = ctx.t
    if not ctx.is_private:
        # Texts, audiences and a cancel button: not for a group, perhaps a stranger's.
        ctx.reply(t._("Please look at announcements in a private chat with me."))
        return
    if ctx.member is None and not ctx.actor.is_region_admin:
        raise PermissionDenied(Action.ANNOUNCE)
    found = await announcements.history(
        ctx.session,
        author_id=ctx.member.id if ctx.member else None,
        team_ids=ctx.actor.teams_where(Action.ANNOUNCE) | ctx.actor.region_teams,
        everything=ctx.actor.is_admin,
        limit=HISTORY,
    )
    if not found:
        ctx.reply(t._("No announcements yet. Write one with /ogloszenie."))
        return
    lines = [_heading(ctx)]
    rows: list[list[tuple[str, str]]] = []
    for announcement in found:
        lines.append("")
        lines.append(await _history_entry(ctx, announcement))
        if announcement.state == AnnouncementState.SCHEDULED:
            rows.append(
                [
                    (
                        t._("Cancel the one of {when}").format(
                            when=_local(ctx, announcement.send_at).strftime("%d.%m %H:%M")
                        ),
                        buttons.AnnouncementButton("c", announcement.id).pack(),
                    )
                ]
            )
        elif await _may_remind(ctx, announcement):
            label, data = remind_button(t, announcement.id, "h")
            when = _local(ctx, announcement.started_at or announcement.created_at)
            rows.append([(f"{label} · {when:%d.%m %H:%M}", data)])
    (ctx.edit if edit else ctx.reply)("\n".join(lines), rows)


async def _may_remind(ctx: Ctx, announcement: Announcement) -> bool:
    """Asked to confirm, someone has not, and no reminder went yet."""
    if not announcement.ask_read or announcement.state not in (
        AnnouncementState.SENDING,
        AnnouncementState.DONE,
    ):
        return False
    if await announcements.was_reminded(ctx.session, announcement.id):
        return False
    return bool(await announcements.non_readers(ctx.session, announcement.id))


def _heading(ctx: Ctx) -> str:
    heading = ctx.t._("Announcements")
    return f"<b>{heading}</b>"


def _local(ctx: Ctx, moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(ctx.settings.timezone)


async def _history_entry(ctx: Ctx, announcement: Announcement) -> str:
    t = ctx.t
    assert announcement.audience is not None
    frame = await load_frame(ctx.session, announcement)
    moment = _local(ctx, announcement.send_at or announcement.started_at or announcement.created_at)
    head = (
        f"• {moment:%d.%m.%Y %H:%M} · "
        f"{audience_text(t, announcement.audience, frame.audience_name)}\n"
        f"  <i>{esc(snippet(announcement.text_html))}</i>"
    )
    if announcement.state == AnnouncementState.SCHEDULED:
        return head + "\n  " + t._("🕒 scheduled")
    if announcement.state == AnnouncementState.CANCELLED:
        return head + "\n  " + t._("cancelled")
    figures = await announcements.progress(ctx.session, announcement.id)
    line = t._("delivered {sent} of {total}, blocked {blocked}, failed {failed}").format(
        sent=figures.sent, total=figures.total, blocked=figures.blocked, failed=figures.failed
    )
    if announcement.ask_read:
        line += ", " + t._("read {read} of {people}").format(
            read=figures.read, people=figures.people
        )
    if announcement.state == AnnouncementState.SENDING:
        line += " " + t._("(still sending)")
    silent = (
        await announcements.non_readers(ctx.session, announcement.id)
        if announcement.ask_read
        else []
    )
    if silent:
        line += "\n  " + not_confirmed_line(t, silent, HISTORY_NAMES)
    return head + "\n  " + line
