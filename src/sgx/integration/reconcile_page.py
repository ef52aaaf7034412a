"""One page of the reconciliation: which Fortnox invoices to read in full, and what they mean.

A page is up to 500 list entries of ``GET /3/invoices`` (changed since the watermark, or all).
It is handled in three steps, so that no database transaction stays open across a Fortnox call:
``load`` reads what SGX knows about the page's document numbers, ``to_fetch`` decides which
invoices need a full read, and — after the caller has fetched them — ``apply`` stores payment
states, the fingerprints seen, and the differences found.

A list entry is matched to SGX by its document number (an SGX invoice's stored Fortnox number;
a credit made with Fortnox's credit action has a number of Fortnox's own, and until SGX changes
it, it carries the original's ``ExternalInvoiceReference1``, so the reference alone would
mislead). When is a full
read (``GET /3/invoices/{n}``) worth a call?

* an SGX invoice whose list entry shows a total other than SGX's, or a change beyond payment
  fields (booked, sent, dates, customer…) since it was last seen;
* an SGX invoice listed again unchanged while not bookkept, unless SGX itself wrote to it since
  the watermark: rows can be edited in Fortnox without any list field moving, but only until
  the invoice is bookkept — and the bookkeeping itself shows in the list, which triggers the
  read that checks the rows one last time;
* a credit invoice (negative total) SGX did not make, once per state: it may credit an SGX
  invoice in Fortnox only.

Payment fields alone (``Balance``, ``FinalPayDate``) never cost a read; a cancelled invoice is
known from the list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.fortnox.schemas import InvoiceListItem
from sgx.integration import drift_findings
from sgx.integration.drift import record_findings
from sgx.integration.drift_findings import Finding
from sgx.integration.payments import apply_payment
from sgx.integration.reconcile_models import DriftKind, InvoiceDrift, SeenFortnoxInvoice
from sgx.integration.transfers import INVOICE_KINDS
from sgx.invoicing.models import Invoice
from sgx.outbox.models import JobStatus, TransferJob

PAYMENT_FIELDS = frozenset({"balance", "final_pay_date"})
TOTALS_DIFFERED_AT_TRANSFER = "fortnox_totals_differ"
ZERO = Decimal("0")


def fingerprint(item: InvoiceListItem) -> str:
    """Two halves: a hash of the entry without its payment fields, and one of those fields."""
    data = item.model_dump(mode="json", exclude={"url"})
    rest = {key: value for key, value in data.items() if key not in PAYMENT_FIELDS}
    payment = {key: data.get(key) for key in sorted(PAYMENT_FIELDS)}
    return _digest(rest)[:32] + _digest(payment)[:32]


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Seen:
    fingerprint: str
    booked: bool
    at: dt.datetime


@dataclass
class PageContext:
    """What SGX knows about one page's document numbers (objects detached, read-only)."""

    invoices: dict[str, Invoice] = field(default_factory=dict)  # by Fortnox number
    credits: dict[int, list[Invoice]] = field(default_factory=dict)  # original id → credits
    seen: dict[str, Seen] = field(default_factory=dict)
    own_writes: dict[int, dt.datetime] = field(default_factory=dict)  # invoice id → last write
    credited_in_fortnox: set[int] = field(default_factory=set)  # invoice ids
    balances: dict[str, Decimal | None] = field(default_factory=dict)  # this page's, by number


async def load(
    session: AsyncSession, *, issuer_id: int, tenant_id: int, numbers: list[str]
) -> PageContext:
    context = PageContext()
    found = await session.scalars(
        select(Invoice).where(
            Invoice.issuer_id == issuer_id, Invoice.fortnox_document_number.in_(numbers)
        )
    )
    context.invoices = {str(invoice.fortnox_document_number): invoice for invoice in found}
    originals = [invoice.id for invoice in context.invoices.values() if not invoice.is_credit]
    if originals:
        credits = await session.scalars(
            select(Invoice).where(Invoice.credit_of_id.in_(originals)).order_by(Invoice.number)
        )
        for credit in credits:
            context.credits.setdefault(credit.credit_of_id or 0, []).append(credit)
    rows = await _seen_rows(session, issuer_id, tenant_id, numbers)
    context.seen = {
        number: Seen(row.fingerprint, row.booked, row.seen_at) for number, row in rows.items()
    }
    context.own_writes = await _own_writes(session, context)
    context.credited_in_fortnox = set(
        await session.scalars(
            select(InvoiceDrift.invoice_id).where(
                InvoiceDrift.kind == DriftKind.CREDITED,
                InvoiceDrift.invoice_id.in_([i.id for i in context.invoices.values()]),
            )
        )
    )
    return context


