"""Invoices to Fortnox through the transfer handler, against the sandbox: number, OCR, reference
and rows; totals compared; a taken number and account problems refused; nothing sent twice."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.schemas import Customer, Invoice, InvoiceRow
from sgx.integration.jobs import OutcomeKind
from sgx.invoicing.models import Invoice as SgxInvoice
from sgx.invoicing.models import TransferStatus
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    forget_requests,
    installation_of,
    patient_invoice,
    requests_to_fortnox,
    stored,
    transfer,
)


@pytest.fixture
async def connected(
    session: AsyncSession,
    session_factory: SessionFactory,
    sandbox_client: httpx.AsyncClient,
    numbering_keeping_our_numbers: str,
) -> Connected:
    return await connect_clinic(
        session, session_factory, sandbox_client, invoice_numbering=numbering_keeping_our_numbers
    )


async def test_patient_invoice_arrives_with_its_number_ocr_reference_and_rows(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1"), ("KONSULT", "2")])
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE
    assert outcome.fortnox_document_number == str(invoice.number)
    sent = await connected.fortnox.invoices.get(str(invoice.number))
    assert sent.ocr == invoice.ocr
    installation = await installation_of(connected.ctx.session_factory)
    assert len(installation) == 5  # a fresh database makes its own
    assert sent.external_invoice_reference1 == f"SGX{installation}-{invoice.issuer_id}-{invoice.id}"
    assert sent.customer_number == f"SGX{installation}P{connected.clinic.patient.id}"
    assert sent.invoice_date == invoice.invoice_date and sent.due_date == invoice.due_date
    assert [
        (r.article_number, r.delivered_quantity, r.price, r.vat, r.account_number)
        for r in sent.invoice_rows or []
    ] == [
        ("BESOK", Decimal(1), Decimal("850"), Decimal(0), 3004),
        ("KONSULT", Decimal(2), Decimal("1000.40"), Decimal(25), 3001),
    ]


async def test_transferred_invoice_shows_overford_with_the_fortnox_number(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await patient_invoice(session, connected)
    await transfer(connected, session, invoice)
    after = await stored(session_factory, SgxInvoice, invoice.id)
    assert after.transfer_status == TransferStatus.TRANSFERRED.value
    assert after.fortnox_document_number == str(invoice.number)
    assert after.transfer_error_code is None


async def test_exemption_text_is_printed_on_the_invoice(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    await transfer(connected, session, invoice)
    sent = await connected.fortnox.invoices.get(str(invoice.number))
    assert sent.remarks is not None and "Momsfri sjukvård" in sent.remarks


async def test_totals_that_differ_in_fortnox_leave_the_invoice_osynk_with_the_difference(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> None:
    # SGX keeps öre while Fortnox rounds to whole kronor: 1 250,50 against 1 251.
    connected = await connect_clinic(
        session, session_factory, sandbox_client, whole_krona_rounding=False
    )
    invoice = await patient_invoice(session, connected, rows=[("KONSULT", "1")])
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.DONE, "fortnox_totals_differ")
    after = await stored(session_factory, SgxInvoice, invoice.id)
    assert after.transfer_status == TransferStatus.OUT_OF_SYNC.value
    assert after.fortnox_document_number == str(invoice.number)
    assert after.transfer_message is not None
    assert "Total är 1 250,50 kr i SGX men 1 251,00 kr i Fortnox" in after.transfer_message


async def test_invoice_number_taken_in_fortnox_by_another_invoice_is_a_conflict(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected)
    stranger = await connected.fortnox.customers.create(Customer(name="Någon annan"))
    await connected.fortnox.invoices.create(
        Invoice(
            customer_number=stranger.customer_number,
            document_number=str(invoice.number),
            invoice_rows=[
                InvoiceRow(delivered_quantity=Decimal(1), price=Decimal(10), description="X")
            ],
        )
    )
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "document_number_taken")
    found = await connected.fortnox.invoices.get(str(invoice.number))
    assert found.customer_number == stranger.customer_number  # left alone, no second one
    assert len([i async for i in connected.fortnox.invoices.iterate()]) == 1


async def test_inactive_account_in_fortnox_fails_naming_the_account_and_the_year(
    connected: Connected, session: AsyncSession
) -> None:
    response = await connected.sandbox.post(
        f"/_sandbox/tenants/{connected.tenant_id}/actions",
        json={"action": "deactivate_account", "number": 3004},
    )
    assert response.status_code == 200, response.text
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    outcome = await transfer(connected, session, invoice)
    year = invoice.invoice_date.year
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "fortnox_account_problem")
    assert outcome.fortnox_code == "2000550"
    assert "konto 3004 är inte aktivt" in outcome.message
    assert f"{year}-01-01 – {year}-12-31" in outcome.message


async def test_job_of_an_invoice_already_transferred_is_done_without_a_call(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected)
    await transfer(connected, session, invoice)
    await forget_requests(connected)
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.fortnox_document_number) == (
        OutcomeKind.DONE,
        str(invoice.number),
    )
    assert await requests_to_fortnox(connected) == []


async def test_account_missing_in_fortnox_fails_naming_the_account(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    async with session_factory() as writer:
        stored_invoice = await writer.get(SgxInvoice, invoice.id)
        assert stored_invoice is not None
        stored_invoice.rows[0].account_number = 3999  # not in Fortnox's chart
        await writer.commit()
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code, outcome.fortnox_code) == (
        OutcomeKind.FAILED,
        "fortnox_account_problem",
        "2001304",
    )
    assert "konto 3999 finns inte" in outcome.message
