"""Polish words folded for matching, shared by storage (region names are folded) and the
date phrases (`bot/dates/lexicon.py` builds on these tables; `bot/dates/phrases.py` reads
reminder offsets and report periods with them).

They live here, at the bottom, so that storage needs nothing from `bot/`.
"""

from __future__ import annotations

import unicodedata

# Typographic dashes become "-", which separates a range ("9–11") or a date ("7–01").
_POLISH_TO_ASCII = str.maketrans("ąćęłńóśźż‐‑‒–—−", "acelnoszz------")


def fold_text(text: str) -> str:
    """Lower case without diacritics: "ŚRODĘ" -> "srode", "Łódź" -> "lodz"."""
    folded = text.lower().translate(_POLISH_TO_ASCII)
    if folded.isascii():
        return folded
    # Rare path (other accents, typographic dashes, emoji): drop accents; any other
    # character separates tokens, as punctuation does.
    return "".join(
        char if char.isascii() else " "
        for char in unicodedata.normalize("NFKD", folded)
        if not unicodedata.combining(char)
    )


def forms(table: dict[int, str]) -> dict[str, int]:
    """{1: "jeden jedna"} -> {"jeden": 1, "jedna": 1}."""
    return {form: value for value, forms in table.items() for form in forms.split()}


# Nominative, genitive, locative and abbreviations ("sty.", "paźdz.").
MONTHS: dict[str, int] = forms({
    1: "styczen stycznia styczniu sty stycz",
    2: "luty lutego lutym lut",
    3: "marzec marca marcu mar",
    4: "kwiecien kwietnia kwietniu kwi kwiec",
    5: "maj maja maju",
    6: "czerwiec czerwca czerwcu cze czerw",
    7: "lipiec lipca lipcu lip",
    8: "sierpien sierpnia sierpniu sie sierp",
    9: "wrzesien wrzesnia wrzesniu wrz wrzes",
    10: "pazdziernik pazdziernika pazdzierniku paz pazdz",
    11: "listopad listopada listopadzie lis list listop",
    12: "grudzien grudnia grudniu gru grudz",
})  # fmt: skip

CARDINALS: dict[str, int] = forms({
    0: "zero", 1: "jeden jedna jedno", 2: "dwa dwie", 3: "trzy", 4: "cztery", 5: "piec",
    6: "szesc", 7: "siedem", 8: "osiem", 9: "dziewiec", 10: "dziesiec", 11: "jedenascie",
    12: "dwanascie", 13: "trzynascie", 14: "czternascie", 15: "pietnascie", 16: "szesnascie",
    17: "siedemnascie", 18: "osiemnascie", 19: "dziewietnascie",
})  # fmt: skip
FRACTIONS: dict[str, float] = {"pol": 0.5, "poltorej": 1.5, "poltora": 1.5}
