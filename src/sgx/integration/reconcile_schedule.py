"""When reconciliation passes run: on a schedule per issuer, and on demand.

``schedule_due_reconciliations`` is called by the engine's sweeper (about once a minute in every
worker). For each issuer with the integration on and a live connection it keeps a
``ReconcileState``; when the state's ``next_due_at`` has come it queues a reconcile job and moves
``next_due_at`` one interval on (``Settings.fortnox_reconcile_interval_seconds``, five minutes by
default; 0 turns the schedule off). The state row is taken ``FOR UPDATE SKIP LOCKED``, so two
workers sweeping at once queue one pass, not two. A newly connected issuer gets its first pass
one interval after it is first seen.

``request_reconciliation`` is "stäm av nu" (the UI, ``sgx sync reconcile``): it makes the
issuer's waiting reconcile job due now, or queues one — there is never more than one waiting —
and wakes the workers. ``serve_issuer_now`` lets a command-line process do the issuer's due work
itself, under the issuer's lease exactly as a worker would; it returns False when a worker holds
the lease (that worker then does the work).
"""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.integration.gateway import FortnoxGateway
from sgx.integration.jobs import HANDLERS
from sgx.integration.models import ConnectionState, FortnoxConnection
from sgx.integration.reconcile import state_of
from sgx.integration.reconcile_models import ReconcileState
from sgx.integration.runner import IssuerRun, WorkerConfig
from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.outbox import leases
from sgx.outbox.leases import FREE, ClaimedLease
from sgx.outbox.models import IssuerLease, JobKind, JobStatus, TransferJob
from sgx.outbox.service import enqueue
from sgx.outbox.wakeup import announce
from sgx.settings import Settings

SessionFactory = async_sessionmaker[AsyncSession]


def interval_of(settings: Settings) -> dt.timedelta | None:
    seconds = settings.fortnox_reconcile_interval_seconds
    return dt.timedelta(seconds=seconds) if seconds > 0 else None


async def schedule_due_reconciliations(factory: SessionFactory, settings: Settings) -> int:
    """Queue a pass for every connected issuer whose time has come; returns how many."""
    every = interval_of(settings)
    if every is None:
        return 0
    now = utcnow()
    async with factory() as session:
        issuer_ids = list(
            await session.scalars(
                select(Issuer.id)
                .join(FortnoxConnection, FortnoxConnection.issuer_id == Issuer.id)
                .where(
                    Issuer.fortnox_integration_enabled.is_(True),
                    FortnoxConnection.state == ConnectionState.CONNECTED,
                )
                .order_by(Issuer.id)
            )
        )
        await _ensure_states(session, issuer_ids, first_due=now + every)
        due = list(
            await session.scalars(
                select(ReconcileState)
                .where(
                    ReconcileState.issuer_id.in_(issuer_ids),
                    or_(ReconcileState.next_due_at.is_(None), ReconcileState.next_due_at <= now),
                )
                .with_for_update(skip_locked=True)
            )
        )
        for state in due:
            await request_reconciliation(session, issuer_id=state.issuer_id)
            state.next_due_at = now + every
        await session.commit()
    return len(due)


async def _ensure_states(
    session: AsyncSession, issuer_ids: list[int], *, first_due: dt.datetime
) -> None:
    if not issuer_ids:
        return
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [
        {"issuer_id": issuer_id, "next_due_at": first_due, "full_requested": False}
        for issuer_id in issuer_ids
    ]
    await session.execute(
        insert(ReconcileState).values(rows).on_conflict_do_nothing(index_elements=["issuer_id"])
    )


async def request_reconciliation(
    session: AsyncSession, *, issuer_id: int, full: bool = False
) -> TransferJob:
    """Make a pass due now (never commits); ``full`` reads the whole list this time."""
    if full:
        (await state_of(session, issuer_id=issuer_id)).full_requested = True
    waiting = await session.scalar(
        select(TransferJob)
        .where(
            TransferJob.issuer_id == issuer_id,
            TransferJob.kind == JobKind.RECONCILE,
            TransferJob.status != JobStatus.DONE,
        )
        .order_by(TransferJob.id)
        .limit(1)
        .with_for_update()
    )
    if waiting is None:
        return await enqueue(
            session, issuer_id=issuer_id, kind=JobKind.RECONCILE, subject_id=issuer_id
        )
    if waiting.status is not JobStatus.HELD:  # a held one flows when the connection is back
        waiting.status = JobStatus.PENDING
        waiting.available_at = utcnow()
        await session.flush()
        await announce(session, issuer_id=issuer_id)
    return waiting


async def serve_issuer_now(
    factory: SessionFactory,
    gateway: FortnoxGateway,
    *,
    issuer_id: int,
    worker: str,
    lease_ttl: dt.timedelta = dt.timedelta(seconds=30),
    stopping: asyncio.Event | None = None,
) -> bool:
    """Run the issuer's due jobs here, holding its lease; False if another holds it."""
    lease = await _claim(factory, issuer_id=issuer_id, worker=worker, ttl=lease_ttl)
    if lease is None:
        return False
    config = WorkerConfig(name=worker, lease_ttl=lease_ttl, renew_every=lease_ttl / 3)
    run = IssuerRun(
        session_factory=factory,
        gateway=gateway,
        handlers=HANDLERS,
        config=config,
        lease=lease,
        stopping=stopping or asyncio.Event(),
    )
    await run.run()
    return True


async def _claim(
    factory: SessionFactory, *, issuer_id: int, worker: str, ttl: dt.timedelta
) -> ClaimedLease | None:
    now = utcnow()
    async with factory() as session:
        await leases.ensure_leases(session, issuer_ids=[issuer_id])
        lease = await session.scalar(
            select(IssuerLease)
            .where(IssuerLease.issuer_id == issuer_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if lease is None or (lease.owner not in (FREE, worker) and lease.expires_at > now):
            await session.commit()
            return None
        claimed = ClaimedLease(
            issuer_id=issuer_id, pacing=dict(lease.pacing or {}), taken_over_from=""
        )
        await session.execute(
            update(IssuerLease)
            .where(IssuerLease.issuer_id == issuer_id)
            .values(owner=worker, expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return claimed
