"""Announcing invoices and credits to the transfer queue, in the transaction that creates them.

Only issuers whose integration Support has switched on get jobs, and only for invoices dated
on or after the issuer's go-live date: earlier invoices reach Fortnox only through an explicit
backfill (``sgx sync backfill``), so history typed into Fortnox by hand is never booked twice.
A credit waits for its
original's job; a credit of an invoice that never went to Fortnox has nothing to credit there,
so it gets no job. A credit of everything, made before any other credit, is a full credit (the
credit action); every other credit is a credit invoice of its own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice, TransferStatus
from sgx.outbox.models import JobKind, TransferJob
from sgx.outbox.service import enqueue, latest_job_for


async def announce_transfer(
    session: AsyncSession,
    *,
    invoice: Invoice,
    integration_enabled: bool,
    full_credit: bool,
    go_live_date: dt.date | None = None,
) -> TransferJob | None:
    if not integration_enabled:
        invoice.transfer_status = TransferStatus.NOT_ACTIVATED.value
        return None
    if go_live_date is not None and invoice.invoice_date < go_live_date:
        invoice.transfer_status = TransferStatus.NOT_ACTIVATED.value
        invoice.transfer_message = before_go_live_message(go_live_date)
        return None
    after_job_id = None
    if invoice.credit_of_id is not None:
        original_job = await latest_job_for(
            session,
            issuer_id=invoice.issuer_id,
            kind=JobKind.INVOICE,
            subject_id=invoice.credit_of_id,
        )
        if original_job is None:
            invoice.transfer_status = TransferStatus.NOT_ACTIVATED.value
            return None
        after_job_id = original_job.id
    invoice.transfer_status = TransferStatus.PENDING.value
    return await enqueue(
        session,
        issuer_id=invoice.issuer_id,
        kind=JobKind.FULL_CREDIT if full_credit else JobKind.INVOICE,
        subject_id=invoice.id,
        after_job_id=after_job_id,
    )


def before_go_live_message(go_live_date: dt.date) -> str:
    return (
        f"Fakturan är daterad före startdagen för Fortnox ({go_live_date.isoformat()}) och "
        "överförs bara om den tas med i en efterregistrering av tidigare fakturor."
    )
