"""The annual letter of a region: a year of the programme counted and written out.

Run from the project root: `python -m bench.annual [--municipalities N] [--runs N] [--quick]
[--json PATH]`. The region łódzkie has 30 municipalities (--quick: 3), each with a PZK team of
25 members and a ZZK team of 25 (10 of them in the PZK too) from 15 institutions, and a year
of events of every kind: PZK meetings twice a month (two cancelled), monthly ZZK meetings,
trainings, two-day workshops, coaching sessions with their coached workers and minutes of
their own, consultations, working groups and a conference, with guests at the larger ones.
Most registers are closed, a few are left open; 9 of the 15 institutions of each
municipality declared accession. A second region (a third of the size) is there to be left
out. Rows go in by bulk inserts, not through the chat.

Timed for the region, as `kooperacje-bot report --year 2026 --region łódzkie` does it:
storage/annual.py's computation, then bot/letter.py's letter_text, letter_docx and
letter_xlsx. The first run (a fresh engine; python-docx and openpyxl not yet
imported, as after a start of the bot) is shown apart from the median of the others. Goal:
the whole under 5 s. SQLite (a temporary file); PostgreSQL too when BENCH_DATABASE_URL or
TEST_DATABASE_URL is set (its public schema is dropped; VACUUM ANALYZEd after the fill, as
autovacuum would).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench import Row, add_common_arguments, database_urls, report, reset_database, settle
from bot.letter import letter_docx, letter_text, letter_xlsx
from storage import annual
from storage.db import Database
from storage.models import (
    Attendance,
    CoachedWorker,
    Declaration,
    EventKind,
    Institution,
    Meeting,
    MeetingStatus,
    Member,
    Membership,
    Municipality,
    Region,
    Role,
    Sector,
    Team,
    TeamKind,
    TeamRules,
)

YEAR = 2026
NOW = datetime(YEAR + 1, 1, 15, 9, 0, tzinfo=UTC)  # the letter is written in January
WARSAW = ZoneInfo("Europe/Warsaw")
GOAL_SECONDS = 5.0
MUNICIPALITIES, QUICK_MUNICIPALITIES = 30, 3
RUNS, QUICK_RUNS = 7, 3
PZK_MEMBERS = ZZK_MEMBERS = 25
SHARED = 10  # ZZK members who sit in the PZK too
DECLARED = 9  # institutions of each municipality that declared accession
LEFT_OPEN = 2  # registers of each municipality nobody closed
CHUNK = 5000

TOWNS = [
    ("Zduńska Wola", "zduńskowolski"),
    ("Sieradz", "sieradzki"),
    ("Zgierz", "zgierski"),
    ("Pabianice", "pabianicki"),
    ("Kutno", "kutnowski"),
    ("Skierniewice", None),
    ("Radomsko", "radomszczański"),
    ("Tomaszów Mazowiecki", "tomaszowski"),
    ("Bełchatów", "bełchatowski"),
    ("Piotrków Trybunalski", None),
    ("Łowicz", "łowicki"),
    ("Wieluń", "wieluński"),
    ("Łęczyca", "łęczycki"),
    ("Opoczno", "opoczyński"),
    ("Rawa Mazowiecka", "rawski"),
    ("Brzeziny", "brzeziński"),
    ("Łask", "łaski"),
    ("Poddębice", "poddębicki"),
    ("Wieruszów", "wieruszowski"),
    ("Pajęczno", "pajęczański"),
    ("Ozorków", "zgierski"),
    ("Aleksandrów Łódzki", "zgierski"),
    ("Konstantynów Łódzki", "pabianicki"),
    ("Głowno", "zgierski"),
    ("Stryków", "zgierski"),
    ("Koluszki", "łódzki wschodni"),
    ("Rzgów", "łódzki wschodni"),
    ("Warta", "sieradzki"),
    ("Złoczew", "sieradzki"),
    ("Szadek", "zduńskowolski"),
]
OTHER_REGION = [
    ("Płock", None),
    ("Ciechanów", "ciechanowski"),
    ("Ostrołęka", None),
    ("Siedlce", None),
    ("Radom", None),
    ("Pruszków", "pruszkowski"),
    ("Otwock", "otwocki"),
    ("Mińsk Mazowiecki", "miński"),
    ("Sochaczew", "sochaczewski"),
    ("Żyrardów", "żyrardowski"),
]
INSTITUTIONS = [
    ("Miejski Ośrodek Pomocy Społecznej", Sector.SOCIAL_ASSISTANCE),
    ("Powiatowe Centrum Pomocy Rodzinie", Sector.SOCIAL_ASSISTANCE),
    ("Komenda Powiatowa Policji", Sector.POLICE),
    ("Zespół Kuratorskiej Służby Sądowej", Sector.COURT),
    ("Szkoła Podstawowa nr 1", Sector.EDUCATION),
    ("Szkoła Podstawowa nr 2", Sector.EDUCATION),
    ("Poradnia Psychologiczno-Pedagogiczna", Sector.EDUCATION),
    ("Szpital Powiatowy", Sector.HEALTH),
    ("Powiatowy Urząd Pracy", Sector.LABOUR),
    ("Zakład Gospodarki Mieszkaniowej", Sector.HOUSING),
    ("Inspektorat ZUS", Sector.SOCIAL_INSURANCE),
    ("Stowarzyszenie Pomocy Rodzinie", Sector.NGO),
    ("Fundacja Wsparcia Seniorów", Sector.NGO),
    ("Urząd Miejski", Sector.LOCAL_GOVERNMENT),
    ("Komisja Rozwiązywania Problemów Alkoholowych", Sector.LOCAL_GOVERNMENT),
]
GUEST_PLACES = [
    ("Kuratorium Oświaty", Sector.EDUCATION),
    ("Caritas", Sector.NGO),
    ("Sanepid", Sector.HEALTH),
    ("Regionalne Centrum Polityki Społecznej", Sector.SOCIAL_ASSISTANCE),
]


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(YEAR, month, day, hour, 0, tzinfo=WARSAW)


# The year of one municipality: (kind, team, local start, minutes, members from, how many
# members come (low, high), guests (low, high)). "pzk" people are the PZK's 25, "all" the 40
# of both teams, "zzk" the ZZK's 25.
Plan = tuple[EventKind, TeamKind, datetime, int, str, tuple[int, int], tuple[int, int]]
YEAR_PLAN: list[Plan] = (
    [
        (EventKind.PZK_MEETING, TeamKind.PZK, _at(m, d), 120, "pzk", (12, 22), (0, 1))
        for m in range(1, 13)
        for d in (8, 22)
    ]
    + [
        (EventKind.ZZK_MEETING, TeamKind.ZZK, _at(m, 15, 12), 90, "zzk", (8, 16), (0, 0))
        for m in range(1, 13)
    ]
    + [
        (EventKind.TRAINING, TeamKind.PZK, _at(m, 12, 9), 360, "all", (15, 28), (2, 5))
        for m in (3, 5, 9, 11)
    ]
    + [
        (EventKind.WORKSHOP, TeamKind.PZK, _at(m, d, 9), 31 * 60, "all", (15, 20), (0, 2))
        for m, d in ((4, 14), (10, 6))
    ]
    + [
        (EventKind.COACHING, TeamKind.PZK, _at(m, 5, 13), 180, "pzk", (2, 2), (0, 0))
        for m in (1, 3, 5, 7, 9, 11)
    ]
    + [
        (EventKind.CONSULTATION, TeamKind.PZK, _at(m, 26), 120, "pzk", (10, 15), (1, 3))
        for m in (2, 6)
    ]
    + [
        (EventKind.WORKING_GROUP, TeamKind.ZZK, _at(m, 19, 14), 120, "zzk", (5, 8), (0, 0))
        for m in (2, 5, 8, 11)
    ]
    + [(EventKind.CONFERENCE, TeamKind.PZK, _at(11, 20, 9), 16 * 60, "all", (20, 30), (5, 10))]
)
CANCELLED = {(EventKind.PZK_MEETING, 8), (EventKind.PZK_MEETING, 12)}  # (kind, month)


class Ids:
    """Explicit ids for the bulk inserts."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


