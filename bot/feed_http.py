"""Calendar feeds over HTTP: `GET|HEAD /kalendarz/<token>.ics` on the bot's own aiohttp server
(bot/webhook.py: the webhook's server, or in polling mode a server of its own when PUBLIC_URL
is set).

- A malformed, unknown or replaced token, a member in no team, a team feed whose maker is no
  longer its coordinator: 404, the same empty answer for all (no hint which).
- `ETag` (a fingerprint of what the feed shows, computed before the calendar is built) and
  `Last-Modified` (when this process first served that version): `If-None-Match` and, without
  it, `If-Modified-Since` answer `304 Not Modified` with no body.
- Rate limits, per address and per token: token buckets in memory (a throttle: losing them
  loses nothing); beyond them `429` with `Retry-After` in seconds.
- The token never goes to a log.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import hdrs, web
from telegram.ext import Application

from bot.feed_ics import build_feed, fingerprint
from bot.permissions import Action, actor_for, allowed
from storage import feeds
from storage.db import Database, connection_lost
from storage.models import utcnow

log = logging.getLogger(__name__)

FEED_PATH = "/kalendarz/"
SUFFIX = ".ics"
# Calendar apps poll every 15 minutes to a day; a subscription's first minutes fetch a few
# times. Google and Microsoft fetch many members' feeds from a few addresses: the per-address
# limit is wide, the per-token one narrow.
TOKEN_BURST, TOKEN_EVERY = 12, 30.0  # 12 at once, then one each 30 s
ADDRESS_BURST, ADDRESS_EVERY = 300, 0.1  # 300 at once, then ten a second
SEEN_KEEP = 20_000
# Who may give a team's calendar away as a feed, and keep it working: whoever may change the
# team's settings (its coordinators, admins), like whether its messages may be forwarded.
TEAM_FEED = Action.CHANGE_TEAM_SETTINGS  # versions remembered for Last-Modified (a few MB at most)


def feed_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{FEED_PATH}{token}{SUFFIX}"


def webcal_url(public_url: str, token: str) -> str:
    """The same link as `webcal://`, which phones and Outlook open as a subscription."""
    https = feed_url(public_url, token)
    return "webcal://" + https.split("://", 1)[1]


class Buckets:
    """Token buckets by key: `burst` requests at once, then one each `every` seconds."""

    def __init__(self, burst: int, every: float, keep: int = 50_000) -> None:
        self.burst, self.every, self.keep = burst, every, keep
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str, now: float) -> float:
        """0 when the request may go; else the seconds until it may."""
        tokens, at = self._state.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) / self.every)
        if tokens < 1:
            self._state[key] = (tokens, now)
            return (1 - tokens) * self.every
        if len(self._state) >= self.keep and key not in self._state:
            self._forget_full(now)
        self._state[key] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, (tokens, at) in self._state.items()
            if tokens + (now - at) / self.every >= self.burst
        ]
        for key in full:
            del self._state[key]
        if len(self._state) >= self.keep:  # a flood of new keys: start afresh
            self._state.clear()


@dataclass
class FeedServer:
    """What serving feeds keeps between requests (one per Application: `feed_server`)."""

    db: Callable[[], Database]
    clock: Callable[[], datetime]
    admin_ids: Callable[[], frozenset[int]]
    by_token: Buckets = field(default_factory=lambda: Buckets(TOKEN_BURST, TOKEN_EVERY))
    by_address: Buckets = field(default_factory=lambda: Buckets(ADDRESS_BURST, ADDRESS_EVERY))
    monotonic: Callable[[], float] = field(default_factory=lambda: _loop_time)
    _seen: OrderedDict[str, tuple[str, datetime]] = field(default_factory=OrderedDict)

    def _last_modified(self, token_hash: str, etag: str, now: datetime) -> datetime:
        """When this version of the feed was first served here (whole seconds, as HTTP)."""
        known = self._seen.get(token_hash)
        if known is None or known[0] != etag:
            moment = now.astimezone(UTC).replace(microsecond=0)
            if known is not None and moment <= known[1]:
                # Changed within the second of the version before: a later second, or a
                # client holding that one would be told 304 (If-Modified-Since).
                moment = known[1] + timedelta(seconds=1)
            known = (etag, moment)
            self._seen[token_hash] = known
            while len(self._seen) > SEEN_KEEP:
                self._seen.popitem(last=False)
        self._seen.move_to_end(token_hash)
        return known[1]

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if request.method not in (hdrs.METH_GET, hdrs.METH_HEAD):
            return web.Response(status=405, headers={hdrs.ALLOW: "GET, HEAD"})
        tick = self.monotonic()
        wait = self.by_address.take(client_address(request), tick)
        name = request.path[len(FEED_PATH) :]
        token = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else ""
        if not wait and feeds.well_formed(token):
            wait = self.by_token.take(feeds.hash_token(token), tick)
        if wait:
            return web.Response(status=429, headers={hdrs.RETRY_AFTER: str(math.ceil(wait))})
        if not feeds.well_formed(token):
            return _not_found()
        now = self.clock()
        try:
            async with self.db().session() as session:
                scope = await feeds.resolve(session, token)
                if scope is not None and scope.team is not None:
                    maker = scope.member
                    actor = await actor_for(session, maker.telegram_id, maker, self.admin_ids())
                    if not allowed(actor, TEAM_FEED, scope.team.id):
                        scope = None  # no longer its coordinator: the team feed stops
                rows = await feeds.feed_events(session, scope, now) if scope else []
        except Exception as error:
            if not connection_lost(error):
                raise
            log.warning("calendar feed: database unavailable: %s", error.__class__.__name__)
            return web.Response(status=503, headers={hdrs.RETRY_AFTER: "60"})
        if scope is None:
            return _not_found()
        etag = fingerprint(scope, rows)
        modified = self._last_modified(scope.token_hash, etag, now)
        headers = {
            hdrs.ETAG: etag,
            hdrs.LAST_MODIFIED: format_datetime(modified, usegmt=True),
            # Private: a shared cache must not keep one person's calendar.
            hdrs.CACHE_CONTROL: "private, max-age=300",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        }
        if _not_modified(request, etag, modified):
            return web.Response(status=304, headers=headers)
        body = build_feed(scope, rows)
        headers[hdrs.CONTENT_DISPOSITION] = 'inline; filename="kooperacje.ics"'
        return web.Response(
            body=body, headers=headers, content_type="text/calendar", charset="utf-8"
        )


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


def client_address(request: web.BaseRequest) -> str:
    """The client's address: behind a reverse proxy on this host (the peer is loopback), the
    last X-Forwarded-For hop, which that proxy wrote; otherwise the peer itself. A client's own
    X-Forwarded-For is never believed when it reaches the bot directly."""
    peer = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in ("127.0.0.1", "::1") and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return peer


def _not_found() -> web.Response:
    return web.Response(status=404)


def _not_modified(request: web.BaseRequest, etag: str, modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match (weak comparison) decides; without it If-Modified-Since."""
    match = request.headers.get(hdrs.IF_NONE_MATCH)
    if match is not None:
        given = {tag.strip().removeprefix("W/") for tag in match.split(",")}
        return "*" in given or etag in given
    since = request.headers.get(hdrs.IF_MODIFIED_SINCE)
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return modified <= moment


def feed_server(app: Application) -> FeedServer:
    """The application's feed server state, made at its first request."""
    server = app.bot_data.get("feeds")
    if server is None:
        server = app.bot_data["feeds"] = FeedServer(
            db=lambda: app.bot_data["db"],
            clock=lambda: app.bot_data.get("clock", utcnow)(),
            admin_ids=lambda: app.bot_data["settings"].bot_admin_ids,
        )
    return server
