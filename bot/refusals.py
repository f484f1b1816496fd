"""Friendly texts for domain refusals and missing permissions (HTML, for chats; the Mini
App takes them as plain text)."""

from __future__ import annotations

from datetime import datetime

from bot.dates import format_when
from bot.i18n import Translator
from bot.permissions import Action, PermissionDenied
from bot.render import esc
from storage.errors import DomainError, Problem

QUOTE_LIMIT = 80


def _quoted(refusal: DomainError, key: str) -> str:
    """What the person typed, escaped and cut short: a refusal must fit in one message."""
    value = " ".join(str(refusal.details.get(key, "")).split())
    if len(value) > QUOTE_LIMIT:
        value = value[: QUOTE_LIMIT - 1] + "…"
    return esc(value)


def _when(t: Translator, refusal: DomainError) -> str:
    """The words typed, or (storage refuses times, not words) the moment `at` written out."""
    at = refusal.details.get("at")
    if "text" not in refusal.details and isinstance(at, datetime):
        return esc(format_when(at, t.language))
    return _quoted(refusal, "text")


def _hours(minutes: object) -> str:
    """120 -> "2", 90 -> "1,5": hours as Polish and English readers both take them."""
    value = minutes / 60 if isinstance(minutes, int) else 0
    return f"{value:g}".replace(".", ",")


def _date(t: Translator, at: object) -> str:
    return esc(format_when(at, t.language, with_time=False)) if isinstance(at, datetime) else ""


