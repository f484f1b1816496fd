"""/moje_dane for people: a short summary and a plain-text file with labelled sections, in the
reader's language, made from the same export as the JSON for machines (so nothing the JSON
holds is left out of what a person can read)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.dates import format_when
from bot.documents import task_state_label
from bot.i18n import LANGUAGE_NAMES, Translator
from bot.render import esc
from bot.views.labels import role_label, vote_label
from bot.views.meeting_card import answer_label
from storage.models import AnnouncementState, Answer, Role, TaskState

JsonDict = dict[str, Any]
_TAG = re.compile(r"<[^>]+>")
NONE = "—"


def _actions(t: Translator) -> dict[str, str]:
    """The audit log's actions as a person would name them (nouns: no gendered verbs)."""
    return {
        "team.add": t._("team created"),
        "team.link_chat": t._("group chat linked to a team"),
        "team.language": t._("team language changed"),
        "team.digest": t._("team digest settings changed"),
        "team.reminders": t._("team reminder settings changed"),
        "team.meetings_by": t._("who may call meetings changed"),
        "team.protect_content": t._("forwarding protection changed"),
        "invitation.create": t._("invitation created"),
        "invitation.revoke": t._("invitation revoked"),
        "invitation.use": t._("joined with an invitation"),
        "member.role": t._("member's role changed"),
        "member.remove": t._("member removed from a team"),
        "meeting.schedule": t._("meeting called"),
        "meeting.change": t._("meeting changed"),
        "meeting.cancel": t._("meeting cancelled"),
        "meeting.series": t._("repeating meetings set up"),
        "meeting.series_end": t._("repeating meetings ended"),
        "register.close": t._("attendance register closed"),
        "register.reopen": t._("attendance register reopened"),
        "task.add": t._("task added"),
        "task.close": t._("task closed"),
        "poll.create": t._("date poll created"),
        "poll.close": t._("date poll closed"),
        "poll.to_meeting": t._("date poll turned into a meeting"),
        "basket.import": t._("service basket imported"),
    }


def _announcement_state(t: Translator, value: str) -> str:
    return {
        AnnouncementState.DRAFT: t._("draft, not sent"),
        AnnouncementState.SCHEDULED: t._("planned"),
        AnnouncementState.SENDING: t._("being sent"),
        AnnouncementState.DONE: t._("sent"),
        AnnouncementState.CANCELLED: t._("cancelled"),
    }.get(AnnouncementState(value), value)


class _Words:
    """Values of the export as people read them: dates in the bot's zone, enums named."""

    def __init__(self, t: Translator, zone: ZoneInfo) -> None:
        self.t, self.zone = t, zone

    def when(self, value: str | None) -> str:
        if not value:
            return NONE
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:  # SQLite keeps UTC without the zone
            moment = moment.replace(tzinfo=UTC)
        return format_when(moment.astimezone(self.zone), self.t.language)

    def day(self, value: str | None) -> str:
        if not value:
            return NONE
        moment = datetime.combine(date.fromisoformat(value), time(12), self.zone)
        return format_when(moment, self.t.language, with_time=False)

    def yes_no(self, value: object) -> str:
        return self.t._("yes") if value else self.t._("no")

    @staticmethod
    def text(value: object) -> str:
        return NONE if value is None or value == "" else str(value)

    @staticmethod
    def plain(text_html: str) -> str:
        return html.unescape(_TAG.sub("", text_html)).strip()


def _section(title: str, items: list[str], empty: str) -> list[str]:
    return [
        "",
        f"== {title} ({len(items)}) ==",
        *([f"• {item}" for item in items] or [f"({empty})"]),
    ]


def _about(t: Translator, w: _Words, person: JsonDict) -> list[str]:
    language = person.get("language")
    rows = [
        (t._("Name"), w.text(person["name"])),
        (t._("Telegram username"), w.text(person["username"] and "@" + person["username"])),
        (t._("Telegram number (id)"), w.text(person["telegram_id"])),
        (t._("Institution"), w.text(person["institution"])),
        (t._("Language of messages"), LANGUAGE_NAMES.get(language or "", w.text(language))),
        (t._("All reminders muted"), w.yes_no(person["reminders_muted"])),
        (t._("Messages not delivered since"), w.when(person["unreachable_since"])),
        (t._("First contact with the bot"), w.when(person["created_at"])),
        (t._("Last activity"), w.when(person["last_seen_at"])),
    ]
    return ["", f"== {t._('About you')} ==", *(f"{label}: {value}" for label, value in rows)]


def _task(t: Translator, w: _Words, task: JsonDict) -> str:
    whose = [t._("assigned to you")] if task["owner"] else []
    whose += [t._("added by you")] if task["created_by_me"] else []
    state = task_state_label(t, TaskState(task["state"]))
    due = t._("due {day}").format(day=w.day(task["due_on"]))
    return f"{task['text']} — {due}; {state}; {', '.join(whose)}"


