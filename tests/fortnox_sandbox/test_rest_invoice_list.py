"""Listing invoices: searches used by the product, status filters, dates, lastmodified, sort."""

from __future__ import annotations

import httpx

from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.rest_builders import (
    action,
    booked_invoice,
    create_customer,
    create_invoice,
    error_of,
    pay,
    row,
)


async def numbers(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/3/invoices", params=params)
    assert response.status_code == 200, response.text
    return [invoice["DocumentNumber"] for invoice in response.json()["Invoices"]]


async def test_external_reference_search_is_substring(fortnox: httpx.AsyncClient) -> None:
    await create_invoice(fortnox, ExternalInvoiceReference1="sgx-12")
    await create_invoice(fortnox, ExternalInvoiceReference1="sgx-123")
    await create_invoice(fortnox, ExternalInvoiceReference2="sgx-12")

    assert await numbers(fortnox, externalinvoicereference1="SGX-12") == ["1", "2"]
    assert await numbers(fortnox, externalinvoicereference2="sgx-12") == ["3"]


async def test_document_number_search_is_substring_too(fortnox: httpx.AsyncClient) -> None:
    for _ in range(12):
        await create_invoice(fortnox)

    assert await numbers(fortnox, documentnumber="1") == ["1", "10", "11", "12"]


async def test_customer_number_search(fortnox: httpx.AsyncClient) -> None:
    first = await create_customer(fortnox)
    second = await create_customer(fortnox)
    await create_invoice(fortnox, CustomerNumber=first["CustomerNumber"])
    await create_invoice(fortnox, CustomerNumber=second["CustomerNumber"])

    assert await numbers(fortnox, customernumber=second["CustomerNumber"]) == ["2"]


async def test_list_item_is_the_documented_subset(fortnox: httpx.AsyncClient) -> None:
    await create_invoice(fortnox)

    item = (await fortnox.get("/3/invoices")).json()["Invoices"][0]

    assert "InvoiceRows" not in item
    assert "Credit" not in item
    assert {"@url", "Balance", "Booked", "Cancelled", "DocumentNumber", "OCR", "Total"} <= set(item)


async def test_invalid_filter_is_400_2000587_with_lower_case_keys(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await fortnox.get("/3/invoices", params={"filter": "paid"})

    assert response.status_code == 400
    assert response.json() == {
        "ErrorInformation": {
            "error": 1,
            "message": "Ett ogiltigt filter har använts.",
            "code": 2000587,
        }
    }


async def test_status_filters(fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend) -> None:
    unbooked = await create_invoice(fortnox)
    cancelled = await create_invoice(fortnox)
    await action(fortnox, cancelled["DocumentNumber"], "cancel")
    open_invoice = await booked_invoice(fortnox, DueDate="2026-04-30")
    overdue = await booked_invoice(fortnox, InvoiceDate="2026-01-05", DueDate="2026-02-04")
    paid = await booked_invoice(fortnox)
    await pay(fortnox, paid["DocumentNumber"], paid["Total"])

    assert await numbers(fortnox, filter="unbooked") == [unbooked["DocumentNumber"]]
    assert await numbers(fortnox, filter="cancelled") == [cancelled["DocumentNumber"]]
    assert await numbers(fortnox, filter="unpaid") == [
        open_invoice["DocumentNumber"],
        overdue["DocumentNumber"],
    ]
    assert await numbers(fortnox, filter="unpaidoverdue") == [overdue["DocumentNumber"]]
    assert await numbers(fortnox, filter="fullypaid") == [paid["DocumentNumber"]]


async def test_bookkept_zero_total_invoice_counts_as_fully_paid(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(quantity=0)])

    assert invoice["FinalPayDate"] == "2026-03-10"
    assert await numbers(fortnox, filter="fullypaid") == [invoice["DocumentNumber"]]


async def test_filter_combines_with_searches(fortnox: httpx.AsyncClient) -> None:
    await create_invoice(fortnox, ExternalInvoiceReference1="a")
    await booked_invoice(fortnox, ExternalInvoiceReference1="a")

    assert await numbers(fortnox, filter="unbooked", externalinvoicereference1="a") == ["1"]


async def test_from_and_to_date_select_invoice_dates_inclusively(
    fortnox: httpx.AsyncClient,
) -> None:
    for day in ("2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01"):
        await create_invoice(fortnox, InvoiceDate=day)

    assert await numbers(fortnox, fromdate="2026-02-01", todate="2026-02-28") == ["2", "3"]


async def test_invalid_date_parameter_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/invoices", params={"fromdate": "igår"})

    assert error_of(response) == (400, 2000588)


async def test_lastmodified_finds_invoices_changed_by_an_action(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    await create_invoice(fortnox)
    await create_invoice(fortnox)
    sandbox_backend.clock.advance(1200)  # 10:20
    await action(fortnox, "1", "bookkeep")

    assert await numbers(fortnox, lastmodified="2026-03-10 10:20") == ["1"]
    assert await numbers(fortnox, lastmodified="2026-03-10") == ["1", "2"]


async def test_invalid_lastmodified_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/invoices", params={"lastmodified": "förra veckan"})

    assert error_of(response) == (400, 2000588)


async def test_sort_by_total_descending(fortnox: httpx.AsyncClient) -> None:
    for price in (100, 300, 200):
        await create_invoice(fortnox, InvoiceRows=[row(price=price)])

    assert await numbers(fortnox, sortby="total", sortorder="descending") == ["2", "3", "1"]


async def test_unknown_sort_field_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/invoices", params={"sortby": "balance"})

    assert error_of(response) == (400, 2000588)


async def test_credit_search_tells_credit_invoices_apart(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)
    await action(fortnox, invoice["DocumentNumber"], "credit")

    assert await numbers(fortnox, credit="true") == ["2"]
    assert await numbers(fortnox, credit="false") == ["1"]
