"""/jezyk: choose Polish or English."""

from __future__ import annotations

from bot.i18n import translator
from bot.views import buttons
from handlers.base import Ctx
from storage import members
from storage.errors import DomainError, Problem


async def choose_language(ctx: Ctx) -> None:
    if ctx.member is None:
        ctx.reply(
            ctx.t._(
                "I follow the language of your Telegram app until you join a team; "
                "then you can choose it here."
            )
        )
        return
    ctx.reply(
        "Wybierz język / Choose your language:",
        [
            [
                ("Polski", buttons.LanguageButton("pl").pack()),
                ("English", buttons.LanguageButton("en").pack()),
            ]
        ],
    )


async def on_language_button(ctx: Ctx) -> None:
    language = buttons.LanguageButton.unpack(ctx.query.data if ctx.query else None).language
    if language not in ("pl", "en") or ctx.member is None:
        raise DomainError(Problem.STALE_BUTTON)
    await members.set_language(ctx.session, ctx.member, language)
    ctx.t = translator(language)
    ctx.edit(ctx.t._("Done: I will write to you in English."))