async def _own_writes(session: AsyncSession, context: PageContext) -> dict[int, dt.datetime]:
    """When SGX last finished a transfer touching each invoice: its own, or (for an original)
    one of its credits' — crediting changes the original in Fortnox too."""
    owners: dict[int, set[int]] = {}
    for invoice in context.invoices.values():
        owners.setdefault(invoice.id, set()).add(invoice.id)
    for original_id, credits in context.credits.items():
        for credit in credits:
            owners.setdefault(credit.id, set()).add(original_id)
    if not owners:
        return {}
    rows = await session.execute(
        select(TransferJob.subject_id, func.max(TransferJob.done_at))
        .where(
            TransferJob.kind.in_(list(INVOICE_KINDS)),
            TransferJob.status == JobStatus.DONE,
            TransferJob.subject_id.in_(list(owners)),
        )
        .group_by(TransferJob.subject_id)
    )
    writes: dict[int, dt.datetime] = {}
    for subject_id, done_at in rows:
        if done_at is None:
            continue
        if isinstance(done_at, str):  # SQLite hands an aggregate's value back as text
            done_at = dt.datetime.fromisoformat(done_at)
        done_at = done_at if done_at.tzinfo else done_at.replace(tzinfo=dt.UTC)
        for owner in owners[subject_id]:
            writes[owner] = max(done_at, writes.get(owner, done_at))
    return writes


def to_fetch(
    items: list[InvoiceListItem], context: PageContext, *, since: dt.datetime | None
) -> list[str]:
    """The document numbers worth a full read (see the module's rules)."""
    wanted = []
    for item in items:
        number = item.document_number or ""
        invoice = context.invoices.get(number)
        if invoice is not None:
            if _worth_reading(item, invoice, context, since=since):
                wanted.append(number)
        elif _maybe_foreign_credit(item, context):
            wanted.append(number)
    return wanted


def _worth_reading(
    item: InvoiceListItem, invoice: Invoice, context: PageContext, *, since: dt.datetime | None
) -> bool:
    if item.cancelled:
        return False
    number = item.document_number or ""
    seen = context.seen.get(number)
    now_seen = fingerprint(item)
    if seen is not None and seen.fingerprint[:32] != now_seen[:32]:
        return True  # something beyond payment moved
    if _total_differs(item, invoice) and (seen is None or seen.fingerprint != now_seen):
        return True
    if since is None:
        return False  # a full pass lists everything: being listed says nothing
    # SGX's own write since the watermark explains the entry being listed — unless a pass has
    # already seen the invoice after that write.
    written = context.own_writes.get(invoice.id)
    explained = written is not None and written >= since and (seen is None or seen.at < written)
    if seen is None:
        return not explained
    if seen.fingerprint != now_seen:
        return False  # only payment fields moved
    if item.booked and seen.booked:
        return False  # rows of a bookkept invoice cannot change
    return not explained


def _total_differs(item: InvoiceListItem, invoice: Invoice) -> bool:
    if invoice.transfer_error_code == TOTALS_DIFFERED_AT_TRANSFER:
        return False  # already "Osynk" for exactly that since the transfer
    return item.total is not None and Decimal(item.total) != invoice.total


def _maybe_foreign_credit(item: InvoiceListItem, context: PageContext) -> bool:
    if item.total is None or Decimal(item.total) >= ZERO:
        return False
    seen = context.seen.get(item.document_number or "")
    return seen is None or seen.fingerprint != fingerprint(item)


Fetched = dict[str, FortnoxInvoice | None]  # None: Fortnox answered 404


@dataclass
class PageResult:
    payments: int = 0
    drifts: int = 0


async def apply(
    session: AsyncSession,
    *,
    issuer_id: int,
    tenant_id: int,
    items: list[InvoiceListItem],
    context: PageContext,
    fetched: Fetched,
    read_at: dt.datetime,
) -> PageResult:
    result = PageResult()
    context.balances = {item.document_number or "": item.balance for item in items}
    rows = await _seen_rows(session, issuer_id, tenant_id, [i.document_number or "" for i in items])
    for item in items:
        number = item.document_number or ""
        known = context.invoices.get(number)
        if known is not None:
            await _apply_ours(session, item, known, context, fetched, read_at, result)
            invoice_id: int | None = known.id
            complete = True
        elif number in fetched:
            complete = await _apply_foreign(session, issuer_id, fetched[number], context, result)
            invoice_id = None
        else:
            continue
        _remember(rows, item, issuer_id, tenant_id, invoice_id=invoice_id, complete=complete)
        rows[number].seen_at = read_at
        session.add(rows[number])
    await session.flush()
    return result


