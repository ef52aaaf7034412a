"""``JobKind.INVOICE`` and ``JobKind.FULL_CREDIT``: an SGX invoice or credit to Fortnox.

One entry for both kinds: an invoice goes by ``handlers.invoices``, a credit (full or partial)
by ``handlers.credits``, which decides between Fortnox's linked credit invoice and a plain
negative invoice. A document already transferred is done without a call.
"""

from __future__ import annotations

from sgx.integration.handlers.common import TransferRefused
from sgx.integration.handlers.credits import transfer_credit
from sgx.integration.handlers.invoices import already_transferred, send_invoice
from sgx.integration.handlers.loading import load_invoice
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.outbox.models import TransferJob


async def transfer_document(ctx: JobContext, job: TransferJob) -> JobOutcome:
    snapshot = await load_invoice(ctx, job.subject_id, with_links=True)
    if snapshot is None or (snapshot.invoice.credit_of_id is not None and not snapshot.original):
        return JobOutcome(
            OutcomeKind.FAILED, code="invoice_missing", message="Fakturan finns inte i SGX."
        )
    if already_transferred(snapshot):
        return JobOutcome.done(snapshot.invoice.fortnox_document_number or "")
    try:
        if snapshot.original is None:
            return await send_invoice(ctx, job, snapshot)
        return await transfer_credit(ctx, job, snapshot)
    except TransferRefused as refusal:
        return refusal.outcome
