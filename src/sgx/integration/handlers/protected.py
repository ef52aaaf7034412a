"""The Fortnox invoices of a patient with skyddad identitet: no address, phone or e-mail on them.

Fortnox copies the customer's address onto each invoice when it is made, so clearing the
customer is not enough. Every invoice of the patient's customer is read; one that still carries
an address, phone or e-mail address is cleared (``null``, Fortnox ignores ``""``) when Fortnox
lets it change, and the answer is checked. A bookkept, cancelled or credited invoice cannot be
changed in Fortnox: when it is one of SGX's invoices it is put before the Administratör in
"Att åtgärda" as a difference to handle (reported once per document), with what to do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from sgx.fortnox.errors import InvalidRequest
from sgx.fortnox.matching import same_reference
from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.integration import drift, mapping
from sgx.integration.drift_findings import Finding
from sgx.integration.handlers import refusals
from sgx.integration.handlers.common import call, refuse, write
from sgx.integration.jobs import JobContext
from sgx.integration.reconcile_models import DriftKind
from sgx.invoicing.models import Invoice
from sgx.outbox.models import TransferJob

logger = logging.getLogger(__name__)


async def clear_invoice_contacts(ctx: JobContext, job: TransferJob, customer_number: str) -> None:
    """Clear what each invoice of ``customer_number`` says about where the patient lives."""
    listed = await call(
        ctx,
        job,
        "find_invoices",
        lambda: _invoice_numbers(ctx, customer_number),
    )
    locked: list[str] = []
    unkept: list[str] = []
    for number in listed:
        found = await call(ctx, job, "get_invoice", _reading(ctx, number))
        if not mapping.invoice_has_contact(found):
            continue
        if not _changeable(found):
            locked.append(number)
            continue
        try:
            answer = await write(ctx, job, "clear_invoice_contact", _clearing(ctx, number))
        except InvalidRequest:
            # Bookkept in Fortnox since it was read? Any other refusal is Fortnox's to report.
            if _changeable(await call(ctx, job, "get_invoice", _reading(ctx, number))):
                raise
            locked.append(number)
            continue
        if mapping.invoice_has_contact(answer):
            unkept.append(number)
    if locked:
        await _report_locked(ctx, locked)
    if unkept:
        raise refuse(refusals.invoice_contact_not_cleared(unkept))


def _reading(ctx: JobContext, number: str) -> Callable[[], Awaitable[FortnoxInvoice]]:
    return lambda: ctx.client.invoices.get(number)


def _clearing(ctx: JobContext, number: str) -> Callable[[], Awaitable[FortnoxInvoice]]:
    return lambda: ctx.client.invoices.update(
        number, FortnoxInvoice(), clear=mapping.INVOICE_CONTACT_FIELDS
    )


async def _invoice_numbers(ctx: JobContext, customer_number: str) -> list[str]:
    # Fortnox's search is a substring match (SGXP4 finds SGXP42): compare exactly.
    return [
        item.document_number
        async for item in ctx.client.invoices.iterate(customer_number=customer_number)
        if item.document_number and same_reference(item.customer_number, customer_number)
    ]


def _changeable(found: FortnoxInvoice) -> bool:
    return not found.booked and not found.cancelled and found.credit_invoice_reference is None


async def _report_locked(ctx: JobContext, numbers: list[str]) -> None:
    async with ctx.session_factory() as session:
        ours = (
            await session.scalars(
                select(Invoice).where(
                    Invoice.issuer_id == ctx.issuer_id,
                    Invoice.fortnox_document_number.in_(numbers),
                )
            )
        ).all()
        for invoice in ours:
            number = invoice.fortnox_document_number or ""
            finding = Finding(
                DriftKind.ADDRESS_KEPT,
                key=f"protected:{number}",
                description=refusals.address_kept_on_locked_invoice(number),
                fortnox_document_number=number,
            )
            await drift.record_findings(session, invoice=invoice, findings=[finding])
        await session.commit()
    others = len(numbers) - len(ours)
    if others:
        # Invoices made in Fortnox itself for SGX's customer: nothing in SGX to show them on.
        logger.warning("%d locked Fortnox invoice(s) of a protected patient are not SGX's", others)
