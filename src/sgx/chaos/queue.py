"""The transfer queue as the chaos run looks at it: what is still open, and "Försök igen" for
transfers waiting out a back-off (held and failed ones are left for the checks to see)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from sgx.chaos.patience import patiently
from sgx.chaos.world import SessionFactory
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobKind, JobStatus, TransferJob
from sgx.outbox.wakeup import announce

TRANSFER_KINDS = (JobKind.INVOICE, JobKind.FULL_CREDIT, JobKind.PATIENT)


async def open_transfers(factory: SessionFactory) -> dict[JobStatus, int]:
    """Transfers not done yet, by status (pending, held, failed)."""
    return await patiently(lambda: _open_transfers(factory))


async def _open_transfers(factory: SessionFactory) -> dict[JobStatus, int]:
    async with factory() as session:
        rows = await session.execute(
            select(TransferJob.status, func.count())
            .where(TransferJob.kind.in_(TRANSFER_KINDS), TransferJob.status != JobStatus.DONE)
            .group_by(TransferJob.status)
        )
        return {status: int(count) for status, count in rows.all()}


async def hurry_backoffs(factory: SessionFactory, *, issuer_id: int | None = None) -> int:
    """Transfers waiting out a back-off become due now (held and failed ones are left alone)."""
    return await patiently(lambda: _hurry(factory, issuer_id))


async def _hurry(factory: SessionFactory, issuer_id: int | None) -> int:
    now = utcnow()
    query = update(TransferJob).where(
        TransferJob.kind.in_(TRANSFER_KINDS),
        TransferJob.status == JobStatus.PENDING,
        TransferJob.available_at > now,
    )
    if issuer_id is not None:
        query = query.where(TransferJob.issuer_id == issuer_id)
    async with factory() as session:
        issuers = list(
            await session.scalars(query.values(available_at=now).returning(TransferJob.issuer_id))
        )
        for changed in sorted(set(issuers)):
            await announce(session, issuer_id=changed)
        await session.commit()
    return len(issuers)
