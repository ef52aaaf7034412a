"""Row locks that serialise writers must not block rows that merely refer to the locked row
(PostgreSQL): an invoice being numbered and a job's outcome being recorded take ``NO KEY UPDATE``
locks, so an audit event of the issuer or a job waiting for that job can be inserted meanwhile.

With ``FOR UPDATE`` the inserts below wait for the lock (a foreign-key check takes ``KEY SHARE``),
and a credit made while a worker records an outcome deadlocked: each held the row the other's
foreign-key check needed. Each test also proves the lock is held (a ``NOWAIT`` probe is refused),
so a writer that stopped locking fails here too.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.audit import service as audit
from sgx.audit.models import AuditEvent
from sgx.integration import transfers
from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.invoicing.numbering import lock_issuer
from sgx.kit.db import create_session_factory
from sgx.outbox.models import JobKind, TransferJob
from sgx.outbox.service import enqueue
from tests.builders.invoicing import make_clinic

pytestmark = pytest.mark.postgres_only

# A blocked insert fails after this long instead of waiting for the other transaction's end.
LOCK_TIMEOUT = "SET LOCAL lock_timeout = '3s'"


async def _row_is_locked(session: AsyncSession, table: str, row_id: int) -> bool:
    """Whether another transaction holds a lock on the row that conflicts with an update:
    ``NOWAIT`` answers at once instead of waiting for it."""
    try:
        await session.execute(
            text(f"SELECT id FROM {table} WHERE id = :id FOR NO KEY UPDATE NOWAIT"), {"id": row_id}
        )
    except DBAPIError as error:
        await session.rollback()
        assert "lock" in str(error.orig).lower(), error
        return True
    await session.rollback()
    return False


async def test_an_audit_event_of_an_issuer_being_numbered_is_not_blocked(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    await session.commit()
    factory = create_session_factory(engine)

    async with factory() as numbering, factory() as other, factory() as prober:
        await lock_issuer(numbering, issuer_id=clinic.issuer.id)
        assert await _row_is_locked(prober, "issuers", clinic.issuer.id)
        await other.execute(text(LOCK_TIMEOUT))
        await audit.record(
            other, action="test.event", actor="test", issuer_id=clinic.issuer.id, subject="x"
        )
        await other.flush()  # the insert, with its foreign-key check on the issuer
        await other.commit()
        await numbering.rollback()
    events = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.event")
    assert await session.scalar(events) == 1


async def test_a_job_can_wait_for_a_job_whose_outcome_is_being_recorded(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    first = await enqueue(session, issuer_id=clinic.issuer.id, kind=JobKind.INVOICE, subject_id=1)
    await session.commit()
    factory = create_session_factory(engine)

    async with factory() as worker, factory() as invoicing, factory() as prober:
        await transfers.record_outcome(
            worker,
            job_id=first.id,
            outcome=JobOutcome(OutcomeKind.RETRY, code="test"),
            worker="worker-1",
        )
        assert await _row_is_locked(prober, "transfer_jobs", first.id)
        await invoicing.execute(text(LOCK_TIMEOUT))
        invoicing.add(
            TransferJob(
                issuer_id=clinic.issuer.id,
                kind=JobKind.INVOICE,
                subject_id=2,
                after_job_id=first.id,
            )
        )
        await invoicing.flush()  # the foreign-key check on the job being recorded
        await invoicing.commit()
        await worker.commit()
    waiting = select(TransferJob.subject_id).where(TransferJob.after_job_id == first.id)
    assert (await session.scalars(waiting)).all() == [2]
