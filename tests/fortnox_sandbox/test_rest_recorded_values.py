"""Values real Fortnox was recorded accepting, and the JSON types it was recorded answering with."""

from __future__ import annotations

import httpx
import pytest

from tests.fortnox_sandbox.rest_builders import (
    create_article,
    create_customer,
    create_invoice,
    error_of,
    row,
)


@pytest.mark.parametrize(("sent", "kept"), [(1.123, "1.12"), (1.125, "1.13"), ("2.005", "2.01")])
async def test_delivered_quantity_is_rounded_half_up_to_two_decimals(
    fortnox: httpx.AsyncClient, sent: float | str, kept: str
) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(quantity=sent, price=100)])  # type: ignore[arg-type]

    assert invoice["InvoiceRows"][0]["DeliveredQuantity"] == kept


@pytest.mark.parametrize(("sent", "kept"), [(1.123, 1.12), (1.125, 1.13), (99.995, 100)])
async def test_price_is_rounded_half_up_to_two_decimals(
    fortnox: httpx.AsyncClient, sent: float, kept: float
) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(quantity="1", price=sent)])

    assert invoice["InvoiceRows"][0]["Price"] == kept


async def test_rounded_price_is_what_the_total_is_computed_from(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(quantity="100", price=1.125, vat=0)])

    assert invoice["InvoiceRows"][0]["TotalExcludingVAT"] == 113


async def test_article_with_sales_account_1250_is_created(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/articles", json={"Article": {"Description": "Hörselskydd", "SalesAccount": 1250}}
    )

    assert response.status_code == 201, response.text
    assert response.json()["Article"]["SalesAccount"] == 1250
    assert response.json()["Article"]["VAT"] == 0  # the account has no VAT code


async def test_article_list_shows_quantity_in_stock_as_a_string(
    fortnox: httpx.AsyncClient,
) -> None:
    await create_article(fortnox)

    item = (await fortnox.get("/3/articles")).json()["Articles"][0]

    assert item["QuantityInStock"] == "0"


async def test_invoice_list_shows_currency_rate_as_a_string_and_the_invoice_a_number(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox)

    item = (await fortnox.get("/3/invoices")).json()["Invoices"][0]

    assert item["CurrencyRate"] == "1"
    assert invoice["CurrencyRate"] == 1


async def test_customer_sales_account_written_as_a_string_reads_back_as_a_number(
    fortnox: httpx.AsyncClient,
) -> None:
    customer = await create_customer(fortnox, SalesAccount="3001")

    fetched = (await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")).json()

    assert customer["SalesAccount"] == 3001
    assert fetched["Customer"]["SalesAccount"] == 3001


async def test_accept_header_that_rules_out_json_is_1000030(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/customers", headers={"Accept": "application/xml"})

    assert error_of(response) == (400, 1000030)


async def test_request_log_keeps_the_accept_and_content_type_sent(
    fortnox: httpx.AsyncClient, sandbox_client: httpx.AsyncClient
) -> None:
    await fortnox.get(
        "/3/customers", headers={"Accept": "application/json", "Content-Type": "application/json"}
    )

    entry = (await sandbox_client.get("/_sandbox/requests")).json()["requests"][-1]

    assert (entry["accept"], entry["content_type"]) == ("application/json", "application/json")
