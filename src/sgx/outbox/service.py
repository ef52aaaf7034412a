"""The transfer queue's rules: record work, and move jobs between pending, held and failed.

``enqueue`` is what the rest of SGX calls, inside the transaction that makes the change it
announces (creating or crediting an invoice, editing a patient already in Fortnox)::

    invoice = ...                      # added and flushed in ``session``
    job = await enqueue(session, issuer_id=invoice.issuer_id, kind=JobKind.INVOICE,
                        subject_id=invoice.id)
    credit_job = await enqueue(session, issuer_id=..., kind=JobKind.INVOICE,
                               subject_id=credit.id, after_job_id=job.id)
    await session.commit()             # the caller's one commit: change and job together

It never commits; it wakes the workers when the caller commits (``sgx.outbox.wakeup``) and not
if the caller rolls back. ``after_job_id`` names a job that must be done first (the original
invoice's job before its credit's). The other functions here change jobs only; the invoice
statuses that go with them are set by ``sgx.integration.transfers``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.kit.clock import utcnow
from sgx.outbox.models import JobKind, JobStatus, TransferJob
from sgx.outbox.wakeup import announce


async def enqueue(
    session: AsyncSession,
    *,
    issuer_id: int,
    kind: JobKind,
    subject_id: int,
    after_job_id: int | None = None,
) -> TransferJob:
    """Record a transfer in the caller's transaction (never commits); due at once."""
    job = TransferJob(
        issuer_id=issuer_id,
        kind=kind,
        subject_id=subject_id,
        after_job_id=after_job_id,
        status=JobStatus.PENDING,
        available_at=utcnow(),
    )
    session.add(job)
    await session.flush()
    await announce(session, issuer_id=issuer_id)
    return job


async def latest_job_for(
    session: AsyncSession, *, issuer_id: int, kind: JobKind, subject_id: int
) -> TransferJob | None:
    """The newest job for a subject, e.g. to make a credit wait for its invoice's job."""
    return await session.scalar(
        select(TransferJob)
        .where(
            TransferJob.issuer_id == issuer_id,
            TransferJob.kind == kind,
            TransferJob.subject_id == subject_id,
        )
        .order_by(TransferJob.id.desc())
        .limit(1)
    )


def _locked(query: Select[Any]) -> Select[Any]:
    return (
        query.order_by(TransferJob.id)
        .with_for_update(key_share=True)  # jobs made meanwhile may still refer to these
        .execution_options(populate_existing=True)
    )


async def hold_jobs(
    session: AsyncSession, *, issuer_id: int, code: str, message: str
) -> list[TransferJob]:
    """No usable connection: every runnable job of the issuer waits for a reconnect."""
    jobs = list(
        await session.scalars(
            _locked(
                select(TransferJob).where(
                    TransferJob.issuer_id == issuer_id,
                    TransferJob.status.in_((JobStatus.PENDING, JobStatus.FAILED)),
                )
            )
        )
    )
    for job in jobs:
        job.status = JobStatus.HELD
        job.error_code = code
        job.error_message = message
    await session.flush()
    return jobs


async def release_held_jobs(
    session: AsyncSession, *, issuer_id: int, held_before: dt.datetime | None = None
) -> list[TransferJob]:
    """Held jobs of the issuer become due now (those held before ``held_before``, if given)."""
    query = select(TransferJob).where(
        TransferJob.issuer_id == issuer_id, TransferJob.status == JobStatus.HELD
    )
    if held_before is not None:
        query = query.where(TransferJob.updated_at < held_before)
    jobs = list(await session.scalars(_locked(query)))
    _make_due(jobs)
    await session.flush()
    if jobs:
        await announce(session, issuer_id=issuer_id)
    return jobs


async def retry_jobs(
    session: AsyncSession,
    *,
    issuer_id: int | None = None,
    kinds: Collection[JobKind] | None = None,
    subject_id: int | None = None,
    error_code: str | None = None,
) -> list[TransferJob]:
    """ "Försök igen": matching failed, held or backing-off jobs become due now."""
    query = select(TransferJob).where(TransferJob.status != JobStatus.DONE)
    if issuer_id is not None:
        query = query.where(TransferJob.issuer_id == issuer_id)
    if kinds is not None:
        query = query.where(TransferJob.kind.in_(list(kinds)))
    if subject_id is not None:
        query = query.where(TransferJob.subject_id == subject_id)
    if error_code is not None:
        query = query.where(TransferJob.error_code == error_code)
    jobs = list(await session.scalars(_locked(query)))
    _make_due(jobs)
    await session.flush()
    for issuer in sorted({job.issuer_id for job in jobs}):
        await announce(session, issuer_id=issuer)
    return jobs


def _make_due(jobs: list[TransferJob]) -> None:
    now = utcnow()
    for job in jobs:
        job.status = JobStatus.PENDING
        job.available_at = now
        job.error_code = ""
        job.error_message = ""
