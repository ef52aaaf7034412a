"""Booking an invoice in Fortnox (``PUT /3/invoices/{n}/bookkeep``): the voucher on SGX's accounts.

Every transferred invoice and credit is booked when the issuer books in Fortnox ("Bokför fakturor
i Fortnox automatiskt", on by default); a transfer is done only once its document is booked. The
original of a credit is booked whatever the setting, because Fortnox credits booked invoices
only. ``bookkeep`` is not idempotent (a second one is refused): what is already booked is left
as it is, and a refusal is checked against the invoice as Fortnox holds it now, since an answer
lost on the way may have booked it already.
"""

from __future__ import annotations

from sgx.fortnox.errors import InvalidRequest
from sgx.fortnox.schemas import Invoice
from sgx.integration.handlers.common import call, write
from sgx.integration.jobs import JobContext
from sgx.outbox.models import TransferJob


async def book(
    ctx: JobContext, job: TransferJob, invoice: Invoice, *, operation: str = "bookkeep_invoice"
) -> Invoice:
    """The invoice, booked: booked now, or as it is when it is booked already."""
    if invoice.booked:
        return invoice
    number = invoice.document_number or ""
    try:
        return await write(
            ctx,
            job,
            operation,
            lambda: ctx.client.invoices.bookkeep(number),
            document=lambda booked: booked.document_number,
        )
    except InvalidRequest:
        current = await call(ctx, job, "get_invoice", lambda: ctx.client.invoices.get(number))
        if current.booked:
            return current
        raise