def _remember(
    rows: dict[str, SeenFortnoxInvoice],
    item: InvoiceListItem,
    issuer_id: int,
    tenant_id: int,
    *,
    invoice_id: int | None,
    complete: bool,
) -> None:
    number = item.document_number or ""
    row = rows.get(number)
    if row is None:
        row = rows[number] = SeenFortnoxInvoice(
            issuer_id=issuer_id, tenant_id=tenant_id, document_number=number
        )
    row.invoice_id = invoice_id
    row.fingerprint = fingerprint(item) if complete else ""
    row.booked = bool(item.booked)


async def _seen_rows(
    session: AsyncSession, issuer_id: int, tenant_id: int, numbers: list[str]
) -> dict[str, SeenFortnoxInvoice]:
    rows = await session.scalars(
        select(SeenFortnoxInvoice).where(
            SeenFortnoxInvoice.issuer_id == issuer_id,
            SeenFortnoxInvoice.tenant_id == tenant_id,
            SeenFortnoxInvoice.document_number.in_(numbers),
        )
    )
    return {row.document_number: row for row in rows}


async def _apply_ours(
    session: AsyncSession,
    item: InvoiceListItem,
    known: Invoice,
    context: PageContext,
    fetched: Fetched,
    read_at: dt.datetime,
    result: PageResult,
) -> None:
    invoice = await session.get(Invoice, known.id)
    if invoice is None:
        return
    credits = context.credits.get(invoice.id, [])
    findings: list[Finding] = []
    number = item.document_number or ""
    if item.cancelled:
        findings.append(drift_findings.cancelled(number))
    full = fetched.get(number)
    if full is not None:
        change = drift_findings.changed(invoice, full)
        if change is not None:
            findings.append(change)
        reference = None if invoice.is_credit else full.credit_invoice_reference
        ours = {credit.fortnox_document_number for credit in credits}
        if reference and reference not in ours and not await credit_in_flight(session, invoice.id):
            findings.append(drift_findings.credited(reference))
            context.credited_in_fortnox.add(invoice.id)
    result.drifts += len(await record_findings(session, invoice=invoice, findings=findings))
    credited = invoice.id in context.credited_in_fortnox
    if apply_payment(
        invoice,
        item,
        credits=credits,
        read_at=read_at,
        credited_in_fortnox=credited,
        balances=context.balances,
    ):
        result.payments += 1


async def _apply_foreign(
    session: AsyncSession,
    issuer_id: int,
    full: FortnoxInvoice | None,
    context: PageContext,
    result: PageResult,
) -> bool:
    """A credit invoice SGX did not make; False when it must be looked at again later."""
    if full is None or not full.credit or not full.invoice_reference:
        return True
    original = await session.scalar(
        select(Invoice).where(
            Invoice.issuer_id == issuer_id,
            Invoice.fortnox_document_number == full.invoice_reference,
            Invoice.credit_of_id.is_(None),
        )
    )
    if original is None:
        return True  # credits something SGX never sent
    if await credit_in_flight(session, original.id):
        return False  # perhaps SGX's own credit whose answer was lost: its job will adopt it
    finding = drift_findings.credited(full.document_number or "")
    result.drifts += len(await record_findings(session, invoice=original, findings=[finding]))
    context.credited_in_fortnox.add(original.id)
    original.payment_state = None  # settled by a credit SGX knows nothing of, not paid
    return True


async def credit_in_flight(session: AsyncSession, original_id: int) -> bool:
    """Does a credit of this invoice wait in SGX's queue (perhaps already made in Fortnox)?"""
    credits = select(Invoice.id).where(Invoice.credit_of_id == original_id)
    waiting = await session.scalar(
        select(func.count())
        .select_from(TransferJob)
        .where(
            TransferJob.kind.in_(list(INVOICE_KINDS)),
            TransferJob.status != JobStatus.DONE,
            TransferJob.subject_id.in_(credits),
        )
    )
    return bool(waiting)
