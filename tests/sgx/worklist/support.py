"""Arranging invoices that need attention: real invoices whose transfer job the engine's own
outcome recording marks as failed (as a handler's ``FAILED`` outcome does)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration import transfers
from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.invoicing.models import Invoice
from sgx.outbox.models import JobKind, TransferJob
from sgx.outbox.service import enqueue
from tests.builders.invoicing import Clinic, make_clinic, make_invoice

MISSING_COMPANY = "company_not_in_fortnox"
ACCOUNT_PROBLEM = "fortnox_account_problem"
PATIENT_TAKEN = "customer_number_taken"
MESSAGES = {
    PATIENT_TAKEN: "Kundnumret används redan i Fortnox av en annan kund. Kontakta SGX support.",
    MISSING_COMPANY: "Företaget finns inte i Fortnox kundregister. Lägg upp kunden i Fortnox.",
    ACCOUNT_PROBLEM: "Konto 3001 finns inte i Fortnox. Lägg upp kontot i Fortnox kontoplan.",
}


async def connected_clinic(session: AsyncSession) -> Clinic:
    return await make_clinic(session, fortnox_integration_enabled=True)


async def job_of(session: AsyncSession, invoice: Invoice) -> TransferJob:
    """The invoice's transfer job as stored now (the app may have changed it meanwhile)."""
    job = await session.scalar(
        select(TransferJob)
        .where(TransferJob.subject_id == invoice.id)
        .execution_options(populate_existing=True)
    )
    assert job is not None
    return job


async def status_of(session: AsyncSession, invoice: Invoice) -> str | None:
    status: str | None = await session.scalar(
        select(Invoice.transfer_status).where(Invoice.id == invoice.id)
    )
    return status


async def failed_invoice(session: AsyncSession, clinic: Clinic, *, cause: str) -> Invoice:
    """A company invoice whose transfer failed for ``cause``; committed."""
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, company_id=clinic.company.id, rows=[("BESOK", "1")]
    )
    await session.flush()
    job = await job_of(session, invoice)
    await transfers.record_outcome(
        session,
        job_id=job.id,
        outcome=JobOutcome(OutcomeKind.FAILED, code=cause, message=MESSAGES[cause]),
        worker="test",
    )
    await session.commit()
    return invoice


async def failed_patient_update(session: AsyncSession, clinic: Clinic) -> TransferJob:
    """A change of the clinic's patient that Fortnox's customer register refused; committed."""
    job = await enqueue(
        session, issuer_id=clinic.issuer.id, kind=JobKind.PATIENT, subject_id=clinic.patient.id
    )
    await transfers.record_outcome(
        session,
        job_id=job.id,
        outcome=JobOutcome(OutcomeKind.FAILED, code=PATIENT_TAKEN, message=MESSAGES[PATIENT_TAKEN]),
        worker="test",
    )
    await session.commit()
    return job
