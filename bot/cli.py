"""Command line: `kooperacje-bot run | sandbox | db upgrade/backup | team add/list |
invite [create]/list/revoke | demo-data | basket import/export/search/template | report`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot import cli_regions, event_loop, logs
from bot.config import ConfigError, Settings, load_settings
from storage.db import Database
from storage.errors import DomainError
from storage.models import Role, TeamKind

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.basket import SearchPage
    from storage.figures import Figures

T = TypeVar("T")

log = logging.getLogger("kooperacje")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kooperacje-bot", description="Telegram bot of Kooperacje 3D teams."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="public HTTPS URL that your reverse proxy forwards to --listen:--port/telegram",
    )
    run.add_argument(
        "--listen",
        default="127.0.0.1",
        help="address to listen on (webhook mode, or calendar feeds with PUBLIC_URL)",
    )
    run.add_argument(
        "--port",
        type=int,
        default=8080,
        help="port to listen on (webhook mode, or calendar feeds with PUBLIC_URL)",
    )
    sandbox = commands.add_parser(
        "sandbox", help="try the bot in this terminal: local Telegram emulator and demo data"
    )
    sandbox.add_argument(
        "--files", type=Path, help="where documents from the bot are saved (default: a new folder)"
    )
    sandbox.add_argument(
        "--now",
        type=_local_time,
        help='start the bot\'s clock here, e.g. "2026-11-23 09:00" (local time)',
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply schema migrations")
    backup = db_commands.add_parser(
        "backup", help="a consistent copy of the SQLite database while the bot runs"
    )
    backup.add_argument("file", type=Path, help="the copy to write (must not exist)")

    team = commands.add_parser("team", help="teams")
    team_commands = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    add = team_commands.add_parser("add", help="add a team to a municipality")
    add.add_argument("municipality", help='municipality (gmina), e.g. "Zduńska Wola"')
    add.add_argument("--kind", choices=[k.value for k in TeamKind], default="PZK")
    add.add_argument("--name", help='team name (default: "<KIND> <municipality>")')
    team_commands.add_parser("list", help="list teams")

    invite = commands.add_parser("invite", help="invitation links: create, list, revoke")
    invite_commands = invite.add_subparsers(dest="invite_command", required=True)
    create = invite_commands.add_parser("create", help="print a new invitation link to a team")
    create.add_argument("team", help="team id or name, as shown by `team list`")
    create.add_argument("--role", choices=[r.value for r in Role], default="member")
    create.add_argument("--days", type=int, default=14, help="valid for this many days")
    create.add_argument("--max-uses", type=int, default=50)
    listing = invite_commands.add_parser("list", help="links that still let people in")
    listing.add_argument("team", nargs="?", help="only this team (id or name)")
    revoke = invite_commands.add_parser("revoke", help="make a link stop working")
    revoke.add_argument("link", help="the link's id (from `invite list`), token or whole URL")

    commands.add_parser("demo-data", help="load the Łódź region demo teams and institutions")

    reminders = commands.add_parser("reminders", help="reminders and digests")
    reminder_commands = reminders.add_subparsers(
        dest="reminders_command", metavar="ACTION", required=True
    )
    send = reminder_commands.add_parser(
        "send", help="send what is due now, without polling for updates (a worker)"
    )
    send.add_argument("--loop", action="store_true", help="keep running, one tick a second")
    announcements = commands.add_parser("announcements", help="coordinators' announcements")
    announcement_commands = announcements.add_subparsers(
        dest="announcements_command", metavar="ACTION", required=True
    )
    deliver = announcement_commands.add_parser(
        "send", help="deliver what is due now, without polling for updates (a worker)"
    )
    deliver.add_argument("--loop", action="store_true", help="keep running, one run a second")
    _basket_parser(commands)
    _report_parser(commands)
    cli_regions.add_parser(commands)
    return parser


def _report_parser(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report", help="the programme's figures: an XLSX file, a chart, a summary"
    )
    scope = report.add_mutually_exclusive_group()
    scope.add_argument("--team", help="one team (id or name); default: the whole region")
    scope.add_argument("--municipality", help='every team of one municipality, e.g. "Sieradz"')
    when = report.add_mutually_exclusive_group()
    when.add_argument(
        "--period",
        default="",
        help='"2026", "01.2026" or "1.01.2026 - 30.06.2026"; default: this year so far',
    )
    when.add_argument(
        "--year",
        type=int,
        help="the annual letter of a year, per region and municipality (with --region: one)",
    )
    report.add_argument("--region", help="with --year: one region (id or name)")
    report.add_argument("--out", type=Path, default=Path("."), help="folder for the files")
    report.add_argument("--language", choices=["pl", "en"], default="pl", help="of the summary")


def _local_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r}") from None


def _basket_parser(commands: argparse._SubParsersAction) -> None:
    basket = commands.add_parser("basket", help="the local service basket (Lokalny Koszyk Usług)")
    actions = basket.add_subparsers(dest="basket_command", metavar="ACTION", required=True)
    load = actions.add_parser("import", help="import services from a CSV or XLSX file")
    load.add_argument("file", type=Path)
    load.add_argument("--gmina", help="refuse rows of any other municipality")
    export = actions.add_parser("export", help="write a municipality's basket to a file")
    export.add_argument("gmina", help='municipality, e.g. "Zduńska Wola"')
    export.add_argument("file", type=Path, help="a file; for --format hsds a directory")
    export.add_argument(
        "--format", choices=["csv", "xlsx", "hsds"], help="default: from the file's extension"
    )
    template = actions.add_parser("template", help="write an empty XLSX template")
    template.add_argument("file", type=Path)
    find = actions.add_parser("search", help="search services as a bot user would")
    find.add_argument("text")
    find.add_argument("--gmina", help="this municipality's services first")
    find.add_argument("--limit", type=int, default=5)
    find.add_argument("--json", action="store_true", help="machine-readable output")


async def _with_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            return await work(session)
    finally:
        await db.dispose()


async def _bot_username(settings: Settings) -> str | None:
    from telegram import Bot

    try:
        async with Bot(settings.require_token(), base_url=settings.telegram_api_base_url) as bot:
            return bot.username
    except Exception as exc:
        log.debug("getMe failed: %s", exc)
        return None


async def _send_due(settings: Settings, *, loop: bool, announcements: bool) -> int:
    """The scheduler or the broadcaster alone: what `run` does every second, as a worker."""
    from telegram.ext import ExtBot

    from bot.application import TELEGRAM_CONNECTIONS
    from bot.broadcast import Broadcaster
    from bot.delivery import ReliableRateLimiter
    from bot.scheduler import TICK, Scheduler
    from bot.telegram_http import AiohttpRequest

    db = Database(settings.database_url)
    await db.upgrade()
    bot = ExtBot(
        settings.require_token(),
        base_url=settings.telegram_api_base_url,
        request=AiohttpRequest(TELEGRAM_CONNECTIONS, pool_timeout=settings.telegram_timeout),
        rate_limiter=ReliableRateLimiter(),
    )
    try:
        async with bot:
            step = (
                Broadcaster(db, bot).run
                if announcements
                else Scheduler(db, bot, retention_rules=settings.retention_rules).tick
            )
            while True:
                handled = await step()
                if handled:
                    print(f"sent or settled {handled} messages", flush=True)
                if not loop and not handled:
                    return 0
                if not handled:
                    await asyncio.sleep(TICK.total_seconds())
    finally:
        await db.dispose()


def _exit_by(seconds: float) -> None:
    """The bounded stop's last resort: whatever still runs then (a request hanging in a
    library) is cut. Nothing is lost by it: unfinished updates wait in the inbox, unsent
    messages in the outbox."""
    import os
    import threading

    def cut() -> None:
        log.warning("stop: not finished within %.0f s; exiting now", seconds)
        logging.shutdown()
        os._exit(0)

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()


def _run_bot(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_token()
    return event_loop.run(_serve(settings, getattr(args, "webhook", None), args))


async def _serve(settings: Settings, webhook_url: str | None, args: argparse.Namespace) -> int:
    """Long polling or a webhook until SIGINT/SIGTERM; with PostgreSQL, only while this
    instance holds the lock (a second instance stands by and takes over when this one dies)."""
    import signal

    from bot.application import STOP_WITHIN, build_application, polling
    from bot.webhook import http_server, webhook
    from storage.standby import leadership

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if not stop.is_set():
            stop.set()
            _exit_by(STOP_WITHIN)

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    lock_db = Database(settings.database_url)
    try:
        async with leadership(lock_db):
            app = build_application(settings)
            serving = (
                webhook(
                    app,
                    webhook_url,
                    listen=getattr(args, "listen", "127.0.0.1"),
                    port=getattr(args, "port", 8080),
                )
                if webhook_url
                else polling(app, poll_timeout=10)
            )
            async with serving:
                # Calendar feeds in polling mode: a server of their own (webhook mode has one).
                feeds = (
                    http_server(
                        app,
                        listen=getattr(args, "listen", "127.0.0.1"),
                        port=getattr(args, "port", 8080),
                    )
                    if settings.public_url and not webhook_url
                    else contextlib.nullcontext()
                )
                async with feeds:
                    await stop.wait()
    finally:
        await lock_db.dispose()
    return 0


def _sandbox(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from bot.sandbox import run_sandbox

    files = args.files or Path(tempfile.mkdtemp(prefix="kooperacje-pliki-"))
    start = args.now
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=settings.timezone)
    try:
        return asyncio.run(run_sandbox(files, start, settings.bot_timezone))
    except KeyboardInterrupt:
        print("\nDo zobaczenia.")
        return 0


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from storage import demo, teams

    if args.command in (None, "run"):
        return _run_bot(settings, args)
    if args.command == "sandbox":
        return _sandbox(args, settings)
    if args.command == "db" and args.db_command == "backup":
        from storage.backup import BackupError, backup_sqlite

        try:
            size = backup_sqlite(settings.database_url, args.file)
        except BackupError as problem:
            print(problem, file=sys.stderr)
            return 2
        print(f"copied the database to {args.file} ({size:,} bytes)")
        return 0
    if args.command == "db":
        asyncio.run(_with_db(settings, lambda session: asyncio.sleep(0)))
        print("database is up to date")
        return 0
    if args.command == "team" and args.team_command == "add":

        async def add(session: AsyncSession) -> tuple[int, str]:
            team = await teams.add_team(
                session,
                args.municipality,
                TeamKind(args.kind),
                args.name,
                timezone=settings.bot_timezone,
            )
            return team.id, team.name

        team_id, name = asyncio.run(_with_db(settings, add))
        print(f"added team {team_id}: {name}")
        return 0
    if args.command == "team" and args.team_command == "list":

        async def listing(
            session: AsyncSession,
        ) -> list[tuple[int, str, str, str, int, int | None]]:
            return [
                (t.id, t.kind.value, t.name, t.municipality.name, len(t.memberships), t.chat_id)
                for t in await teams.list_teams(session)
            ]

        rows = asyncio.run(_with_db(settings, listing))
        if not rows:
            print("no teams yet: add one with `kooperacje-bot team add GMINA`")
        for team_id, kind, name, place, size, chat in rows:
            group = f", group {chat}" if chat else ""
            print(f"{team_id:>4}  {kind}  {name}  ({place}; {size} members{group})")
        return 0
    if args.command == "invite":
        return _invite(args, settings)
    if args.command in ("reminders", "announcements"):
        return asyncio.run(
            _send_due(settings, loop=args.loop, announcements=args.command == "announcements")
        )
    if args.command == "basket":
        return _basket(args, settings)
    if args.command == "report" and args.year:
        return _annual(args, settings)
    if args.command == "report":
        return _report(args, settings)
    if args.command == "region":
        return cli_regions.run(args, lambda work: _with_db(settings, work))
    if args.command == "demo-data":
        created = asyncio.run(
            _with_db(settings, lambda session: demo.load_demo_data(session, settings.bot_timezone))
        )
        print(f"demo data loaded: {created} new teams")
        return 0
    raise AssertionError(args.command)


def _invite(args: argparse.Namespace, settings: Settings) -> int:
    from storage import invitations, teams

    if args.invite_command == "list":

        async def listing(
            session: AsyncSession,
        ) -> list[tuple[int, str, str, str, datetime, datetime, int, int, list[str]]]:
            team_id = (await teams.find_team(session, args.team)).id if args.team else None
            return [
                (
                    link.invitation.id,
                    link.invitation.team.name,
                    link.invitation.role.value,
                    link.created_by or "command line",
                    link.invitation.created_at.astimezone(settings.timezone),
                    link.invitation.expires_at.astimezone(settings.timezone),
                    link.invitation.uses,
                    link.invitation.max_uses,
                    link.joined,
                )
                for link in await invitations.active_links(session, team_id)
            ]

        rows = asyncio.run(_with_db(settings, listing))
        if not rows:
            print("no active invitation links")
        for link_id, team, role, by, made, expires, uses, most, joined in rows:
            print(
                f"{link_id:>5}  {team}  {role}  by {by}, {made:%Y-%m-%d %H:%M}, "
                f"until {expires:%Y-%m-%d}, used {uses}/{most}"
            )
            if joined:
                print(f"       joined: {', '.join(joined)}")
        return 0
    if args.invite_command == "revoke":

        async def revoke(session: AsyncSession) -> tuple[int, str, bool]:
            invitation = await invitations.get_invitation(session, args.link)
            done = await invitations.revoke(session, invitation, actor_telegram_id=None)
            return invitation.id, invitation.team.name, done

        link_id, team, done = asyncio.run(_with_db(settings, revoke))
        print(f"link {link_id} to {team} " + ("revoked" if done else "was already revoked"))
        return 0

    async def make(session: AsyncSession) -> tuple[str, str]:
        team = await teams.find_team(session, args.team)
        invitation = await invitations.create_invitation(
            session,
            team,
            role=Role(args.role),
            ttl=timedelta(days=args.days),
            max_uses=args.max_uses,
        )
        return team.name, invitation.token

    name, token = asyncio.run(_with_db(settings, make))
    username = asyncio.run(_bot_username(settings)) or "<bot_username>"
    print(f"invitation to {name} ({args.role}, {args.days} days, {args.max_uses} uses):")
    print(f"https://t.me/{username}?start={token}")
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    """Writes raport-<period>.xlsx and .png into --out and prints the summary."""
    from sqlalchemy import select

    from bot.dates.phrases import parse_period
    from bot.i18n import translator
    from bot.report_files import chart_png, report_xlsx
    from bot.report_text import as_plain, empty_period_text, summary_html
    from storage import figures, teams
    from storage.basket import find_municipality
    from storage.errors import Problem
    from storage.models import Team

    now = datetime.now(settings.timezone)
    period = parse_period(args.period, now.date())

    async def work(session: AsyncSession) -> Figures:
        team_ids: list[int] | None = None
        if args.team:
            team_ids = [(await teams.find_team(session, args.team)).id]
        elif args.municipality:
            place = await find_municipality(session, args.municipality)
            if place is None:
                raise DomainError(Problem.MUNICIPALITY_UNKNOWN, name=args.municipality)
            found = await session.scalars(select(Team.id).where(Team.municipality_id == place.id))
            team_ids = list(found)
        return await figures.compute(session, team_ids, period, now, settings.timezone)

    found = asyncio.run(_with_db(settings, work))
    t = translator(args.language)
    if found.empty:
        print(as_plain(empty_period_text(t, found)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    workbook = args.out / f"raport-{period.slug}.xlsx"
    chart = args.out / f"raport-{period.slug}.png"
    workbook.write_bytes(report_xlsx(found))
    chart.write_bytes(chart_png(found))
    print(as_plain(summary_html(t, found)))
    print(f"\n{workbook}\n{chart}")
    return 0


def _annual(args: argparse.Namespace, settings: Settings) -> int:
    """Writes sprawozdanie-<year>.docx and .xlsx into --out and prints the letter."""
    from bot.letter import letter_docx, letter_text, letter_xlsx
    from storage import annual, regions

    async def work(session: AsyncSession) -> annual.AnnualReport:
        region_ids = [(await regions.find_region(session, args.region)).id] if args.region else None
        return await annual.annual(session, args.year, region_ids, datetime.now(settings.timezone))

    report = asyncio.run(_with_db(settings, work))
    if report.empty:
        print(f"no events with a closed register in {args.year}")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    letter = args.out / f"sprawozdanie-{args.year}.docx"
    workbook = args.out / f"sprawozdanie-{args.year}.xlsx"
    letter.write_bytes(letter_docx(report))
    workbook.write_bytes(letter_xlsx(report))
    print(letter_text(report))
    print(f"\n{letter}\n{workbook}")
    return 0


def _basket(args: argparse.Namespace, settings: Settings) -> int:
    from storage import basket

    try:
        return _basket_command(args, settings)
    except basket.BasketFileError as exc:
        print(f"błąd: {exc.reason}", file=sys.stderr)
    except basket.BasketImportError as exc:
        print("plik nie został zaimportowany; popraw wiersze:", file=sys.stderr)
        for row, reason in exc.problems:
            print(f"  wiersz {row}: {reason}", file=sys.stderr)
    except OSError as exc:
        print(f"błąd: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
    return 1


def _basket_command(args: argparse.Namespace, settings: Settings) -> int:
    from storage import basket
    from storage.basket.hsds import export_hsds

    if args.basket_command == "template":
        args.file.write_bytes(basket.template_xlsx())
        print(f"template written to {args.file}")
        return 0
    if args.basket_command == "import":
        rows = basket.read_table(args.file.name, args.file.read_bytes())
        report = asyncio.run(
            _with_db(settings, lambda s: basket.import_rows(s, rows, municipality=args.gmina))
        )
        print(
            f"imported {args.file.name}: {report.created} new, {report.updated} changed, "
            f"{report.unchanged} unchanged"
        )
        for what, unknown in (
            ("unknown sectors (new institutions get 'inne')", report.unknown_sectors),
            ("unknown categories (left out)", report.unknown_categories),
        ):
            if unknown:
                named = (f"{u.name} (rows {', '.join(map(str, u.rows))})" for u in unknown)
                print(f"{what}: " + "; ".join(named))
        return 0
    if args.basket_command == "export":
        kind = args.format or ("xlsx" if args.file.suffix.lower() == ".xlsx" else "csv")
        if kind == "hsds":
            paths = asyncio.run(_with_db(settings, lambda s: export_hsds(s, args.gmina, args.file)))
            print(f"HSDS: {len(paths)} files in {args.file}")
            return 0
        rows = asyncio.run(_with_db(settings, lambda s: basket.export_rows(s, args.gmina)))
        writer = basket.write_xlsx if kind == "xlsx" else basket.write_csv
        args.file.write_bytes(writer(rows))
        print(f"{len(rows)} services written to {args.file}")
        return 0
    return _basket_search(args, settings)


def _basket_search(args: argparse.Namespace, settings: Settings) -> int:
    from storage import basket
    from storage.errors import DomainError, Problem

    async def find(session: AsyncSession) -> SearchPage:
        place_id = None
        if args.gmina:
            place = await basket.find_municipality(session, args.gmina)
            if place is None:
                raise DomainError(Problem.MUNICIPALITY_UNKNOWN, name=args.gmina)
            place_id = place.id
        return await basket.search(session, args.text, municipality_id=place_id, limit=args.limit)

    page = asyncio.run(_with_db(settings, find))
    if args.json:
        hits = [dataclasses.asdict(hit) for hit in page.hits]
        print(json.dumps({"total": page.total, "hits": hits}, ensure_ascii=False, indent=2))
        return 0
    print(f"found {page.total}")
    for number, hit in enumerate(page.hits, start=1):
        example = " (przykład)" if hit.is_example else ""
        print(f"{number}. {hit.name}{example}")
        print(f"   {hit.institution}, {hit.municipality}; {', '.join(hit.categories)}")
        contact = "; ".join(filter(None, [hit.phone, hit.www]))
        if contact:
            print(f"   {contact}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # `invite TEAM` (the older form) still creates a link.
    if (
        words[:1] == ["invite"]
        and words[1:2]
        and words[1][0] != "-"
        and words[1]
        not in (
            "create",
            "list",
            "revoke",
        )
    ):
        words.insert(1, "create")
    args = _parser().parse_args(words)
    try:
        settings = load_settings()
        token = (
            settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
        )
        logs.configure(json_lines=settings.log_format == "json", token=token)
        return _dispatch(args, settings)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"configuration: {problem}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(
            f"error: {exc.problem.value.replace('_', ' ')} {exc.details or ''}".rstrip(),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
