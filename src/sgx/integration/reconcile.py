"""Reconciliation: reading back from Fortnox what changed there — payments and drift.

A pass for one issuer asks ``GET /3/invoices?lastmodified=<watermark>`` (500 a page) and looks
at each entry (``sgx.integration.reconcile_page``): SGX invoices get their payment state from
the entry's ``Balance``, ``FinalPayDate`` and ``DueDate``; invoices credited, cancelled, changed
or deleted only in Fortnox are marked "Osynk" with the difference. A quiet issuer costs one call
(an empty list). The watermark moves to the pass's start less ``WATERMARK_OVERLAP`` (Fortnox
takes ``lastmodified`` to the minute, and clocks differ a little): an entry may be listed twice,
never missed, and an entry listed again unchanged costs nothing.

The first pass for an issuer (or for a Fortnox company it has not been read from) and one pass a
day (``FULL_PASS_EVERY``) read the whole list instead: that is how an invoice deleted in Fortnox
is noticed (it simply stops being listed; a read of it then answers 404). The numbers listed
also tell Fortnox's highest invoice number (``sgx.integration.number_clash``).

A pass runs as a transfer job (``JobKind.RECONCILE``) under the issuer's lease, through the same
client and pacing as the transfers, after whatever was queued before it — so it never sees a
credit SGX is half-way through making. ``reconcile_issuer`` is that job's handler; scheduling and
on-demand requests are in ``sgx.integration.reconcile_schedule``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.fortnox import FortnoxClient
from sgx.fortnox.errors import NotFound
from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.fortnox.schemas import InvoiceListItem
from sgx.fortnox.transport import MAX_PAGE_SIZE, Page
from sgx.integration import drift_findings, number_clash, reconcile_page
from sgx.integration.drift import record_findings
from sgx.integration.jobs import JobContext, JobOutcome, OutcomeKind
from sgx.integration.reconcile_models import ReconcileState, SeenFortnoxInvoice
from sgx.invoicing.models import Invoice
from sgx.kit.clock import utcnow
from sgx.outbox.models import JobKind, JobStatus, TransferJob

SessionFactory = async_sessionmaker[AsyncSession]

WATERMARK_OVERLAP = dt.timedelta(seconds=60)
FULL_PASS_EVERY = dt.timedelta(hours=24)
KEEP_DONE_PASSES = 10  # finished reconcile jobs kept per issuer, as history


@dataclass
class PassReport:
    full: bool = False
    listed: int = 0  # list entries read
    fetched: int = 0  # invoices read in full
    calls: int = 0  # Fortnox calls made
    payments: int = 0  # invoices whose payment state changed
    drifts: int = 0  # new differences recorded

    def summary(self) -> str:
        kind = "Fullständig avstämning" if self.full else "Avstämning"
        return (
            f"{kind}: {self.listed} fakturor i listan, {self.fetched} lästa i sin helhet, "
            f"{self.payments} med ändrad betalstatus, {self.drifts} nya skillnader "
            f"({self.calls} anrop till Fortnox)."
        )


async def reconcile_issuer(ctx: JobContext, job: TransferJob) -> JobOutcome:
    """The ``JobKind.RECONCILE`` handler: one pass with the engine's client, under the lease."""
    report = await reconcile(ctx.session_factory, ctx.client, issuer_id=ctx.issuer_id)
    await _forget_old_passes(ctx.session_factory, issuer_id=ctx.issuer_id, keep_job_id=job.id)
    return JobOutcome(OutcomeKind.DONE, message=report.summary())


async def reconcile(
    factory: SessionFactory,
    client: FortnoxClient,
    *,
    issuer_id: int,
    now: dt.datetime | None = None,
    full: bool = False,
) -> PassReport:
    """One pass for the issuer at ``now`` (default: the clock); see the module docstring."""
    started = now or utcnow()
    tenant_id = client.pacing_key.tenant_id
    since, full = await _begin(factory, issuer_id, tenant_id, started, full)
    report = PassReport(full=full)
    listed: set[str] = set()
    page_number = 1
    while True:
        page = await _list(client, since, page_number)
        report.calls += 1
        listed.update(item.document_number or "" for item in page.items)
        await _handle_page(
            factory, client, issuer_id, tenant_id, page.items, since, started, report
        )
        if not page.has_next or not page.items:
            break
        page_number = page.current_page + 1
    if full:
        await _look_for_deleted(factory, client, issuer_id, tenant_id, listed, report)
    await _finish(factory, issuer_id, started, report, listed)
    return report


async def _list(
    client: FortnoxClient, since: dt.datetime | None, page: int
) -> Page[InvoiceListItem]:
    return await client.invoices.search(last_modified=since, page=page, limit=MAX_PAGE_SIZE)


