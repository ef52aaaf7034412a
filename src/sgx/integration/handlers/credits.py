"""``JobKind.FULL_CREDIT``: crediting a whole invoice with Fortnox's credit action.

``PUT /3/invoices/{n}/credit`` makes the credit invoice itself and answers with the *original*,
whose ``CreditInvoiceReference`` is the new credit invoice's number. That number is Fortnox's,
from its own series, so it may differ from the SGX credit's number; it is what the SGX credit
stores as its ``fortnox_document_number``. The credit invoice is then read once, to compare its
totals with SGX's.

The action is not idempotent. Before any retry of a credit whose answer may have been lost
(``write_sent_at``), and when Fortnox refuses the action, the original is read again: a
``CreditInvoiceReference`` there means the invoice is already credited in Fortnox, and that
credit is adopted instead of crediting twice.

A "full" credit that is not the original's only credit in SGX (it credits what earlier partial
credits left) cannot use the action, which credits the whole invoice: it goes as a credit
invoice by POST, like a partial credit.
"""

from __future__ import annotations

from sgx.fortnox.errors import InvalidRequest
from sgx.fortnox.schemas import Invoice
from sgx.integration.handlers.common import TransferRefused, call, write
from sgx.integration.handlers.invoices import already_transferred, original_number, send_invoice
from sgx.integration.handlers.loading import InvoiceSnapshot, load_invoice
from sgx.integration.handlers.recording import record_transferred
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.outbox.models import TransferJob


async def transfer_full_credit(ctx: JobContext, job: TransferJob) -> JobOutcome:
    snapshot = await load_invoice(ctx, job.subject_id)
    if snapshot is None or snapshot.original is None:
        return JobOutcome(
            OutcomeKind.FAILED,
            code="credit_missing",
            message="Krediteringen eller fakturan den krediterar finns inte i SGX.",
        )
    if already_transferred(snapshot):
        return JobOutcome.done(snapshot.invoice.fortnox_document_number or "")
    try:
        if snapshot.other_credits:
            return await send_invoice(ctx, job, snapshot)
        return await credit_whole_invoice(ctx, job, snapshot)
    except TransferRefused as refusal:
        return refusal.outcome


async def credit_whole_invoice(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot
) -> JobOutcome:
    original = str(original_number(snapshot))
    if job.write_sent_at is not None:
        made = await credit_made_of(ctx, job, original)
        if made is not None:
            return await _finish(ctx, job, snapshot, made, adopted=True)
    try:
        answer = await write(
            ctx,
            job,
            "credit_invoice",
            lambda: ctx.client.invoices.credit(original),
            document=lambda invoice: invoice.credit_invoice_reference,
        )
    except InvalidRequest:
        made = await credit_made_of(ctx, job, original)
        if made is None:
            raise
        return await _finish(ctx, job, snapshot, made, adopted=True)
    made = answer.credit_invoice_reference
    if made is None:  # not what Fortnox does; look rather than guess
        made = await credit_made_of(ctx, job, original)
    if made is None:
        return JobOutcome(
            OutcomeKind.RETRY,
            code="credit_not_visible",
            message="Fortnox bekräftade krediteringen men visar ingen kreditfaktura än.",
        )
    return await _finish(ctx, job, snapshot, made, adopted=False)


async def credit_made_of(ctx: JobContext, job: TransferJob, original: str) -> str | None:
    """The credit invoice Fortnox already made of ``original``, if any."""
    current = await call(ctx, job, "get_invoice", lambda: ctx.client.invoices.get(original))
    return current.credit_invoice_reference


async def _finish(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot, made: str, *, adopted: bool
) -> JobOutcome:
    if adopted:
        await ctx.record_attempt(
            job, operation="adopt_credit", outcome="adopted", fortnox_document_number=made
        )
    credit: Invoice = await call(
        ctx,
        job,
        "get_credit_invoice",
        lambda: ctx.client.invoices.get(made),
        document=lambda invoice: invoice.document_number,
    )
    return await record_transferred(ctx, snapshot, credit)
