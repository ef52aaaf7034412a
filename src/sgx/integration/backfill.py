"""Backfill: bringing an issuer's earlier invoices over to Fortnox, oldest first, on request.

From its go-live date an issuer's new invoices get transfer jobs by themselves; invoices dated
before it (or made before the integration was switched on) get none, so that history already
typed into Fortnox by hand is never booked twice. ``sgx sync backfill`` transfers them when
someone decides to: every invoice from ``since`` that has no transfer job yet, ordered by
invoice date and number, through the ordinary queue — the same engine, pacing, lease and
exactly-once rules as any transfer.

Jobs are queued in batches, the next batch only once the previous one has settled (done, or
failed and waiting for a person): an issuer's jobs run in id order, and a thousand queued at once
would keep today's new invoices waiting behind all of history. Stopping (Ctrl-C) queues nothing
more; what was queued is transferred anyway. Running it again picks up where it stopped, since
an invoice that has a job is never a candidate again.

A credit is a candidate when its original has a job or is an earlier candidate; it is queued
after its original's job, as a full credit when it is the original's one credit of everything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.integration.transfer_status import set_invoice_transfer_status
from sgx.integration.transfers import INVOICE_KINDS
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.outbox.models import JobKind, JobStatus, TransferJob
from sgx.outbox.service import enqueue, latest_job_for

SessionFactory = async_sessionmaker[AsyncSession]
DEFAULT_BATCH = 100


@dataclass(frozen=True)
class Candidate:
    invoice_id: int
    number: int
    invoice_date: dt.date
    credit_of_id: int | None
    full_credit: bool = False


def _without_job() -> ColumnElement[bool]:
    return ~exists(
        select(TransferJob.id).where(
            TransferJob.issuer_id == Invoice.issuer_id,
            TransferJob.subject_id == Invoice.id,
            TransferJob.kind.in_(list(INVOICE_KINDS)),
        )
    )


async def candidates(
    session: AsyncSession, *, issuer_id: int, since: dt.date, limit: int | None = None
) -> list[Candidate]:
    """Invoices from ``since`` without a transfer job, oldest first (date, then number)."""
    rows = (
        await session.scalars(
            select(Invoice)
            .where(Invoice.issuer_id == issuer_id, Invoice.invoice_date >= since, _without_job())
            .order_by(Invoice.invoice_date, Invoice.number)
        )
    ).all()
    originals = {row.id for row in rows if row.credit_of_id is None}
    credited = sorted({row.credit_of_id for row in rows if row.credit_of_id is not None})
    with_jobs = await _having_jobs(session, issuer_id, credited)
    chosen: list[Candidate] = []
    for row in rows:
        if row.credit_of_id is not None and not (
            row.credit_of_id in with_jobs or row.credit_of_id in originals
        ):
            continue  # credits an invoice that is not in Fortnox and will not be
        full = row.credit_of_id is not None and await _is_full_credit(session, row)
        chosen.append(Candidate(row.id, row.number, row.invoice_date, row.credit_of_id, full))
        if limit is not None and len(chosen) >= limit:
            break
    return chosen


async def _having_jobs(session: AsyncSession, issuer_id: int, invoice_ids: list[int]) -> set[int]:
    if not invoice_ids:
        return set()
    found = await session.scalars(
        select(TransferJob.subject_id).where(
            TransferJob.issuer_id == issuer_id,
            TransferJob.kind == JobKind.INVOICE,
            TransferJob.subject_id.in_(invoice_ids),
        )
    )
    return set(found)


async def _is_full_credit(session: AsyncSession, credit: Invoice) -> bool:
    """The original's only credit, and of everything: Fortnox's credit action fits it."""
    original = await session.get(Invoice, credit.credit_of_id)
    count = await session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.credit_of_id == credit.credit_of_id)
    )
    return original is not None and count == 1 and credit.total == -original.total


async def enqueue_candidates(
    session: AsyncSession, *, issuer_id: int, batch: Sequence[Candidate]
) -> list[int]:
    """Queue the batch in order (never commits); returns the job ids."""
    job_ids = []
    for candidate in batch:
        after = None
        if candidate.credit_of_id is not None:
            original = await latest_job_for(
                session,
                issuer_id=issuer_id,
                kind=JobKind.INVOICE,
                subject_id=candidate.credit_of_id,
            )
            after = original.id if original is not None else None
        job = await enqueue(
            session,
            issuer_id=issuer_id,
            kind=JobKind.FULL_CREDIT if candidate.full_credit else JobKind.INVOICE,
            subject_id=candidate.invoice_id,
            after_job_id=after,
        )
        await set_invoice_transfer_status(
            session, invoice_id=candidate.invoice_id, status=TransferStatus.PENDING
        )
        job_ids.append(job.id)
    return job_ids


@dataclass
class Progress:
    total: int  # candidates when the backfill started
    queued: int = 0
    done: int = 0
    failed: int = 0
    held: int = 0
    stopped: bool = False

    @property
    def settled(self) -> int:
        return self.done + self.failed


async def count_jobs(session: AsyncSession, job_ids: Sequence[int]) -> dict[JobStatus, int]:
    counts: dict[JobStatus, int] = dict.fromkeys(JobStatus, 0)
    for chunk in range(0, len(job_ids), 500):
        rows = await session.execute(
            select(TransferJob.status, func.count())
            .where(TransferJob.id.in_(list(job_ids[chunk : chunk + 500])))
            .group_by(TransferJob.status)
        )
        for status, count in rows:
            counts[JobStatus(status)] += count
    return counts


Serve = Callable[[asyncio.Event], Awaitable[object]]


@dataclass
class Backfill:
    """One run of a backfill: batch after batch until nothing is left, ``limit`` is reached
    or ``stop`` is set. ``serve`` (optional) works the issuer's queue meanwhile — the command
    line does that itself under the issuer's lease; without it, the workers do."""

    factory: SessionFactory
    issuer_id: int
    since: dt.date
    batch_size: int = DEFAULT_BATCH
    limit: int | None = None
    serve: Serve | None = None
    on_progress: Callable[[Progress], None] = lambda _progress: None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    poll_seconds: float = 0.25

    async def run(self) -> Progress:
        async with self.factory() as session:
            total = len(await candidates(session, issuer_id=self.issuer_id, since=self.since))
            await session.commit()
        progress = Progress(total=min(total, self.limit) if self.limit is not None else total)
        job_ids: list[int] = []
        while not self.stop.is_set() and not progress.held:
            left = None if self.limit is None else self.limit - progress.queued
            if left is not None and left <= 0:
                break
            batch_ids = await self._queue_batch(min(self.batch_size, left or self.batch_size))
            if not batch_ids:
                break
            job_ids += batch_ids
            progress.queued += len(batch_ids)
            await self._settle(job_ids, progress)
        progress.stopped = self.stop.is_set()
        return progress

    async def _queue_batch(self, size: int) -> list[int]:
        async with self.factory() as session:
            batch = await candidates(
                session, issuer_id=self.issuer_id, since=self.since, limit=size
            )
            job_ids = await enqueue_candidates(session, issuer_id=self.issuer_id, batch=batch)
            await session.commit()
        return job_ids

    async def _settle(self, job_ids: list[int], progress: Progress) -> None:
        """Work (or watch) until every queued job has settled, the queue is held, or stop."""
        worker = asyncio.create_task(self._work()) if self.serve is not None else None
        try:
            while True:
                await self._count(job_ids, progress)
                self.on_progress(progress)
                if progress.settled >= len(job_ids) or progress.held or self.stop.is_set():
                    return
                if worker is not None and worker.done():
                    worker = asyncio.create_task(self._work())
                await asyncio.sleep(self.poll_seconds)
        finally:
            if worker is not None:
                await worker

    async def _work(self) -> None:
        assert self.serve is not None
        if not await self.serve(self.stop):
            await asyncio.sleep(self.poll_seconds)  # a worker holds the issuer: it does the work

    async def _count(self, job_ids: list[int], progress: Progress) -> None:
        async with self.factory() as session:
            counts = await count_jobs(session, job_ids)
            await session.commit()
        progress.done = counts[JobStatus.DONE]
        progress.failed = counts[JobStatus.FAILED]
        progress.held = counts[JobStatus.HELD]
