"""The Mini App under /app/ (bot/webapp/API.md is the contract): its static page and its JSON API.

Routed from bot/webhook.py `handle()`. Every API call but the sign-in carries our session
token (bot/webapp/auth.py), opens one database session, finds the member, builds the actor
as the chat does (bot/permissions.py `actor_for`) and is decided by `allowed` / `require`.
Refusals are JSON in the member's language; nothing a client sends may raise a 500.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import hdrs, web
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application

from bot.config import Settings
from bot.dates.phrases import parse_period
from bot.i18n import Translator, pick_language, translator
from bot.permissions import (
    Action,
    Actor,
    PermissionDenied,
    actor_for,
    allowed,
    allowed_in_any,
    report_teams,
    require,
    require_in_any,
)
from bot.refusals import refusal_text
from bot.render import plain
from bot.report_files import chart_png, report_xlsx
from bot.views.labels import kind_label, sector_label
from bot.webapp.auth import (
    InitDataError,
    ReplayGuard,
    SessionError,
    check_init_data,
    check_session_token,
    session_token,
)
from storage import attendance, audience, basket, figures, meetings, month, teams
from storage.basket.editing import (
    ServiceRefused,
    create_service,
    delete_service,
    services_of_municipality,
    update_service,
)
from storage.basket.vocabulary import CATEGORIES, category_slug
from storage.db import Database, connection_lost
from storage.errors import DomainError, Problem
from storage.members import find_member
from storage.models import Answer, Meeting, MeetingStatus, Member, Service, utcnow

log = logging.getLogger(__name__)

APP_PATH = "/app"
STATIC_PATH = "/app/static/"
API_PATH = "/app/api/"
STATIC_DIR = Path(__file__).parent / "static"
MAX_JSON = 64 * 1024  # a service form of every field at its longest is under 20 KB
BODY_TIMEOUT = 10.0  # seconds for a JSON body to arrive
LIST_LIMIT = 200  # services listed by one search or category
SEEN_EVERY = timedelta(days=1)  # as handlers/base.py: signing in counts as being active

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NO_STORE = {hdrs.CACHE_CONTROL: "no-store"}
_dumps = functools.partial(json.dumps, ensure_ascii=False)

T = TypeVar("T")


class ApiError(Exception):
    def __init__(self, status: int, code: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status, self.code, self.fields = status, code, fields


@dataclass
class Caller:
    """What every API call is decided with: as a chat handler's Ctx, without the chat."""

    session: AsyncSession
    member: Member
    actor: Actor
    t: Translator
    now: datetime
    settings: Settings


@dataclass
class _File:
    body: bytes
    etag: str
    content_type: str
    stamp: tuple[int, int]  # mtime_ns, size


# Texts ----------------------------------------------------------------------------------


def _message(t: Translator, code: str) -> str:
    texts = {
        "init_data_missing": t._("Please open this page from the bot's menu button in Telegram."),
        "init_data_malformed": t._(
            "Telegram's sign-in data could not be read. Please open the page again from the "
            "bot's menu button."
        ),
        "init_data_forged": t._(
            "Telegram's signature on the sign-in data is not valid. Please open the page again "
            "from the bot's menu button."
        ),
        "init_data_expired": t._(
            "The sign-in has expired. Please close the page and open it again from the bot's "
            "menu button."
        ),
        "init_data_replayed": t._(
            "This sign-in has already been used. Please close the page and open it again from "
            "the bot's menu button."
        ),
        "not_a_member": t._(
            "You are not in any team yet. Join one with the invitation link from your "
            "coordinator, then open the page again."
        ),
        "session_invalid": t._(
            "Please sign in again: close the page and open it from the bot's menu button."
        ),
        "session_expired": t._(
            "Your session has expired: close the page and open it again from the bot's menu button."
        ),
        "not_found": t._("There is nothing here."),
        "method_not_allowed": t._("This method is not allowed here."),
        "bad_request": t._("The request could not be read."),
        "too_large": t._("The request is too large."),
        "invalid": t._("Please correct the marked fields. Nothing was saved."),
        "month_invalid": t._("Give the month as YYYY-MM, for example 2026-11."),
        "category_unknown": t._("There is no such category."),
        "unavailable": t._("The database is not answering. Please try again in a moment."),
        "internal": t._("Something went wrong on our side. Please try again later."),
    }
    return texts[code]


_NOT_FOUND = (Problem.MEETING_UNKNOWN, Problem.SERVICE_UNKNOWN, Problem.TEAM_UNKNOWN)


