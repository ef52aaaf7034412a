"""Recording audit events inside the caller's unit of work. Never log patient data here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    action: str,
    actor: str,
    actor_user_id: int | None = None,
    issuer_id: int | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_user_id=actor_user_id,
        issuer_id=issuer_id,
        subject=subject,
        details=details or {},
    )
    session.add(event)
    await session.flush()
    return event


async def list_issuer_events(
    session: AsyncSession, *, issuer_id: int, limit: int = 200
) -> Sequence[AuditEvent]:
    """The issuer's newest events first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.issuer_id == issuer_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()
