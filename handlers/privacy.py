"""/moje_dane (/mydata): my data as a summary, a text file to read and a JSON file;
/usun_dane (/deletedata): erase it.

The erasure's *yes* button carries a one-time token that the question stored in the dialogue
state: a crafted `pd:yes`, a button of an earlier question or one pressed too late erases
nothing (callback data can be forged by any client).
"""

from __future__ import annotations

import hmac
import json
import secrets
from datetime import datetime, timedelta

from bot import my_data_text
from bot.views import buttons
from handlers.base import Ctx
from storage import conversations, personal_data
from storage.errors import DomainError, Problem

ERASE = "privacy.erase"  # the question was asked; its token and when it was asked
# Long enough to read the question; short enough that an old question does not linger.
ERASE_VALID_FOR = timedelta(minutes=30)


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
    t = ctx.t
    document = await personal_data.export(ctx.session, ctx.member)
    ctx.reply(my_data_text.summary(t, document))
    # A BOM: office Notepads and phone viewers then read the Polish letters right.
    text = my_data_text.readable(t, document, ctx.settings.timezone, ctx.now())
    ctx.send_file(t._("my-data") + ".txt", text.encode("utf-8-sig"), t._("To read."))
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    ctx.send_file(t._("my-data") + ".json", content, t._("For computers (JSON)."))


async def ask_to_erase(ctx: Ctx) -> None:
    if not _private_only(ctx) or _nothing_held(ctx):
        return
    t = ctx.t
    token = secrets.token_urlsafe(12)  # 16 characters: the callback data stays short
    await conversations.set_pending(
        ctx.session,
        ctx.chat.id,
        ctx.user.id,
        ERASE,
        {"token": token, "asked_at": ctx.now().isoformat()},
    )
    ctx.reply(
        t._(
            "Erase your data? I will delete your name, username, Telegram id, institution, "
            "team memberships, answers and votes. Past attendance stays only as anonymous "
            "counts by institution; your decisions and tasks stay in the minutes without your "
            "name. This cannot be undone; to come back you would need a new invitation."
        ),
        [
            [
                (t._("Yes, erase my data"), buttons.ErasureYes(token).pack()),
                (t._("Cancel"), buttons.ErasureButton("no").pack()),
            ]
        ],
    )


async def _confirmed(ctx: Ctx, token: str) -> bool:
    """The token of this person's latest question in this chat, still fresh (then used up).

    A wrong token leaves the question alone: its own button still works.
    """
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != ERASE:
        return False
    try:
        asked_at = datetime.fromisoformat(str(pending.data["asked_at"]))
    except (KeyError, ValueError):
        asked_at = None
    if asked_at is None or not timedelta(0) <= ctx.now() - asked_at <= ERASE_VALID_FOR:
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        return False
    if not hmac.compare_digest(str(pending.data.get("token", "")).encode(), token.encode()):
        return False
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    return True


async def on_button(ctx: Ctx) -> None:
    """`pd:yes:<token>` erases, `pd:no` cancels; pressed by someone with no data: nothing to
    do."""
    raw = ctx.query.data if ctx.query else None
    if buttons.ErasureYes.matches(raw):
        action = "yes"
        try:
            token = buttons.ErasureYes.unpack(raw).token
        except DomainError:
            token = ""  # a broken yes is a wrong token: answered so below, nothing erased
    else:
        action, token = buttons.ErasureButton.unpack(raw).action, ""
    t = ctx.t
    if action == "no":
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        ctx.edit(t._("Nothing was erased."))
        return
    if action != "yes":
        raise DomainError(Problem.STALE_BUTTON)
    if ctx.member is None:
        ctx.edit(t._("I hold no data about you: you have not joined any team."))
        return
    if not await _confirmed(ctx, token):
        # Said, not raised: forgetting an expired question is kept.
        ctx.notice(
            t._(
                "This button is no longer valid, so nothing was erased. To erase your data, "
                "send /usun_dane again and answer the new question."
            ),
            alert=True,
        )
        return
    erased = await personal_data.erase(ctx.session, ctx.member)
    ctx.member = None
    ctx.forget_sent = True  # the confirmation leaves no row of theirs in the outbox
    ctx.edit(
        t._("Your data has been erased.")
        + " "
        + t.n_(
            "{n} attendance record stays as an anonymous count.",
            "{n} attendance records stay as anonymous counts.",
            erased.attendance_kept,
        )
    )