def _refusal(t: Translator, error: DomainError) -> tuple[int, str]:
    """The status and the bot's own words for a refusal, as plain text."""
    if error.problem == Problem.REPORT_PERIOD_INVALID:  # the bot's words name /raport
        return 422, t._(
            "I couldn't read that period. Give a year (2026), a month (2026-11) or two "
            "dates (1.01.2026 – 30.06.2026)."
        )
    return (404 if error.problem in _NOT_FOUND else 422), plain(refusal_text(t, error))


def _json(payload: object, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=_dumps, headers=_NO_STORE)


def _error(
    t: Translator,
    status: int,
    code: str,
    message: str | None = None,
    *,
    fields: dict[str, str] | None = None,
    allow: str | None = None,
) -> web.Response:
    body: dict[str, Any] = {"error": message or _message(t, code), "code": code}
    if fields:
        body["fields"] = fields
    response = _json(body, status)
    if allow is not None:
        response.headers[hdrs.ALLOW] = allow
    return response


# Views of the domain ----------------------------------------------------------------------


def _meeting_json(
    t: Translator, meeting: Meeting, counts: Mapping[Answer, int], mine: Answer | None
) -> dict[str, Any]:
    zone = meetings.zone_of(meeting)
    starts = meeting.starts_at.astimezone(zone)
    return {
        "id": meeting.id,
        "team_id": meeting.team_id,
        "team": meeting.team.name,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=meeting.duration_minutes)).isoformat(),
        "place": meeting.place,
        "agenda": meeting.agenda,
        "kind": meeting.kind.value,
        "kind_label": kind_label(t, meeting.kind),
        "status": meeting.status.value,
        "answers": {answer.value: counts.get(answer, 0) for answer in _ANSWERS},
        "my_answer": mine.value if mine else None,
    }


_ANSWERS = (Answer.YES, Answer.MAYBE, Answer.NO)


def service_json(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "institution": service.institution.name,
        "categories": [CATEGORIES[slug] for slug in service.categories if slug in CATEGORIES],
        "description": service.description,
        "audience": service.target_groups,
        "how_to_get": service.how_to_access,
        "phone": service.phone,
        "email": service.email,
        "address": service.address,
        "hours": service.opening_hours,
        "url": service.www,
        "paid": service.paid,
        "is_example": service.is_example,
    }


def _tally_json(t: Translator, tally: figures.Tally) -> dict[str, Any]:
    return {
        "meetings_held": tally.meetings_held,
        "meetings_cancelled": tally.meetings_cancelled,
        "participants": tally.participants,
        "unique_participants": tally.unique_participants,
        "average_attendance": round(tally.average_attendance, 2),
        "tasks_opened": tally.tasks_opened,
        "tasks_closed": tally.tasks_closed,
        "by_institution": {
            name or t._("Institution not given"): count
            for name, count in tally.by_institution.most_common()
        },
        "by_sector": {
            sector_label(t, sector): count for sector, count in tally.by_sector.most_common()
        },
        "by_kind": [
            {
                "kind": kind.value,
                "label": kind_label(t, kind),
                "events": kinds.events,
                "participants": kinds.participants,
                "unique_participants": kinds.unique_participants,
                "hours": round(kinds.hours, 2),
            }
            for kind, kinds in tally.by_kind.items()
        ],
    }


