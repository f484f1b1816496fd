"""The annual letter: the programme's year in its own Polish sentences, ready to paste into a
report ("W 2026 r. odbyło się 8 szkoleń międzysektorowych…"), as text and as a Word document.

Polish only, as the programme's reports are; numbers agree with their nouns through Babel's
Polish plural rule (1 szkolenie, 2 szkolenia, 5 szkoleń).
"""

from __future__ import annotations

from io import BytesIO

from babel import Locale

from storage.annual import AnnualReport, MunicipalityYear, RegionYear
from storage.figures import KindTally, Tally
from storage.models import EventKind

_POLISH = Locale.parse("pl")

# (one, few, many) forms of each kind, as counted: "1 szkolenie", "3 szkolenia", "8 szkoleń".
KIND_FORMS: dict[EventKind, tuple[str, str, str]] = {
    EventKind.TRAINING: (
        "szkolenie międzysektorowe",
        "szkolenia międzysektorowe",
        "szkoleń międzysektorowych",
    ),
    EventKind.WORKSHOP: (
        "warsztat kooperacyjny",
        "warsztaty kooperacyjne",
        "warsztatów kooperacyjnych",
    ),
    EventKind.PZK_MEETING: ("spotkanie PZK", "spotkania PZK", "spotkań PZK"),
    EventKind.ZZK_MEETING: ("spotkanie ZZK", "spotkania ZZK", "spotkań ZZK"),
    EventKind.CONSULTATION: (
        "spotkanie konsultacyjne",
        "spotkania konsultacyjne",
        "spotkań konsultacyjnych",
    ),
    EventKind.WORKING_GROUP: (
        "spotkanie grupy roboczej",
        "spotkania grupy roboczej",
        "spotkań grupy roboczej",
    ),
    EventKind.CONFERENCE: ("konferencja", "konferencje", "konferencji"),
    EventKind.COACHING: ("sesja coachingu", "sesje coachingu", "sesji coachingu"),
}
# The order of the programme's list of forms of support.
ORDER = list(KIND_FORMS)


def counted(number: int, one: str, few: str, many: str) -> str:
    """ "1 szkolenie", "3 szkolenia", "8 szkoleń", "22 szkolenia"."""
    form = _POLISH.plural_form(number)
    word = one if form == "one" else few if form == "few" else many
    return f"{number} {word}"


def clock_hours(minutes: int) -> str:
    """ "1 godzina zegarowa", "3 godziny zegarowe", "201 godzin zegarowych", "4,5 godziny
    zegarowej" (a fraction takes the genitive singular)."""
    hours = minutes / 60
    if hours != int(hours):
        return f"{hours:.1f}".replace(".", ",") + " godziny zegarowej"
    return counted(int(hours), "godzina zegarowa", "godziny zegarowe", "godzin zegarowych")


def _people(number: int) -> str:
    return counted(number, "osoba", "osoby", "osób")


def _persons_genitive(number: int) -> str:
    # "dla 1 osoby", "dla 2 osób", "dla 5 osób"
    return f"{number} {'osoby' if number == 1 else 'osób'}"


def _kind_sentence(kind: EventKind, tally: KindTally) -> str:
    if kind == EventKind.COACHING:
        return (
            f"coaching dla {_persons_genitive(tally.unique_participants)}, "
            f"łącznie {clock_hours(tally.minutes)} "
            f"({counted(tally.events, *KIND_FORMS[kind])})"
        )
    return (
        f"{counted(tally.events, *KIND_FORMS[kind])} "
        f"(uczestnictwa: {tally.participants}; {_people(tally.unique_participants)})"
    )


def kind_sentences(tally: Tally) -> list[str]:
    """One clause per kind held, in the programme's order."""
    return [
        _kind_sentence(kind, tally.by_kind[kind])
        for kind in ORDER
        if kind in tally.by_kind and tally.by_kind[kind].events
    ]


def _municipality_line(town: MunicipalityYear) -> str:
    parts = kind_sentences(town.tally) or ["brak wydarzeń z zamkniętą listą obecności"]
    name = town.name + (f" (powiat {town.county})" if town.county else "")
    line = f"{name}: " + "; ".join(parts) + "."
    if town.zzk_teams:
        line += " ZZK: " + ", ".join(town.zzk_teams) + "."
    if town.declared:
        line += (
            f" Deklaracje przystąpienia do PZK: {len(town.declared)} ("
            + ", ".join(town.declared)
            + ")."
        )
    return line