def _lists(t: Translator, w: _Words, data: JsonDict) -> list[tuple[str, list[str]]]:
    actions = _actions(t)
    return [
        (
            t._("Teams"),
            [
                t._("{team}: {role}, joined {when}, reminders muted: {muted}").format(
                    team=m["team"],
                    role=role_label(t, Role(m["role"])),
                    when=w.when(m["joined_at"]),
                    muted=w.yes_no(m["reminders_muted"]),
                )
                for m in data["teams"]
            ],
        ),
        (
            t._("Answers to meeting invitations"),
            [
                f"{w.when(a['meeting'])}, {w.text(a['place'])}: "
                f"{answer_label(t, Answer(a['answer']))} ({w.when(a['answered_at'])})"
                for a in data["meeting_answers"]
            ],
        ),
        (
            t._("Attendance at meetings"),
            [
                f"{w.when(a['meeting'])}, {w.text(a['place'])}: {w.text(a['institution'])}"
                for a in data["attendance"]
            ],
        ),
        (
            t._("Decisions you added"),
            [f"„{d['text']}” ({w.when(d['created_at'])})" for d in data["decisions"]],
        ),
        (t._("Tasks"), [_task(t, w, task) for task in data["tasks"]]),
        (
            t._("Votes in date polls"),
            [
                t._("poll no. {poll}, {when}: {answer}").format(
                    poll=v["poll"],
                    when=w.when(v["date"]),
                    answer=vote_label(t, Answer(v["answer"])),
                )
                for v in data["date_poll_votes"]
            ],
        ),
        (
            t._("Announcements you wrote"),
            [
                f"{w.plain(a['text_html'])} ({_announcement_state(t, a['state'])}, "
                f"{w.when(a['created_at'])})"
                for a in data["announcements"]
            ],
        ),
        (
            t._("Announcements you confirmed as read"),
            [t._("announcement no. {n}").format(n=n) for n in data["announcements_confirmed_read"]],
        ),
        (
            t._("Declarations of accession you accepted"),
            [
                t._(
                    "{when}: {institution} joins {team} (rules version {version}), as {role}"
                ).format(
                    when=w.when(d["accepted_at"]),
                    institution=d["institution"],
                    team=d["team"],
                    version=d["rules_version"],
                    role=d["role"],
                )
                for d in data.get("declarations_of_accession", [])
            ],
        ),
        (
            t._("Calendar subscription links"),
            [
                (
                    t._("made {when}: the calendar of {team}").format(
                        when=w.when(link["created_at"]), team=link["team"]
                    )
                    if link["team"]
                    else t._("made {when}: your meetings of all your teams").format(
                        when=w.when(link["created_at"])
                    )
                )
                for link in data.get("calendar_feed_links", [])
            ],
        ),
        (
            t._("Your actions in the bot's log"),
            [_logged(w, actions, entry) for entry in data["actions_logged"]],
        ),
    ]


def _logged(w: _Words, actions: dict[str, str], entry: JsonDict) -> str:
    # Its details are row ids, of use to a machine only: they stay in the JSON.
    return f"{w.when(entry['at'])}: {actions.get(entry['action'], entry['action'])}"


def readable(t: Translator, data: JsonDict, zone: ZoneInfo, now: datetime) -> str:
    """The export as a text file: a heading, then one labelled section per kind of data."""
    w = _Words(t, zone)
    lines = [
        t._("Your data in the bot, as of {when}").format(when=w.when(now.isoformat())),
        t._("The same data for computers is in the JSON file sent with this one."),
        *_about(t, w, data["member"]),
    ]
    for title, items in _lists(t, w, data):
        lines += _section(title, items, t._("none"))
    return "\n".join(lines) + "\n"


def summary(t: Translator, data: JsonDict) -> str:
    """A few lines on what is kept, before the two files (HTML)."""
    teams = ", ".join(f"{esc(m['team'])} ({role_label(t, Role(m['role']))})" for m in data["teams"])
    person = data["member"]
    counts = [
        t.n_("{n} answer to meetings", "{n} answers to meetings", len(data["meeting_answers"])),
        t.n_("{n} attendance record", "{n} attendance records", len(data["attendance"])),
        t.n_("{n} date poll vote", "{n} date poll votes", len(data["date_poll_votes"])),
    ]
    written = [
        t.n_("{n} decision", "{n} decisions", len(data["decisions"])),
        t.n_("{n} task of yours", "{n} tasks of yours", len(data["tasks"])),
        t.n_("{n} announcement", "{n} announcements", len(data["announcements"])),
    ]
    return "\n".join(
        [
            "<b>" + t._("What the bot keeps about you") + "</b>",
            t._("You: {name}, {institution}").format(
                name=esc(person["name"]), institution=esc(person["institution"] or NONE)
            ),
            t._("Teams: {teams}").format(teams=teams or NONE),
            " · ".join(counts),
            " · ".join(written),
            t._("Below: a file to read and the same data as JSON. /usun_dane erases it."),
        ]
    )
