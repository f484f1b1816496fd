"""Translations: gettext catalogs (Babel .po files), Polish first, English second.

Message ids in the code are English; `locales/pl/LC_MESSAGES/messages.po` holds the Polish
texts with Polish plural forms. The .po files are compiled in memory at start, so there is no
build step and no stale .mo file.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "pl"
LANGUAGES = ("pl", "en")
# Each language by its own name: understood whatever the reader's language.
LANGUAGE_NAMES = {"pl": "Polski", "en": "English"}


class Translator:
    """Texts in one language. `_` and `n_` are the gettext keywords Babel extracts."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def _(self, message: str) -> str:
        return self._translations.gettext(message)

    def n_(self, singular: str, plural: str, n: int) -> str:
        """Plural-aware text; `{n}` in it is replaced by the number."""
        return self._translations.ngettext(singular, plural, n).replace("{n}", str(n))


@cache
def translator(language: str | None) -> Translator:
    """Texts in `language`; Polish for None or a language the bot does not speak."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    po_file = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_file.exists():
        # English message ids are the English texts.
        return Translator(language, gettext.NullTranslations())
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translator(language, gettext.GNUTranslations(compiled))


def pick_language(chosen: str | None, telegram_language_code: str | None) -> str:
    """The member's stored language wins; otherwise English only for English Telegram apps
    (`en`, `en-GB`, ...), Polish for any other value or none."""
    if chosen in LANGUAGES:
        return chosen
    code = (telegram_language_code or "").strip().lower()
    if code == "en" or code.startswith(("en-", "en_")):
        return "en"
    return DEFAULT_LANGUAGE
