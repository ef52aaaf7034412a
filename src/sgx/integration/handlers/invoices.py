"""An invoice, or a later credit (a plain negative invoice), to Fortnox; booked when the issuer
books in Fortnox.

Steady state: customer and articles are known and unchanged, so a returning patient's invoice
costs two calls (``POST /3/invoices`` and ``PUT …/bookkeep``). The invoice is sent with
``DocumentNumber`` = the SGX number and ``ExternalInvoiceReference1`` = its SGX reference (unique
per installation), which makes creation safe to repeat without relying on Fortnox to refuse a
number twice: when an earlier attempt may have sent it (``write_sent_at``), the invoice is looked
up by its reference (an exact match after Fortnox's substring search), then under its number,
before anything is written; when Fortnox refuses the number, the invoice under it is read. One
carrying our reference, our customer and our total is adopted; anything else is a conflict for a
person — never a second document. An adopted invoice is booked when it is not yet (a run stopped
between the two calls). A later credit of an invoice (see ``handlers.credits``) goes the same way
with negative quantities, naming the original, and is marked as not linked in Fortnox. Fortnox's
totals are compared with SGX's after creation; a difference leaves the invoice "Osynk" with the
difference spelled out.
"""

from __future__ import annotations

from sgx.fortnox.errors import FortnoxError, InvalidRequest, NotFound
from sgx.fortnox.schemas import Invoice
from sgx.integration import mapping
from sgx.integration.handlers import refusals
from sgx.integration.handlers.accounts import explain_account_error, is_account_error
from sgx.integration.handlers.articles import ensure_articles
from sgx.integration.handlers.booking import book
from sgx.integration.handlers.common import call, lookup, refuse, write
from sgx.integration.handlers.customers import customer_number_for
from sgx.integration.handlers.loading import InvoiceSnapshot
from sgx.integration.handlers.recording import record_transferred
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.integration.links import LinkKind
from sgx.invoicing.models import TransferStatus
from sgx.outbox.models import TransferJob

# The customer (2000433) or an article (2000428) SGX remembered is gone from Fortnox.
LOOKED_UP_AGAIN = frozenset({2000433, 2000428})
FINISHED = frozenset(
    {
        TransferStatus.TRANSFERRED.value,
        TransferStatus.CREDITED.value,
        TransferStatus.OUT_OF_SYNC.value,
    }
)
RETRY_ORIGINAL_SECONDS = 60.0


def already_transferred(snapshot: InvoiceSnapshot) -> bool:
    invoice = snapshot.invoice
    return bool(invoice.fortnox_document_number) and invoice.transfer_status in FINISHED


def original_number(snapshot: InvoiceSnapshot) -> int | None:
    """The credited invoice's Fortnox number (``None`` for an invoice that credits nothing)."""
    original = snapshot.original
    if original is None:
        return None
    if not original.fortnox_document_number:
        raise refuse(
            refusals.original_not_transferred(original.number),
            kind=OutcomeKind.RETRY,
            retry_after_seconds=RETRY_ORIGINAL_SECONDS,
        )
    return int(original.fortnox_document_number)


async def send_invoice(ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot) -> JobOutcome:
    """Create the invoice (or later credit) once and book it; a lost customer or article is
    looked up again once (someone removed it in Fortnox since SGX remembered it)."""
    # Only an earlier run can have sent this invoice; this run's customer or article writes
    # mark the job too, but do not make the invoice's own lookup necessary.
    resumed = job.write_sent_at is not None
    credited = original_number(snapshot)
    fresh = False
    while True:
        customer = await customer_number_for(ctx, job, snapshot, fresh=fresh)
        articles = await ensure_articles(
            ctx, job, snapshot.articles, fresh=fresh, known=snapshot.known_links(LinkKind.ARTICLE)
        )
        payload = mapping.invoice_payload(
            snapshot.invoice,
            customer_number=customer,
            articles_in_fortnox=articles,
            installation=snapshot.installation,
            original_number=credited,
        )
        try:
            created = await create_once(ctx, job, snapshot, payload, credited, resumed=resumed)
            if snapshot.issuer.book_invoices_in_fortnox:
                created = await book(ctx, job, created)
        except FortnoxError as error:
            if is_account_error(error):
                return await explain_account_error(ctx, job, snapshot.invoice, error)
            if fresh or not isinstance(error, NotFound) or error.code not in LOOKED_UP_AGAIN:
                raise
            fresh = True
            continue
        return await record_transferred(ctx, snapshot, created, unlinked=credited is not None)


