"""Audit log of coordinator and admin actions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_telegram_id: int | None,
    team_id: int | None = None,
    **details: object,
) -> None:
    session.add(
        AuditEntry(
            actor_telegram_id=actor_telegram_id,
            action=action,
            team_id=team_id,
            details=dict(details),
        )
    )
