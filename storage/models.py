"""Database tables. Times are stored in UTC and converted at the edges."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, query_expression, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


# A meeting's length when nobody typed its end (a PZK meeting takes about two hours).
DEFAULT_DURATION_MINUTES = 120


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite gives back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Sector(enum.StrEnum):
    SOCIAL_ASSISTANCE = "social_assistance"
    POLICE = "police"
    COURT = "court"
    EDUCATION = "education"
    HEALTH = "health"
    LABOUR = "labour"
    HOUSING = "housing"
    SOCIAL_INSURANCE = "social_insurance"
    NGO = "ngo"
    # The municipality's or county's own office: plain strings in the database, no migration.
    LOCAL_GOVERNMENT = "local_government"
    OTHER = "other"


class TeamKind(enum.StrEnum):
    PZK = "PZK"
    ZZK = "ZZK"


class EventKind(enum.StrEnum):
    """The programme's forms of support, in the terms its yearly reports count them."""

    PZK_MEETING = "pzk_meeting"
    ZZK_MEETING = "zzk_meeting"
    TRAINING = "training"  # cross-sector training
    WORKSHOP = "workshop"  # cooperation workshop, usually two days off-site
    COACHING = "coaching"
    CONSULTATION = "consultation"
    WORKING_GROUP = "working_group"
    CONFERENCE = "conference"


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Delivery(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a process; sent or not is unknown until it says so
    SENT = "sent"
    SKIPPED = "skipped"  # declined, muted, left the team, meeting cancelled
    DROPPED = "dropped"  # fell due while the bot was down and the meeting has started
    UNREACHABLE = "unreachable"  # blocked the bot or never opened a private chat
    FAILED = "failed"


class ScheduledKind(enum.StrEnum):
    REMINDER = "reminder"
    DIGEST = "digest"
    REGISTER = "register"  # the attendance register card, to a coordinator, at the start
    TASK = "task"  # to a task's owner, the day before it is due
    SUMMARY = "summary"  # who comes, to the caller and coordinators, the day before


class TaskState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class PollState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # turned into a meeting, or closed without one


class AnnouncementState(enum.StrEnum):
    DRAFT = "draft"  # being written; only its author sees it
    SCHEDULED = "scheduled"  # confirmed, waiting for its send_at
    SENDING = "sending"  # recipients fixed (one row each), being delivered
    DONE = "done"
    CANCELLED = "cancelled"


class Audience(enum.StrEnum):
    TEAM = "team"
    MUNICIPALITY = "municipality"  # every team of one municipality
    REGION = "region"  # every team


class SendState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed; sent or not is unknown until the sender says so
    SENT = "sent"
    BLOCKED = "blocked"  # 403, or 400 chat not found: marked and not retried
    FAILED = "failed"  # other refusals, or passing faults that did not pass


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum): adding a value needs no type migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        values_callable=lambda e: [m.value for m in e],
        length=32,
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Region(Base):
    """A voivodeship of the programme with its regional centre (ROPS, RCPS): its admins see,
    count and announce to its municipalities."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    centre: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipalities: Mapped[list[Municipality]] = relationship(back_populates="region")


class RegionAdmin(Base):
    """Someone appointed to administer one region, or every region when `region_id` is None.
    The super-admins of BOT_ADMIN_IDS are not rows: they come from the settings."""

    __tablename__ = "region_admin"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    appointed_by: Mapped[int | None] = mapped_column(BigInteger)
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region | None] = relationship()


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Warsaw")
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    county: Mapped[str | None] = mapped_column(String(120))  # powiat
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship(back_populates="municipalities")
    teams: Mapped[list[Team]] = relationship(back_populates="municipality")
    institutions: Mapped[list[Institution]] = relationship(back_populates="municipality")


class Institution(Base):
    __tablename__ = "institution"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(_enum(Sector, "sector"), default=Sector.OTHER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="institutions")


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    kind: Mapped[TeamKind] = mapped_column(_enum(TeamKind, "team_kind"))
    name: Mapped[str] = mapped_column(String(200))
    # The linked Telegram group, if any; one group serves one team.
    chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # Who may call meetings: every member (the default) or coordinators only.
    meetings_by: Mapped[Role] = mapped_column(
        _enum(Role, "role"), default=Role.MEMBER, server_default=Role.MEMBER.value
    )
    # Minutes before a meeting at which reminders go out; whole days keep the wall-clock hour.
    reminder_offsets: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: [1440, 60], server_default="[1440, 60]"
    )
    # The digest "Najbliższe spotkania": days of the month and local time.
    digest_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: [1, 15], server_default="[1, 15]"
    )
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00", server_default="08:00")
    # Telegram's protect_content on what the bot sends about the team: no forwarding, no saving.
    protect_content: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What the bot writes in the team's group: one language for everyone reading there.
    language: Mapped[str] = mapped_column(String(8), default="pl", server_default="pl")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="teams")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(64))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institution.id", ondelete="SET NULL")
    )
    # Set at join from the Telegram app's language, then by /jezyk; None only for members
    # who joined before it was stored (filled in at their next message).
    language: Mapped[str | None] = mapped_column(String(8))
    reminders_muted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set when Telegram refused a private message (blocked, or chat never opened).
    unreachable_since: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="member", cascade="all, delete-orphan"
    )
    # Loaded with the member of an update (storage/members.py), not stored: whether a region
    # appointment names them, so that most updates skip looking for one. None: not asked.
    appointed: Mapped[bool | None] = query_expression()


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    reminders_muted: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The link the member joined through: coordinators see who came by which link, and
    # removing or demoting the member revokes it.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL"), index=True
    )

    team: Mapped[Team] = relationship(back_populates="memberships")
    member: Mapped[Member] = relationship(back_populates="memberships")


class TeamRules(Base):
    """A version of the team's framework rules (Ramowy Regulamin PZK), as the coordinator
    uploaded it; institutions declare accession to the newest one."""

    __tablename__ = "team_rules"
    __table_args__ = (UniqueConstraint("team_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Declaration(Base):
    """An institution's declaration of accession to a team: accepted in the bot by its
    representative, on behalf of the institution, for one version of the rules.

    Names are copied: the register of declarations is a record and outlives the signer's
    membership (an erased member's row keeps the institution and the role, not the name)."""

    __tablename__ = "declaration"
    __table_args__ = (UniqueConstraint("team_id", "institution_id", "rules_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    rules_version: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(200))  # "dyrektor", "kierownik działu"
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)

    institution: Mapped[Institution] = relationship()


class Invitation(Base):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.MEMBER)
    expires_at: Mapped[datetime]
    max_uses: Mapped[int] = mapped_column(Integer, default=50)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    # None when made from the command line.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    team: Mapped[Team] = relationship()
    created_by: Mapped[Member | None] = relationship()


class Removal(Base):
    """A member removed from a team: links made before this cannot bring them back."""

    __tablename__ = "team_removal"
    __table_args__ = (UniqueConstraint("team_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    removed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Telegram id of who acted; None for the command line.
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MeetingSeries(Base):
    """A recurring meeting: an RFC 5545 rule over local wall-clock times."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(200))  # RRULE value, without DTSTART
    # Local wall time of the first occurrence ("2026-11-24T10:00") and its zone: occurrences
    # keep this wall time across DST switches.
    local_start: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(String(2000))
    # Each occurrence's length ("od 13 do 14"); its meetings copy it.
    duration_minutes: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_DURATION_MINUTES, server_default=str(DEFAULT_DURATION_MINUTES)
    )
    kind: Mapped[EventKind] = mapped_column(
        _enum(EventKind, "event_kind"), default=EventKind.PZK_MEETING, server_default="pzk_meeting"
    )
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Occurrences exist as Meeting rows up to here.
    materialized_until: Mapped[datetime | None]


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("series_id", "recurrence_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="CASCADE")
    )
    # The occurrence's original local start, so moving it does not make the series recreate it.
    recurrence_key: Mapped[str | None] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    # Workshops and conferences run over several days: the end is start plus duration.
    duration_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_DURATION_MINUTES)
    kind: Mapped[EventKind] = mapped_column(
        _enum(EventKind, "event_kind"), default=EventKind.PZK_MEETING, server_default="pzk_meeting"
    )
    place: Mapped[str] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    holiday: Mapped[str | None] = mapped_column(String(120))
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The attendance register is open from the start until a coordinator closes it.
    register_closed_at: Mapped[datetime | None]

    team: Mapped[Team] = relationship()
    series: Mapped[MeetingSeries | None] = relationship()
    created_by: Mapped[Member | None] = relationship()
    coached: Mapped[list[CoachedWorker]] = relationship(
        cascade="all, delete-orphan", order_by="CoachedWorker.member_id"
    )
    # Further teams whose members an event of the region invites (storage/audience.py).
    invited: Mapped[list[InvitedTeam]] = relationship(
        cascade="all, delete-orphan", order_by="InvitedTeam.team_id"
    )


class CoachedWorker(Base):
    """Who a coaching session is for: the figures say "coaching for N workers, H hours"."""

    __tablename__ = "coached_worker"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    member: Mapped[Member] = relationship()


class InvitedTeam(Base):
    """A further team an event invites (trainings, conferences...): its members get the card,
    answer, are reminded and marked in the register like the calling team's own."""

    __tablename__ = "meeting_invited_team"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    team: Mapped[Team] = relationship()


class Rsvp(Base):
    __tablename__ = "rsvp"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answer: Mapped[Answer] = mapped_column(_enum(Answer, "answer"))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingCard(Base):
    """A posted meeting card, so that its counts can be updated in place."""

    __tablename__ = "meeting_card"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class ScheduledMessage(Base):
    """One message the scheduler must send: a reminder or a digest, to one chat.

    The unique keys make "the same reminder twice" impossible to even store.
    """

    __tablename__ = "scheduled_message"
    __table_args__ = (
        UniqueConstraint("meeting_id", "chat_id", "offset_minutes", name="uq_reminder_once"),
        UniqueConstraint("team_id", "digest_date", "chat_id", name="uq_digest_once"),
        UniqueConstraint("task_id", "chat_id", "due_at", name="uq_task_reminder_once"),
        # Reminders are claimed before digests without reading past a morning's thousands
        # (alone: with an index on (state, due_at) beside it, planners took that one).
        Index("ix_scheduled_kind_due", "state", "kind", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ScheduledKind] = mapped_column(_enum(ScheduledKind, "scheduled_kind"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    offset_minutes: Mapped[int | None]
    digest_date: Mapped[str | None] = mapped_column(String(10))
    due_at: Mapped[datetime]
    state: Mapped[Delivery] = mapped_column(_enum(Delivery, "delivery"), default=Delivery.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(200))


class ConversationState(Base):
    """A multi-step dialogue in progress, kept here so restarts and standbys continue it."""

    __tablename__ = "conversation_state"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Service(Base):
    """One entry of the Lokalny Koszyk Usług: what an institution offers, to whom, how."""

    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("municipality_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique (municipality_id, key).
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institution.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(String(4000))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # slugs, see basket
    target_groups: Mapped[str | None] = mapped_column(String(1000))
    how_to_access: Mapped[str | None] = mapped_column(String(2000))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    www: Mapped[str | None] = mapped_column(String(500))
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    paid: Mapped[str | None] = mapped_column(String(100))  # as written: "bezpłatna", ...
    is_example: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Normalized municipality + institution + name: re-importing a file finds the same row.
    key: Mapped[str] = mapped_column(String(640))
    # Folded words of every searchable field; indexed by hand-written full-text objects
    # (FTS5 on SQLite, GIN on PostgreSQL) in migration 0004.
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Telegram id of who last changed it; None for the command line.
    updated_by: Mapped[int | None] = mapped_column(BigInteger)

    municipality: Mapped[Municipality] = relationship()
    institution: Mapped[Institution] = relationship()


class ServiceWord(Base):
    """A word found in some service's search text: what typos in searches are corrected to.

    Only added to (at import); a word whose services are gone is a harmless suggestion.
    """

    __tablename__ = "service_word"

    word: Mapped[str] = mapped_column(String(64), primary_key=True)


class Announcement(Base):
    """A coordinator's message to a team, a municipality or the region."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_state_send_at", "state", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    author_chat_id: Mapped[int] = mapped_column(BigInteger)
    audience: Mapped[Audience | None] = mapped_column(_enum(Audience, "audience"))
    # The team or the municipality named by `audience`; None for the region.
    audience_id: Mapped[int | None]
    text_html: Mapped[str] = mapped_column(Text, default="")
    attachment_kind: Mapped[str | None] = mapped_column(String(16))  # "photo" or "document"
    attachment_file_id: Mapped[str | None] = mapped_column(String(256))
    pin: Mapped[bool] = mapped_column(default=False, server_default=false())
    ask_read: Mapped[bool] = mapped_column(default=False, server_default=false())
    protect_content: Mapped[bool] = mapped_column(default=False, server_default=false())
    send_at: Mapped[datetime | None]
    state: Mapped[AnnouncementState] = mapped_column(
        _enum(AnnouncementState, "announcement_state"), default=AnnouncementState.DRAFT
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    read_count: Mapped[int] = mapped_column(Integer, default=0)
    # The author's status message (progress, then report), edited in place.
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    reported_reads: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    author: Mapped[Member | None] = relationship()


class AnnouncementDelivery(Base):
    """One recipient chat of an announcement; the unique key sends to a chat at most once."""

    __tablename__ = "announcement_delivery"
    __table_args__ = (
        UniqueConstraint("announcement_id", "chat_id", name="uq_announcement_chat"),
        Index("ix_announcement_delivery_due", "state", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[SendState] = mapped_column(
        _enum(SendState, "send_state"), default=SendState.PENDING
    )
    next_try_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(200))


class AnnouncementRead(Base):
    """A member confirmed reading (*Potwierdzam przeczytanie*), in a private chat or in a group."""

    __tablename__ = "announcement_read"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attendance(Base):
    """Someone who actually came to a meeting: a member, or a guest (name and institution only).

    Institution and sector are copied when marked: the figures of past meetings stay as they
    were when people change jobs, and stay countable when a member's data is erased.
    """

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_attendance_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    guest_name: Mapped[str | None] = mapped_column(String(200))
    institution_name: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(_enum(Sector, "sector"), default=Sector.OTHER)
    # How long this person took part; None: the whole event (coaching is counted per person).
    minutes: Mapped[int | None] = mapped_column(Integer)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])


class Decision(Base):
    """One decision of the minutes of a meeting."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(2000))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Task(Base):
    """An action item of a team, usually from a meeting's minutes, with an owner and a due day."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_team_state", "team_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(String(2000))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date]
    state: Mapped[TaskState] = mapped_column(_enum(TaskState, "task_state"), default=TaskState.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    team: Mapped[Team] = relationship()
    owner: Mapped[Member | None] = relationship(foreign_keys=[owner_id])


class DatePoll(Base):
    """A coordinator's question "which date suits you?" over 2-6 proposed slots."""

    __tablename__ = "date_poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    agenda: Mapped[str | None] = mapped_column(String(2000))
    state: Mapped[PollState] = mapped_column(_enum(PollState, "poll_state"), default=PollState.OPEN)
    # The meeting the chosen slot became.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    team: Mapped[Team] = relationship()
    slots: Mapped[list[PollSlot]] = relationship(
        back_populates="poll", cascade="all, delete-orphan", order_by="PollSlot.starts_at"
    )


class PollSlot(Base):
    __tablename__ = "poll_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("date_poll.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]

    poll: Mapped[DatePoll] = relationship(back_populates="slots")


class PollVote(Base):
    __tablename__ = "poll_vote"

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("poll_slot.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # yes: "pasuje", maybe: "ewentualnie", no: "nie pasuje"
    answer: Mapped[Answer] = mapped_column(_enum(Answer, "answer"))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboxUpdate(Base):
    """An update Telegram delivered, stored before Telegram is told it arrived (the next
    getUpdates offset, the webhook's 200): a crash loses none, a repeat is no new row."""

    __tablename__ = "inbox_update"
    __table_args__ = (Index("ix_inbox_unhandled", "handled_at", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The user (else the chat) whose updates are handled in order; erased with the member.
    order_key: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
    # Start-ups that found it unhandled: one that crashes the bot every time is given up.
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class FeedToken(Base):
    """A private calendar subscription link (issue 23): the member's own feed (all their
    teams' meetings) or, with `team_id`, a team's feed a coordinator made. Only the SHA-256
    of the link's secret is kept: the link is shown once, and a new one replaces it."""

    __tablename__ = "feed_token"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_feed_token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # refused by Telegram, or its outcome unknown twice
    DROPPED = "dropped"  # too late to matter (a button's answer past Telegram's limit)


class OutboxMessage(Base):
    """One request to Telegram a handler produced, written in the handler's transaction and
    sent after its commit; whatever a crash left unsent is sent from here at the next start."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "state", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    method: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What to record once sent, e.g. {"card": meeting_id}: the sent message's id is needed.
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(
        _enum(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Until then the handler that wrote the row is sending it; the sender loop keeps off.
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))


__all__ = [
    "Attendance",
    "DatePoll",
    "Decision",
    "FeedToken",
    "PollSlot",
    "PollState",
    "PollVote",
    "Task",
    "TaskState",
    "Announcement",
    "AnnouncementDelivery",
    "AnnouncementRead",
    "AnnouncementState",
    "Audience",
    "SendState",
    "Answer",
    "AuditEntry",
    "Delivery",
    "ScheduledKind",
    "ScheduledMessage",
    "Meeting",
    "MeetingCard",
    "MeetingSeries",
    "MeetingStatus",
    "Rsvp",
    "Base",
    "ConversationState",
    "InboxUpdate",
    "Institution",
    "Invitation",
    "Member",
    "Membership",
    "Municipality",
    "OutboxMessage",
    "OutboxState",
    "Role",
    "Sector",
    "Service",
    "ServiceWord",
    "Team",
    "TeamKind",
    "utcnow",
]
