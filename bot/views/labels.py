"""Display names of enumerations, in the reader's language."""

from __future__ import annotations

from bot.i18n import Translator
from storage.models import Answer, EventKind, Role, Sector


def sector_label(t: Translator, sector: Sector) -> str:
    return {
        Sector.SOCIAL_ASSISTANCE: t._("social assistance"),
        Sector.POLICE: t._("police"),
        Sector.COURT: t._("court"),
        Sector.EDUCATION: t._("education"),
        Sector.HEALTH: t._("health"),
        Sector.LABOUR: t._("labour office"),
        Sector.HOUSING: t._("housing"),
        Sector.SOCIAL_INSURANCE: t._("social insurance"),
        Sector.NGO: t._("NGO"),
        Sector.LOCAL_GOVERNMENT: t._("local government"),
        Sector.OTHER: t._("other"),
    }[sector]


def role_label(t: Translator, role: Role) -> str:
    return {Role.COORDINATOR: t._("coordinator"), Role.MEMBER: t._("member")}[role]


def vote_label(t: Translator, answer: Answer) -> str:
    return {
        Answer.YES: t._("suits me"),
        Answer.MAYBE: t._("if need be"),
        Answer.NO: t._("doesn't suit me"),
    }[answer]


def kind_label(t: Translator, kind: EventKind) -> str:
    """The programme's own names of its forms of support."""
    return {
        EventKind.PZK_MEETING: t._("PZK meeting"),
        EventKind.ZZK_MEETING: t._("ZZK meeting"),
        EventKind.TRAINING: t._("Cross-sector training"),
        EventKind.WORKSHOP: t._("Cooperation workshop"),
        EventKind.COACHING: t._("Coaching"),
        EventKind.CONSULTATION: t._("Consultation meeting"),
        EventKind.WORKING_GROUP: t._("Working-group meeting"),
        EventKind.CONFERENCE: t._("Conference"),
    }[kind]
