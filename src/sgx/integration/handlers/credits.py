"""Credits to Fortnox: every SGX credit becomes a credit invoice Fortnox links to the original.

Fortnox makes a linked credit invoice only with its credit action, and only of a booked invoice
not credited before (its support article "Skapa kreditfaktura"). So the first credit of an
invoice (the lowest SGX id among its credits) goes in up to four steps:

1. the original is booked when it is not (whatever the issuer's setting);
2. ``PUT /3/invoices/{original}/credit`` — Fortnox credits the whole invoice, answers with the
   original, and names the new credit invoice (a number of Fortnox's own) in
   ``CreditInvoiceReference``;
3. ``PUT /3/invoices/{credit}`` — SGX's dates and the credit's own SGX reference
   (``ExternalInvoiceReference1``, which marks the credit invoice as SGX's), and for a partial
   credit SGX's rows, as Fortnox's support article describes a partial credit;
4. ``PUT /3/invoices/{credit}/bookkeep`` when the issuer books in Fortnox.

Fortnox refuses the credit action on an invoice credited before, and offers no other way to link
a credit: a later credit of the same invoice goes as a plain negative invoice
(``handlers.invoices.send_invoice``) that names the original, as the WooCommerce Fortnox Hub
sends a later refund. Fortnox neither links nor settles it, so SGX marks the credit for someone
to match against the original in Fortnox.

None of the steps is idempotent at Fortnox. When an earlier run may have sent a write
(``write_sent_at``), or Fortnox refuses the credit action, the original is read first: its
``CreditInvoiceReference`` names a credit invoice already made. That invoice is SGX's when it
carries the credit's SGX reference (step 3 done) or — when this job may have made it — when it
is still as the action left it: unbooked, with the original's reference or none. The steps then
go on from where Fortnox is; the credit action is never sent twice. A credit invoice made in
Fortnox by someone else is adopted, untouched, for a full credit (it credits the same) and
refused for a partial one (a person decides).
"""

from __future__ import annotations

from dataclasses import dataclass

from sgx.fortnox.errors import FortnoxError, InvalidRequest, NotFound
from sgx.fortnox.schemas import Invoice
from sgx.integration import mapping
from sgx.integration.handlers import refusals
from sgx.integration.handlers.accounts import explain_account_error, is_account_error
from sgx.integration.handlers.articles import ensure_articles
from sgx.integration.handlers.booking import book
from sgx.integration.handlers.common import call, refuse, write
from sgx.integration.handlers.invoices import LOOKED_UP_AGAIN, original_number, send_invoice
from sgx.integration.handlers.loading import InvoiceSnapshot
from sgx.integration.handlers.recording import record_transferred
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.integration.links import LinkKind
from sgx.outbox.models import JobKind, TransferJob


@dataclass(frozen=True)
class CreditInFortnox:
    invoice: Invoice
    ours: bool  # made by SGX (False: made by hand in Fortnox and adopted as it is)


class CreditNotVisible(Exception):
    """Fortnox confirmed the credit action but names no credit invoice (not what it does)."""


async def transfer_credit(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot
) -> JobOutcome:
    credited = original_number(snapshot)
    assert credited is not None  # a credit has an original
    if not is_first_credit(snapshot):
        return await send_invoice(ctx, job, snapshot)
    try:
        return await _linked_credit(ctx, job, snapshot, credited)
    except CreditNotVisible:
        return JobOutcome(
            OutcomeKind.RETRY,
            code="credit_not_visible",
            message="Fortnox bekräftade krediteringen men visar ingen kreditfaktura än.",
        )
    except FortnoxError as error:
        if is_account_error(error):
            return await explain_account_error(ctx, job, snapshot.invoice, error)
        raise


def is_first_credit(snapshot: InvoiceSnapshot) -> bool:
    """The credit Fortnox links: the original's first credit in SGX."""
    return all(other.id > snapshot.invoice.id for other in snapshot.other_credits)


async def _linked_credit(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot, credited: int
) -> JobOutcome:
    # Only an earlier run can have made the credit; this run's own writes come after this.
    resumed = job.write_sent_at is not None
    books = snapshot.issuer.book_invoices_in_fortnox
    original: Invoice | None = None
    made: CreditInFortnox | None = None
    if resumed or not books:
        # After a write of an earlier run, or when invoices are left unbooked (the action would
        # be refused), see first where Fortnox is.
        original = await _read_original(ctx, job, credited)
        made = await _made_already(ctx, job, snapshot, original, ours_possible=resumed)
    if made is None:
        made = await _credit_action(ctx, job, snapshot, credited, original, resumed=resumed)
    credit = made.invoice
    if made.ours:
        if not _carries_our_changes(credit, snapshot):
            credit = await _set_to_sgx_credit(ctx, job, snapshot, credit, credited)
        if books:
            credit = await book(ctx, job, credit, operation="bookkeep_credit_invoice")
    return await record_transferred(ctx, snapshot, credit)


