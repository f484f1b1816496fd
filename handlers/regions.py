"""/region: the programme's regions with their regional centres, municipalities and admins.
Admins of everything appoint a region admin (`/region łódzkie @ania`) and dismiss one with a
button; region admins see their own regions."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import translator
from bot.permissions import Action, PermissionDenied, may_manage_regions, may_view_region
from bot.render import esc
from bot.views import buttons
from bot.views.keyboard import Keyboard
from handlers.base import Ctx
from storage import members, regions
from storage.errors import DomainError, Problem
from storage.models import Region, RegionAdmin
from storage.text import sort_key

LABEL = 28  # characters of a name on a dismiss button


async def outside_region(ctx: Ctx) -> DomainError:
    """The refusal for a region admin reaching past their regions: it names theirs."""
    names = [(await regions.get_region(ctx.session, r)).name for r in sorted(ctx.actor.regions)]
    return DomainError(Problem.OUTSIDE_REGION, region=", ".join(sorted(names)))


async def show_regions(ctx: Ctx) -> None:
    """`/region`, `/region <region>`, or `/region <region> @username` (appoint)."""
    t = ctx.t
    if not ctx.actor.is_region_admin:
        raise PermissionDenied(Action.MANAGE_REGIONS)
    if not ctx.is_private:
        ctx.reply(t._("Please look at regions in a private chat with me."))
        return
    args = ctx.args
    person = args[-1] if args and args[-1].startswith("@") else None
    reference = " ".join(args[:-1] if person else args).strip()
    if person is not None:
        await _appoint(ctx, reference, person)
        return
    if reference:
        region = await regions.find_region(ctx.session, reference)
        if not may_view_region(ctx.actor, region.id):
            raise await outside_region(ctx)
        shown = [region]
    else:
        shown = [r for r in await _sorted(ctx) if may_view_region(ctx.actor, r.id)]
    text, rows = await _listing(ctx, shown, everywhere=not reference)
    ctx.reply(text, rows)


async def _appoint(ctx: Ctx, reference: str, person: str) -> None:
    t = ctx.t
    if not may_manage_regions(ctx.actor):
        raise PermissionDenied(Action.MANAGE_REGIONS)
    if not reference:
        ctx.reply(_how_to_appoint(ctx))
        return
    region = await regions.find_region(ctx.session, reference)
    member = await members.find_by_username(ctx.session, person)
    if member is None:
        raise DomainError(Problem.PERSON_UNKNOWN, name=person)
    done = await regions.appoint(ctx.session, member.telegram_id, region, ctx.user.id)
    name, where = esc(_person(member.name, member.username)), f"<b>{esc(region.name)}</b>"
    if not done:
        ctx.reply(
            t._("{person} is already an admin of the region {region}.").format(
                person=name, region=where
            )
        )
        return
    ctx.reply(
        t._("✅ {person} is now an admin of the region {region}.").format(person=name, region=where)
    )
    theirs = translator(member.language or t.language)
    ctx.reply(
        theirs._(
            "You are now an admin of the region {region}: you can announce to its teams "
            "(/ogloszenie), see its figures (/raport) and act in its teams as a coordinator."
        ).format(region=where),
        chat_id=member.telegram_id,
    )
    text, rows = await _listing(ctx, [region], everywhere=False)
    ctx.reply(text, rows)


async def _sorted(ctx: Ctx) -> list[Region]:
    """By name as people sort them (ł after l, not after z)."""
    return sorted(await regions.list_regions(ctx.session), key=lambda r: sort_key(r.name))


def _person(name: str, username: str | None) -> str:
    return f"{name} (@{username})" if username else name


def _how_to_appoint(ctx: Ctx) -> str:
    return ctx.t._(
        "To appoint a region admin, write the region and the person's @username, e.g. "
        "<i>/region łódzkie @ania</i>. The person must have written to me before."
    )


async def _listing(ctx: Ctx, shown: list[Region], *, everywhere: bool) -> tuple[str, Keyboard]:
    """The regions with their centre, municipalities and admins; an admin of everything gets
    a dismiss button per appointment (and, with `everywhere`, the admins of every region)."""
    t = ctx.t
    manage = may_manage_regions(ctx.actor)
    appointed = await regions.admins(ctx.session)
    names = await _names(ctx, appointed)
    lines = [f"<b>{t._('Regions')}</b>"]
    rows: list[buttons.Row] = []
    if not shown:
        lines += ["", t._("No regions yet.")]
    for region in shown:
        towns = len(await regions.municipalities_of(ctx.session, region.id))
        head = f"<b>{esc(region.name)}</b>" + (f" · {esc(region.centre)}" if region.centre else "")
        theirs = [a for a in appointed if a.region_id == region.id]
        lines += [
            "",
            head,
            t.n_("{n} municipality", "{n} municipalities", towns).format(n=towns),
            _admins_line(ctx, theirs, names),
        ]
        if manage:
            rows += _dismiss_rows(ctx, theirs, names, region.name)
    if manage and everywhere:
        every = [a for a in appointed if a.region_id is None]
        if every:
            lines += [
                "",
                t._("Admins of every region: {names}").format(names=_joined(every, names)),
            ]
            rows += _dismiss_rows(ctx, every, names, t._("every region"))
        lines += ["", _how_to_appoint(ctx)]
    return "\n".join(lines), rows


async def _names(ctx: Ctx, appointed: Sequence[RegionAdmin]) -> dict[int, str]:
    found: dict[int, str] = {}
    for row in appointed:
        member = await members.find_member(ctx.session, row.telegram_id)
        found[row.telegram_id] = (
            _person(member.name, member.username) if member else str(row.telegram_id)
        )
    return found


def _joined(appointed: list[RegionAdmin], names: dict[int, str]) -> str:
    return ", ".join(esc(names[a.telegram_id]) for a in appointed)


def _admins_line(ctx: Ctx, appointed: list[RegionAdmin], names: dict[int, str]) -> str:
    if not appointed:
        return ctx.t._("Admins: none yet")
    return ctx.t._("Admins: {names}").format(names=_joined(appointed, names))


def _dismiss_rows(
    ctx: Ctx, appointed: list[RegionAdmin], names: dict[int, str], where: str
) -> list[buttons.Row]:
    rows = []
    for row in appointed:
        name = names[row.telegram_id]
        short = name if len(name) <= LABEL else name[: LABEL - 1] + "…"
        data = buttons.RegionButton("d", row.region_id or 0, row.telegram_id).pack()
        rows.append(
            [(ctx.t._("✖ Dismiss {person} ({region})").format(person=short, region=where), data)]
        )
    return rows


async def on_button(ctx: Ctx) -> None:
    button = buttons.RegionButton.unpack(ctx.query.data if ctx.query else None)
    if button.action != "d":
        raise DomainError(Problem.STALE_BUTTON)
    if not may_manage_regions(ctx.actor):
        raise PermissionDenied(Action.MANAGE_REGIONS)
    region = await regions.get_region(ctx.session, button.region_id) if button.region_id else None
    done = await regions.dismiss(ctx.session, button.telegram_id, region, ctx.user.id)
    ctx.notice(ctx.t._("Dismissed.") if done else ctx.t._("That appointment had already ended."))
    text, rows = await _listing(ctx, await _sorted(ctx), everywhere=True)
    ctx.edit(text, rows)