def _region_rows(
    rng: random.Random,
    ids: Ids,
    region_id: int,
    towns: list[tuple[str, str | None]],
    rows: dict[str, list[dict[str, Any]]],
) -> None:
    """Everything of one region's year, appended to `rows` per table."""
    created = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    for town_name, county in towns:
        town_id = ids.next("municipality")
        rows["municipality"].append(
            {
                "id": town_id,
                "name": town_name,
                "timezone": "Europe/Warsaw",
                "region_id": region_id,
                "county": county,
                "created_at": created,
            }
        )
        places = []
        for name, sector in INSTITUTIONS:
            place_id = ids.next("institution")
            places.append((place_id, name, sector))
            rows["institution"].append(
                {
                    "id": place_id,
                    "municipality_id": town_id,
                    "name": name,
                    "sector": sector,
                    "created_at": created,
                }
            )
        people = []  # (member id, institution name, sector)
        for number in range(PZK_MEMBERS + ZZK_MEMBERS - SHARED):
            member_id = ids.next("member")
            place_id, place, sector = places[number % len(places)]
            people.append((member_id, place, sector))
            rows["member"].append(
                {
                    "id": member_id,
                    "telegram_id": 500_000 + member_id,
                    "name": f"Osoba {member_id}",
                    "institution_id": place_id,
                    "created_at": created,
                    "last_seen_at": created,
                }
            )
        team_ids = {}
        for team_kind in (TeamKind.PZK, TeamKind.ZZK):
            team_id = ids.next("team")
            team_ids[team_kind] = team_id
            rows["team"].append(
                {
                    "id": team_id,
                    "municipality_id": town_id,
                    "kind": team_kind,
                    "name": f"{team_kind.value} {town_name}",
                    "created_at": created,
                }
            )
        pzk, zzk = people[:PZK_MEMBERS], people[PZK_MEMBERS - SHARED :]
        for team_kind, team_people in ((TeamKind.PZK, pzk), (TeamKind.ZZK, zzk)):
            rows["membership"] += [
                {
                    "id": ids.next("membership"),
                    "team_id": team_ids[team_kind],
                    "member_id": member_id,
                    "role": Role.COORDINATOR if index == 0 else Role.MEMBER,
                    "joined_at": created,
                }
                for index, (member_id, _place, _sector) in enumerate(team_people)
            ]
        pools = {"pzk": pzk, "zzk": zzk, "all": people}

        open_registers = set(rng.sample(range(len(YEAR_PLAN)), LEFT_OPEN))
        for index, (kind, team_kind, starts, minutes, pool, come, guests) in enumerate(YEAR_PLAN):
            meeting_id = ids.next("meeting")
            cancelled = (kind, starts.month) in CANCELLED
            end = starts + timedelta(minutes=minutes)
            closed = None if cancelled or index in open_registers else end + timedelta(days=1)
            rows["meeting"].append(
                {
                    "id": meeting_id,
                    "team_id": team_ids[team_kind],
                    "starts_at": starts,
                    "duration_minutes": minutes,
                    "kind": kind,
                    "place": "Sala konferencyjna",
                    "status": MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED,
                    "uid": f"bench-annual-{meeting_id}",
                    "created_at": starts - timedelta(days=14),
                    "updated_at": starts - timedelta(days=14),
                    "register_closed_at": closed,
                }
            )
            if cancelled:
                continue
            came = rng.sample(pools[pool], rng.randint(*come))
            coaching = kind == EventKind.COACHING
            for position, (member_id, place, sector) in enumerate(came):
                rows["attendance"].append(
                    {
                        "id": ids.next("attendance"),
                        "meeting_id": meeting_id,
                        "member_id": member_id,
                        "institution_name": place,
                        "sector": sector,
                        # A coached worker now and then leaves halfway.
                        "minutes": 90
                        if coaching and position == 1 and rng.random() < 0.5
                        else None,
                        "marked_at": end,
                    }
                )
                if coaching:
                    rows["coached_worker"].append(
                        {"meeting_id": meeting_id, "member_id": member_id}
                    )
            for _ in range(rng.randint(*guests)):
                place, sector = rng.choice(GUEST_PLACES)
                rows["attendance"].append(
                    {
                        "id": ids.next("attendance"),
                        "meeting_id": meeting_id,
                        "guest_name": f"Gość {rng.randint(1, 60)}",
                        "institution_name": place,
                        "sector": sector,
                        "marked_at": end,
                    }
                )

        coordinator = pzk[0][0]
        rows["team_rules"].append(
            {
                "id": ids.next("team_rules"),
                "team_id": team_ids[TeamKind.PZK],
                "version": 1,
                "file_name": "regulamin.pdf",
                "content": b"%PDF-1.4 Ramowy Regulamin PZK",
                "uploaded_by_id": coordinator,
                "uploaded_at": _at(1, 5),
            }
        )
        for place_id, _name, _sector in rng.sample(places, DECLARED):
            rows["declaration"].append(
                {
                    "id": ids.next("declaration"),
                    "team_id": team_ids[TeamKind.PZK],
                    "institution_id": place_id,
                    "rules_version": 1,
                    "member_id": coordinator,
                    "signer_name": f"Osoba {coordinator}",
                    "signer_role": "dyrektor",
                    "accepted_at": _at(rng.randint(1, 6), rng.randint(1, 28)),
                }
            )


