"""/moje_dane (/mydata): my data as a JSON file; /usun_dane (/deletedata): erase it."""

from __future__ import annotations

import json

from handlers import buttons
from handlers.base import Ctx
from storage import personal_data
from storage.errors import DomainError, Problem


def _nothing_held(ctx: Ctx) -> bool:
    if ctx.member is not None:
        return False
    ctx.reply(ctx.t._("I hold no data about you: you have not joined any team."))
    return True


def _private_only(ctx: Ctx) -> bool:
    if ctx.is_private:
        return True
    ctx.reply(ctx.t._("Personal data only in a private chat with me, please."))
    return False


async def send_my_data(ctx: Ctx) -> None:
    if not _private_only(ctx) or _nothing_held(ctx):
        return
    assert ctx.member is not None
    document = await personal_data.export(ctx.session, ctx.member)
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    ctx.send_file(
        ctx.t._("my-data") + ".json",
        content,
        ctx.t._("Everything the bot holds about you."),
    )


async def ask_to_erase(ctx: Ctx) -> None:
    if not _private_only(ctx) or _nothing_held(ctx):
        return
    t = ctx.t
    ctx.reply(
        t._(
            "Erase your data? I will delete your name, username, Telegram id, institution, "
            "team memberships, answers and votes. Past attendance stays only as anonymous "
            "counts by institution; your decisions and tasks stay in the minutes without your "
            "name. This cannot be undone; to come back you would need a new invitation."
        ),
        [
            [
                (t._("Yes, erase my data"), buttons.data("pd", "yes")),
                (t._("Cancel"), buttons.data("pd", "no")),
            ]
        ],
    )


async def on_button(ctx: Ctx) -> None:
    """`pd:yes` erases, `pd:no` cancels; pressed by someone with no data: nothing to do."""
    action = buttons.str_part(ctx.query.data if ctx.query else None, 1)
    t = ctx.t
    if action == "no":
        ctx.edit(t._("Nothing was erased."))
        return
    if action != "yes":
        raise DomainError(Problem.STALE_BUTTON)
    if ctx.member is None:
        ctx.edit(t._("I hold no data about you: you have not joined any team."))
        return
    erased = await personal_data.erase(ctx.session, ctx.member)
    ctx.member = None
    ctx.edit(
        t._("Your data has been erased.")
        + " "
        + t.n_(
            "{n} attendance record stays as an anonymous count.",
            "{n} attendance records stay as anonymous counts.",
            erased.attendance_kept,
        )
    )
