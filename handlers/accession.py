"""Declarations of accession in chat: a coordinator sends the team's framework rules (Ramowy
Regulamin PZK) from /zespol, each institution of the team is asked to accept them through one
of its people, /zespol shows which have, and coordinators export the register (DOCX)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.documents import declarations_docx
from bot.i18n import Translator, translator
from bot.permissions import Action, allowed, require
from bot.refusals import refusal_text
from bot.render import esc
from bot.views import buttons
from handlers.base import Ctx
from storage import conversations, declarations, meetings, teams
from storage.declarations import Asked, Status
from storage.errors import DomainError, Problem
from storage.models import Member, Team, TeamRules

log = logging.getLogger(__name__)

RULES_FILE = "rules.file"  # waiting for the rules document: {"team_id"}
ROLE = "rules.role"  # waiting for the signer's role: {"team_id", "version"}

# Which refusals of a typed role end the question (retyping would not help).
_FINAL = frozenset(
    {
        Problem.ALREADY_DECLARED,
        Problem.STALE_BUTTON,
        Problem.RULES_MISSING,
        Problem.NOT_IN_TEAM,
        Problem.INSTITUTION_MISSING,
    }
)


@dataclass(frozen=True)
class RulesUpload:
    """A document sent as the rules, as fetch_rules found it: its bytes, or why there are
    none (too large; or None when Telegram did not hand it over)."""

    name: str
    content: bytes | None
    size: int = 0
    too_large: bool = False


async def fetch_rules(update: Update, context: ContextTypes.DEFAULT_TYPE) -> RulesUpload | None:
    """Download the rules document before the transaction (the `before` step of
    attachments). A file of the wrong kind or too large is not downloaded at all."""
    message = update.effective_message
    document = message.document if message else None
    if document is None:
        return None  # a photo: no rules file
    name = document.file_name or ""
    size = document.file_size or 0
    if PurePath(name).suffix.lower() not in declarations.RULES_SUFFIXES:
        return RulesUpload(name, b"", size)  # refused in the transaction
    if size > declarations.RULES_MAX_BYTES:
        return RulesUpload(name, None, size, too_large=True)
    try:
        file = await context.bot.get_file(document.file_id)
        if (file.file_size or 0) > declarations.RULES_MAX_BYTES:
            return RulesUpload(name, None, file.file_size or 0, too_large=True)
        content = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        log.warning("a sent rules document could not be downloaded: %s", error)
        return RulesUpload(name, None, size)
    return RulesUpload(name, content, len(content))


def _day(team: Team, moment: datetime) -> str:
    """The team's local day of a stored moment (SQLite gives it back without a zone)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(meetings.zone_of(team)).strftime("%d.%m.%Y")


def status_lines(t: Translator, team: Team, status: Status) -> list[str]:
    """For /zespol: the current version of the rules and which institutions accepted it."""
    rules = status.rules
    if rules is None:
        return []
    lines = [
        "",
        "<b>{}</b>".format(t._("Framework rules: version {version}").format(version=rules.version)),
        t.n_(
            "Accepted by {declared} of {n} institution:",
            "Accepted by {declared} of {n} institutions:",
            len(status.institutions),
        ).format(declared=status.declared),
    ]
    for entry in status.institutions:
        name = esc(entry.institution)
        if entry.declaration is not None:
            lines.append(
                "✅ "
                + t._("{institution} — version {version}, {day}").format(
                    institution=name,
                    version=entry.declaration.rules_version,
                    day=_day(team, entry.declaration.accepted_at),
                )
            )
        elif entry.earlier_version is not None:
            lines.append(
                "⏳ "
                + t._("{institution} — accepted version {version} only").format(
                    institution=name, version=entry.earlier_version
                )
            )
        else:
            lines.append("⏳ " + t._("{institution} — not yet").format(institution=name))
    return lines


async def team_rows(ctx: Ctx, team: Team, rules: TeamRules | None) -> list[buttons.Row]:
    """/zespol's buttons about the rules: coordinators send a new version and export the
    register; members get the file, and accept it when their institution has not."""
    t = ctx.t
    rows: list[buttons.Row] = []
    if allowed(ctx.actor, Action.MANAGE_RULES, team.id):
        rows.append(
            [(t._("📜 Send the framework rules"), buttons.RulesButton("u", team.id).pack())]
        )
        if rules is not None:
            rows.append(
                [
                    (
                        t._("📄 The rules"),
                        buttons.RulesButton("f", team.id, rules.version).pack(),
                    ),
                    (t._("📥 Register (DOCX)"), buttons.RulesButton("x", team.id).pack()),
                ]
            )
        return rows
    if rules is None:
        return rows
    rows.append(
        [(t._("📄 The framework rules"), buttons.RulesButton("f", team.id, rules.version).pack())]
    )
    if ctx.member is not None and allowed(ctx.actor, Action.DECLARE_ACCESSION, team.id):
        mine = await declarations.to_ask(ctx.session, team.id, rules, ctx.member.id)
        if mine:
            rows.append([_accept_button(t, team, rules, mine[0].institution)])
    return rows


