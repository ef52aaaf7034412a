"""Invoices and credits are announced to the transfer queue in the transaction creating them."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice
from sgx.outbox.models import JobKind, TransferJob
from tests.builders.invoicing import make_clinic, make_credit, make_invoice


async def _jobs(session: AsyncSession) -> list[TransferJob]:
    return list(await session.scalars(select(TransferJob).order_by(TransferJob.id)))


async def test_invoice_of_an_issuer_without_integration_gets_no_job(session: AsyncSession) -> None:
    clinic = await make_clinic(session)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    await session.commit()
    assert invoice.transfer_status == "Ej aktiverad"
    assert await _jobs(session) == []


async def test_invoice_of_an_active_issuer_is_queued_with_it(session: AsyncSession) -> None:
    clinic = await make_clinic(session, fortnox_integration_enabled=True)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "1")]
    )
    await session.commit()
    [job] = await _jobs(session)
    assert (job.kind, job.subject_id, job.issuer_id) == (
        JobKind.INVOICE,
        invoice.id,
        clinic.issuer.id,
    )
    assert invoice.transfer_status == "Väntar på överföring"


async def test_full_credit_waits_for_the_invoice_and_uses_the_credit_action(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session, fortnox_integration_enabled=True)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "2")]
    )
    credit = await make_credit(session, invoice=invoice)
    await session.commit()
    invoice_job, credit_job = await _jobs(session)
    assert credit_job.kind is JobKind.FULL_CREDIT
    assert credit_job.subject_id == credit.id
    assert credit_job.after_job_id == invoice_job.id


async def test_partial_credits_and_the_remainder_are_credit_invoices(
    session: AsyncSession,
) -> None:
    clinic = await make_clinic(session, fortnox_integration_enabled=True)
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "2")]
    )
    await make_credit(session, invoice=invoice, rows=[(invoice.rows[0].id, "1")])
    await make_credit(session, invoice=invoice)  # the remainder, after a partial credit
    await session.commit()
    kinds = [job.kind for job in await _jobs(session)]
    assert kinds == [JobKind.INVOICE, JobKind.INVOICE, JobKind.INVOICE]


async def test_rejected_invoice_leaves_no_job(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    clinic = await make_clinic(session, fortnox_integration_enabled=True)
    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        headers=clinic.headers,
        json={"patient_id": clinic.patient.id, "rows": [{"article_code": "NOPE", "quantity": "1"}]},
    )
    assert response.status_code == 422
    assert await session.scalar(select(func.count()).select_from(TransferJob)) == 0
    assert await session.scalar(select(func.count()).select_from(Invoice)) == 0