async def _handle_page(
    factory: SessionFactory,
    client: FortnoxClient,
    issuer_id: int,
    tenant_id: int,
    items: list[InvoiceListItem],
    since: dt.datetime | None,
    started: dt.datetime,
    report: PassReport,
) -> None:
    report.listed += len(items)
    if not items:
        return
    numbers = [item.document_number or "" for item in items]
    async with factory() as session:
        context = await reconcile_page.load(
            session, issuer_id=issuer_id, tenant_id=tenant_id, numbers=numbers
        )
        await session.commit()
    fetched = await _fetch(client, reconcile_page.to_fetch(items, context, since=since), report)
    async with factory() as session:
        result = await reconcile_page.apply(
            session,
            issuer_id=issuer_id,
            tenant_id=tenant_id,
            items=items,
            context=context,
            fetched=fetched,
            read_at=started,
        )
        await session.commit()
    report.payments += result.payments
    report.drifts += result.drifts


async def _fetch(
    client: FortnoxClient, numbers: list[str], report: PassReport
) -> dict[str, FortnoxInvoice | None]:
    fetched: dict[str, FortnoxInvoice | None] = {}
    for number in numbers:
        report.calls += 1
        report.fetched += 1
        try:
            fetched[number] = await client.invoices.get(number)
        except NotFound:
            fetched[number] = None
    return fetched


async def _look_for_deleted(
    factory: SessionFactory,
    client: FortnoxClient,
    issuer_id: int,
    tenant_id: int,
    listed: set[str],
    report: PassReport,
) -> None:
    """SGX invoices seen in this company before but missing from the whole list: read each;
    a 404 means it is gone from Fortnox."""
    async with factory() as session:
        rows = await session.execute(
            select(SeenFortnoxInvoice.document_number, SeenFortnoxInvoice.invoice_id).where(
                SeenFortnoxInvoice.issuer_id == issuer_id,
                SeenFortnoxInvoice.tenant_id == tenant_id,
                SeenFortnoxInvoice.invoice_id.is_not(None),
            )
        )
        missing = {number: invoice_id for number, invoice_id in rows if number not in listed}
        await session.commit()
    fetched = await _fetch(client, sorted(missing), report)
    gone = [number for number, found in fetched.items() if found is None]
    if not gone:
        return
    async with factory() as session:
        for number in gone:
            invoice = await session.get(Invoice, missing[number])
            if invoice is not None:
                finding = drift_findings.deleted(number)
                report.drifts += len(
                    await record_findings(session, invoice=invoice, findings=[finding])
                )
        await session.commit()


async def _begin(
    factory: SessionFactory,
    issuer_id: int,
    tenant_id: int,
    started: dt.datetime,
    full: bool,
) -> tuple[dt.datetime | None, bool]:
    """The pass's ``lastmodified`` bound (None: the whole list) and whether it is full."""
    async with factory() as session:
        state = await state_of(session, issuer_id=issuer_id)
        if state.tenant_id != tenant_id:
            # Another Fortnox company: nothing SGX saw before says anything about this one.
            state.tenant_id = tenant_id
            state.watermark = None
            state.last_full_at = None
        full = (
            full
            or state.full_requested
            or state.watermark is None
            or state.last_full_at is None
            or started - state.last_full_at >= FULL_PASS_EVERY
        )
        since = None if full else state.watermark
        await session.commit()
    return since, full


async def _finish(
    factory: SessionFactory,
    issuer_id: int,
    started: dt.datetime,
    report: PassReport,
    listed: set[str],
) -> None:
    async with factory() as session:
        await number_clash.note_listed(
            session, issuer_id=issuer_id, listed=listed, complete=report.full, at=started
        )
        state = await state_of(session, issuer_id=issuer_id)
        state.watermark = started - WATERMARK_OVERLAP
        state.last_run_at = started
        state.last_calls = report.calls
        state.last_summary = report.summary()
        if report.full:
            state.last_full_at = started
            state.full_requested = False
        await session.commit()


async def state_of(session: AsyncSession, *, issuer_id: int) -> ReconcileState:
    state = await session.get(ReconcileState, issuer_id, populate_existing=True)
    if state is None:
        state = ReconcileState(issuer_id=issuer_id)
        session.add(state)
        await session.flush()
    return state


async def _forget_old_passes(factory: SessionFactory, *, issuer_id: int, keep_job_id: int) -> None:
    """Finished reconcile jobs pile up every few minutes: keep the last few as history."""
    async with factory() as session:
        done = select(TransferJob.id).where(
            TransferJob.issuer_id == issuer_id,
            TransferJob.kind == JobKind.RECONCILE,
            TransferJob.status == JobStatus.DONE,
            TransferJob.id != keep_job_id,
        )
        keep = list(
            await session.scalars(done.order_by(TransferJob.id.desc()).limit(KEEP_DONE_PASSES))
        )
        await session.execute(
            delete(TransferJob)
            .where(TransferJob.id.in_(done.where(TransferJob.id.not_in(keep or [0]))))
            .execution_options(synchronize_session=False)
        )
        await session.commit()
