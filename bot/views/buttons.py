"""Callback data: one frozen dataclass per kind of button, packed as `prefix:field:field` within
Telegram's 64 bytes and unpacked defensively (it can be forged), as aiogram's `CallbackData`.

Every kind of button of the bot is declared in this module; `CALLBACKS` in bot/application.py
routes by the first part of the prefix. Buttons already sent in chats carry this wire format:
a kind may only grow trailing fields with defaults (which older buttons lack).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar

from storage.errors import DomainError, Problem

MAX_CALLBACK_BYTES = 64

# (name, int or str, required) for each field of a kind, in wire order.
Spec = tuple[tuple[str, type, bool], ...]


class Button:
    """A kind of button: a frozen dataclass subclass with `prefix="xx"`, or a compound "xx:a"
    when one first part carries several shapes. Fields are int or str (`| None` allowed);
    trailing fields with a default may be absent on the wire, and a None is not written."""

    prefix: ClassVar[str]
    kinds: ClassVar[list[type[Button]]] = []
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]  # @dataclass on each kind
    # Resolved on first use: @dataclass runs after __init_subclass__.
    _spec: ClassVar[Spec | None] = None

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = prefix
        cls._spec = None
        Button.kinds.append(cls)

    @classmethod
    def spec(cls) -> Spec:
        if cls._spec is None:
            hints = typing.get_type_hints(cls)
            spec = []
            for field in dataclasses.fields(cls):
                hint = hints[field.name]  # int, str, or either `| None`
                kind = next(k for k in typing.get_args(hint) or (hint,) if k is not type(None))
                if kind not in (int, str):
                    raise TypeError(f"{cls.__name__}.{field.name}: only int and str go on the wire")
                spec.append((field.name, kind, field.default is dataclasses.MISSING))
            cls._spec = tuple(spec)
        return cls._spec

    def pack(self) -> str:
        values = [self.prefix]
        for name, _kind, _required in self.spec():
            value = getattr(self, name)
            if value is None:  # an absent trailing field
                break
            text = str(value)
            if ":" in text:
                raise ValueError(f"':' in the callback field {name}: {text!r}")
            values.append(text)
        packed = ":".join(values)
        if len(packed.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def matches(cls, raw: str | None) -> bool:
        """Whether `raw` carries this kind's prefix (its fields unchecked)."""
        head = cls.prefix.split(":")
        return (raw or "").split(":")[: len(head)] == head

    @classmethod
    def unpack(cls, raw: str | None) -> Self:
        """The button `raw` stands for, or a 'stale button' refusal for anything malformed."""
        if not cls.matches(raw):
            raise DomainError(Problem.STALE_BUTTON)
        items = (raw or "").split(":")[len(cls.prefix.split(":")) :]
        spec = cls.spec()
        if not sum(required for *_, required in spec) <= len(items) <= len(spec):
            raise DomainError(Problem.STALE_BUTTON)
        values: dict[str, object] = {}
        for (name, kind, _required), item in zip(spec, items, strict=False):
            if not item:
                raise DomainError(Problem.STALE_BUTTON)
            try:
                values[name] = int(item) if kind is int else item
            except ValueError:
                raise DomainError(Problem.STALE_BUTTON) from None
        return cls(**values)


T = TypeVar("T")
B1 = TypeVar("B1", bound=Button)
B2 = TypeVar("B2", bound=Button)
B3 = TypeVar("B3", bound=Button)
B4 = TypeVar("B4", bound=Button)
B5 = TypeVar("B5", bound=Button)


# Overloads, so that the handler's isinstance checks narrow to the kinds it passed.
@typing.overload
def unpack_any(raw: str | None, a: type[B1], b: type[B2], /) -> B1 | B2: ...
@typing.overload
def unpack_any(raw: str | None, a: type[B1], b: type[B2], c: type[B3], /) -> B1 | B2 | B3: ...
@typing.overload
def unpack_any(
    raw: str | None, a: type[B1], b: type[B2], c: type[B3], d: type[B4], e: type[B5], /
) -> B1 | B2 | B3 | B4 | B5: ...
def unpack_any(raw: str | None, *kinds: type[Button]) -> Button:
    """The one of `kinds` whose prefix `raw` carries; the longest wins ("ob:m" before "ob")."""
    for kind in sorted(kinds, key=lambda k: -k.prefix.count(":")):
        if kind.matches(raw):
            return kind.unpack(raw)
    raise DomainError(Problem.STALE_BUTTON)


def prefix_of(raw: str | None) -> str:
    """The first part of callback data: what `CALLBACKS` routes by."""
    return (raw or "").split(":")[0]


def given(value: T | None) -> T:
    """An optional field that this action needs: absent means a forged or broken button."""
    if value is None:
        raise DomainError(Problem.STALE_BUTTON)
    return value


# A page number -> the callback data of the button that shows that page.
PageData = Callable[[int], str]


# -- the kinds, by the first part of their prefix (the key in CALLBACKS) ----------------------


