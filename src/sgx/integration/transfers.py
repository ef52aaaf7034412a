"""The transfer queue as users see it: job state changes together with the invoice's status.

* ``record_outcome`` applies what a handler (or the engine) concluded about one run of a job;
* ``hold_issuer`` pauses an issuer's queue when its connection cannot be used;
* ``release_held`` lets it flow again — call it where a connection becomes usable
  (the engine's sweeper also does, once the connection or issuer changed after the hold);
* ``retry`` is "Försök igen" (one invoice, one cause, one issuer or all).

Services never commit; each returns what it changed. Statuses are the Swedish values of
``TransferStatus``; a job's ``error_code`` is a stable English code, its message Swedish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.errors import NoUsableConnection
from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.integration.models import FortnoxConnection
from sgx.integration.repository import connection_of
from sgx.integration.service import require_usable
from sgx.integration.transfer_status import set_invoice_transfer_status
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.issuers.models import Issuer
from sgx.kit.clock import utcnow
from sgx.outbox import service as outbox
from sgx.outbox.models import JobKind, JobStatus, TransferAttempt, TransferJob
from sgx.outbox.policy import DEFAULT_POLICY, RetryPolicy

INVOICE_KINDS = frozenset({JobKind.INVOICE, JobKind.FULL_CREDIT})
# Statuses a handler may have set on success that "Överförd" must not overwrite.
SETTLED = frozenset(
    {
        TransferStatus.TRANSFERRED.value,
        TransferStatus.CREDITED.value,
        TransferStatus.OUT_OF_SYNC.value,
    }
)
WAITING_AGAIN_FROM = frozenset({TransferStatus.FAILED.value, TransferStatus.PAUSED.value})


def _invoice_ids(jobs: Iterable[TransferJob]) -> list[int]:
    return sorted({job.subject_id for job in jobs if job.kind in INVOICE_KINDS})


async def _set_pending_again(session: AsyncSession, invoice_ids: Iterable[int]) -> None:
    for invoice_id in invoice_ids:
        invoice = await session.get(Invoice, invoice_id, populate_existing=True)
        if invoice is not None and invoice.transfer_status in WAITING_AGAIN_FROM:
            await set_invoice_transfer_status(
                session, invoice_id=invoice_id, status=TransferStatus.PENDING
            )


async def hold_issuer(
    session: AsyncSession,
    *,
    issuer_id: int,
    code: str,
    message: str,
    worker: str = "",
    recorded_job_id: int | None = None,
) -> list[TransferJob]:
    """Pause every runnable job of the issuer: "Pausad – ingen anslutning", never dropped.

    Each job held gets an attempt in its history, except ``recorded_job_id`` (the caller has
    recorded that one with more detail).
    """
    jobs = await outbox.hold_jobs(session, issuer_id=issuer_id, code=code, message=message)
    for job in jobs:
        if job.id == recorded_job_id:
            continue
        session.add(
            TransferAttempt(
                job_id=job.id,
                worker=worker,
                operation="connection",
                outcome="held",
                message=message,
            )
        )
    for invoice_id in _invoice_ids(jobs):
        await set_invoice_transfer_status(
            session,
            invoice_id=invoice_id,
            status=TransferStatus.PAUSED,
            error_code=code,
            message=message,
        )
    await session.flush()
    return jobs


async def release_held(
    session: AsyncSession, *, issuer_id: int, held_before: dt.datetime | None = None
) -> int:
    """The connection is usable again: held jobs become due now and the workers are woken."""
    jobs = await outbox.release_held_jobs(session, issuer_id=issuer_id, held_before=held_before)
    await _set_pending_again(session, _invoice_ids(jobs))
    return len(jobs)


async def release_if_reconnected(session: AsyncSession, *, issuer_id: int) -> int:
    """Release jobs held before the connection (or the issuer) last changed, if it is usable.

    Requiring a change since the hold keeps a job a handler held for its own reasons from
    bouncing between held and pending while nothing has happened.
    """
    issuer = await session.get(Issuer, issuer_id)
    connection = await connection_of(session, issuer_id=issuer_id)
    if issuer is None or connection is None or not issuer.fortnox_integration_enabled:
        return 0
    try:
        require_usable(connection)
    except NoUsableConnection:
        return 0
    changed = max(connection.updated_at, issuer.updated_at)
    return await release_held(session, issuer_id=issuer_id, held_before=changed)


async def retry(
    session: AsyncSession,
    *,
    issuer_id: int | None = None,
    invoice_id: int | None = None,
    cause: str | None = None,
) -> int:
    """ "Försök igen": failed, held or backing-off jobs become due now; returns how many."""
    jobs = await outbox.retry_jobs(
        session,
        issuer_id=issuer_id,
        kinds=INVOICE_KINDS if invoice_id is not None else None,
        subject_id=invoice_id,
        error_code=cause,
    )
    await _set_pending_again(session, _invoice_ids(jobs))
    return len(jobs)


async def record_outcome(
    session: AsyncSession,
    *,
    job_id: int,
    outcome: JobOutcome,
    worker: str,
    http_status: int | None = None,
    retry_now: bool = False,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> TransferJob | None:
    """Apply one run's outcome to the job, its invoice and its history."""
    # NO KEY UPDATE: a job made meanwhile may still name this one as the job it waits for.
    job = await session.get(
        TransferJob, job_id, with_for_update={"key_share": True}, populate_existing=True
    )
    if job is None:
        return None
    job.attempts += 1
    session.add(
        TransferAttempt(
            job_id=job.id,
            worker=worker,
            operation=job.kind.value,
            outcome=outcome.kind.value,
            http_status=http_status,
            fortnox_code=outcome.fortnox_code,
            fortnox_document_number=outcome.fortnox_document_number,
            message=outcome.message,
        )
    )
    if outcome.kind is OutcomeKind.HELD:
        await hold_issuer(
            session,
            issuer_id=job.issuer_id,
            code=outcome.code or "held",
            message=outcome.message,
            worker=worker,
            recorded_job_id=job.id,
        )
    elif outcome.kind is OutcomeKind.DONE:
        await _done(session, job, outcome)
    else:
        await _not_yet(session, job, outcome, retry_now=retry_now, policy=policy)
    await session.flush()
    return job