def refusal_text(t: Translator, refusal: DomainError | PermissionDenied) -> str:
    if isinstance(refusal, PermissionDenied):
        if refusal.action == Action.ANSWER_MEETING:
            return t._("You are not a member of this meeting's team.")
        if refusal.action == Action.CALL_MEETING:
            return t._("In this team only coordinators call meetings.")
        if refusal.action == Action.ANNOUNCE:
            return t._("Only coordinators (for their teams) and admins can send announcements.")
        if refusal.action == Action.CHANGE_MEETING:
            return t._("Only the person who called the meeting or a coordinator can change it.")
        if refusal.action == Action.KEEP_REGISTER:
            return t._("Only a coordinator of the team keeps the attendance register.")
        if refusal.action == Action.MANAGE_TASKS:
            return t._("Only the task's owner or a coordinator of the team can change it.")
        if refusal.action == Action.RUN_POLL:
            return t._("Only coordinators of the team run date polls.")
        if refusal.action == Action.VIEW_REPORT:
            return t._("Figures are for coordinators (of their teams) and admins.")
        if refusal.action == Action.VIEW_TEAM:
            return t._("Only members of the team can see this.")
        if refusal.action == Action.MANAGE_BASKET:
            return t._("Only coordinators of a team of this municipality can change its basket.")
        if refusal.action == Action.DECLARE_ACCESSION:
            return t._("Only members of the team accept its rules on behalf of their institutions.")
        if refusal.action == Action.MANAGE_REGIONS:
            return t._("Regions and their admins are managed by the programme's administrators.")
        if refusal.action == Action.INVITE_TEAMS:
            return t._(
                "You cannot invite that team: coordinators invite the teams of their own "
                "municipality, region admins the teams of their region."
            )
        return t._("Sorry, only a coordinator of this team can do that.")
    texts = {
        Problem.INVITATION_UNKNOWN: t._(
            "This invitation link is not valid. Ask your team's coordinator for a new one."
        ),
        Problem.INVITATION_EXPIRED: t._(
            "This invitation link has expired. Ask your team's coordinator for a new one."
        ),
        Problem.INVITATION_USED_UP: t._(
            "This invitation link has already been used by as many people as allowed. "
            "Ask your team's coordinator for a new one."
        ),
        Problem.INVITATION_REVOKED: t._(
            "This invitation link has been revoked by the team's coordinator. "
            "Ask them for a new one if you should join."
        ),
        Problem.INVITATION_BEFORE_REMOVAL: t._(
            "You were removed from this team after this link was made. "
            "To come back, ask the team's coordinator for a new link."
        ),
        Problem.TEAM_UNKNOWN: t._("I can't find that team any more."),
        Problem.MEMBER_UNKNOWN: t._("That person is no longer in the team."),
        Problem.NAME_INVALID: t._("That name is too short. Please type at least 2 characters."),
        Problem.NAME_TOO_LONG: t._(
            "That name is too long: at most {max} characters, please."
        ).format(max=refusal.details.get("max_length", 200)),
        Problem.LAST_COORDINATOR: t._(
            "A team needs at least one coordinator. Make someone else a coordinator first."
        ),
        Problem.GROUP_LINKED_ELSEWHERE: t._(
            "This group is already linked to the team {team}."
        ).format(team=f"<b>{_quoted(refusal, 'team')}</b>"),
        Problem.ALREADY_EXISTS: t._("A team called {team} already exists.").format(
            team=f"<b>{_quoted(refusal, 'name')}</b>"
        ),
        # A pop-up cannot carry a button: it says what to type instead.
        Problem.STALE_BUTTON: t._(
            "This button is no longer active. Type the command again, e.g. /spotkania or /pomoc."
        ),
        Problem.TEXT_EMPTY: t._("That was empty. Please type the text."),
        Problem.TEXT_TOO_LONG: t._(
            "That text is too long: at most {max} characters, please."
        ).format(max=refusal.details.get("max_length", "")),
        Problem.MEETING_UNKNOWN: t._("I can't find that meeting any more."),
        Problem.MEETING_IN_PAST: t._("That time has already passed. Please give a future time."),
        Problem.MEETING_CANCELLED: t._("This meeting has been cancelled."),
        Problem.MEETING_STARTED: t._("This meeting has already started or taken place."),
        Problem.MEETING_CHANGED_MEANWHILE: t._(
            "Someone else changed this meeting a moment ago: your change was not saved. "
            "Please look at the new card and try again."
        ),
        Problem.MEETING_MOVED: t._(
            "This meeting has been changed since this message: nothing was saved. "
            "Please answer on the new card."
        ),
        Problem.NOT_IN_TEAM: t._("You are not a member of this meeting's team."),
        Problem.TOO_MANY_OFFSETS: t._(
            "A team can have at most {max} reminder times. Remove one first."
        ).format(max=refusal.details.get("max", "")),
        Problem.QUERY_TOO_SHORT: t._(
            "Please type at least 2 letters, e.g. <i>/koszyk przemoc</i>."
        ),
        Problem.QUERY_TOO_LONG: t._("That is too long for a search: up to 200 characters."),
        Problem.SERVICE_UNKNOWN: t._("I can't find that service any more."),
        Problem.MUNICIPALITY_UNKNOWN: t._("I don't know the municipality {name}.").format(
            name=f"<b>{_quoted(refusal, 'name')}</b>"
        ),
        Problem.ANNOUNCEMENT_ALREADY_SENT: t._(
            "This announcement has already been sent or cancelled: nothing more to do."
        ),
        Problem.ANNOUNCEMENT_TOO_LONG: t._(
            "That text is too long for one message: Telegram allows {max} characters with the "
            "heading. Please shorten it by {over} characters and send it again."
        ).format(max=refusal.details.get("max", ""), over=refusal.details.get("over", "")),
        Problem.CAPTION_TOO_LONG: t._(
            "With a photo or document the text can have at most {max} characters with the "
            "heading (Telegram's limit). Please shorten it by {over} characters and send it "
            "again, or send the file in a separate announcement."
        ).format(max=refusal.details.get("max", ""), over=refusal.details.get("over", "")),
        Problem.ATTACHMENT_UNSUPPORTED: t._(
            "I can attach only a photo or a document (PDF, Word, Excel…). Please send one of "
            "those, or just the text."
        ),
        Problem.NOT_A_RECIPIENT: t._("This announcement was not sent to you."),
        Problem.NO_RECIPIENTS: t._(
            "There is nobody to send it to yet: no other members and no linked group chat."
        ),
        Problem.DIGEST_INVALID: t._(
            "I couldn't read that. Type 1 to 4 days of the month (1–28) and an hour, "
            "e.g. <i>1, 15 8:00</i>."
        ),
        Problem.OFFSET_INVALID: t._(
            "I couldn't read that. Type how long before the meeting, between 1 minute and "
            "30 days, e.g. <i>3 dni</i>, <i>2h</i> or <i>30 min</i>."
        ),
        Problem.REGISTER_NOT_STARTED: t._("The attendance register opens when the meeting starts."),
        Problem.REGISTER_CLOSED: t._(
            "The attendance register of this meeting is closed. Reopen it to make changes."
        ),
        Problem.ALREADY_MARKED: t._("{name} is already marked as present.").format(
            name=_quoted(refusal, "name")
        ),
        Problem.NOT_MARKED: t._("{name} is not marked as present.").format(
            name=_quoted(refusal, "name")
        ),
        Problem.GUEST_INVALID: t._(
            "Please type the guest's name and institution, separated by a comma, e.g. "
            "<i>Jan Nowak, Kuratorium Oświaty</i>. Nothing else about them."
        ),
        Problem.NO_RECENT_MEETING: t._(
            "There is no meeting of your team in the last {days} days to add this to. "
            "Minutes belong to a meeting that has started."
        ).format(days=refusal.details.get("days", 14)),
        Problem.DUE_DATE_INVALID: t._(
            "I couldn't read the due date. Write it after <i>do</i>, e.g. "
            "<i>/zadanie @ania do piątku: wysłać zaproszenia</i> or <i>do 15 grudnia</i>."
        ),
        Problem.DUE_DATE_PAST: t._("That day has already passed. Please give a future due date."),
        Problem.OWNER_UNKNOWN: t._(
            "I can't find {name} in the team. Write the person's @username or first name, "
            "or leave it out and pick the person from a list."
        ).format(name=f"<b>{_quoted(refusal, 'name')}</b>"),
        Problem.TASK_UNKNOWN: t._("I can't find that task any more."),
        Problem.TASK_CLOSED: t._("This task is already closed."),
        Problem.POLL_UNKNOWN: t._("I can't find that date poll any more."),
        Problem.POLL_CLOSED: t._("This date poll is closed."),
        Problem.POLL_SLOT_COUNT: t._(
            "A date poll needs from {min} to {max} different dates; you gave {count}."
        ).format(
            min=refusal.details.get("min", 2),
            max=refusal.details.get("max", 6),
            count=refusal.details.get("count", 0),
        ),
        Problem.POLL_SLOT_INVALID: t._(
            "I couldn't read {text} as a day and hour. Please give each date with its hour, "
            "e.g. <i>wtorek 14:30</i>."
        ).format(text=f"<i>{_quoted(refusal, 'text')}</i>"),
        Problem.POLL_SLOT_PAST: t._("{text} has already passed. Please give future dates.").format(
            text=f"<i>{_when(t, refusal)}</i>"
        ),
        Problem.CLIENT_DATA: t._(
            "This looks like a PESEL number. Data of social-assistance clients must not go "
            "through the bot: please remove it and send the text again. Nothing was saved or "
            "sent."
        ),
        Problem.EVENT_ENDS_BEFORE_START: t._(
            "The end is before the start. Give the start first, then the end "
            "(<i>wtorek 9:00–15:00</i>, <i>od 14 do 16</i>)."
        ),
        Problem.EVENT_TOO_LONG: t._(
            "That is too long for one event: workshops, trainings and conferences run at most "
            "{days} days, anything else at most {hours} hours. Check the end date."
        ).format(days=refusal.details.get("days", 3), hours=refusal.details.get("hours", 24)),
        Problem.KIND_CANNOT_INVITE: t._(
            "Only events of the region (trainings, workshops, conferences, consultation and "
            "working-group meetings) invite other teams; a team's own meeting and coaching "
            "stay within the team."
        ),
        Problem.COACHING_WITHOUT_WORKER: t._(
            "Coaching is for someone: choose at least one worker of the team who is coached."
        ),
        Problem.MINUTES_INVALID: t._(
            "Give the time in hours, more than zero and at most the event's length ({hours} h)."
        ).format(hours=_hours(refusal.details.get("most"))),
        Problem.REGION_UNKNOWN: t._(
            "I don't know that region. <i>/region</i> lists the regions by name."
        ),
        Problem.OUTSIDE_REGION: t._(
            "That is outside your region: you look after {region} only. Ask the programme's "
            "administrators about other regions."
        ).format(region=f"<b>{_quoted(refusal, 'region')}</b>"),
        Problem.RULES_FILE_INVALID: t._(
            "The framework rules must be one PDF or DOCX file of at most 10 MB. Please send "
            "the file again."
        ),
        Problem.RULES_MISSING: t._(
            "The team has no framework rules yet. Its coordinator sends them in "
            "<i>/zespol</i> as a PDF or DOCX file."
        ),
        Problem.INSTITUTION_MISSING: t._(
            "A declaration is made on an institution's behalf, and I don't know yours yet. "
            "Ask your coordinator for an invitation link and choose your institution there."
        ),
        Problem.ALREADY_DECLARED: t._(
            "Your institution has already accepted this version of the rules ({name}, {date}). "
            "Nothing more is needed."
        ).format(name=_quoted(refusal, "name"), date=_date(t, refusal.details.get("at"))),
        Problem.PERSON_UNKNOWN: t._(
            "I don't know {name}. The person writes to me first (<i>/start</i>); then give "
            "their @username."
        ).format(name=f"<b>{_quoted(refusal, 'name')}</b>"),
        Problem.REPORT_PERIOD_INVALID: t._(
            "I couldn't read that period. Give a year (<i>/raport 2026</i>) or two dates "
            "(<i>/raport 1.01.2026 – 30.06.2026</i>)."
        ),
    }
    return texts[refusal.problem]
