"""Arbitrary basket files from a coordinator, through the strict emulator (hypothesis).

Each example sends one document: arbitrary bytes under any name, random CSV text, random
cells in an XLSX, or a valid XLSX with some bytes overwritten. Whatever it is: an answer
comes, no Bot API call of the bot is refused, and the "error on my side" apology never shows.
"""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from storage.basket import COLUMNS
from storage.models import Role
from tests import arrange
from tests.conftest import Harness
from tests.fuzzing import count_case, fuzz_settings

# About 20 examples, a few seconds; FUZZ_EXAMPLES=500 hunts with new random ones.
EXAMPLES = 20
APOLOGY = "wystąpił błąd po mojej stronie"
_ids = itertools.count(2201)

names = st.sampled_from(["koszyk.csv", "koszyk.xlsx", "koszyk.xlsm", "koszyk.txt", "koszyk"])
# Text a spreadsheet cell can hold (openpyxl refuses control characters).
cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
csv_cell = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30) | (
    st.sampled_from(["Sieradz", "pomoc społeczna", "dzieci i rodzina", '"', ";", "=1+1", ""])
)
header = st.lists(st.sampled_from([*COLUMNS, "", "inne"]), min_size=1, max_size=16) | st.just(
    list(COLUMNS)
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    rows = [draw(header)] + draw(st.lists(st.lists(csv_cell, max_size=16), max_size=5))
    text = "\n".join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "utf-16"]))
    return draw(names), text.encode(encoding, errors="replace")


cell_value = (
    cell_text
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.none()
    | st.dates(min_value=date(1900, 3, 1))
    | st.datetimes(min_value=datetime(1900, 3, 1))
)


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@st.composite
def xlsx_files(draw: st.DrawFn) -> tuple[str, bytes]:
    rows: list[list[object]] = [list(draw(header))]
    rows += draw(st.lists(st.lists(cell_value, max_size=16), max_size=5))
    return draw(names), _workbook(rows)


# Made once: every workbook carries the time it was made, and hypothesis needs the same
# draws from the same choices.
VALID = _workbook([list(COLUMNS), ["Sieradz", "MOPS", "pomoc społeczna"]])


@st.composite
def damaged_xlsx_files(draw: st.DrawFn) -> tuple[str, bytes]:
    content = bytearray(VALID)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(content) - 1))
        content[position] = draw(st.integers(0, 255))
    return "koszyk.xlsx", bytes(content)


files = (
    st.tuples(names, st.binary(min_size=1, max_size=2000))
    | csv_files()
    | xlsx_files()
    | damaged_xlsx_files()
)


@pytest.fixture
async def team_id(harness: Harness) -> int:
    async with harness.session() as session:
        return (await arrange.team(session, town="Sieradz", institutions=())).team_id


async def _coordinator(harness: Harness, team_id: int) -> int:
    """A new one each time: the bot answers a private chat once a second, as Telegram wants."""
    user_id = next(_ids)
    async with harness.session() as session:
        await arrange.person(session, team_id, user_id, "Koordynatorka", Role.COORDINATOR)
    return harness.user(user_id, "Koordynatorka")


@fuzz_settings(EXAMPLES)
@given(file=files)
async def test_any_basket_file_gets_an_answer(
    request: pytest.FixtureRequest, harness: Harness, team_id: int, file: tuple[str, bytes]
) -> None:
    count_case(request, "file uploads")
    name, content = file
    if not content:
        return  # Telegram takes no empty files
    coordinator = await _coordinator(harness, team_id)
    since = len(harness.emu.calls)
    harness.emu.send_document(coordinator, name, content)
    answer = await harness.emu.next_message(coordinator, timeout=15)
    assert answer["text"]
    refused = [c for c in harness.emu.calls[since:] if c.status == 400]
    assert not refused, [(c.method, c.response.get("description")) for c in refused]
    said = " ".join(str(c.params.get("text", "")) for c in harness.emu.calls[since:])
    assert APOLOGY not in said