async def _done(session: AsyncSession, job: TransferJob, outcome: JobOutcome) -> None:
    now = utcnow()
    job.status = JobStatus.DONE
    job.done_at = now
    job.error_code = job.error_message = job.fortnox_code = ""
    if job.kind in INVOICE_KINDS:
        invoice = await session.get(Invoice, job.subject_id, populate_existing=True)
        if invoice is not None and invoice.transfer_status not in SETTLED:
            await set_invoice_transfer_status(
                session,
                invoice_id=invoice.id,
                status=TransferStatus.TRANSFERRED,
                fortnox_document_number=outcome.fortnox_document_number or None,
            )
    await session.execute(
        update(FortnoxConnection)
        .where(FortnoxConnection.issuer_id == job.issuer_id)
        .values(last_successful_transfer_at=now)
        .execution_options(synchronize_session=False)
    )


async def _not_yet(
    session: AsyncSession,
    job: TransferJob,
    outcome: JobOutcome,
    *,
    retry_now: bool,
    policy: RetryPolicy,
) -> None:
    now = utcnow()
    job.error_code = outcome.code
    job.error_message = outcome.message
    job.fortnox_code = outcome.fortnox_code
    if outcome.kind is OutcomeKind.RETRY:
        job.status = JobStatus.PENDING
        delay = (
            dt.timedelta(0)
            if retry_now
            else policy.backoff(job.attempts, at_least=outcome.retry_after_seconds)
        )
        job.available_at = now + delay
        await _set_pending_again(session, _invoice_ids([job]))
        return
    job.status = JobStatus.FAILED
    job.available_at = now + policy.failed_delay()
    if job.kind in INVOICE_KINDS:
        await set_invoice_transfer_status(
            session,
            invoice_id=job.subject_id,
            status=TransferStatus.FAILED,
            error_code=outcome.code,
            message=outcome.message,
        )
