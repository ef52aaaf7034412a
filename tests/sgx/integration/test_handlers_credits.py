"""Credits to Fortnox through the transfer handlers, against the sandbox: a full credit with the
credit action, partial credits as credit invoices referencing the original, each exactly once."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.handlers import transfer_full_credit, transfer_invoice
from sgx.integration.jobs import OutcomeKind
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.outbox.models import JobKind
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    credit,
    make_job,
    patient_invoice,
    reload_job,
    requests_to_fortnox,
    stored,
    transfer,
)


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


@pytest.fixture
async def original(connected: Connected, session: AsyncSession) -> Invoice:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "2"), ("KONSULT", "1")])
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE
    return invoice


async def test_full_credit_uses_the_credit_action_and_stores_fortnox_credit_number(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    full = await credit(session, original)
    outcome = await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    assert outcome.kind is OutcomeKind.DONE
    credited = await connected.fortnox.invoices.get(str(original.number))
    made = credited.credit_invoice_reference
    assert made is not None and outcome.fortnox_document_number == made
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert ("PUT", f"/3/invoices/{original.number}/credit") in calls
    after = await stored(session_factory, Invoice, full.id)
    assert after.fortnox_document_number == made  # Fortnox's number, not necessarily SGX's
    assert after.transfer_status == TransferStatus.TRANSFERRED.value


async def test_fully_credited_original_becomes_krediterad(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    full = await credit(session, original)
    await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value
    assert after.fortnox_document_number == str(original.number)


async def test_credit_invoice_made_by_the_action_mirrors_the_original(
    connected: Connected, session: AsyncSession, original: Invoice
) -> None:
    full = await credit(session, original)
    outcome = await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    made = await connected.fortnox.invoices.get(outcome.fortnox_document_number)
    assert made.credit is True and made.invoice_reference == str(original.number)
    assert made.total == full.total and made.total_vat == full.vat


async def test_partial_credit_is_a_credit_invoice_with_its_own_number_and_negative_rows(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    partial = await credit(session, original, [(original.rows[0].id, "1")])
    outcome = await transfer(connected, session, partial)
    assert (outcome.kind, outcome.fortnox_document_number) == (
        OutcomeKind.DONE,
        str(partial.number),
    )
    made = await connected.fortnox.invoices.get(str(partial.number))
    assert made.credit is True and made.invoice_reference == str(original.number)
    assert [(r.article_number, r.delivered_quantity) for r in made.invoice_rows or []] == [
        ("BESOK", Decimal(-1))
    ]
    assert made.total == partial.total == Decimal("-850.00")
    assert made.remarks is not None and f"faktura {original.number}" in made.remarks
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.TRANSFERRED.value  # not all credited


async def test_partial_credits_that_credit_everything_make_the_original_krediterad(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    first = await credit(session, original, [(original.rows[0].id, "2")])
    await transfer(connected, session, first)
    rest = await credit(session, original, [(original.rows[1].id, "1")])
    await transfer(connected, session, rest)
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value


async def test_full_credit_of_what_partial_credits_left_goes_as_a_credit_invoice(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    partial = await credit(session, original, [(original.rows[0].id, "1")])
    await transfer(connected, session, partial)
    rest = await credit(session, original)
    outcome = await transfer(connected, session, rest, kind=JobKind.FULL_CREDIT)
    assert (outcome.kind, outcome.fortnox_document_number) == (OutcomeKind.DONE, str(rest.number))
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert not any(path.endswith("/credit") for _, path in calls)
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value


async def test_invoice_credited_in_fortnox_already_is_adopted_not_credited_twice(
    connected: Connected, session: AsyncSession, original: Invoice
) -> None:
    response = await connected.sandbox.post(
        f"/_sandbox/tenants/{connected.tenant_id}/actions",
        json={"action": "credit_invoice", "document_number": str(original.number)},
    )
    assert response.status_code == 200, response.text
    made_in_fortnox = response.json()["Invoice"]["CreditInvoiceReference"]
    full = await credit(session, original)
    outcome = await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    assert (outcome.kind, outcome.fortnox_document_number) == (OutcomeKind.DONE, made_in_fortnox)
    assert len([i async for i in connected.fortnox.invoices.iterate()]) == 2


async def test_credit_waits_while_its_original_is_not_in_fortnox(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected)
    partial = await credit(session, invoice, [(invoice.rows[0].id, "1")])
    full_job = await make_job(
        session, issuer_id=invoice.issuer_id, kind=JobKind.INVOICE, subject_id=partial.id
    )
    job = await reload_job(connected.ctx.session_factory, full_job.id)
    outcome = await transfer_invoice(connected.ctx, job)
    assert (outcome.kind, outcome.code) == (OutcomeKind.RETRY, "original_not_transferred")
    assert await requests_to_fortnox(connected) == []


async def test_full_credit_of_an_invoice_not_in_fortnox_waits_too(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected)
    full = await credit(session, invoice)
    made = await make_job(
        session, issuer_id=invoice.issuer_id, kind=JobKind.FULL_CREDIT, subject_id=full.id
    )
    job = await reload_job(connected.ctx.session_factory, made.id)
    outcome = await transfer_full_credit(connected.ctx, job)
    assert (outcome.kind, outcome.code) == (OutcomeKind.RETRY, "original_not_transferred")
