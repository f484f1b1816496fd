"""The service basket at scale: search latency, import time, and answer quality.

Run from the project root: `python -m bench.basket [--quick] [--json PATH]`, on SQLite (a
temporary file) and, when BENCH_DATABASE_URL or TEST_DATABASE_URL is set, on PostgreSQL too
(its public schema is dropped and recreated).

- latency: QUERIES typed in random municipalities, three times each (--quick: twice), over
  50,000 services in 2,500 municipalities (--quick: 2,000 in 100; each gets the demo
  services of one of the eight towns and five partner services, so every word is in every
  municipality), one session (transaction) per search, as the bot does; p50 and p95 in
  milliseconds. PostgreSQL is VACUUM ANALYZEd after the fill, as autovacuum would;
- import: a 5,000-row CSV file of 250 new municipalities (--quick: 2,000 rows of 100), read
  and imported into that database, then imported again unchanged;
- quality: over the demo basket, the share of QUERIES whose expected service is in the top
  3 for the municipality they are asked in. The queries and the demo basket were written
  by the same hand, so this measures regressions more than real-world recall.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench import Row, add_common_arguments, database_urls, report, reset_database, settle
from storage import basket
from storage.basket import spelling
from storage.basket.demo import TOWNS, demo_rows, load_demo_basket
from storage.basket.document import search_text
from storage.basket.importer import SEARCHED
from storage.basket.rows import check_rows
from storage.basket.text import service_key
from storage.db import Database
from storage.models import Institution, Municipality, Region, Sector, Service, utcnow

PER_MUNICIPALITY = 20
# (municipalities filled, municipalities imported, times each query is asked); services and
# rows are PER_MUNICIPALITY times the municipalities.
SIZES, QUICK_SIZES = (2500, 250, 3), (100, 100, 2)


@dataclass(frozen=True)
class Ask:
    town: str
    text: str
    expected: str  # the beginning of the expected service's name


# What social workers and their partners type, and the demo service that answers it.
QUERIES = [
    Ask("Zgierz", "gdzie skierować osobę bezdomną", "Schronienie, noclegownia"),
    Ask("Łódź", "noclegownia", "Schronienie, noclegownia"),
    Ask("Radomsko", "bezdomny mężczyzna potrzebuje noclegu", "Schronienie, noclegownia"),
    Ask("Sieradz", "ogrzewalnia zimą", "Schronienie, noclegownia"),
    Ask("Łowicz", "osoba w kryzysie bezdomności", "Schronienie, noclegownia"),
    Ask("Zgierz", "zasiłek celowy na opał", "Zasiłki z pomocy społecznej"),
    Ask("Łowicz", "brak pieniędzy na jedzenie", "Zasiłki z pomocy społecznej"),
    Ask("Radomsko", "zasilek okresowy", "Zasiłki z pomocy społecznej"),
    Ask("Tomaszów Mazowiecki", "pomoc finansowa dla rodziny o niskich dochodach", "Zasiłki"),
    Ask("Sieradz", "kontrakt socjalny", "Praca socjalna i kontrakt socjalny"),
    Ask("Piotrków Trybunalski", "pracownik socjalny", "Praca socjalna"),
    Ask("Łowicz", "asystent rodziny", "Asystent rodziny"),
    Ask("Zgierz", "rodzina nie radzi sobie z wychowaniem dzieci", "Asystent rodziny"),
    Ask("Radomsko", "zagrożenie umieszczeniem dziecka w pieczy zastępczej", "Asystent rodziny"),
    Ask("Łódź", "opieka nad starszą osobą w domu", "Usługi opiekuńcze"),
    Ask("Zgierz", "senior potrzebuje pomocy w domu", "Usługi opiekuńcze"),
    Ask("Sieradz", "usługi opiekuńcze", "Usługi opiekuńcze"),
    Ask("Piotrków Trybunalski", "leżąca babcia bez opieki", "Usługi opiekuńcze"),
    Ask("Zduńska Wola", "niebieska karta", "Zespół interdyscyplinarny"),
    Ask("Tomaszów Mazowiecki", "przemoc domowa", "Zespół interdyscyplinarny"),
    Ask("Łódź", "ofiara przemocy w rodzinie", "Zespół interdyscyplinarny"),
    Ask("Radomsko", "zespół interdyscyplinarny", "Zespół interdyscyplinarny"),
    Ask("Zgierz", "interwencja policji przemoc", "Interwencja domowa"),
    Ask("Łowicz", "dzielnicowy", "Interwencja domowa"),
    Ask("Sieradz", "awantura domowa w nocy", "Interwencja domowa"),
    Ask("Radomsko", "rejestracja w urzędzie pracy", "Rejestracja bezrobotnych"),
    Ask("Piotrków Trybunalski", "bezrobotny szuka pracy", "Rejestracja bezrobotnych"),
    Ask("Tomaszów Mazowiecki", "staż dla bezrobotnej", "Rejestracja bezrobotnych"),
    Ask("Zgierz", "szkolenia zawodowe", "Rejestracja bezrobotnych"),
    Ask("Łowicz", "dotacja na założenie działalności", "Rejestracja bezrobotnych"),
    Ask("Piotrków Trybunalski", "kurator sądowy", "Kuratorzy sądowi"),
    Ask("Zduńska Wola", "ograniczenie władzy rodzicielskiej", "Kuratorzy sądowi"),
    Ask("Radomsko", "wniosek o leczenie odwykowe do sądu", "Kuratorzy sądowi"),
    Ask("Zgierz", "darmowa porada prawnika", "Nieodpłatna pomoc prawna"),
    Ask("Sieradz", "nieodpłatna pomoc prawna", "Nieodpłatna pomoc prawna"),
    Ask("Tomaszów Mazowiecki", "pomoc w napisaniu pisma", "Nieodpłatna pomoc prawna"),
    Ask("Łódź", "długi porada", "Nieodpłatna pomoc prawna"),
    Ask("Zgierz", "mąż pije, rodzina potrzebuje wsparcia", "Punkt konsultacyjny"),
    Ask("Łowicz", "problem alkoholowy", "Punkt konsultacyjny"),
    Ask("Radomsko", "terapia uzależnień", "Punkt konsultacyjny"),
    Ask("Sieradz", "syn bierze narkotyki", "Punkt konsultacyjny"),
    Ask("Tomaszów Mazowiecki", "dodatek mieszkaniowy", "Dodatek mieszkaniowy"),
    Ask("Piotrków Trybunalski", "zagrożenie eksmisją", "Dodatek mieszkaniowy"),
    Ask("Zduńska Wola", "zaległości w czynszu", "Dodatek mieszkaniowy"),
    Ask("Radomsko", "lokal socjalny", "Dodatek mieszkaniowy"),
    Ask("Łowicz", "dziecko ma trudności w nauce", "Diagnoza i terapia dzieci"),
    Ask("Zgierz", "orzeczenie o potrzebie kształcenia specjalnego", "Diagnoza i terapia"),
    Ask("Sieradz", "logopeda dla dziecka", "Diagnoza i terapia dzieci"),
    Ask("Zduńska Wola", "depresja", "Poradnia zdrowia psychicznego"),
    Ask("Tomaszów Mazowiecki", "psychiatra bez skierowania", "Poradnia zdrowia psychicznego"),
    Ask("Piotrków Trybunalski", "kryzys psychiczny", "Poradnia zdrowia psychicznego"),
    Ask("Łowicz", "turnus rehabilitacyjny", "Dofinansowanie z PFRON"),
    Ask("Radomsko", "dofinansowanie do wózka inwalidzkiego", "Dofinansowanie z PFRON"),
    Ask("Sieradz", "PFRON", "Dofinansowanie z PFRON"),
    Ask("Zgierz", "likwidacja barier architektonicznych", "Dofinansowanie z PFRON"),
    Ask("Łódź", "fundusz alimentacyjny", "Świadczenia rodzinne"),
    Ask("Łódź", "zasiłek rodzinny", "Świadczenia rodzinne"),
    Ask("Łódź", "renta socjalna", "Emerytury, renty"),
    Ask("Łódź", "grupa wsparcia dla rodzin osób chorujących psychicznie", "Wsparcie osób z"),
    Ask("Łódź", "świetlica po lekcjach", "Świetlica szkolna"),
    Ask("Zduńska Wola", "aktywizacja zawodowa młodzieży", "Aktywizacja społeczna"),
]


def _synthetic_rows(first: int, count: int) -> list[dict[str, str]]:
    """PER_MUNICIPALITY rows for each of `count` made-up municipalities, from the demo
    templates (the town's own services and, to vary them, partner services)."""
    templates = demo_rows()
    by_town = {t.name: [r for r in templates if r["gmina"] == t.name][:15] for t in TOWNS}
    partners = templates[15 * len(TOWNS) :]
    rng = random.Random(first)
    rows = []
    for index in range(first, first + count):
        town = TOWNS[index % len(TOWNS)]
        name = f"Gmina {index:05d}"
        chosen = by_town[town.name] + rng.sample(partners, PER_MUNICIPALITY - 15)
        for template in chosen:
            source = next(t for t in TOWNS if t.name == template["gmina"])
            rows.append(
                {
                    key: value.replace(source.locative, f"w gminie {index:05d}")
                    for key, value in template.items()
                }
                | {"gmina": name}
            )
    return rows


def synthetic_services(
    municipalities: int,
) -> tuple[dict[str, int], dict[tuple[int, str], int], list[dict[str, Any]]]:
    """The basket of `municipalities` made-up municipalities as rows to bulk-insert: the
    municipalities' and institutions' ids by name, and the services (also used by
    bench/national_data.py)."""
    drafts = check_rows(_synthetic_rows(0, municipalities))
    places: dict[str, int] = {}
    institutions: dict[tuple[int, str], int] = {}
    services = []
    for draft in drafts:
        place = places.setdefault(draft.municipality, len(places) + 1)
        institution = institutions.setdefault((place, draft.institution), len(institutions) + 1)
        services.append(
            {
                "municipality_id": place,
                "institution_id": institution,
                "name": draft.name,
                "categories": draft.categories,
                **draft.texts,
                "is_example": False,
                "key": service_key(draft.municipality, draft.institution, draft.name),
                "search_text": search_text(
                    municipality_id=place,
                    municipality=draft.municipality,
                    institution=draft.institution,
                    categories=draft.categories,
                    texts=[draft.name, *(draft.texts[a] for a in SEARCHED)],
                ),
            }
        )
    return places, institutions, services


async def _fill(db: Database, municipalities: int) -> int:
    """Bulk-insert the services of `municipalities` made-up municipalities."""
    now = utcnow()
    places, institutions, services = synthetic_services(municipalities)
    services = [service | {"updated_at": now} for service in services]
    async with db.session() as session:
        await session.execute(insert(Region).values(id=1, name="łódzkie", created_at=now))
        await session.execute(
            insert(Municipality),
            [{"id": i, "name": n, "region_id": 1, "created_at": now} for n, i in places.items()],
        )
        await session.execute(
            insert(Institution),
            [
                {
                    "id": i,
                    "municipality_id": p,
                    "name": n,
                    "sector": Sector.OTHER,
                    "created_at": now,
                }
                for (p, n), i in institutions.items()
            ],
        )
        for start in range(0, len(services), 5000):
            await session.execute(insert(Service), services[start : start + 5000])
        await spelling.remember(session, [str(s["search_text"]) for s in services])
    await settle(db, ("region", "municipality", "institution"))
    return len(services)


async def _reset(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
    await reset_database(url)


async def quality(url: str) -> tuple[int, list[tuple[Ask, list[str]]]]:
    """Queries answered in the top 3 over the demo basket, and the misses."""
    await _reset(url)
    db = Database(url)
    await db.upgrade()
    async with db.session() as session:
        await load_demo_basket(session)
    found, misses = 0, []
    async with db.session() as session:
        for ask in QUERIES:
            place = await basket.find_municipality(session, ask.town)
            assert place is not None
            page = await basket.search(session, ask.text, municipality_id=place.id, limit=3)
            names = [f"{hit.name} ({hit.municipality})" for hit in page.hits]
            if any(
                hit.name.startswith(ask.expected) and hit.municipality == ask.town
                for hit in page.hits
            ):
                found += 1
            else:
                misses.append((ask, names))
    await db.dispose()
    return found, misses


async def latency(url: str, municipalities: int, imported_municipalities: int, rounds: int) -> Row:
    await _reset(url)
    db = Database(url)
    await db.upgrade()
    began = time.perf_counter()
    services = await _fill(db, municipalities)
    fill = time.perf_counter() - began
    rng = random.Random(11)
    timings = []
    for _ in range(rounds):
        for ask in QUERIES:
            place = rng.randint(1, municipalities)
            began = time.perf_counter()
            async with db.session() as session:
                await basket.search(session, ask.text, municipality_id=place)
            timings.append(time.perf_counter() - began)
    rows = imported_municipalities * PER_MUNICIPALITY
    csv = basket.write_csv(_synthetic_rows(municipalities, imported_municipalities))
    began = time.perf_counter()
    async with db.session() as session:
        outcome = await basket.import_rows(session, basket.read_table("nowe.csv", csv))
    imported = time.perf_counter() - began
    assert outcome.created == rows, outcome
    began = time.perf_counter()
    async with db.session() as session:
        outcome = await basket.import_rows(session, basket.read_table("nowe.csv", csv))
    again = time.perf_counter() - began
    assert outcome.unchanged == rows, outcome
    await db.dispose()
    return {
        "services": services,
        "municipalities": municipalities,
        "fill (s)": round(fill, 1),
        "search p50 (ms)": round(statistics.median(timings) * 1000, 2),
        "search p95 (ms)": round(statistics.quantiles(timings, n=20)[18] * 1000, 2),
        "search max (ms)": round(max(timings) * 1000, 2),
        f"import {rows:,} rows (s)": round(imported, 2),
        "re-import, unchanged (s)": round(again, 2),
    }


async def run(url: str, municipalities: int, imported: int, rounds: int) -> tuple[Row, list[str]]:
    """The backend's figures, and a line for each query missed (for the report's notes)."""
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    found, misses = await quality(url)
    lines = [f"miss on {backend}: {ask.town}: {ask.text!r} -> {names}" for ask, names in misses]
    result: Row = {"backend": backend}
    result |= await latency(url, municipalities, imported, rounds)
    result["top-3 on demo basket"] = f"{found / len(QUERIES):.0%} ({found}/{len(QUERIES)})"
    return result, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    quick, imported, _ = QUICK_SIZES
    add_common_arguments(
        parser,
        quick=f"{quick * PER_MUNICIPALITY:,} services, import {imported * PER_MUNICIPALITY:,} rows",
    )
    args = parser.parse_args()
    municipalities, imported, rounds = QUICK_SIZES if args.quick else SIZES
    with tempfile.TemporaryDirectory() as folder:
        runs = [
            asyncio.run(run(url, municipalities, imported, rounds)) for url in database_urls(folder)
        ]
    report(
        "basket",
        "The service basket: search latency, import time, and answer quality",
        [
            (
                f"{len(QUERIES)} queries x {rounds} over {municipalities * PER_MUNICIPALITY:,}"
                f" services in {municipalities:,} municipalities; import of"
                f" {imported * PER_MUNICIPALITY:,} rows",
                [result for result, _ in runs],
            )
        ],
        args.json,
        [
            "Top-3: the expected service among the first three hits over the demo basket"
            " (queries and basket by the same hand: a regression check, not real recall).",
            *(line for _, lines in runs for line in lines),
        ],
    )


if __name__ == "__main__":
    main()
