"""Files made from a meeting: the attendance register (XLSX, CSV) and the minutes (DOCX); and
a team's register of declarations of accession (DOCX).

Telegram-free: each function takes what storage loaded and returns bytes. Headers are in the
reader's language; sector names too.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.dates import format_when
from bot.i18n import Translator
from bot.views.labels import sector_label
from storage import meetings, spreadsheets
from storage.attendance import Register
from storage.minutes import Minutes
from storage.models import Declaration, Meeting, Task, TaskState


def task_state_label(t: Translator, state: TaskState) -> str:
    return {
        TaskState.OPEN: t._("open"),
        TaskState.DONE: t._("done"),
        TaskState.DROPPED: t._("dropped"),
    }[state]


def meeting_when(t: Translator, meeting: Meeting) -> str:
    return format_when(meeting.starts_at.astimezone(meetings.zone_of(meeting)), t.language)


def file_stem(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    return local.strftime("%Y-%m-%d")


def _attendee_rows(t: Translator, register: Register) -> list[list[str]]:
    rows = [
        [name, institution or "", sector_label(t, sector)]
        for name, institution, sector in register.present()
    ]
    rows += [
        [t._("(data erased)"), institution or "", sector_label(t, sector)]
        for institution, sector in register.former
    ]
    return rows


def _header_rows(t: Translator, register: Register) -> list[list[str]]:
    meeting = register.meeting
    return [
        [t._("Meeting"), meeting.team.name],
        [t._("Date"), meeting_when(t, meeting)],
        [t._("Place"), meeting.place],
    ]


def register_xlsx(t: Translator, register: Register) -> bytes:
    # Loaded on first use: openpyxl pulls in numpy when present (tens of MB for every bot).
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = t._("Attendance")[:31]
    bold = Font(bold=True)
    for row in _header_rows(t, register):
        spreadsheets.append(sheet, row)[0].font = bold
    spreadsheets.append(sheet, [])
    for cell in spreadsheets.append(sheet, [t._("Name"), t._("Institution"), t._("Sector")]):
        cell.font = bold
    for row in _attendee_rows(t, register):
        spreadsheets.append(sheet, row)
    spreadsheets.append(sheet, [])
    for cell in spreadsheets.append(sheet, [t._("Institution"), t._("Present")]):
        cell.font = bold
    for institution, count in register.totals_by_institution():
        spreadsheets.append(sheet, [institution or t._("(no institution)"), count])
    spreadsheets.append(sheet, [t._("Total"), register.total])[0].font = bold
    for column, width in zip("ABC", (34, 48, 22), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def register_csv(t: Translator, register: Register) -> bytes:
    """One row per attendee, with the meeting on each row (easy to merge in a spreadsheet).
    UTF-8 with BOM and semicolons: what Excel set to Polish opens correctly."""
    meeting = register.meeting
    local = meeting.starts_at.astimezone(meetings.zone_of(meeting))
    rows = [
        [t._("Meeting"), t._("Date"), t._("Place"), t._("Name"), t._("Institution"), t._("Sector")]
    ]
    for row in _attendee_rows(t, register):
        rows.append([meeting.team.name, local.strftime("%Y-%m-%d %H:%M"), meeting.place, *row])
    return spreadsheets.csv_bytes(rows)


def _task_line(t: Translator, task: Task) -> str:
    owner = task.owner.name if task.owner else t._("(nobody)")
    return t._("{text} — {owner}, due {day} ({state})").format(
        text=task.text,
        owner=owner,
        day=task.due_on.strftime("%d.%m.%Y"),
        state=task_state_label(t, task.state),
    )


def minutes_docx(
    t: Translator,
    register: Register,
    minutes: Minutes,
    carried: Sequence[Task] = (),
    today: date | None = None,
) -> bytes:
    """The minutes as a Word document: attendance, decisions, tasks, and open tasks of the
    team from earlier meetings."""
    from docx import Document  # loaded on first use, as openpyxl above

    meeting = register.meeting
    document = Document()
    document.add_heading(t._("Minutes of the meeting of {team}").format(team=meeting.team.name), 0)
    for label, value in _header_rows(t, register)[1:]:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    if meeting.agenda:
        paragraph = document.add_paragraph()
        paragraph.add_run(t._("Agenda") + ": ").bold = True
        paragraph.add_run(meeting.agenda)

    document.add_heading(t._("Attendance ({n})").format(n=register.total), 1)
    if register.total == 0:
        document.add_paragraph(t._("The attendance register is empty."))
    else:
        table = document.add_table(rows=1, cols=3)
        table.style = "Light Grid Accent 1"
        for cell, title in zip(
            table.rows[0].cells, (t._("Name"), t._("Institution"), t._("Sector")), strict=True
        ):
            cell.text = title
        for row in _attendee_rows(t, register):
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value

    document.add_heading(t._("Decisions"), 1)
    if not minutes.decisions:
        document.add_paragraph(t._("No decisions recorded."))
    for decision in minutes.decisions:
        document.add_paragraph(decision.text, style="List Number")

    document.add_heading(t._("Tasks"), 1)
    if not minutes.tasks:
        document.add_paragraph(t._("No tasks recorded."))
    for task in minutes.tasks:
        document.add_paragraph(_task_line(t, task), style="List Bullet")
    if carried:
        document.add_heading(t._("Open tasks from earlier meetings"), 2)
        for task in carried:
            document.add_paragraph(_task_line(t, task), style="List Bullet")
    if today is not None:
        document.add_paragraph(
            t._("Prepared on {day} by the Kooperacje bot.").format(day=today.strftime("%d.%m.%Y"))
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def declarations_docx(
    t: Translator,
    team_name: str,
    current_version: int | None,
    declarations: Sequence[Declaration],
    day_of: Callable[[datetime], str],
    today: date | None = None,
) -> bytes:
    """The register of declarations of accession to a team as a Word document: every
    declaration, oldest first, with its version of the framework rules; `day_of` writes a
    moment as the team's local day."""
    from docx import Document  # loaded on first use, as openpyxl above

    document = Document()
    document.add_heading(
        t._("Register of declarations of accession: {team}").format(team=team_name), 0
    )
    if current_version is not None:
        document.add_paragraph(
            t._("Current version of the framework rules: {version}").format(version=current_version)
        )
    if not declarations:
        document.add_paragraph(t._("No institution has accepted the framework rules yet."))
    else:
        titles = (
            t._("No."),
            t._("Institution"),
            t._("Accepted by"),
            t._("Role"),
            t._("Date"),
            t._("Version"),
        )
        table = document.add_table(rows=1, cols=len(titles))
        table.style = "Light Grid Accent 1"
        for cell, title in zip(table.rows[0].cells, titles, strict=True):
            cell.text = title
        for number, declaration in enumerate(declarations, start=1):
            row = (
                str(number),
                declaration.institution.name,
                declaration.signer_name or t._("(data erased)"),
                declaration.signer_role,
                day_of(declaration.accepted_at),
                str(declaration.rules_version),
            )
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value
    if today is not None:
        document.add_paragraph(
            t._("Prepared on {day} by the Kooperacje bot.").format(day=today.strftime("%d.%m.%Y"))
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
