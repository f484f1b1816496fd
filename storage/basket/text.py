"""Folding and light Polish stemming: the same rules for stored text and for queries."""

from __future__ import annotations

import re
import unicodedata

# NFKD leaves these letters whole; the rest of the Polish alphabet decomposes.
_WHOLE_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "ø": "o", "ß": "ss"})
_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script

# Inflectional endings, longest first. Cutting them leaves a stem that prefix search extends
# to every form: "przemocą" -> "przemoc" finds "przemocy"; "bezdomną" -> "bezdomn" finds
# "bezdomność". Not a full stemmer: stem changes ("dziecko" / "dzieci") are caught by
# category words instead.
_ENDING_LIST = """
    osciami osciach osci osc owego owemu owych owymi owie ami ach ego emu ymi imi ych ich
    iem iej ej om ow em ie ia iu ym im a e i o u y
"""
_ENDINGS = sorted(_ENDING_LIST.split(), key=len, reverse=True)
MIN_STEM = 4
BEGINNING = 6  # word beginnings of this length are stored as words too (document.py)


class _FoldTable(dict[int, str]):
    """Character -> its letters without diacritics, computed on first sight: str.translate
    then folds a text in C, character by character (marks are dropped either way, so
    per-character decomposition equals whole-text decomposition)."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code).translate(_WHOLE_LETTERS))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower case without diacritics: "Łódź, ŚRODA" -> "lodz, sroda"."""
    return text.translate(_FOLD).casefold()


def words(text: str) -> list[str]:
    """Folded words (letters and digits) of a text."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """Cut one inflectional ending, keeping at least MIN_STEM letters."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def category_token(slug: str) -> str:
    """A word that exists only in services of this category (search by category)."""
    return "kat" + slug.replace("_", "")


def municipality_token(municipality_id: int) -> str:
    """A word that exists only in services of this municipality (own town first)."""
    return f"gm{municipality_id}"


def service_key(municipality: str, institution: str, name: str) -> str:
    """Stable identity of a service: re-importing the same file finds the same rows."""
    return "|".join(" ".join(words(part)) for part in (municipality, institution, name))