# Meetings: the card, the list, calling and managing one.
@dataclass(frozen=True)
class AnswerButton(Button, prefix="rv"):
    meeting_id: int
    code: str  # y, m, n
    sequence: int | None = None  # the meeting's version the card showed


@dataclass(frozen=True)
class CalendarButton(Button, prefix="ic"):
    meeting_id: int


@dataclass(frozen=True)
class AttendeesButton(Button, prefix="at"):
    meeting_id: int


@dataclass(frozen=True)
class NudgeButton(Button, prefix="nd"):
    meeting_id: int


@dataclass(frozen=True)
class MeetingButton(Button, prefix="mt"):
    meeting_id: int


@dataclass(frozen=True)
class MeetingsPage(Button, prefix="sp"):
    offset: int


@dataclass(frozen=True)
class ManageButton(Button, prefix="mg"):
    meeting_id: int
    action: str | None = None  # t, p, a, c, cx, e, wd; none: the menu
    sequence: int | None = None  # cx: the version the cancel was asked about


@dataclass(frozen=True)
class NewMeetingButton(Button, prefix="nm"):
    action: str  # t (team_id), tp (page), ok, alt, chg, na
    number: int | None = None


@dataclass(frozen=True)
class HolidayChoice(Button, prefix="nm:h"):
    meeting_id: int
    choice: str  # wd, keep, drop


@dataclass(frozen=True)
class RepeatChoice(Button, prefix="nm:r"):
    preset: str  # once or a Preset


@dataclass(frozen=True)
class MeetingsOf(Button, prefix="ms"):
    scope: str  # m (municipality), t (team); n, q: a municipality's teams, to call or to list
    target_id: int
    page: int  # an offset for m and t


@dataclass(frozen=True)
class MunicipalitiesPage(Button, prefix="ms:p"):
    purpose: str  # l (list), n (call)
    page: int


# The register of attendance.
@dataclass(frozen=True)
class RegisterButton(Button, prefix="ob"):
    action: str  # s, x, add; v, cl, op with `everyone`
    meeting_id: int
    everyone: int | None = None  # 1: all members shown
    page: int | None = None  # v: absent on buttons sent before pages


@dataclass(frozen=True)
class RegisterMark(Button, prefix="ob:m"):
    meeting_id: int
    member_id: int
    present: int
    everyone: int
    page: int = 0  # absent on buttons sent before pages


@dataclass(frozen=True)
class RegisterGuest(Button, prefix="ob:g"):
    meeting_id: int
    attendance_id: int
    everyone: int
    page: int = 0  # absent on buttons sent before pages


# Minutes and tasks.
@dataclass(frozen=True)
class MinutesButton(Button, prefix="mn"):
    action: str  # o (member), op (page), d and x (task), ud (decision), p (meeting)
    target_id: int
    where: str | None = None  # d: "l" when pressed in the /zadania list


# Date polls.
@dataclass(frozen=True)
class PollButton(Button, prefix="pl"):
    action: str  # t (team_id); c, x, xx (poll_id)
    target_id: int


@dataclass(frozen=True)
class PollVote(Button, prefix="pl:v"):
    slot_id: int
    code: str  # y, m, n


@dataclass(frozen=True)
class PollPage(Button, prefix="pl:p"):
    poll_id: int
    page: int


@dataclass(frozen=True)
class PollCall(Button, prefix="pl:m"):
    poll_id: int
    slot_id: int


@dataclass(frozen=True)
class PollResults(Button, prefix="pl:r"):
    poll_id: int
    edit: str | None = None  # "e": Refresh on the results, which edits them


# Announcements.
@dataclass(frozen=True)
class AnnouncementButton(Button, prefix="an"):
    action: str  # r, c (announcement); a draft's control, am, at and ar (with a page)
    target_id: int
    page: int | None = None


@dataclass(frozen=True)
class AudienceChoice(Button, prefix="an:a"):
    draft_id: int
    audience: str  # an Audience
    audience_id: int  # 0: none


@dataclass(frozen=True)
class RemindReaders(Button, prefix="an:rem"):
    announcement_id: int
    where: str  # r: the author's report, h: /ogloszenia


# Teams, members, invitations, groups, new teams.
@dataclass(frozen=True)
class TeamMembers(Button, prefix="tm"):
    team_id: int


@dataclass(frozen=True)
class TeamPolicy(Button, prefix="tp"):
    team_id: int
    setting: str | None = None  # f (forwarding), l (language); none: who calls meetings


@dataclass(frozen=True)
class MemberButton(Button, prefix="mb"):
    action: str  # v, c, m, r, rx
    membership_id: int


@dataclass(frozen=True)
class InviteButton(Button, prefix="iv"):
    action: str  # t, r, l, X (team_id); x (invitation_id); p (page)
    target_id: int
    role: str | None = None  # r: m or c


@dataclass(frozen=True)
class LinkButton(Button, prefix="ln"):
    team_id: int


@dataclass(frozen=True)
class LinkPage(Button, prefix="ln:p"):
    page: int