async def create_once(
    ctx: JobContext,
    job: TransferJob,
    snapshot: InvoiceSnapshot,
    payload: Invoice,
    credited: int | None,
    *,
    resumed: bool,
) -> Invoice:
    """Create the invoice unless an earlier attempt did. After an attempt whose answer was
    lost, look before writing: Fortnox accepts the same invoice twice whenever it does not
    refuse the number (and it may have numbered the first one itself)."""
    if resumed:
        found = await _made_before(ctx, job, payload)
        if found is not None:
            return await _adopt(ctx, job, snapshot, payload, found)
    try:
        return await write(
            ctx,
            job,
            "create_credit_invoice" if credited else "create_invoice",
            lambda: _post(ctx, payload),
            document=lambda invoice: invoice.document_number,
        )
    except InvalidRequest:
        # Perhaps the number is taken (Fortnox's code for that is not documented): look.
        found = await _under_number(ctx, job, mapping.document_number(snapshot.invoice))
        if found is None:
            raise
        return await _adopt(ctx, job, snapshot, payload, found)


async def _post(ctx: JobContext, payload: Invoice) -> Invoice:
    # A later credit is an ordinary invoice for Fortnox: it names its original in its texts.
    return await ctx.client.invoices.create(payload)


async def _made_before(ctx: JobContext, job: TransferJob, payload: Invoice) -> Invoice | None:
    """The invoice an earlier attempt made: the one carrying our reference (whatever number
    Fortnox gave it), else ours under our number. Someone else's invoice under our number is
    no sign of an earlier attempt: the write that follows meets it."""
    reference = payload.external_invoice_reference1 or ""
    listed = await call(
        ctx,
        job,
        "find_invoice_by_reference",
        lambda: ctx.client.invoices.find_by_external_reference(reference),
    )
    for item in listed:
        found = await _under_number(ctx, job, item.document_number or "")
        # A credit made by Fortnox's credit action copies the original's reference; what SGX
        # posts is never one (a later credit goes as an ordinary, negative invoice).
        if found is not None and not found.credit:
            return found
    found = await _under_number(ctx, job, payload.document_number or "")
    return found if found is not None and mapping.is_our_invoice(found, payload) else None


async def _under_number(ctx: JobContext, job: TransferJob, number: str) -> Invoice | None:
    if not number:
        return None
    return await lookup(ctx, job, "get_invoice", lambda: ctx.client.invoices.get(number))


async def _adopt(
    ctx: JobContext, job: TransferJob, snapshot: InvoiceSnapshot, payload: Invoice, found: Invoice
) -> Invoice:
    """Take ``found`` as this invoice's document: only when it carries our reference, our
    customer and our total — anything else is a conflict for a person, never a link."""
    invoice = snapshot.invoice
    number = found.document_number or ""
    if not mapping.is_our_invoice(found, payload):
        raise refuse(refusals.document_number_taken(str(invoice.number), _summary(found)))
    differences = mapping.adoption_differences(found, payload, invoice)
    if differences:
        raise refuse(refusals.reference_conflict(str(invoice.number), number, differences))
    await ctx.record_attempt(
        job,
        operation="adopt_invoice",
        outcome="adopted",
        fortnox_document_number=number,
    )
    return found


def _summary(found: Invoice) -> str:
    parts = [f"kund {found.customer_number or '?'}"]
    if found.invoice_date:
        parts.append(f"daterad {found.invoice_date.isoformat()}")
    if found.total is not None:
        parts.append(f"belopp {mapping.kronor(found.total)}")
    return ", ".join(parts)