async def _read_original(ctx: JobContext, job: TransferJob, credited: int) -> Invoice:
    return await call(ctx, job, "get_invoice", lambda: ctx.client.invoices.get(str(credited)))


async def _credit_action(
    ctx: JobContext,
    job: TransferJob,
    snapshot: InvoiceSnapshot,
    credited: int,
    original: Invoice | None,
    *,
    resumed: bool,
) -> CreditInFortnox:
    if original is not None and not original.booked:
        await book(ctx, job, original, operation="bookkeep_original")
    try:
        answer = await _send_credit_action(ctx, job, credited)
    except InvalidRequest:
        # Not booked, or credited already (perhaps by an answer that was lost): look.
        original = await _read_original(ctx, job, credited)
        made = await _made_already(ctx, job, snapshot, original, ours_possible=resumed)
        if made is not None:
            return made
        if original.booked or original.cancelled:
            raise
        await book(ctx, job, original, operation="bookkeep_original")
        answer = await _send_credit_action(ctx, job, credited)
    number = answer.credit_invoice_reference
    if number is None:  # not what Fortnox does; look rather than guess
        made = await _made_already(
            ctx, job, snapshot, await _read_original(ctx, job, credited), ours_possible=True
        )
        if made is None:
            raise CreditNotVisible()
        return made
    return CreditInFortnox(Invoice(document_number=number), ours=True)


async def _send_credit_action(ctx: JobContext, job: TransferJob, credited: int) -> Invoice:
    return await write(
        ctx,
        job,
        "credit_invoice",
        lambda: ctx.client.invoices.credit(str(credited)),
        document=lambda invoice: invoice.credit_invoice_reference,
    )


async def _made_already(
    ctx: JobContext,
    job: TransferJob,
    snapshot: InvoiceSnapshot,
    original: Invoice,
    *,
    ours_possible: bool,
) -> CreditInFortnox | None:
    """The credit invoice Fortnox already made of the original, if any, and whose it is."""
    number = original.credit_invoice_reference
    if not number:
        return None
    found = await call(
        ctx,
        job,
        "get_credit_invoice",
        lambda: ctx.client.invoices.get(number),
        document=lambda invoice: invoice.document_number,
    )
    if _carries_our_reference(found, snapshot) or (
        ours_possible and _as_the_action_left_it(found, snapshot)
    ):
        await ctx.record_attempt(
            job, operation="adopt_credit", outcome="adopted", fortnox_document_number=number
        )
        return CreditInFortnox(found, ours=True)
    if job.kind != JobKind.FULL_CREDIT:
        raise refuse(refusals.credited_outside_sgx(str(original.document_number), number))
    await ctx.record_attempt(
        job, operation="adopt_credit", outcome="adopted", fortnox_document_number=number
    )
    return CreditInFortnox(found, ours=False)


def _our_reference(snapshot: InvoiceSnapshot) -> str:
    invoice = snapshot.invoice
    return mapping.invoice_reference(
        installation=snapshot.installation, issuer_id=invoice.issuer_id, invoice_id=invoice.id
    )


def _carries_our_reference(found: Invoice, snapshot: InvoiceSnapshot) -> bool:
    return (found.external_invoice_reference1 or "").strip() == _our_reference(snapshot)


def _as_the_action_left_it(found: Invoice, snapshot: InvoiceSnapshot) -> bool:
    original = snapshot.original
    assert original is not None
    copied = mapping.invoice_reference(
        installation=snapshot.installation, issuer_id=original.issuer_id, invoice_id=original.id
    )
    return not found.booked and (found.external_invoice_reference1 or "").strip() in ("", copied)


def _carries_our_changes(credit: Invoice, snapshot: InvoiceSnapshot) -> bool:
    """Step 3 is one PUT: the reference it sets says it was made."""
    return _carries_our_reference(credit, snapshot)


async def _set_to_sgx_credit(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot, credit: Invoice, credited: int
) -> Invoice:
    """The PUT that makes Fortnox's credit invoice SGX's credit (rows for a partial credit)."""
    number = credit.document_number or ""
    partial = job.kind != JobKind.FULL_CREDIT
    fresh = False
    while True:
        articles = (
            await ensure_articles(
                ctx,
                job,
                snapshot.articles,
                fresh=fresh,
                known=snapshot.known_links(LinkKind.ARTICLE),
            )
            if partial
            else None
        )
        changes = mapping.credit_changes(
            snapshot.invoice,
            original_number=credited,
            articles_in_fortnox=articles,
            installation=snapshot.installation,
        )
        try:
            return await _put_changes(ctx, job, number, changes)
        except NotFound as error:
            if fresh or error.code not in LOOKED_UP_AGAIN:
                raise
            fresh = True  # an article SGX remembered is gone from Fortnox: look it up again


async def _put_changes(ctx: JobContext, job: TransferJob, number: str, changes: Invoice) -> Invoice:
    return await write(
        ctx,
        job,
        "update_credit_invoice",
        lambda: ctx.client.invoices.update(number, changes),
        document=lambda invoice: invoice.document_number,
    )
