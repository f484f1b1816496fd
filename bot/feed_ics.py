"""Calendar subscription feeds as RFC 5545 (issue 23), and one meeting as a Google Calendar link.

A feed is what Outlook, Google Calendar and phones poll: every meeting an event of its own
with the meeting's stable UID, SEQUENCE raised and LAST-MODIFIED set by every change, a
cancelled meeting kept (STATUS:CANCELLED) so that clients remove it, VTIMEZONE for each zone.
The same rows give the same bytes (DTSTAMP is the meeting's last change, not the request's
time), and `fingerprint` says whether they changed without building the calendar: the ETag.
No attendee's personal data goes in; the member's own answer marks the summary.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, timedelta
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from bot.i18n import Translator, translator
from bot.ical import PRODID
from bot.views.labels import kind_label
from storage.feeds import FeedEvent, Scope
from storage.models import Answer, EventKind, Meeting, MeetingStatus

# Raised when what a feed shows of the same rows changes, so every ETag changes with it.
FORMAT_VERSION = 1
# How often clients are asked to poll (RFC 7986 REFRESH-INTERVAL, Outlook's X-PUBLISHED-TTL).
REFRESH = timedelta(hours=1)
HOME_ZONE = "Europe/Warsaw"
# The summary's mark of the member's own answer: the calendar shows it at a glance.
MARKS = {Answer.YES: "✓ ", Answer.MAYBE: "? ", Answer.NO: "✗ "}
# An event template URL longer than this is cut (the agenda goes first): browsers and
# Telegram's URL buttons take a few kilobytes at most.
GOOGLE_DETAILS_MAX = 800
# Serialized events remembered (~0.6 KB each): a few MB, shared by all feeds of this process.
EVENTS_KEEP = 20_000
_EVENTS: OrderedDict[tuple[str, bool, bool, FeedEvent], bytes] = OrderedDict()


@lru_cache(maxsize=16)
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of a zone (1970-2038), built once: ~20 ms each time otherwise."""
    return Timezone.from_tzid(tzid)


def fingerprint(scope: Scope, events: Sequence[FeedEvent]) -> str:
    """A strong ETag of the feed these rows make: every field an event shows is in it."""
    digest = hashlib.sha256()
    head = [
        FORMAT_VERSION,
        scope.language,
        scope.team.name if scope.team else None,
        scope.team.protect_content if scope.team else None,
    ]
    digest.update(json.dumps(head).encode())
    for e in events:
        item = [
            e.uid,
            e.sequence,
            e.status.value,
            e.starts_at.timestamp(),
            e.duration_minutes,
            e.created_at.timestamp(),
            e.updated_at.timestamp(),
            e.kind.value,
            e.place,
            e.agenda,
            e.team_name,
            e.protect_content,
            e.timezone,
            e.answer.value if e.answer else None,
        ]
        digest.update(json.dumps(item, ensure_ascii=False).encode())
    return '"' + digest.hexdigest()[:40] + '"'


def calendar_name(t: Translator, scope: Scope) -> str:
    if scope.team is not None:
        return t._("Kooperacje: {team}").format(team=scope.team.name)
    return t._("Kooperacje: my meetings")


def event_title(t: Translator, team_name: str, kind: EventKind) -> str:
    return f"{team_name}: {kind_label(t, kind)}"


def _event(t: Translator, e: FeedEvent, *, with_agenda: bool, mine: bool) -> Event:
    event = Event()
    start = e.starts_at.astimezone(ZoneInfo(e.timezone))
    cancelled = e.status == MeetingStatus.CANCELLED
    title = event_title(t, e.team_name, e.kind)
    if cancelled:
        title = t._("Cancelled: {title}").format(title=title)
    elif e.answer is not None:
        title = MARKS[e.answer] + title
    event.add("uid", e.uid)
    event.add("dtstamp", e.updated_at)
    event.add("created", e.created_at)
    event.add("last-modified", e.updated_at)
    event.add("sequence", e.sequence)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=e.duration_minutes))
    event.add("summary", title)
    event.add("location", e.place)
    lines = []
    if with_agenda and e.agenda:
        lines.append(e.agenda)
    if mine:
        answered = {
            Answer.YES: t._("I'll come"),
            Answer.MAYBE: t._("Maybe"),
            Answer.NO: t._("I can't come"),
        }
        said = answered[e.answer] if e.answer else t._("not given yet")
        lines.append(t._("Your answer: {answer}").format(answer=said))
    if lines:
        event.add("description", "\n\n".join(lines))
    event.add("categories", [kind_label(t, e.kind)])
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A declined or cancelled meeting leaves the time free in the calendar.
    event.add("transp", "TRANSPARENT" if cancelled or e.answer == Answer.NO else "OPAQUE")
    return event


def _event_bytes(t: Translator, e: FeedEvent, *, with_agenda: bool, mine: bool) -> bytes:
    """One VEVENT as RFC 5545 text, remembered while nothing it shows changes: a feed of 200
    meetings is built by icalendar in ~70 ms, which would hold the event loop (and every
    update) for as long at each poll; remembered, it is a join."""
    key = (t.language, mine, with_agenda, e)
    found = _EVENTS.get(key)
    if found is None:
        found = _event(t, e, with_agenda=with_agenda, mine=mine).to_ical()
        _EVENTS[key] = found
        if len(_EVENTS) > EVENTS_KEEP:
            _EVENTS.popitem(last=False)
    else:
        _EVENTS.move_to_end(key)
    return found


def forget_events() -> None:
    """Drop the serialized events (the benchmark's cold start)."""
    _EVENTS.clear()


@lru_cache(maxsize=256)
def _frame(name: str, zones: tuple[str, ...]) -> tuple[bytes, bytes]:
    """The calendar around the events (its properties and VTIMEZONEs), as the bytes before
    and after them."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", HOME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for tzid in zones:
        calendar.add_component(_vtimezone(tzid))
    whole = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert whole.endswith(end)
    return whole[: -len(end)], end


def build_feed(scope: Scope, events: Sequence[FeedEvent]) -> bytes:
    """The feed of `scope`: a team feed of a team that protects its content leaves the agenda
    out (a shared calendar is seen, copied and synced beyond the team)."""
    t = translator(scope.language)
    zones = {HOME_ZONE} | {e.timezone for e in events}
    head, tail = _frame(calendar_name(t, scope), tuple(sorted(zones)))
    mine = scope.team is None
    body = [
        _event_bytes(t, e, with_agenda=mine or not e.protect_content, mine=mine) for e in events
    ]
    return head + b"".join(body) + tail


def google_calendar_url(t: Translator, meeting: Meeting) -> str:
    """A Google Calendar event template of one meeting (the card's *Do kalendarza*): one tap
    opens it filled in. The agenda stays out when the team protects its content, and a long
    one is cut: the URL must stay short."""
    start = meeting.starts_at.astimezone(UTC)
    end = start + timedelta(minutes=meeting.duration_minutes)
    utc = "%Y%m%dT%H%M%SZ"
    details = "" if meeting.team.protect_content else (meeting.agenda or "")
    if len(details) > GOOGLE_DETAILS_MAX:
        details = details[: GOOGLE_DETAILS_MAX - 1] + "…"
    query = {
        "action": "TEMPLATE",
        "text": event_title(t, meeting.team.name, meeting.kind),
        "dates": f"{start.strftime(utc)}/{end.strftime(utc)}",
        "location": meeting.place,
        "ctz": meeting.team.municipality.timezone,
    }
    if details:
        query["details"] = details
    return "https://calendar.google.com/calendar/render?" + urlencode(query)
