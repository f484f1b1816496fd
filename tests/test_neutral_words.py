"""Words for everyone: no Polish text of the bot speaks to men only or in slashes.

Every Polish translation (each plural form too) and every Polish string literal shown to users
from the code is scanned for gendered forms: first/second person past tense ("Przeczytałem",
"zapisałeś", "chciałabyś"), slashes ("obecny/a", "Pan/Pani", "zapisany(a)"), adjectives that
address the reader ("jesteś pewien", "obecny") and masculine-personal plurals for a group of
people ("nie głosowali", "Obecni"). Neutral ways exist for all of them: "Przeczytane",
"Zapisano", "Jest" / "Nie ma", "Potwierdzam", "osoby bez odpowiedzi".

A word that matches a pattern without being gendered goes in ALLOWED_WORDS, with the reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO_FILE = ROOT / "bot" / "locales" / "pl" / "LC_MESSAGES" / "messages.po"
CODE_DIRS = ("bot", "handlers", "storage")
# Not user-visible: migrations (only their docstrings say Polish). The test double of Telegram
# lives outside CODE_DIRS, in botapi_emulator/.
SKIPPED_CODE = ("bot/locales/", "storage/migrations/")
POLISH_LETTER = re.compile("[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")

WORD = r"[^\W\d_]"
GENDERED = {
    # "Przeczytałem", "byłam", "zapisałeś", "wybrałaś", "chciałbym", "mogłabyś", "zrobiliście"
    "1st/2nd person past": re.compile(
        rf"\b{WORD}+(?:łem|łam|łeś|łaś|łbym|łabym|łbyś|łabyś|liśmy|łyśmy|liście|łyście)\b", re.I
    ),
    # "obecny/a", "zapisany/-a", "Pan/Pani", "nowy/nowa"
    "slash form": re.compile(rf"{WORD}/-?(?:a|na|ka|i|y|ią|ą)\b|\bpan/pani\b|\bpani/pan\b", re.I),
    # "zapisany(a)", "gotowy(-a)", "Pan(i)"
    "bracket form": re.compile(rf"{WORD}\(-?(?:a|na|ka|i|y)\)", re.I),
    # Adjectives that describe the reader (or one person): "jesteś pewien", "Czy jesteś gotowa?",
    # "jesteś zapisany", "jesteś członkiem". Alone they often describe things ("zmiana zapisana").
    "gendered adjective": re.compile(
        rf"\b(?:pewien|pewna|gotowy|gotowa|nieobecny|nieobecna)\b"
        rf"|\bjesteś\s+(?:już\s+|teraz\s+|nadal\s+)?{WORD}+(?:ny|na|wy|wa|ty|ta|ien|em|ią)\b",
        re.I,
    ),
    # Masculine-personal plurals standing for a mixed group: "nie głosowali", "Obecni".
    "masculine group": re.compile(
        rf"\b{WORD}{{3,}}(?:ali|ili|yli|eli|ęli|ąli|źli|szli)\b"
        r"|\b(?:obecni|nieobecni|nieosiągalni|zgłoszeni|wybrani|zaproszeni|zapisani|gotowi)\b",
        re.I,
    ),
}

# Words a pattern catches that are not gendered.
ALLOWED_WORDS = {
    # Instrumental case of nouns ending in -ł: "z zespołem", "w protokole / protokołem".
    "zespołem",
    "protokołem",
    "udziałem",
    "działem",
    "artykułem",
    "materiałem",
    # Present tense ("I act"), no gender.
    "działam",
    # Genitive/locative singular of nouns: "za chwilę / w tej chwili", "lokal -> lokali".
    "chwili",
    "lokali",
}


# Present tense of -syłać ("wysyłam", "przesyłam": I send), no gender.
ALLOWED_ENDINGS = ("syłam",)


def _gendered(text: str) -> list[str]:
    """Each gendered form in `text`, as "kind: words"."""
    found = []
    for kind, pattern in GENDERED.items():
        for match in pattern.finditer(text):
            word = match.group(0).lower()
            if word not in ALLOWED_WORDS and not word.endswith(ALLOWED_ENDINGS):
                found.append(f"{kind}: {match.group(0)}")
    return found


def _translations() -> Iterator[tuple[str, str]]:
    """(English id, Polish text) for every translated form, plural ones included."""
    with PO_FILE.open("rb") as handle:
        catalog = read_po(handle, locale="pl")
    for message in catalog:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        for form in forms:
            yield english, form or ""


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: they speak to developers, in English with Polish examples."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _code_literals() -> Iterator[tuple[str, str]]:
    """("file:line", text) of each string literal in the code that has Polish letters."""
    for directory in CODE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(SKIPPED_CODE):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and POLISH_LETTER.search(node.value)
                ):
                    yield f"{relative}:{node.lineno}", node.value


def test_the_patterns_catch_what_the_issue_found() -> None:
    """The scanner itself: the texts of the issue are caught, their neutral forms are not."""
    gendered = ("✅ Przeczytałem", "{name}: obecny/a", "{name}: nieobecny/a", "Czy jesteś pewien?")
    gendered += ("Nie zapisałeś się", "Pan/Pani", "zapisany(a)", "Jeszcze nie głosowali")
    for text in gendered:
        assert _gendered(text), text
    for text in ("✅ Przeczytane", "{name}: jest", "{name}: nie ma", "✅ Potwierdzam przeczytanie"):
        assert not _gendered(text), text
    assert not _gendered("Połącz tę grupę z zespołem. Osoby, które nie odpowiedziały: 2")


def test_no_polish_translation_is_gendered() -> None:
    problems = [
        f"{english!r} -> {polish!r}: {', '.join(found)}"
        for english, polish in _translations()
        if (found := _gendered(polish))
    ]
    assert not problems, "Gendered Polish (rephrase neutrally):\n" + "\n".join(problems)


def test_no_polish_text_in_the_code_is_gendered() -> None:
    literals = list(_code_literals())
    assert literals, "the scan found no Polish literal at all: is the path right?"
    problems = [
        f"{where} {text!r}: {', '.join(found)}"
        for where, text in literals
        if (found := _gendered(text))
    ]
    assert not problems, "Gendered Polish in the code:\n" + "\n".join(problems)