def _accept_button(
    t: Translator, team: Team, rules: TeamRules, institution: str
) -> tuple[str, str]:
    label = t._("✅ I accept on behalf of {institution}").format(institution=institution)
    return label, buttons.RulesButton("a", team.id, rules.version).pack()


async def _tell_coordinators(ctx: Ctx, team: Team, institution: str, version: int) -> None:
    """Each coordinator (but the one who declared) learns it, in their language: the
    register they keep grows without them asking."""
    for coordinator in await teams.coordinators(ctx.session, team.id):
        if coordinator.telegram_id == ctx.user.id or coordinator.telegram_id is None:
            continue
        t = translator(coordinator.language)
        text = t._("{institution} has accepted version {version} of the rules of {team}.").format(
            institution=f"<b>{esc(institution)}</b>",
            version=version,
            team=f"<b>{esc(team.name)}</b>",
        )
        ctx.reply(text, chat_id=coordinator.telegram_id)


def _ask(ctx: Ctx, team: Team, rules: TeamRules, asked: Asked) -> None:
    """The question to one member, in their language, in their private chat."""
    t = translator(asked.language)
    text = (
        t._(
            "{team} asks its institutions to accept its framework rules "
            "(Ramowy Regulamin, version {version})."
        ).format(team=f"<b>{esc(team.name)}</b>", version=rules.version)
        + "\n\n"
        + t._(
            "Please read them. If you may act for {institution}, accept them on its behalf: "
            "one person per institution is enough."
        ).format(institution=f"<b>{esc(asked.institution)}</b>")
    )
    rows = [
        [(t._("📄 The framework rules"), buttons.RulesButton("f", team.id, rules.version).pack())],
        [_accept_button(t, team, rules, asked.institution)],
    ]
    protect = ctx.protect
    ctx.protect = team.protect_content
    ctx.reply(text, rows, chat_id=asked.telegram_id)
    ctx.protect = protect


async def ask_after_join(ctx: Ctx, team: Team, member: Member) -> None:
    """Someone just joined: their institution may have rules to accept."""
    rules = await declarations.current_rules(ctx.session, team.id)
    if rules is None:
        return
    for asked in await declarations.to_ask(ctx.session, team.id, rules, member.id):
        _ask(ctx, team, rules, asked)


async def on_button(ctx: Ctx) -> None:
    """`dc:u:<team>` send a new version of the rules; `dc:f:<team>:<version>` the file;
    `dc:a:<team>:<version>` accept on behalf of one's institution; `dc:x:<team>` the
    register of declarations as a DOCX."""
    button = buttons.RulesButton.unpack(ctx.query.data if ctx.query else None)
    team = await teams.get_team(ctx.session, button.team_id)
    t = ctx.t
    if button.action == "u":
        require(ctx.actor, Action.MANAGE_RULES, team.id)
        await conversations.set_pending(
            ctx.session, ctx.chat.id, ctx.user.id, RULES_FILE, {"team_id": team.id}
        )
        ctx.reply(
            t._(
                "Please send the framework rules of {team} (Ramowy Regulamin) as one PDF or "
                "DOCX file of at most 10 MB."
            ).format(team=f"<b>{esc(team.name)}</b>")
            + "\n"
            + t._(
                "Each file sent is a new version: every institution of the team is asked to "
                "accept it."
            )
        )
    elif button.action == "f":
        require(ctx.actor, Action.VIEW_TEAM, team.id)
        rules = await _shown_rules(ctx, team, button.version)
        ctx.protect = team.protect_content
        ctx.send_file(
            rules.file_name,
            rules.content,
            t._("{team}: framework rules, version {version}").format(
                team=esc(team.name), version=rules.version
            ),
        )
    elif button.action == "a":
        require(ctx.actor, Action.DECLARE_ACCESSION, team.id)
        version = buttons.given(button.version)
        institution = await _may_declare(ctx, team, version)
        await conversations.set_pending(
            ctx.session,
            ctx.chat.id,
            ctx.user.id,
            ROLE,
            {"team_id": team.id, "version": version},
        )
        ctx.reply(
            t._(
                "What is your role at {institution}? Please type it, e.g. <i>kierownik OPS</i>."
            ).format(institution=f"<b>{esc(institution)}</b>")
            + "\n"
            + t._(
                "The register of declarations keeps your name, this role, today's date and "
                "the version of the rules."
            )
        )
    elif button.action == "x":
        require(ctx.actor, Action.MANAGE_RULES, team.id)
        current = await declarations.current_rules(ctx.session, team.id)
        found = await declarations.register(ctx.session, team.id)
        content = declarations_docx(
            t,
            team.name,
            current.version if current else None,
            found,
            lambda moment: _day(team, moment),
            ctx.now().date(),
        )
        ctx.protect = team.protect_content
        ctx.send_file(
            t._("declarations") + "-" + ctx.now().strftime("%Y-%m-%d") + ".docx",
            content,
            esc(team.name),
        )
    else:
        raise DomainError(Problem.STALE_BUTTON)