@dataclass(frozen=True)
class NewTeamButton(Button, prefix="nz"):
    action: str  # d; m (municipality_id), p (page)
    number: int | None = None


@dataclass(frozen=True)
class TeamKindChoice(Button, prefix="nz:k"):
    municipality_id: int
    kind: str  # a TeamKind


# Joining, language, privacy, help.
@dataclass(frozen=True)
class JoinButton(Button, prefix="j"):
    action: str  # i (institution_id), pg (page), new
    number: int | None = None


@dataclass(frozen=True)
class SectorChoice(Button, prefix="j:s"):
    sector: str  # a Sector


@dataclass(frozen=True)
class LanguageButton(Button, prefix="lg"):
    language: str


@dataclass(frozen=True)
class ErasureButton(Button, prefix="pd"):
    action: str  # no


@dataclass(frozen=True)
class ErasureYes(Button, prefix="pd:yes"):
    token: str  # the question's, one-time


@dataclass(frozen=True)
class HelpButton(Button, prefix="hp"):
    action: str  # t (with a topic), b, p, x
    topic: str | None = None


# Reminders.
@dataclass(frozen=True)
class ReminderButton(Button, prefix="rm"):
    action: str  # d (with minutes), a, g, m, v, all
    team_id: int | None = None  # the team whose screen it is; absent on old rm:all
    minutes: int | None = None


# The service basket. `kq:<offset>:<query>` is built by hand: the query may hold ':'.
@dataclass(frozen=True)
class ServiceButton(Button, prefix="kd"):
    service_id: int


@dataclass(frozen=True)
class CategoryPage(Button, prefix="kc"):
    slug: str
    offset: int


# A keyboard taller than this does not fit a phone screen above the keyboard.
MAX_ROWS = 6

Row = list[tuple[str, str]]


def grid(items: list[tuple[str, str]], per_row: int) -> list[Row]:
    """Short labels side by side: fewer rows."""
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


def page_row(count: int, size: int, page: int, data: PageData) -> Row:
    """ "‹ 1–4" / "9–12 ›": buttons to the neighbouring pages of `count` items, `size` a page,
    each with callback data `data(page)`; empty when everything fits one page."""

    def span(p: int) -> str:
        first, last = p * size + 1, min(count, (p + 1) * size)
        return f"{first}–{last}" if last > first else str(first)

    row: Row = []
    if page > 0:
        row.append((f"‹ {span(page - 1)}", data(page - 1)))
    if (page + 1) * size < count:
        row.append((f"{span(page + 1)} ›", data(page + 1)))
    return row


def paged(
    items: list[tuple[str, str]], page: int, data: PageData, per_row: int = 1, rows: int = 5
) -> list[Row]:
    """One page of `items` (`rows` rows of `per_row`) and, when they do not fit one page, a
    row to the neighbouring pages with callback data `data(page)`. A page out of range
    (the list shrank since) shows the nearest one."""
    size = rows * per_row
    page = min(max(page, 0), max(0, (len(items) - 1) // size))
    nav = page_row(len(items), size, page, data)
    return grid(items[page * size : (page + 1) * size], per_row) + ([nav] if nav else [])


# Kinds of events in /nowe: the kind, the coached workers; a present person's own time.
@dataclass(frozen=True)
class EventKindChoice(Button, prefix="ek"):
    kind: str  # an EventKind value


@dataclass(frozen=True)
class CoachedPick(Button, prefix="ek:w"):
    member_id: int  # 0: only turn the page
    page: int = 0


@dataclass(frozen=True)
class CoachedDone(Button, prefix="ek:d"):
    team_id: int  # the team being called for: a button of another /nowe is stale


@dataclass(frozen=True)
class RegisterHours(Button, prefix="oh"):
    meeting_id: int
    member_id: int | None = None  # none or 0: choose whose time
    page: int | None = None  # of that choice


# Declarations of accession: the team's framework rules and who accepted them.
@dataclass(frozen=True)
class RulesButton(Button, prefix="dc"):
    action: str  # u: send a new version, f: the file, a: accept, x: export the register
    team_id: int
    version: int | None = None  # of the rules shown: a newer upload makes the button stale


# Regions (/region).
@dataclass(frozen=True)
class RegionButton(Button, prefix="rg"):
    action: str  # d: dismiss the admin `telegram_id` of the region (0: of every region)
    region_id: int
    telegram_id: int


# Calendar subscription feeds (/kalendarz; a team's from /zespol): a new link, the old stops.
@dataclass(frozen=True)
class FeedLink(Button, prefix="fl"):
    team_id: int = 0  # 0: the member's own feed of all their teams
    renew: int = 1  # 1: a new link (the old one stops working); 0: show (made if none yet)


# Events of the region in /nowe: "Invite other teams", a toggle per team within reach, "Done".
@dataclass(frozen=True)
class InvitedPick(Button, prefix="it"):
    team_id: int  # 0: only open the list or turn its page
    page: int = 0


@dataclass(frozen=True)
class InvitedDone(Button, prefix="it:d"):
    team_id: int  # the team being called for: a button of another /nowe is stale
