"""Writing down a finished transfer: the invoice's status and Fortnox number, the original's
"Krediterad", and a difference in totals.

An invoice whose totals in Fortnox (Total, TotalVAT, RoundOff) differ from SGX's is still in
Fortnox with its number, but its status is "Osynk" with the difference in the message (code
``fortnox_totals_differ``), so that someone looks before it is paid or booked. The job is done
either way: sending it again would not change Fortnox's arithmetic.

A credit Fortnox does not link to its original (a later credit, sent as a plain negative
invoice) is marked ``fortnox_unlinked_credit``: someone must match it against the original in
Fortnox, and "Att åtgärda" says so until Fortnox shows it settled.

An original becomes "Krediterad" when nothing of it is left to credit in SGX and every credit of
it is in Fortnox.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.integration import mapping
from sgx.integration.handlers import refusals
from sgx.integration.handlers.loading import InvoiceSnapshot
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.integration.transfer_status import set_invoice_transfer_status
from sgx.invoicing import credits
from sgx.invoicing.models import Invoice, TransferStatus


async def record_transferred(
    ctx: JobContext, snapshot: InvoiceSnapshot, created: FortnoxInvoice, *, unlinked: bool = False
) -> JobOutcome:
    """``unlinked``: a credit Fortnox does not link to its original (to be matched by hand)."""
    number = created.document_number or ""
    differences = mapping.totals_differences(snapshot.invoice, created)
    described = (
        refusals.totals_differ(number, [d.describe() for d in differences]) if differences else None
    )
    async with ctx.session_factory() as session:
        stored = await set_invoice_transfer_status(
            session,
            invoice_id=snapshot.invoice.id,
            status=TransferStatus.OUT_OF_SYNC if described else TransferStatus.TRANSFERRED,
            error_code=described.code if described else None,
            message=described.message if described else None,
            fortnox_document_number=number,
        )
        if stored is not None and unlinked:
            stored.fortnox_unlinked_credit = True
        if snapshot.original is not None:
            await mark_credited_when_complete(session, original_id=snapshot.original.id)
        await session.commit()
    return JobOutcome(
        OutcomeKind.DONE,
        code=described.code if described else "",
        message=described.message if described else "",
        fortnox_document_number=number,
    )


async def mark_credited_when_complete(session: AsyncSession, *, original_id: int) -> None:
    original = await session.get(Invoice, original_id)
    if original is None:
        return
    remaining = await credits.remaining_quantities(session, original=original)
    if any(quantity > 0 for quantity in remaining.values()):
        return
    made = await credits.credits_of(session, invoice_id=original_id)
    if all(credit.fortnox_document_number for credit in made):
        await set_invoice_transfer_status(
            session, invoice_id=original_id, status=TransferStatus.CREDITED
        )
