"""The README's permission matrix, cell by cell, against bot/permissions.py.

The table is read from the README itself, so the documentation and the rules cannot drift
apart: a new row without a check here, or a cell that says something the rules do not do,
fails. Flows through the bot (forged buttons, other teams' meetings) are tested where each
feature is; this is the one-to-one map of the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.permissions import Action, Actor, allowed, may_announce_to, may_create_team
from storage.models import Audience, Role, TeamKind

README = Path(__file__).parents[1] / "README.md"
TEAM, OTHER_TEAM, PZK = 1, 2, 1  # the team is its municipality's PZK
ME, SOMEONE_ELSE = 100, 200
COLUMNS = ("admin", "coordinator of the team", "member of the team", "stranger")

ACTORS = {
    "admin": Actor(ME, is_admin=True),
    "coordinator of the team": Actor(ME, roles={TEAM: Role.COORDINATOR}),
    "member of the team": Actor(ME, roles={TEAM: Role.MEMBER}),
    # A coordinator elsewhere: belonging to some team must not open this one.
    "stranger": Actor(ME, roles={OTHER_TEAM: Role.COORDINATOR}),
}


def _simple(action: Action) -> Callable[[Actor], set[str]]:
    def check(actor: Actor) -> set[str]:
        return {"yes"} if allowed(actor, action, TEAM) else {"no"}

    return check


def _own(action: Action) -> Callable[[Actor], set[str]]:
    """Rows with "only their own": allowed on one's own thing, and on others'?"""

    def check(actor: Actor) -> set[str]:
        own = allowed(actor, action, TEAM, author_telegram_id=ME)
        others = allowed(actor, action, TEAM, author_telegram_id=SOMEONE_ELSE)
        return {"yes" if others else ("own" if own else "no")}

    return check


def _call(actor: Actor) -> set[str]:
    open_team = allowed(actor, Action.CALL_MEETING, TEAM, meetings_by=Role.MEMBER)
    closed_team = allowed(actor, Action.CALL_MEETING, TEAM, meetings_by=Role.COORDINATOR)
    return {"yes" if closed_team else ("unless" if open_team else "no")}


def _municipality(actor: Actor) -> set[str]:
    return {"yes" if may_announce_to(actor, Audience.MUNICIPALITY, 10, [PZK]) else "no"}


def _region(actor: Actor) -> set[str]:
    return {"yes" if may_announce_to(actor, Audience.REGION, None) else "no"}


def _create_team(actor: Actor) -> set[str]:
    # The team is its municipality's PZK; the stranger coordinates a team elsewhere.
    return {"yes" if may_create_team(actor, TeamKind.ZZK, [PZK]) else "no"}


def _read(actor: Actor) -> set[str]:
    # Who received a team's announcement is decided by its delivery rows (tested in
    # test_announcements): its members and admins can be among them, others cannot.
    return {"recipients" if actor.is_admin or TEAM in actor.roles else "no"}


# README row (its first words) -> what the rules say for an actor.
ROWS: dict[str, Callable[[Actor], set[str]]] = {
    "see the team's members": _simple(Action.VIEW_TEAM),
    "create invitations": _simple(Action.INVITE),
    "promote, demote, remove members": _simple(Action.MANAGE_MEMBERS),
    "link a group chat": _simple(Action.LINK_GROUP),
    "update the service basket": _simple(Action.MANAGE_BASKET),
    "call a meeting": _call,
    "answer, see who comes": _simple(Action.ANSWER_MEETING),
    "change, cancel, nudge": _own(Action.CHANGE_MEETING),
    "team settings": _simple(Action.CHANGE_TEAM_SETTINGS),
    "announce to the team": _simple(Action.ANNOUNCE),
    "announce to every team of the municipality": _municipality,
    "announce to the whole region": _region,
    "confirm reading": _read,
    "keep the attendance register": _simple(Action.KEEP_REGISTER),
    "add decisions and tasks": _simple(Action.WRITE_MINUTES),
    "close a task": _own(Action.MANAGE_TASKS),
    "run a date poll": _simple(Action.RUN_POLL),
    "figures": _simple(Action.VIEW_REPORT),
    "create a task team": _create_team,
    "send the framework rules": _simple(Action.MANAGE_RULES),
    "accept the framework rules": _simple(Action.DECLARE_ACCESSION),
}


def _meaning(cell: str) -> str:
    """What a README cell claims, in the words of the checks above."""
    cell = cell.strip().lower()
    if cell.startswith(("yes,", "yes (")) and "unless" in cell:
        return "unless"
    if cell.startswith("only"):
        return "own"
    if cell.startswith("recipients"):
        return "recipients"
    if cell.startswith(("yes", "any", "the region", "their teams", "coordinators of its pzk")):
        return "yes"
    if cell.startswith("no"):
        return "no"
    raise AssertionError(f"a README cell the test cannot read: {cell!r}")


def _matrix() -> list[tuple[str, str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| action | admin |") :].split("\n\n", 1)[0].splitlines()
    assert [c.strip() for c in table[0].strip("|").split("|")][1:] == list(COLUMNS)
    cells = []
    for line in table[2:]:
        row = [c.strip() for c in line.strip().strip("|").split("|")]
        cells += [(row[0], column, cell) for column, cell in zip(COLUMNS, row[1:], strict=True)]
    return cells


def _check_for(row: str) -> Callable[[Actor], set[str]]:
    found = [check for start, check in ROWS.items() if re.sub(r"[`*]", "", row).startswith(start)]
    assert len(found) == 1, f"README row without exactly one check here: {row!r}"
    return found[0]


@pytest.mark.parametrize(("row", "column", "cell"), _matrix())
def test_readme_cell_matches_the_rules(row: str, column: str, cell: str) -> None:
    assert _check_for(row)(ACTORS[column]) == {_meaning(cell)}, (row, column, cell)


def test_every_check_has_its_readme_row() -> None:
    rows = {re.sub(r"[`*]", "", row) for row, _, _ in _matrix()}
    for start in ROWS:
        assert any(row.startswith(start) for row in rows), start
