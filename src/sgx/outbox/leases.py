"""Per-issuer leases: which worker talks to an issuer's Fortnox tenant right now.

A worker claims the leases of issuers with due work in one short transaction: the lease rows
are created on demand (``INSERT … ON CONFLICT DO NOTHING``), then the free or expired ones are
selected ``FOR UPDATE SKIP LOCKED`` — so that workers claiming at the same moment pass over each
other's rows instead of queueing behind them — and stamped with the worker's name and an expiry.
The holder renews while it works and releases when the issuer has nothing due; a lease that is
not renewed (a worker killed, a machine gone) expires and is taken over. A renewal that finds
the row no longer ours tells the worker to stop at once.

On SQLite ``FOR UPDATE`` is not rendered; every transaction there begins with
``BEGIN IMMEDIATE`` and so excludes other claimers anyway. The lease carries the tenant's recent
request times (``pacing``) from one holder to the next. No function here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.outbox import repository
from sgx.outbox.models import IssuerLease, TransferJob

FREE = ""  # the owner of a lease nobody holds


@dataclass(frozen=True)
class ClaimedLease:
    issuer_id: int
    pacing: dict[str, Any]
    taken_over_from: str  # the previous owner whose lease had expired, or ""


async def ensure_leases(session: AsyncSession, *, issuer_ids: Collection[int]) -> None:
    """Create the missing lease rows (free) of these issuers."""
    if not issuer_ids:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    rows = [
        {"issuer_id": issuer_id, "owner": FREE, "expires_at": epoch, "pacing": {}}
        for issuer_id in sorted(issuer_ids)
    ]
    await session.execute(
        insert(IssuerLease).values(rows).on_conflict_do_nothing(index_elements=["issuer_id"])
    )


async def claim_leases(
    session: AsyncSession,
    *,
    worker: str,
    now: dt.datetime,
    ttl: dt.timedelta,
    limit: int,
    exclude: Collection[int] = (),
) -> list[ClaimedLease]:
    """Take up to ``limit`` leases of issuers with due work, the longest-waiting first."""
    if limit < 1:
        return []
    candidates = await repository.due_issuer_ids(
        session, now=now, exclude=exclude, limit=max(limit * 4, 16)
    )
    if not candidates:
        return []
    await ensure_leases(session, issuer_ids=candidates)
    oldest_due = (
        select(func.min(TransferJob.available_at))
        .where(TransferJob.issuer_id == IssuerLease.issuer_id, repository.due(now))
        .scalar_subquery()
    )
    leases = list(
        await session.scalars(
            select(IssuerLease)
            .where(
                IssuerLease.issuer_id.in_(candidates),
                or_(IssuerLease.owner == FREE, IssuerLease.expires_at <= now),
            )
            .order_by(oldest_due, IssuerLease.issuer_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )
    claimed = []
    for lease in leases:
        claimed.append(
            ClaimedLease(
                issuer_id=lease.issuer_id,
                pacing=dict(lease.pacing or {}),
                taken_over_from=lease.owner if lease.owner not in (FREE, worker) else "",
            )
        )
        lease.owner = worker
        lease.expires_at = now + ttl
    await session.flush()
    return claimed


async def renew_lease(
    session: AsyncSession,
    *,
    issuer_id: int,
    worker: str,
    now: dt.datetime,
    ttl: dt.timedelta,
    pacing: dict[str, Any] | None = None,
) -> bool:
    """Extend our lease (and save the pacing); False when it is no longer ours."""
    values: dict[str, Any] = {"expires_at": now + ttl}
    if pacing is not None:
        values["pacing"] = pacing
    result = await session.execute(
        update(IssuerLease)
        .where(IssuerLease.issuer_id == issuer_id, IssuerLease.owner == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def release_lease(
    session: AsyncSession,
    *,
    issuer_id: int,
    worker: str,
    now: dt.datetime,
    pacing: dict[str, Any] | None = None,
) -> bool:
    """Give the lease back (keeping the pacing for the next holder); False if not ours."""
    values: dict[str, Any] = {"owner": FREE, "expires_at": now}
    if pacing is not None:
        values["pacing"] = pacing
    result = await session.execute(
        update(IssuerLease)
        .where(IssuerLease.issuer_id == issuer_id, IssuerLease.owner == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def expire_leases(session: AsyncSession, *, now: dt.datetime) -> list[tuple[int, str]]:
    """Free the leases whose holder stopped renewing; returns (issuer id, former owner)."""
    rows = await session.execute(
        select(IssuerLease.issuer_id, IssuerLease.owner)
        .where(and_(IssuerLease.owner != FREE, IssuerLease.expires_at <= now))
        .with_for_update(skip_locked=True)
    )
    expired = [(issuer_id, owner) for issuer_id, owner in rows]
    if expired:
        await session.execute(
            update(IssuerLease)
            .where(IssuerLease.issuer_id.in_([issuer_id for issuer_id, _ in expired]))
            .values(owner=FREE)
            .execution_options(synchronize_session=False)
        )
    return expired


async def lease_of(session: AsyncSession, *, issuer_id: int) -> IssuerLease | None:
    return await session.get(IssuerLease, issuer_id, populate_existing=True)
