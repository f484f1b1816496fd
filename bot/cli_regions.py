"""`kooperacje-bot region …`: regions, the municipalities in them, and region admins.

The super-admins of BOT_ADMIN_IDS appoint region admins here or in chat (/region).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage import regions
from storage.basket import find_municipality
from storage.errors import DomainError, Problem

T = TypeVar("T")
WithDb = Callable[[Callable[[AsyncSession], Awaitable[T]]], Coroutine[Any, Any, T]]


def add_parser(commands: argparse._SubParsersAction) -> None:
    region = commands.add_parser("region", help="regions, their municipalities and admins")
    actions = region.add_subparsers(dest="region_command", required=True)
    actions.add_parser("list", help="regions with their municipalities and admins")
    add = actions.add_parser("add", help="add a region (a voivodeship)")
    add.add_argument("name", help='e.g. "łódzkie"')
    add.add_argument("--centre", help='its regional centre, e.g. "RCPS w Łodzi"')
    rename = actions.add_parser("rename", help="rename a region or set its centre")
    rename.add_argument("region", help="id or name")
    rename.add_argument("name")
    rename.add_argument("--centre")
    place = actions.add_parser("place", help="put a municipality in a region (and a county)")
    place.add_argument("municipality")
    place.add_argument("region", help="id or name")
    place.add_argument("--county", help="powiat, e.g. zduńskowolski")
    for verb, text in (("appoint", "make someone an admin"), ("dismiss", "end an appointment")):
        action = actions.add_parser(verb, help=f"{text} of a region, or of all with --all")
        action.add_argument("telegram_id", type=int)
        where = action.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="id or name")
        where.add_argument("--all", action="store_true", help="every region")


def run(args: argparse.Namespace, with_db: WithDb[str]) -> int:
    async def work(session: AsyncSession) -> str:
        command = args.region_command
        if command == "list":
            return await _listing(session)
        if command == "add":
            region = await regions.get_or_create_region(session, args.name, args.centre)
            return f"region {region.id}: {region.name}"
        if command == "rename":
            region = await regions.find_region(session, args.region)
            await regions.rename(session, region, args.name, args.centre, None)
            return f"region {region.id}: {region.name}"
        if command == "place":
            town = await find_municipality(session, args.municipality)
            if town is None:
                raise DomainError(Problem.MUNICIPALITY_UNKNOWN, name=args.municipality)
            region = await regions.find_region(session, args.region)
            await regions.place_municipality(session, town, region, args.county, None)
            county = f", powiat {town.county}" if town.county else ""
            return f"{town.name}: region {region.name}{county}"
        where = None if args.all else await regions.find_region(session, args.region)
        label = where.name if where else "every region"
        if command == "appoint":
            done = await regions.appoint(session, args.telegram_id, where, None)
            return f"{args.telegram_id} {'is now' if done else 'already was'} admin of {label}"
        done = await regions.dismiss(session, args.telegram_id, where, None)
        return f"{args.telegram_id} {'is no longer' if done else 'was not'} admin of {label}"

    print(asyncio.run(with_db(work)))
    return 0


async def _listing(session: AsyncSession) -> str:
    appointed = await regions.admins(session)
    lines = []
    everywhere = [str(a.telegram_id) for a in appointed if a.region_id is None]
    if everywhere:
        lines.append("admins of every region: " + ", ".join(everywhere))
    for region in await regions.list_regions(session):
        centre = f" ({region.centre})" if region.centre else ""
        lines.append(f"{region.id:>3}  {region.name}{centre}")
        admins = [str(a.telegram_id) for a in appointed if a.region_id == region.id]
        lines.append("     admins: " + (", ".join(admins) or "none"))
        towns = await regions.municipalities_of(session, region.id)
        names = [t.name + (f" (powiat {t.county})" if t.county else "") for t in towns]
        lines.append("     municipalities: " + (", ".join(names) or "none"))
    return "\n".join(lines) or "no regions yet"