def figures_json(t: Translator, found: figures.Figures) -> dict[str, Any]:
    period = found.period
    return {
        "period": {
            "label": period.label,
            "slug": period.slug,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "empty": found.empty,
        "rows": [
            {
                "team_id": team.team_id,
                "team": team.name,
                "kind": team.kind.value,
                "municipality": team.municipality,
                **_tally_json(t, team.tally),
            }
            for team in found.teams
        ],
        "municipalities": [
            {"municipality_id": m.municipality_id, "name": m.name, **_tally_json(t, m.tally)}
            for m in found.municipalities
        ],
        "totals": _tally_json(t, found.total),
        "months": [
            {"month": m.month, "meetings_held": m.meetings_held, "participants": m.participants}
            for m in found.months
        ],
    }


# The calls, as plain functions of the caller ------------------------------------------------


async def me(caller: Caller) -> dict[str, Any]:
    member, actor = caller.member, caller.actor
    places = {
        m.team.municipality_id: (
            await teams.get_municipality(caller.session, m.team.municipality_id)
        ).name
        for m in member.memberships
    }
    return {
        "member": {"name": member.name, "language": caller.t.language},
        "teams": [
            {
                "id": m.team_id,
                "name": m.team.name,
                "municipality_id": m.team.municipality_id,
                "municipality": places[m.team.municipality_id],
                "role": m.role.value,
                "may_edit_basket": allowed(actor, Action.MANAGE_BASKET, m.team_id),
            }
            for m in sorted(member.memberships, key=lambda m: (m.joined_at, m.id))
        ],
        "is_admin": actor.is_admin,
    }


def _month_bounds(
    typed: str | None, zone: ZoneInfo, now: datetime
) -> tuple[str, datetime, datetime]:
    if typed:
        found = _MONTH.fullmatch(typed)
        if found is None or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2100:
            raise ApiError(400, "month_invalid")
        year, number = int(found[1]), int(found[2])
    else:
        local = now.astimezone(zone)
        year, number = local.year, local.month
    first = date(year, number, 1)
    after = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return (
        f"{year:04d}-{number:02d}",
        datetime.combine(first, clock_time(), zone).astimezone(UTC),
        datetime.combine(after, clock_time(), zone).astimezone(UTC),
    )


async def team_month(caller: Caller, team_id: int, typed: str | None) -> dict[str, Any]:
    team = await teams.get_team(caller.session, team_id)
    require(caller.actor, Action.VIEW_TEAM, team.id)
    label, start, end = _month_bounds(typed, meetings.zone_of(team), caller.now)
    found = await month.team_meetings(caller.session, team.id, start, end)
    ids = [meeting.id for meeting in found]
    counts = await month.answer_counts(caller.session, ids)
    mine = await month.answers_of(caller.session, caller.member.id, ids)
    return {
        "month": label,
        "meetings": [
            _meeting_json(caller.t, meeting, counts[meeting.id], mine.get(meeting.id))
            for meeting in found
        ],
    }


async def meeting_detail(caller: Caller, meeting_id: int) -> dict[str, Any]:
    session, t = caller.session, caller.t
    meeting = await meetings.load_meeting(session, meeting_id)
    require_in_any(
        caller.actor, Action.VIEW_TEAM, await audience.invited_team_ids(session, meeting)
    )
    counts = (await month.answer_counts(session, [meeting.id]))[meeting.id]
    mine = await meetings.my_answer(session, meeting.id, caller.member)
    result = _meeting_json(t, meeting, counts, mine)
    who = await meetings.attendance(session, meeting)
    none = t._("Institution not given")
    result["by_institution"] = {
        answer.value: {
            (institution or none): sorted(names)
            for institution, names in sorted(
                who.by_answer.get(answer, {}).items(),
                key=lambda item: (item[0] is None, item[0] or ""),
            )
        }
        for answer in _ANSWERS
    }
    result["silent"] = sorted(name for _, name in who.silent)
    result["register"] = None
    started = meeting.starts_at <= caller.now and meeting.status != MeetingStatus.CANCELLED
    if started and allowed(caller.actor, Action.KEEP_REGISTER, meeting.team_id):
        register = await attendance.load_register(session, meeting)
        rows: list[dict[str, Any]] = []
        for person in (*register.people, *register.others):
            minutes = (person.minutes or meeting.duration_minutes) if person.present else None
            rows.append(
                {
                    "name": person.name,
                    "institution": person.institution,
                    "present": person.present,
                    "hours": round(minutes / 60, 2) if minutes is not None else None,
                    "guest": False,
                }
            )
        rows += [
            {
                "name": guest.name,
                "institution": guest.institution,
                "present": True,
                "hours": round(meeting.duration_minutes / 60, 2),
                "guest": True,
            }
            for guest in register.guests
        ]
        result["register"] = rows
        result["register_closed"] = register.closed
    return result


async def _may_edit_basket(caller: Caller, municipality_id: int) -> bool:
    """Coordinators of a team of the municipality, its region's admins, admins: as the chat's
    basket upload (Action.MANAGE_BASKET of a team)."""
    if allowed(caller.actor, Action.MANAGE_BASKET):
        return True
    team_ids = [team.id for team in await teams.teams_of(caller.session, municipality_id)]
    return allowed_in_any(caller.actor, Action.MANAGE_BASKET, team_ids)


async def list_services(
    caller: Caller, municipality_id: int, query: str, category: str
) -> dict[str, Any]:
    session = caller.session
    place = await teams.get_municipality(session, municipality_id)
    if query.strip():
        page = await basket.search(session, query, municipality_id=place.id, limit=LIST_LIMIT)
        found = await services_of_municipality(session, place.id, [hit.id for hit in page.hits])
    elif category.strip():
        slug = category_slug(category)
        if slug is None:
            raise ApiError(400, "category_unknown")
        page = await basket.by_category(session, slug, municipality_id=place.id, limit=LIST_LIMIT)
        found = await services_of_municipality(session, place.id, [hit.id for hit in page.hits])
    else:
        found = await services_of_municipality(session, place.id)
    return {
        "municipality": {"id": place.id, "name": place.name},
        "services": [service_json(service) for service in found],
        "categories": list(CATEGORIES.values()),
        "may_edit": await _may_edit_basket(caller, place.id),
    }


async def add_service(
    caller: Caller, municipality_id: int, values: Mapping[str, object]
) -> dict[str, Any]:
    place = await teams.get_municipality(caller.session, municipality_id)
    if not await _may_edit_basket(caller, place.id):
        raise PermissionDenied(Action.MANAGE_BASKET)
    service = await create_service(
        caller.session, place, values, actor_telegram_id=caller.member.telegram_id
    )
    return service_json(service)


async def _editable(caller: Caller, service_id: int) -> Service:
    service = await basket.get_service(caller.session, service_id)
    if not await _may_edit_basket(caller, service.municipality_id):
        raise PermissionDenied(Action.MANAGE_BASKET)
    return service


async def change_service(
    caller: Caller, service_id: int, values: Mapping[str, object]
) -> dict[str, Any]:
    service = await _editable(caller, service_id)
    change = await update_service(
        caller.session, service, values, actor_telegram_id=caller.member.telegram_id
    )
    return service_json(change.service)


async def remove_service(caller: Caller, service_id: int) -> None:
    service = await _editable(caller, service_id)
    await delete_service(caller.session, service, actor_telegram_id=caller.member.telegram_id)


async def programme_figures(caller: Caller, typed: str) -> figures.Figures:
    team_ids = report_teams(caller.actor)
    if team_ids is not None and not team_ids:
        raise PermissionDenied(Action.VIEW_REPORT)
    zone = caller.settings.timezone
    period = parse_period(typed, caller.now.astimezone(zone).date())
    return await figures.compute(caller.session, team_ids, period, caller.now, zone)


# HTTP -------------------------------------------------------------------------------------


@dataclass
class WebAppServer:
    app: Application
    replays: ReplayGuard = field(default_factory=ReplayGuard)
    files: dict[str, _File] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.app.bot_data["settings"]

    @property
    def db(self) -> Database:
        return self.app.bot_data["db"]

    def now(self) -> datetime:
        clock: Callable[[], datetime] = self.app.bot_data.get("clock", utcnow)
        return clock()

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        t = translator(None)
        path = request.path
        try:
            if path == APP_PATH:
                return web.Response(status=301, headers={hdrs.LOCATION: f"{APP_PATH}/"})
            if path == f"{APP_PATH}/":
                return self._static(request, "index.html", "no-cache")
            if path.startswith(STATIC_PATH):
                return self._static(request, path[len(STATIC_PATH) :], "no-cache")
            if path.startswith(API_PATH):
                return await self._api(request, path[len(API_PATH) :])
            return _error(t, 404, "not_found")
        except Exception:
            log.exception("webapp: %s %s failed", request.method, path)
            return _error(t, 500, "internal")

    # Static files

    def _file(self, name: str) -> _File | None:
        if not _NAME.fullmatch(name) or ".." in name:
            return None
        path = STATIC_DIR / name
        try:
            stat = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self.files.get(name)
        if cached is not None and cached.stamp == stamp:
            return cached
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        content_type = _TYPES.get(path.suffix.lower(), "application/octet-stream")
        self.files[name] = _File(body, etag, content_type, stamp)
        return self.files[name]

    def _static(self, request: web.BaseRequest, name: str, cache: str) -> web.StreamResponse:
        t = translator(None)
        if request.method not in (hdrs.METH_GET, hdrs.METH_HEAD):
            return _error(t, 405, "method_not_allowed", allow="GET, HEAD")
        found = self._file(name)
        if found is None:
            return _error(t, 404, "not_found")
        headers = {
            hdrs.ETAG: found.etag,
            hdrs.CACHE_CONTROL: cache,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        wanted = request.headers.get(hdrs.IF_NONE_MATCH, "")
        if found.etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
            return web.Response(status=304, headers=headers)
        headers[hdrs.CONTENT_TYPE] = found.content_type
        return web.Response(body=found.body, headers=headers)  # aiohttp sends no body to HEAD

    # The API

    async def _api(self, request: web.BaseRequest, route: str) -> web.StreamResponse:
        t = translator(None)
        method = request.method
        parts = route.split("/")
        query = request.query

        def allow(*methods: str) -> web.Response | None:
            if method in methods:
                return None
            return _error(t, 405, "method_not_allowed", allow=", ".join(methods))

        if route == "session":
            return allow(hdrs.METH_POST) or await self._session(request)
        if route == "me":
            return allow(hdrs.METH_GET) or await self._answer(request, me)
        number = (
            int(parts[1])
            if len(parts) >= 2 and parts[1].isascii() and parts[1].isdigit() and len(parts[1]) < 12
            else None
        )
        if (
            number is not None
            and len(parts) == 3
            and parts[0] == "teams"
            and parts[2] == "meetings"
        ):
            typed = query.get("month")
            return allow(hdrs.METH_GET) or await self._answer(
                request, lambda caller: team_month(caller, number, typed)
            )
        if number is not None and len(parts) == 2 and parts[0] == "meetings":
            return allow(hdrs.METH_GET) or await self._answer(
                request, lambda caller: meeting_detail(caller, number)
            )
        if (
            number is not None
            and len(parts) == 3
            and parts[0] == "municipalities"
            and parts[2] == "services"
        ):
            if method == hdrs.METH_POST:
                return await self._with_body(
                    request, lambda caller, body: add_service(caller, number, body), status=201
                )
            q, category = query.get("q", ""), query.get("category", "")
            return allow(hdrs.METH_GET, hdrs.METH_POST) or await self._answer(
                request, lambda caller: list_services(caller, number, q, category)
            )
        if number is not None and len(parts) == 2 and parts[0] == "services":
            if method == hdrs.METH_PUT:
                return await self._with_body(
                    request, lambda caller, body: change_service(caller, number, body)
                )
            if method == hdrs.METH_DELETE:
                got = await self._call(request, lambda caller: remove_service(caller, number))
                return got if isinstance(got, web.StreamResponse) else web.Response(status=204)
            return _error(t, 405, "method_not_allowed", allow="PUT, DELETE")
        if route in ("figures", "figures.xlsx", "figures.png"):
            return allow(hdrs.METH_GET) or await self._figures(
                request, route, query.get("period", "")
            )
        return _error(t, 404, "not_found")

    async def _read_json(self, request: web.BaseRequest) -> dict[str, Any]:
        if (request.content_length or 0) > MAX_JSON:
            raise ApiError(413, "too_large")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                while chunk := await request.content.readany():
                    size += len(chunk)
                    if size > MAX_JSON:
                        raise ApiError(413, "too_large")
                    chunks.append(chunk)
        except (TimeoutError, web.RequestPayloadError, ConnectionError):
            raise ApiError(400, "bad_request") from None
        try:
            payload = json.loads(b"".join(chunks).decode("utf-8"))
        except (ValueError, RecursionError):
            raise ApiError(400, "bad_request") from None
        if not isinstance(payload, dict):
            raise ApiError(400, "bad_request")
        return payload

    async def _member(self, session: AsyncSession, telegram_id: int) -> tuple[Member, Actor] | None:
        """The member and their actor: someone in a team, or an admin known to the bot."""
        member = await find_member(session, telegram_id)
        if member is None:
            return None
        actor = await actor_for(session, telegram_id, member, self.settings.bot_admin_ids)
        if not member.memberships and not actor.is_region_admin:
            return None
        return member, actor

    async def _session(self, request: web.BaseRequest) -> web.Response:
        t = translator(None)
        try:
            body = await self._read_json(request)
        except ApiError as error:
            return _error(t, error.status, error.code)
        bot_token = self.settings.require_token()
        try:
            data = check_init_data(body.get("init_data"), bot_token, time.time())
        except InitDataError as refusal:
            log.info("webapp: sign-in refused (%s)", refusal.code)
            return _error(t, 401, refusal.code)
        if not self.replays.claim(data, time.time()):
            log.info("webapp: sign-in refused (init_data_replayed)")
            return _error(t, 401, "init_data_replayed")
        t = translator(pick_language(None, data.user.language_code))
        name = language = None
        try:
            async with self.db.session() as session:
                found = await self._member(session, data.user.id)
                member = found[0] if found else None
                if member is not None:
                    now = self.now()
                    if now - member.last_seen_at > SEEN_EVERY:
                        member.last_seen_at = now
                    language = pick_language(member.language, data.user.language_code)
                    if member.language is None:  # as the chat does: later calls speak it too
                        member.language = language
                    name = member.name
        except Exception as error:
            self.replays.release(data)
            if not connection_lost(error):
                raise
            return _error(t, 503, "unavailable")
        if name is None:
            self.replays.release(data)
            return _error(t, 403, "not_a_member")
        return _json(
            {
                "token": session_token(bot_token, data.user.id, data.expires_at),
                "expires_at": datetime.fromtimestamp(data.expires_at, UTC).isoformat(),
                "language": language,
                "member": {"name": name},
            }
        )

    async def _call(
        self,
        request: web.BaseRequest,
        work: Callable[[Caller], Awaitable[T]],
        *,
        reads: bool = False,
    ) -> tuple[T, Translator] | web.Response:
        """Run `work` for the token's member in one database session (committed when it
        returns), or the refusal as a response. `reads`: a GET, which on SQLite reads beside
        the writer (Database.reading, as the chat's reading commands do)."""
        t = translator(None)
        header = request.headers.get(hdrs.AUTHORIZATION, "")
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise SessionError("session_invalid")
            telegram_id = check_session_token(
                token.strip(), self.settings.require_token(), time.time()
            )
        except SessionError as refusal:
            return _error(t, 401, refusal.code)
        db = self.db
        opened = db.reading() if reads and db.reads_apart else db.session()
        try:
            async with opened as session:
                found = await self._member(session, telegram_id)
                if found is None:  # erased, or left every team, since signing in
                    raise ApiError(403, "not_a_member")
                member, actor = found
                settings = self.settings
                t = translator(pick_language(member.language, None))
                caller = Caller(session, member, actor, t, self.now(), settings)
                result = await work(caller)
            return result, t
        except ApiError as error:
            return _error(t, error.status, error.code, fields=error.fields)
        except ServiceRefused as refusal:
            return _error(t, 422, "invalid", fields=refusal.fields)
        except PermissionDenied as denied:
            return _error(t, 403, "forbidden", plain(refusal_text(t, denied)))
        except DomainError as refusal:
            status, message = _refusal(t, refusal)
            return _error(t, status, refusal.problem.value, message)
        except Exception as error:
            if not connection_lost(error):
                raise
            log.warning("webapp: database unavailable: %s", error)
            return _error(t, 503, "unavailable")

    async def _answer(
        self, request: web.BaseRequest, work: Callable[[Caller], Awaitable[Any]]
    ) -> web.Response:
        got = await self._call(request, work, reads=True)
        return got if isinstance(got, web.Response) else _json(got[0])

    async def _with_body(
        self,
        request: web.BaseRequest,
        work: Callable[[Caller, dict[str, Any]], Awaitable[Any]],
        status: int = 200,
    ) -> web.Response:
        try:
            body = await self._read_json(request)
        except ApiError as error:
            return _error(translator(None), error.status, error.code)
        got = await self._call(request, lambda caller: work(caller, body))
        return got if isinstance(got, web.Response) else _json(got[0], status)

    async def _figures(self, request: web.BaseRequest, route: str, typed: str) -> web.Response:
        got = await self._call(request, lambda caller: programme_figures(caller, typed), reads=True)
        if isinstance(got, web.Response):
            return got
        found, t = got
        if route == "figures":
            return _json(figures_json(t, found))
        # Drawn after the database session is closed, off the event loop.
        if route == "figures.xlsx":
            body, content_type, suffix = await asyncio.to_thread(report_xlsx, found), XLSX, "xlsx"
        else:
            body, content_type, suffix = (
                await asyncio.to_thread(chart_png, found),
                "image/png",
                "png",
            )
        return web.Response(
            body=body,
            headers={
                hdrs.CONTENT_TYPE: content_type,
                hdrs.CONTENT_DISPOSITION: (
                    f'attachment; filename="raport-{found.period.slug}.{suffix}"'
                ),
                **_NO_STORE,
            },
        )


def webapp_server(app: Application) -> WebAppServer:
    """The application's Mini App server, made at its first request."""
    server = app.bot_data.get("webapp")
    if server is None:
        server = app.bot_data["webapp"] = WebAppServer(app)
    return server
