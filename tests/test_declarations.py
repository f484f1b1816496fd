"""Declarations of accession: the rules uploaded in versions, accepted once per institution and
version on its behalf, asked again for a new version, kept in a register that outlives the
signer's personal data."""

from __future__ import annotations

import pytest

from storage import declarations, members, personal_data, teams
from storage.db import Database
from storage.errors import DomainError, Problem
from storage.models import Role
from tests import arrange

PDF = b"%PDF-1.4 Ramowy Regulamin Partnerskiego Zespolu Kooperacyjnego"
KASIA, MAREK, OLA = 601, 602, 603  # MOPS, police, MOPS


async def _team(db: Database) -> int:
    async with db.session() as session:
        ids = await arrange.team(session)
        for telegram_id, name, institution in (
            (KASIA, "Katarzyna Nowak", arrange.MOPS),
            (MAREK, "Marek Wiśniewski", arrange.POLICE),
            (OLA, "Aleksandra Lis", arrange.MOPS),
        ):
            await arrange.person(
                session,
                ids.team_id,
                telegram_id,
                name,
                Role.MEMBER,
                ids.institution_ids[institution],
            )
    return ids.team_id


async def _member(session: object, telegram_id: int) -> members.Member:
    found = await members.find_member(session, telegram_id)  # type: ignore[arg-type]
    assert found is not None
    return found


async def test_rules_are_accepted_once_per_institution_and_version(db: Database) -> None:
    team_id = await _team(db)
    async with db.session() as session:
        team = await teams.get_team(session, team_id)
        kasia = await _member(session, KASIA)
        with pytest.raises(DomainError) as refused:
            await declarations.declare(session, team, kasia, "dyrektor", 1)
        assert refused.value.problem == Problem.RULES_MISSING
        for bad_name, content in (("regulamin.exe", PDF), ("regulamin.pdf", b"")):
            with pytest.raises(DomainError) as refused:
                await declarations.upload_rules(session, team, bad_name, content, kasia)
            assert refused.value.problem == Problem.RULES_FILE_INVALID
        first = await declarations.upload_rules(session, team, "Regulamin PZK.pdf", PDF, kasia)
        assert first.version == 1
        assert await declarations.to_declare(session, team_id, kasia) == first

        await declarations.declare(session, team, kasia, "  Dyrektor   MOPS ", 1)
        ola = await _member(session, OLA)
        # Ola works at the same MOPS: it has already joined, nobody asks her.
        assert await declarations.to_declare(session, team_id, ola) is None
        with pytest.raises(DomainError) as refused:
            await declarations.declare(session, team, ola, "kierownik", 1)
        assert refused.value.problem == Problem.ALREADY_DECLARED
        assert refused.value.details["name"] == "Katarzyna Nowak"
        marek = await _member(session, MAREK)
        with pytest.raises(DomainError) as refused:
            await declarations.declare(session, team, marek, "komendant", 2)  # not shown to him
        assert refused.value.problem == Problem.STALE_BUTTON

        status = await declarations.status(session, team_id)
        assert [(s.institution, s.declaration is not None) for s in status.institutions] == [
            (arrange.MOPS, True),
            (arrange.POLICE, False),
        ]
        assert status.institutions[0].declaration.signer_role == "Dyrektor MOPS"  # type: ignore[union-attr]

        second = await declarations.upload_rules(session, team, "regulamin-v2.docx", PDF, kasia)
        assert second.version == 2
        # A new version asks again; the MOPS declared the first one.
        assert await declarations.to_declare(session, team_id, ola) == second
        status = await declarations.status(session, team_id)
        mops = next(s for s in status.institutions if s.institution == arrange.MOPS)
        assert mops.declaration is None and mops.earlier_version == 1
        await declarations.declare(session, team, marek, "komendant", 2)
        assert len(await declarations.register(session, team_id)) == 2


async def test_the_register_keeps_a_declaration_after_the_signer_is_erased(db: Database) -> None:
    team_id = await _team(db)
    async with db.session() as session:
        team = await teams.get_team(session, team_id)
        kasia = await _member(session, KASIA)
        await declarations.upload_rules(session, team, "regulamin.pdf", PDF, kasia)
        await declarations.declare(session, team, kasia, "dyrektor", 1)
        exported = await personal_data.export(session, kasia)
        (mine,) = exported["declarations_of_accession"]
        assert (mine["institution"], mine["role"], mine["rules_version"]) == (
            arrange.MOPS,
            "dyrektor",
            1,
        )
        await personal_data.erase(session, kasia)
    async with db.session() as session:
        (kept,) = await declarations.register(session, team_id)
        assert kept.signer_name is None and kept.member_id is None
        assert (kept.institution.name, kept.signer_role) == (arrange.MOPS, "dyrektor")


async def test_only_members_of_the_team_declare(db: Database) -> None:
    team_id = await _team(db)
    async with db.session() as session:
        team = await teams.get_team(session, team_id)
        kasia = await _member(session, KASIA)
        await declarations.upload_rules(session, team, "regulamin.pdf", PDF, kasia)
        stranger = await members.ensure_member(session, 999, "Ktoś Obcy", None)
        with pytest.raises(DomainError) as refused:
            await declarations.declare(session, team, stranger, "dyrektor", 1)
        assert refused.value.problem == Problem.NOT_IN_TEAM
