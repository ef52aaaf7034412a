"""Credits to Fortnox through the transfer handlers, against the sandbox: the first credit of an
invoice is the credit invoice Fortnox's credit action makes, set to SGX's rows and dates and
booked; later credits are plain negative invoices that name the original, marked for matching."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.handlers import transfer_full_credit, transfer_invoice
from sgx.integration.jobs import OutcomeKind
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.issuers.models import Issuer
from sgx.kit.clock import today_in_sweden
from sgx.outbox.models import JobKind
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    credit,
    fortnox_invoice,
    inside_fortnox,
    make_job,
    patient_invoice,
    reload_job,
    requests_to_fortnox,
    stored,
    transfer,
)

# The invoice is dated earlier than the day the credit jobs run (Fortnox's "today"), and its
# credits earlier still than that day, so that a credit dated by Fortnox would show.
INVOICED = today_in_sweden() - dt.timedelta(days=6)
CREDITED = today_in_sweden() - dt.timedelta(days=3)


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


@pytest.fixture
async def original(connected: Connected, session: AsyncSession) -> Invoice:
    invoice = await patient_invoice(
        session, connected, rows=[("BESOK", "2"), ("KONSULT", "1")], invoice_date=INVOICED
    )
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE
    return invoice


async def calls(connected: Connected) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]


async def test_full_credit_is_fortnox_credit_invoice_linked_dated_as_sgx_and_booked(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    full = await credit(session, original, today=CREDITED)
    outcome = await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    assert outcome.kind is OutcomeKind.DONE
    credited = await fortnox_invoice(connected, original.number)
    made = await fortnox_invoice(connected, credited["CreditInvoiceReference"])
    assert outcome.fortnox_document_number == made["DocumentNumber"]
    assert (made["Credit"], made["InvoiceReference"]) == ("true", str(original.number))
    assert made["Booked"] is True
    assert (made["InvoiceDate"], made["DueDate"]) == (CREDITED.isoformat(), CREDITED.isoformat())
    assert (Decimal(str(made["Total"])), Decimal(str(made["TotalVAT"]))) == (full.total, full.vat)
    after = await stored(session_factory, Invoice, full.id)
    assert after.fortnox_document_number == made["DocumentNumber"]
    assert after.transfer_status == TransferStatus.TRANSFERRED.value
    assert after.fortnox_unlinked_credit is False
    assert (await stored(session_factory, Invoice, original.id)).transfer_status == (
        TransferStatus.CREDITED.value
    )


async def test_full_credit_settles_the_original_in_fortnox(
    connected: Connected, session: AsyncSession, original: Invoice
) -> None:
    full = await credit(session, original, today=CREDITED)
    await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    assert (await fortnox_invoice(connected, original.number))["Balance"] == 0


async def test_partial_credit_is_the_credit_invoice_set_to_sgx_rows_dates_and_booked(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    partial = await credit(session, original, [(original.rows[0].id, "1")], today=CREDITED)
    outcome = await transfer(connected, session, partial)
    assert outcome.kind is OutcomeKind.DONE
    credited = await fortnox_invoice(connected, original.number)
    assert credited["CreditInvoiceReference"] == outcome.fortnox_document_number
    made = await fortnox_invoice(connected, outcome.fortnox_document_number)
    assert (made["Credit"], made["InvoiceReference"], made["Booked"]) == (
        "true",
        str(original.number),
        True,
    )
    assert [(r["ArticleNumber"], r["DeliveredQuantity"]) for r in made["InvoiceRows"]] == [
        ("BESOK", "-1")
    ]
    assert Decimal(str(made["Total"])) == partial.total == Decimal("-850.00")
    assert made["InvoiceDate"] == CREDITED.isoformat()
    assert f"faktura {original.number}" in made["Remarks"]
    # Fortnox settles the credit against the original: what is left is what is still owed.
    assert Decimal(str(credited["Balance"])) == original.total + partial.total
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.TRANSFERRED.value  # not all credited


async def test_partial_credit_costs_the_action_one_change_and_the_booking(
    connected: Connected, session: AsyncSession, original: Invoice
) -> None:
    partial = await credit(session, original, [(original.rows[0].id, "1")], today=CREDITED)
    before = len(await calls(connected))
    outcome = await transfer(connected, session, partial)
    made = outcome.fortnox_document_number
    assert (await calls(connected))[before:] == [
        ("PUT", f"/3/invoices/{original.number}/credit"),
        ("PUT", f"/3/invoices/{made}"),
        ("PUT", f"/3/invoices/{made}/bookkeep"),
    ]


async def test_second_partial_credit_is_a_negative_invoice_naming_the_original(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    first = await credit(session, original, [(original.rows[0].id, "1")], today=CREDITED)
    linked = (await transfer(connected, session, first)).fortnox_document_number
    second = await credit(session, original, [(original.rows[1].id, "1")], today=CREDITED)
    outcome = await transfer(connected, session, second)
    assert (outcome.kind, outcome.fortnox_document_number) == (OutcomeKind.DONE, str(second.number))
    made = await fortnox_invoice(connected, second.number)
    assert (made["Credit"], made["InvoiceReference"], made["Booked"]) == ("false", "0", True)
    assert Decimal(str(made["Total"])) == second.total
    assert made["InvoiceDate"] == CREDITED.isoformat()
    assert made["ExternalInvoiceReference2"] == f"Kredit av faktura {original.number}"
    assert f"Kreditering av faktura {original.number}" in made["Remarks"]
    # Fortnox links only the first credit and settles only that one.
    credited = await fortnox_invoice(connected, original.number)
    assert credited["CreditInvoiceReference"] == linked
    assert Decimal(str(credited["Balance"])) == original.total + first.total
    after = await stored(session_factory, Invoice, second.id)
    assert after.fortnox_unlinked_credit is True
    assert after.transfer_status == TransferStatus.TRANSFERRED.value
    assert (await stored(session_factory, Invoice, first.id)).fortnox_unlinked_credit is False


async def test_rest_credited_after_a_partial_credit_makes_the_original_krediterad(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory, original: Invoice
) -> None:
    partial = await credit(session, original, [(original.rows[0].id, "1")], today=CREDITED)
    await transfer(connected, session, partial)
    rest = await credit(session, original, today=CREDITED)
    outcome = await transfer(connected, session, rest, kind=JobKind.FULL_CREDIT)
    assert (outcome.kind, outcome.fortnox_document_number) == (OutcomeKind.DONE, str(rest.number))
    made = await fortnox_invoice(connected, rest.number)
    assert (made["Credit"], made["Booked"]) == ("false", True)
    assert Decimal(str(made["Total"])) == rest.total
    assert [path for _, path in await calls(connected)].count(
        f"/3/invoices/{original.number}/credit"
    ) == 1
    after = await stored(session_factory, Invoice, original.id)
    assert after.transfer_status == TransferStatus.CREDITED.value
    assert (await stored(session_factory, Invoice, rest.id)).fortnox_unlinked_credit is True


async def test_a_full_credit_made_in_fortnox_already_is_adopted_not_credited_twice(
    connected: Connected, session: AsyncSession, original: Invoice
) -> None:
    shown = await inside_fortnox(connected, "credit_invoice", document_number=str(original.number))
    made_in_fortnox = shown["Invoice"]["CreditInvoiceReference"]
    full = await credit(session, original)
    outcome = await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    assert (outcome.kind, outcome.fortnox_document_number) == (OutcomeKind.DONE, made_in_fortnox)
    assert len([i async for i in connected.fortnox.invoices.iterate()]) == 2


async def test_a_partial_credit_of_an_invoice_credited_in_fortnox_is_refused_for_a_person(
    connected: Connected, session: AsyncSession, original: Invoice
) -> None:
    await inside_fortnox(connected, "credit_invoice", document_number=str(original.number))
    partial = await credit(session, original, [(original.rows[0].id, "1")])
    outcome = await transfer(connected, session, partial)
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "credited_in_fortnox")
    assert "redan krediterad i Fortnox" in outcome.message
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


async def by_hand(session_factory: SessionFactory, connected: Connected) -> None:
    """The issuer turns "Bokför fakturor i Fortnox automatiskt" off."""
    async with session_factory() as writer:
        issuer = await writer.get(Issuer, connected.clinic.issuer.id)
        assert issuer is not None
        issuer.book_invoices_in_fortnox = False
        await writer.commit()


async def test_with_booking_off_an_invoice_is_transferred_and_left_unbooked(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await by_hand(session_factory, connected)
    invoice = await patient_invoice(session, connected)
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.fortnox_document_number) == (
        OutcomeKind.DONE,
        str(invoice.number),
    )
    assert (await fortnox_invoice(connected, invoice.number))["Booked"] is False
    assert not any(path.endswith("/bookkeep") for _, path in await calls(connected))


async def test_with_booking_off_a_credit_books_the_original_first_and_leaves_itself_unbooked(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await by_hand(session_factory, connected)
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "2")])
    await transfer(connected, session, invoice)
    partial = await credit(session, invoice, [(invoice.rows[0].id, "1")], today=CREDITED)
    outcome = await transfer(connected, session, partial)
    sent = [path for _, path in await calls(connected)]
    assert outcome.kind is OutcomeKind.DONE
    assert (await fortnox_invoice(connected, invoice.number))["Booked"] is True
    made = await fortnox_invoice(connected, outcome.fortnox_document_number)
    assert (made["Credit"], made["InvoiceReference"], made["Booked"]) == (
        "true",
        str(invoice.number),
        False,
    )
    assert Decimal(str(made["Total"])) == partial.total
    assert sent[-4:] == [
        f"/3/invoices/{invoice.number}",
        f"/3/invoices/{invoice.number}/bookkeep",
        f"/3/invoices/{invoice.number}/credit",
        f"/3/invoices/{made['DocumentNumber']}",
    ]


async def test_credit_action_refused_on_an_unbooked_original_books_it_and_credits_once(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    # Transferred while the issuer booked by hand; booking turned on before the credit.
    await by_hand(session_factory, connected)
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "2")])
    await transfer(connected, session, invoice)
    async with session_factory() as writer:
        issuer = await writer.get(Issuer, connected.clinic.issuer.id)
        assert issuer is not None
        issuer.book_invoices_in_fortnox = True
        await writer.commit()
    full = await credit(session, invoice, today=CREDITED)
    outcome = await transfer(connected, session, full, kind=JobKind.FULL_CREDIT)
    assert outcome.kind is OutcomeKind.DONE
    answers = [
        (r["path"], r["status"])
        for r in await requests_to_fortnox(connected)
        if r["path"] == f"/3/invoices/{invoice.number}/credit"
    ]
    assert [status for _, status in answers] == [400, 200]
    made = await fortnox_invoice(connected, outcome.fortnox_document_number)
    assert (made["Credit"], made["Booked"], made["InvoiceDate"]) == (
        "true",
        True,
        CREDITED.isoformat(),
    )
