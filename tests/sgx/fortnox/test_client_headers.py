"""Every call the client makes carries the JSON headers Fortnox asks for."""

from __future__ import annotations

import httpx

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.schemas import Customer
from tests.sgx.fortnox.sandbox import invoice, requests_seen


async def test_gets_writes_and_body_less_actions_all_carry_json_accept_and_content_type(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    customer = await fortnox.customers.create(Customer(name="Verkstaden i Ås AB"))
    assert customer.customer_number is not None
    await fortnox.customers.get(customer.customer_number)
    await fortnox.customers.update(customer.customer_number, Customer(city="Ås"))
    created = await fortnox.invoices.create(invoice(customer.customer_number))
    assert created.document_number is not None
    await fortnox.invoices.bookkeep(created.document_number)
    await fortnox.invoices.search(customer_number=customer.customer_number)

    seen = [
        r for r in await requests_seen(sandbox_client, tenant_id) if r["path"].startswith("/3/")
    ]

    assert {(r["method"], r["path"].split("/")[2]) for r in seen} >= {
        ("GET", "customers"),
        ("POST", "customers"),
        ("PUT", "customers"),
        ("POST", "invoices"),
        ("PUT", "invoices"),
        ("GET", "invoices"),
    }
    assert [(r["accept"], r["content_type"]) for r in seen] == [
        ("application/json", "application/json")
    ] * len(seen)
