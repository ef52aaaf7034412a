"""Invoices through the client, against the sandbox: create, read, search, actions, credits."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.errors import InvalidRequest, NotFound
from sgx.fortnox.schemas import Customer, Invoice
from tests.sgx.fortnox.sandbox import TODAY, invoice, requests_seen, row


@pytest.fixture
async def customer_number(fortnox: FortnoxClient) -> str:
    customer = await fortnox.customers.create(Customer(name="Verkstaden i Ås AB"))
    assert customer.customer_number is not None
    return customer.customer_number


async def create(fortnox: FortnoxClient, customer_number: str, **fields: object) -> Invoice:
    created = await fortnox.invoices.create(invoice(customer_number, **fields))
    assert created.document_number is not None
    return created


async def test_created_invoice_has_number_ocr_and_totals_from_fortnox(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    created = await create(
        fortnox,
        customer_number,
        invoice_date=TODAY,
        invoice_rows=[row(quantity="2", price="500"), row(quantity="1.5", price="99.90")],
    )
    assert created.total == Decimal("1437") and created.total_vat == Decimal("287.46")
    assert created.ocr and created.invoice_date == TODAY
    assert created.booked is False and created.credit is False
    assert created.credit_invoice_reference is None
    assert created.invoice_rows is not None
    assert [r.delivered_quantity for r in created.invoice_rows] == [Decimal(2), Decimal("1.5")]


async def test_invoice_is_read_back_by_number(fortnox: FortnoxClient, customer_number: str) -> None:
    created = await create(fortnox, customer_number, external_invoice_reference1="sgx-1")
    assert created.document_number is not None
    fetched = await fortnox.invoices.get(created.document_number)
    assert fetched.external_invoice_reference1 == "sgx-1"
    assert fetched.total == created.total


async def test_invoice_read_and_written_back_whole_is_accepted(
    fortnox: FortnoxClient,
    customer_number: str,
    sandbox_client: httpx.AsyncClient,
    tenant_id: int,
) -> None:
    created = await create(fortnox, customer_number)
    assert created.document_number is not None
    changed = created.model_copy(update={"remarks": "Tack för besöket"})
    updated = await fortnox.invoices.update(created.document_number, changed)
    assert updated.remarks == "Tack för besöket" and updated.total == created.total
    statuses = [r["status"] for r in await requests_seen(sandbox_client, tenant_id)]
    assert all(status < 400 for status in statuses)


async def test_unknown_invoice_is_not_found_with_fortnox_code(fortnox: FortnoxClient) -> None:
    with pytest.raises(NotFound) as raised:
        await fortnox.invoices.get("4711")
    assert (raised.value.status, raised.value.code) == (404, 2000434)


async def test_external_reference_lookup_post_filters_substring_hits(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    wanted = await create(fortnox, customer_number, external_invoice_reference1="sgx-7")
    await create(fortnox, customer_number, external_invoice_reference1="sgx-77")
    found = await fortnox.invoices.find_by_external_reference("sgx-7")
    assert [i.document_number for i in found] == [wanted.document_number]
    assert await fortnox.invoices.find_by_external_reference("sgx-8") == []


async def test_search_by_document_and_customer_number(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    first = await create(fortnox, customer_number)
    other = await fortnox.customers.create(Customer(name="Annan kund AB"))
    assert other.customer_number is not None
    await create(fortnox, other.customer_number)
    by_customer = await fortnox.invoices.search(customer_number=customer_number)
    by_number = await fortnox.invoices.search(document_number=first.document_number)
    assert [i.document_number for i in by_customer.items] == [first.document_number]
    assert first.document_number in [i.document_number for i in by_number.items]


async def test_unbooked_filter_and_last_modified_narrow_the_list(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    booked = await create(fortnox, customer_number)
    assert booked.document_number is not None
    await fortnox.invoices.bookkeep(booked.document_number)
    unbooked = await create(fortnox, customer_number)
    listed = [i.document_number async for i in fortnox.invoices.iterate(filter="unbooked")]
    assert listed == [unbooked.document_number]
    recent = await fortnox.invoices.search(last_modified=TODAY)
    assert recent.total_resources == 2


async def test_unknown_filter_is_an_invalid_request_with_fortnox_code(
    fortnox: FortnoxClient,
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await fortnox.invoices.search(filter="betalda")
    assert (raised.value.status, raised.value.code) == (400, 2000587)
    assert raised.value.message == "Ett ogiltigt filter har använts."


async def test_bookkeeping_marks_the_invoice_booked_with_a_voucher(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    created = await create(fortnox, customer_number)
    assert created.document_number is not None
    booked = await fortnox.invoices.bookkeep(created.document_number)
    assert booked.booked is True and booked.voucher_number is not None


async def test_cancelling_an_unbooked_invoice_marks_it_cancelled(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    created = await create(fortnox, customer_number)
    assert created.document_number is not None
    cancelled = await fortnox.invoices.cancel(created.document_number)
    assert cancelled.cancelled is True


async def test_a_booked_invoice_cannot_be_cancelled(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    created = await create(fortnox, customer_number)
    assert created.document_number is not None
    await fortnox.invoices.bookkeep(created.document_number)
    with pytest.raises(InvalidRequest) as raised:
        await fortnox.invoices.cancel(created.document_number)
    assert raised.value.status == 400 and raised.value.message


async def test_full_credit_returns_the_original_pointing_at_its_credit_invoice(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    created = await create(fortnox, customer_number)
    assert created.document_number is not None
    await fortnox.invoices.bookkeep(created.document_number)
    original = await fortnox.invoices.credit(created.document_number)
    assert original.document_number == created.document_number
    assert original.credit_invoice_reference is not None
    credit = await fortnox.invoices.get(original.credit_invoice_reference)
    assert credit.credit is True and credit.invoice_reference == created.document_number
    assert credit.total == -(created.total or 0)


async def test_partial_credit_is_the_credit_invoice_edited_before_booking(
    fortnox: FortnoxClient, customer_number: str
) -> None:
    created = await create(fortnox, customer_number, invoice_rows=[row(price="1000")])
    assert created.document_number is not None
    await fortnox.invoices.bookkeep(created.document_number)
    original = await fortnox.invoices.credit(created.document_number)
    assert original.credit_invoice_reference is not None
    changes = Invoice(invoice_rows=[row(quantity="-1", price="400")])
    credit = await fortnox.invoices.update(original.credit_invoice_reference, changes)
    assert credit.credit is True and credit.invoice_reference == created.document_number
    assert credit.total == Decimal("-500")
    booked = await fortnox.invoices.bookkeep(original.credit_invoice_reference)
    assert booked.booked is True
