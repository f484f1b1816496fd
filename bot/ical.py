"""iCalendar (.ics) files that phones import: no personal data of attendees in them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from storage.models import Meeting, MeetingSeries, MeetingStatus, utcnow
from storage.recurrence import LOCAL_FORMAT

PRODID = "-//Kooperacje 3D//kooperacje-bot//PL"


@dataclass(frozen=True)
class SeriesView:
    series: MeetingSeries
    occurrences: list[Meeting]  # the materialized ones, including cancelled and moved


def _event(meeting: Meeting, title: str, zone: ZoneInfo) -> Event:
    event = Event()
    start = meeting.starts_at.astimezone(zone)
    event.add("uid", meeting.uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", title)
    event.add("location", meeting.place)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    event.add("sequence", meeting.sequence)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _series_events(view: SeriesView, title: str, zone: ZoneInfo) -> list[Event]:
    """The rule as one event, cancelled occurrences as EXDATE, changed ones as overrides."""
    series = view.series
    first = datetime.strptime(series.local_start, LOCAL_FORMAT).replace(tzinfo=zone)
    master = Event()
    master.add("uid", series.uid)
    master.add("dtstamp", utcnow())
    master.add("dtstart", first)
    duration = view.occurrences[0].duration_minutes if view.occurrences else 120
    master.add("dtend", first + timedelta(minutes=duration))
    master.add("summary", title)
    master.add("location", series.place)
    if series.agenda:
        master.add("description", series.agenda)
    rule = dict(part.split("=", 1) for part in series.rule.split(";"))
    if series.until is not None:
        rule["UNTIL"] = series.until.strftime("%Y%m%dT%H%M%SZ")
    master.add("rrule", {k: v.split(",") for k, v in rule.items()})
    master.add("sequence", max((m.sequence for m in view.occurrences), default=0))
    events = [master]
    for occurrence in view.occurrences:
        original = datetime.strptime(
            occurrence.recurrence_key or series.local_start, LOCAL_FORMAT
        ).replace(tzinfo=zone)
        if occurrence.status == MeetingStatus.CANCELLED:
            master.add("exdate", original)
        elif occurrence.sequence > 0:
            override = _event(occurrence, title, zone)
            override["uid"] = series.uid
            override.add("recurrence-id", original)
            events.append(override)
    return events


def build_ics(
    meetings: Iterable[tuple[Meeting, str]],
    series: Iterable[tuple[SeriesView, str]] = (),
    zone: ZoneInfo | None = None,
) -> bytes:
    """One calendar with the given meetings (and whole series), each with its title."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    zone = zone or ZoneInfo("Europe/Warsaw")
    for meeting, title in meetings:
        calendar.add_component(_event(meeting, title, zone))
    for view, title in series:
        for event in _series_events(view, title, zone):
            calendar.add_component(event)
    calendar.add_missing_timezones()  # VTIMEZONE for every TZID used
    return calendar.to_ical()