async def _shown_rules(ctx: Ctx, team: Team, version: int | None) -> TeamRules:
    rules = await declarations.current_rules(ctx.session, team.id)
    if rules is None:
        raise DomainError(Problem.RULES_MISSING)
    if version is not None and version != rules.version:
        raise DomainError(Problem.STALE_BUTTON)
    return rules


async def _may_declare(ctx: Ctx, team: Team, version: int) -> str:
    """Before asking the role: the refusals `declare` would give, so nobody types for
    nothing. Returns the institution's name."""
    member = ctx.member
    if member is None or all(m.team_id != team.id for m in member.memberships):
        raise DomainError(Problem.NOT_IN_TEAM)
    if member.institution_id is None or member.institution is None:
        raise DomainError(Problem.INSTITUTION_MISSING)
    await _shown_rules(ctx, team, version)
    earlier = await declarations.declared(ctx.session, team.id, member.institution_id, version)
    if earlier is not None:
        raise DomainError(
            Problem.ALREADY_DECLARED, name=earlier.signer_name or "", at=earlier.accepted_at
        )
    return member.institution.name


async def on_rules_file(ctx: Ctx) -> None:
    """The document a coordinator sent after "Send the framework rules": a new version, and
    the question to every institution of the team."""
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != RULES_FILE:
        raise DomainError(Problem.STALE_BUTTON)
    team = await teams.get_team(ctx.session, int(pending.data["team_id"]))
    require(ctx.actor, Action.MANAGE_RULES, team.id)
    message = ctx.update.effective_message
    if message is None or message.document is None:  # a photo
        raise DomainError(Problem.RULES_FILE_INVALID, name="")
    upload = ctx.prepared if isinstance(ctx.prepared, RulesUpload) else None
    if upload is not None and upload.too_large:
        raise DomainError(Problem.RULES_FILE_INVALID, name=upload.name, size=upload.size)
    t = ctx.t
    if upload is None or upload.content is None:
        ctx.reply(t._("I could not download the file from Telegram. Please send it again."))
        return
    rules = await declarations.upload_rules(
        ctx.session, team, upload.name, upload.content, ctx.member
    )
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    asked = await declarations.to_ask(ctx.session, team.id, rules)
    ctx.reply(
        t._("Version {version} of the framework rules of {team} is saved ({file}).").format(
            version=rules.version, team=f"<b>{esc(team.name)}</b>", file=esc(rules.file_name)
        )
        + "\n"
        + t.n_(
            "I asked {n} person to accept it on behalf of their institution.",
            "I asked {n} people to accept it on behalf of their institutions.",
            len(asked),
        )
        + " "
        + t._("See who has in /zespol.")
    )
    for someone in asked:
        _ask(ctx, team, rules, someone)


async def on_role(ctx: Ctx, text: str) -> None:
    """The typed role of the person accepting: the declaration is made."""
    pending = await conversations.get_pending(ctx.session, ctx.chat.id, ctx.user.id)
    if pending is None or pending.name != ROLE:
        raise DomainError(Problem.STALE_BUTTON)
    team = await teams.get_team(ctx.session, int(pending.data["team_id"]))
    if ctx.member is None:
        raise DomainError(Problem.NOT_IN_TEAM)
    try:
        declaration = await declarations.declare(
            ctx.session, team, ctx.member, text, int(pending.data["version"]), ctx.now()
        )
    except DomainError as refusal:
        if refusal.problem not in _FINAL:
            raise  # a role to type again: the question stays
        await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
        ctx.reply(refusal_text(ctx.t, refusal))
        return
    await conversations.clear_pending(ctx.session, ctx.chat.id, ctx.user.id)
    institution = ctx.member.institution.name if ctx.member.institution else ""
    await _tell_coordinators(ctx, team, institution, declaration.rules_version)
    ctx.reply(
        ctx.t._(
            "Thank you. {institution} has accepted version {version} of the framework rules "
            "of {team}."
        ).format(
            institution=f"<b>{esc(institution)}</b>",
            version=declaration.rules_version,
            team=f"<b>{esc(team.name)}</b>",
        )
        + "\n"
        + ctx.t._("Recorded: {name}, {role}, {day}.").format(
            name=esc(declaration.signer_name or ""),
            role=esc(declaration.signer_role),
            day=_day(team, declaration.accepted_at),
        )
    )