TABLES: list[tuple[str, Any]] = [
    ("region", Region),
    ("municipality", Municipality),
    ("institution", Institution),
    ("member", Member),
    ("team", Team),
    ("membership", Membership),
    ("meeting", Meeting),
    ("attendance", Attendance),
    ("coached_worker", CoachedWorker),
    ("team_rules", TeamRules),
    ("declaration", Declaration),
]


async def _fill(db: Database, municipalities: int) -> dict[str, int]:
    """The region timed (id 1) and another one; returns the timed region's rows per table."""
    rng = random.Random(22)
    ids = Ids()
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name, _model in TABLES}
    created = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    rows["region"] = [
        {"id": 1, "name": "łódzkie", "centre": "RCPS w Łodzi", "created_at": created},
        {"id": 2, "name": "mazowieckie", "centre": "MCPS w Warszawie", "created_at": created},
    ]
    ours = [TOWNS[i % len(TOWNS)] for i in range(municipalities)]
    ours = [
        (name if i < len(TOWNS) else f"{name} {i}", county) for i, (name, county) in enumerate(ours)
    ]
    _region_rows(rng, ids, 1, ours, rows)
    region = dict(ids.counters)  # ids run in order: the timed region's rows come first
    _region_rows(rng, ids, 2, OTHER_REGION[: max(1, municipalities // 3)], rows)
    async with db.session() as session:
        for name, model in TABLES:
            for start in range(0, len(rows[name]), CHUNK):
                await session.execute(insert(model), rows[name][start : start + CHUNK])
    await settle(db)
    return region


PHASES = ["compute", "text", "docx", "xlsx"]


async def _once(db: Database) -> tuple[dict[str, float], tuple[str, bytes, bytes]]:
    """One letter of region 1: seconds per phase, and what was produced."""
    seconds: dict[str, float] = {}
    began = time.perf_counter()
    async with db.session() as session:
        found = await annual.annual(session, YEAR, [1], NOW)
    seconds["compute"] = time.perf_counter() - began

    def timed(phase: str, make: Callable[[annual.AnnualReport], Any]) -> Any:
        begin = time.perf_counter()
        made = make(found)
        seconds[phase] = time.perf_counter() - begin
        return made

    letter = timed("text", letter_text)
    document = timed("docx", letter_docx)
    workbook = timed("xlsx", letter_xlsx)
    seconds["total"] = sum(seconds.values())
    return seconds, (letter, document, workbook)


def _verdict(seconds: float) -> str:
    return "PASS" if seconds < GOAL_SECONDS else "MISS"


async def run(url: str, municipalities: int, runs: int) -> tuple[Row, Row]:
    await reset_database(url)
    db = Database(url)
    await db.upgrade()
    filled_at = time.perf_counter()
    counts = await _fill(db, municipalities)
    fill_seconds = time.perf_counter() - filled_at
    await db.dispose()

    db = Database(url)  # a fresh engine: the first run pays for connecting, as after a start
    first, (letter, document, workbook) = await _once(db)
    later = [(await _once(db))[0] for _ in range(max(1, runs - 1))]
    await db.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    data: Row = {
        "backend": backend,
        "municipalities in the region": municipalities,
        "teams": counts["team"],
        "members": counts["member"],
        "events": counts["meeting"],
        "cancelled": len(CANCELLED) * municipalities,
        "registers left open": LEFT_OPEN * municipalities,
        "attendance rows": counts["attendance"],
        "declarations": counts["declaration"],
        "fill (s)": round(fill_seconds, 1),
        "letter (characters)": len(letter),
        "DOCX (KB)": round(len(document) / 1024, 1),
        "XLSX (KB)": round(len(workbook) / 1024, 1),
    }
    median = {phase: statistics.median(r[phase] for r in later) for phase in [*PHASES, "total"]}
    timings: Row = {"backend": backend}
    for phase in PHASES:
        timings[f"{phase}: first / median (s)"] = f"{first[phase]:.3f} / {median[phase]:.3f}"
    timings["total, first run (s)"] = round(first["total"], 3)
    timings[f"total, median of {len(later)} (s)"] = round(median["total"], 3)
    timings[f"goal < {GOAL_SECONDS:.0f} s"] = (
        f"{_verdict(median['total'])} (first run: {_verdict(first['total'])})"
    )
    return data, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--municipalities", type=int, help=f"of the region timed, default {MUNICIPALITIES}"
    )
    parser.add_argument("--runs", type=int, help=f"default {RUNS} (the first shown apart)")
    add_common_arguments(parser, quick=f"{QUICK_MUNICIPALITIES} municipalities, {QUICK_RUNS} runs")
    args = parser.parse_args()
    municipalities = args.municipalities or (QUICK_MUNICIPALITIES if args.quick else MUNICIPALITIES)
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    with tempfile.TemporaryDirectory() as folder:
        results = [
            asyncio.run(run(url, municipalities, runs)) for url in database_urls(folder, "annual")
        ]
    report(
        "annual",
        f"The annual letter of a region of {municipalities} municipalities, a year of events",
        [
            ("What the region holds, and the letter produced", [data for data, _ in results]),
            (
                "Computation (storage/annual.py) and the letter as text, DOCX and XLSX"
                " (bot/letter.py)",
                [timings for _, timings in results],
            ),
        ],
        args.json,
        [
            f"Goal: the whole letter of the region in under {GOAL_SECONDS:.0f} s; PASS or MISS"
            " is read from the median of the runs after the first. The first (a fresh"
            " engine; python-docx and openpyxl, which bot/letter.py imports on first use, are"
            " imported in the first backend's first run only) is shown apart.",
            "Events of every kind, two PZK meetings cancelled and two registers left open per"
            " municipality (listed in the letter, not counted); a second region of a third"
            " the size is in the database and left out.",
        ],
    )


if __name__ == "__main__":
    main()
