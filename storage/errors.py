"""Domain errors: raised by storage operations, turned into friendly texts by the bot layer."""

from __future__ import annotations

import enum


class Problem(enum.StrEnum):
    INVITATION_UNKNOWN = "invitation_unknown"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_USED_UP = "invitation_used_up"
    INVITATION_REVOKED = "invitation_revoked"
    INVITATION_BEFORE_REMOVAL = "invitation_before_removal"
    TEAM_UNKNOWN = "team_unknown"
    MEMBER_UNKNOWN = "member_unknown"
    NAME_INVALID = "name_invalid"
    NAME_TOO_LONG = "name_too_long"
    LAST_COORDINATOR = "last_coordinator"
    GROUP_LINKED_ELSEWHERE = "group_linked_elsewhere"
    ALREADY_EXISTS = "already_exists"
    STALE_BUTTON = "stale_button"
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    MEETING_UNKNOWN = "meeting_unknown"
    MEETING_IN_PAST = "meeting_in_past"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_STARTED = "meeting_started"
    MEETING_CHANGED_MEANWHILE = "meeting_changed_meanwhile"
    MEETING_MOVED = "meeting_moved"
    NOT_IN_TEAM = "not_in_team"
    OFFSET_INVALID = "offset_invalid"
    TOO_MANY_OFFSETS = "too_many_offsets"
    DIGEST_INVALID = "digest_invalid"
    QUERY_TOO_SHORT = "query_too_short"
    QUERY_TOO_LONG = "query_too_long"
    SERVICE_UNKNOWN = "service_unknown"
    MUNICIPALITY_UNKNOWN = "municipality_unknown"
    ANNOUNCEMENT_ALREADY_SENT = "announcement_already_sent"
    ANNOUNCEMENT_TOO_LONG = "announcement_too_long"
    CAPTION_TOO_LONG = "caption_too_long"
    ATTACHMENT_UNSUPPORTED = "attachment_unsupported"
    NOT_A_RECIPIENT = "not_a_recipient"
    NO_RECIPIENTS = "no_recipients"
    REGISTER_NOT_STARTED = "register_not_started"
    REGISTER_CLOSED = "register_closed"
    ALREADY_MARKED = "already_marked"
    NOT_MARKED = "not_marked"
    GUEST_INVALID = "guest_invalid"
    NO_RECENT_MEETING = "no_recent_meeting"
    DUE_DATE_INVALID = "due_date_invalid"
    DUE_DATE_PAST = "due_date_past"
    OWNER_UNKNOWN = "owner_unknown"
    TASK_UNKNOWN = "task_unknown"
    TASK_CLOSED = "task_closed"
    POLL_UNKNOWN = "poll_unknown"
    POLL_CLOSED = "poll_closed"
    POLL_SLOT_COUNT = "poll_slot_count"
    POLL_SLOT_INVALID = "poll_slot_invalid"
    POLL_SLOT_PAST = "poll_slot_past"
    REPORT_PERIOD_INVALID = "report_period_invalid"
    CLIENT_DATA = "client_data"
    EVENT_ENDS_BEFORE_START = "event_ends_before_start"
    EVENT_TOO_LONG = "event_too_long"
    COACHING_WITHOUT_WORKER = "coaching_without_worker"
    MINUTES_INVALID = "minutes_invalid"
    REGION_UNKNOWN = "region_unknown"
    OUTSIDE_REGION = "outside_region"
    RULES_FILE_INVALID = "rules_file_invalid"
    RULES_MISSING = "rules_missing"
    INSTITUTION_MISSING = "institution_missing"
    ALREADY_DECLARED = "already_declared"
    PERSON_UNKNOWN = "person_unknown"  # nobody the bot knows by that @username
    KIND_CANNOT_INVITE = "kind_cannot_invite"  # only events of the region invite teams


class DomainError(Exception):
    """An expected refusal with a reason the user can act on."""

    def __init__(self, problem: Problem, **details: object) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.details = details