def region_paragraphs(year: int, region: RegionYear) -> list[str]:
    """The region's sentences: first the whole, then each municipality."""
    where = f"regionie {region.name}" + (f" ({region.centre})" if region.centre else "")
    total = region.tally
    if not total.by_kind:
        first = f"W {year} r. w {where} nie odnotowano wydarzeń z zamkniętą listą obecności."
    else:
        first = (
            f"W {year} r. w {where} zrealizowano: "
            + "; ".join(kind_sentences(total))
            + f". Łącznie we wszystkich formach wsparcia: {_people(total.unique_participants)}."
        )
    paragraphs = [first]
    with_zzk = region.with_zzk
    if with_zzk:
        where_zzk = counted(with_zzk, "gminie", "gminach", "gminach")
        paragraphs.append(f"Zadaniowe Zespoły Kooperacyjne (ZZK) działają w {where_zzk}.")
    if region.declared:
        # The verb agrees with the number too: złożyła 1, złożyły 3, złożyło 5 instytucji.
        verb = {"one": "złożyła", "few": "złożyły"}.get(
            _POLISH.plural_form(region.declared), "złożyło"
        )
        institutions = counted(region.declared, "instytucja", "instytucje", "instytucji")
        paragraphs.append(
            "Deklarację przystąpienia do Partnerskich Zespołów Kooperacyjnych "
            f"{verb} {institutions}."
        )
    if region.unclosed:
        paragraphs.append(
            "Nie policzono "
            + counted(len(region.unclosed), "wydarzenia", "wydarzeń", "wydarzeń")
            + " z niezamkniętą listą obecności (wykaz na końcu)."
        )
    paragraphs += [_municipality_line(town) for town in region.municipalities]
    return paragraphs


UNCLOSED_HEADING = "Wydarzenia z niezamkniętą listą obecności"


def unclosed_lines(region: RegionYear) -> list[str]:
    """ "13.10.2026: PZK Zduńska Wola (Zduńska Wola), spotkanie PZK", one per event."""
    return [
        f"{event.starts_at:%d.%m.%Y}: {event.team} ({event.municipality}), "
        f"{KIND_FORMS[event.kind][0]}"
        for event in region.unclosed
    ]


def letter_text(report: AnnualReport) -> str:
    """The letter as a message: regions one after another, each ending with the events its
    figures leave out."""
    blocks = []
    for region in report.regions:
        paragraphs = region_paragraphs(report.year, region)
        if region.unclosed:
            lines = [f"{UNCLOSED_HEADING}:"] + [f"• {line}" for line in unclosed_lines(region)]
            paragraphs.append("\n".join(lines))
        blocks.append("\n\n".join(paragraphs))
    return "\n\n".join(blocks)


def letter_docx(report: AnnualReport) -> bytes:
    """The letter as a Word document: a heading per region, its sentences, the municipalities
    as a list, and the events left uncounted."""
    from docx import Document  # loaded on first use: most updates never need it

    document = Document()
    document.add_heading(f"Kooperacje 3D: sprawozdanie za {report.year} r.", 0)
    for region in report.regions:
        document.add_heading(f"Region: {region.name}", 1)
        paragraphs = region_paragraphs(report.year, region)
        towns = len(region.municipalities)
        for paragraph in paragraphs[: len(paragraphs) - towns]:
            document.add_paragraph(paragraph)
        if towns:
            document.add_heading("Gminy", 2)
            for paragraph in paragraphs[len(paragraphs) - towns :]:
                document.add_paragraph(paragraph, style="List Bullet")
        if region.unclosed:
            document.add_heading(UNCLOSED_HEADING, 2)
            for line in unclosed_lines(region):
                document.add_paragraph(line, style="List Bullet")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Only the first letter up: "Spotkanie PZK", not str.capitalize()'s "Spotkanie pzk".
KIND_NAMES = {kind: forms[0][:1].upper() + forms[0][1:] for kind, forms in KIND_FORMS.items()}
KIND_NAMES[EventKind.COACHING] = "Coaching (sesje)"
YEAR_HEADERS = [
    "Region",
    "Gmina",
    "Forma wsparcia",
    "Wydarzenia",
    "Uczestnictwa",
    "Osoby",
    "Godziny",
]


def _kind_rows(region: str, town: str, tally: Tally) -> list[list[object]]:
    return [
        [
            region,
            town,
            KIND_NAMES[kind],
            k.events,
            k.participants,
            k.unique_participants,
            round(k.hours, 1),
        ]
        for kind in ORDER
        if (k := tally.by_kind.get(kind)) is not None and k.events
    ]


def letter_xlsx(report: AnnualReport) -> bytes:
    """The letter's figures as rows: per region (Gmina "razem") and per municipality, by kind;
    then the events left uncounted."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"Rok {report.year}"
    sheet.append(YEAR_HEADERS)
    for region in report.regions:
        for row in _kind_rows(region.name, "razem", region.tally):
            sheet.append(row)
        for town in region.municipalities:
            for row in _kind_rows(region.name, town.name, town.tally):
                sheet.append(row)
    left = workbook.create_sheet("Niepoliczone")
    left.append(["Region", "Data", "Zespół", "Gmina", "Forma wsparcia"])
    for region in report.regions:
        for event in region.unclosed:
            left.append(
                [
                    region.name,
                    event.starts_at.date(),
                    event.team,
                    event.municipality,
                    KIND_NAMES[event.kind],
                ]
            )
    for table in (sheet, left):
        for number, column in enumerate(table.columns, start=1):  # rows start in column A
            width = max(len(str(cell.value or "")) for cell in column) + 2
            table.column_dimensions[get_column_letter(number)].width = min(width, 60)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
