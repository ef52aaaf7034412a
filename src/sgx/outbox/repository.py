"""Queries of the transfer queue: what is due, what comes next, when to look again, counts.

A job is *due* when it is pending (or failed and its slow retry time has come), its
``available_at`` has passed, and the job it waits for (``after_job_id``) — if any — is done. A
failed or held job therefore blocks its own dependants and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sgx.outbox.models import IssuerLease, JobStatus, TransferJob

RUNNABLE = (JobStatus.PENDING, JobStatus.FAILED)


def dependency_done() -> ColumnElement[bool]:
    before = aliased(TransferJob)
    return or_(
        TransferJob.after_job_id.is_(None),
        exists(
            select(before.id).where(
                before.id == TransferJob.after_job_id, before.status == JobStatus.DONE
            )
        ),
    )


def waiting() -> ColumnElement[bool]:
    """Runnable once its time has come (the dependency is done)."""
    return and_(TransferJob.status.in_(RUNNABLE), dependency_done())


def due(now: dt.datetime) -> ColumnElement[bool]:
    return and_(waiting(), TransferJob.available_at <= now)


def _not_in(column: Any, values: Collection[int]) -> ColumnElement[bool]:
    return not_(column.in_(list(values))) if values else true()


async def due_issuer_ids(
    session: AsyncSession, *, now: dt.datetime, exclude: Collection[int] = (), limit: int = 100
) -> list[int]:
    """Issuers with due work, the one waiting longest first."""
    rows = await session.scalars(
        select(TransferJob.issuer_id)
        .where(due(now), _not_in(TransferJob.issuer_id, exclude))
        .group_by(TransferJob.issuer_id)
        .order_by(func.min(TransferJob.available_at), TransferJob.issuer_id)
        .limit(limit)
    )
    return list(rows)


async def next_due_job(
    session: AsyncSession, *, issuer_id: int, now: dt.datetime
) -> TransferJob | None:
    """The issuer's oldest due job: jobs of an issuer run in id order.

    Read afresh even when the session already holds the job (it may have changed since).
    """
    return await session.scalar(
        select(TransferJob)
        .where(TransferJob.issuer_id == issuer_id, due(now))
        .order_by(TransferJob.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def next_wake_at(
    session: AsyncSession, *, worker: str, exclude: Collection[int] = ()
) -> dt.datetime | None:
    """When the earliest waiting job may be claimed by ``worker``: its ``available_at``, or
    the expiry of another worker's lease on its issuer if that comes later."""
    lease = aliased(IssuerLease)
    held_by_other = and_(lease.owner != "", lease.owner != worker)
    moment = case(
        (and_(held_by_other, lease.expires_at > TransferJob.available_at), lease.expires_at),
        else_=TransferJob.available_at,
    )
    value = await session.scalar(
        select(func.min(moment))
        .select_from(TransferJob)
        .outerjoin(lease, lease.issuer_id == TransferJob.issuer_id)
        .where(waiting(), _not_in(TransferJob.issuer_id, exclude))
    )
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns the raw text of an expression's value
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class IssuerCounts:
    issuer_id: int
    pending: int = 0
    held: int = 0
    failed: int = 0
    done: int = 0


@dataclass(frozen=True)
class CauseCount:
    issuer_id: int
    status: JobStatus
    error_code: str
    count: int
    example_message: str


async def counts_by_issuer(session: AsyncSession) -> list[IssuerCounts]:
    rows = await session.execute(
        select(TransferJob.issuer_id, TransferJob.status, func.count())
        .group_by(TransferJob.issuer_id, TransferJob.status)
        .order_by(TransferJob.issuer_id)
    )
    table: dict[int, dict[str, int]] = {}
    for issuer_id, status, count in rows:
        table.setdefault(issuer_id, {})[JobStatus(status).value] = count
    return [IssuerCounts(issuer_id=issuer_id, **counts) for issuer_id, counts in table.items()]


async def errors_by_cause(session: AsyncSession) -> list[CauseCount]:
    """Jobs not done that carry an error, grouped by issuer, status and stable code."""
    rows = await session.execute(
        select(
            TransferJob.issuer_id,
            TransferJob.status,
            TransferJob.error_code,
            func.count(),
            func.max(TransferJob.error_message),
        )
        .where(TransferJob.status != JobStatus.DONE, TransferJob.error_code != "")
        .group_by(TransferJob.issuer_id, TransferJob.status, TransferJob.error_code)
        .order_by(TransferJob.issuer_id, func.count().desc(), TransferJob.error_code)
    )
    return [
        CauseCount(
            issuer_id=issuer_id,
            status=JobStatus(status),
            error_code=code,
            count=count,
            example_message=message or "",
        )
        for issuer_id, status, code, count, message in rows
    ]


async def issuers_with_held_jobs(session: AsyncSession) -> list[int]:
    rows = await session.scalars(
        select(TransferJob.issuer_id)
        .where(TransferJob.status == JobStatus.HELD)
        .group_by(TransferJob.issuer_id)
        .order_by(TransferJob.issuer_id)
    )
    return list(rows)


async def count_stuck(session: AsyncSession, *, now: dt.datetime, due_since: dt.datetime) -> int:
    """Jobs due since before ``due_since`` on issuers no worker holds: nobody is serving them."""
    live = select(IssuerLease.issuer_id).where(
        IssuerLease.owner != "", IssuerLease.expires_at > now
    )
    count = await session.scalar(
        select(func.count())
        .select_from(TransferJob)
        .where(due(due_since), TransferJob.issuer_id.not_in(live))
    )
    return int(count or 0)
