"""Builders for REST tests: small functions with keyword defaults that create through ``/3/``."""

from __future__ import annotations

from typing import Any

import httpx

from fortnox_sandbox.backend import ALL_SCOPES, OAuthClient, SandboxBackend
from fortnox_sandbox.tenants import Company

REST_CLIENT_ID = "rest-test-client"


def row(
    *,
    description: str = "Hälsoundersökning",
    quantity: str | int = "1",
    price: float | str = 1000,
    vat: int | None = 25,
    **extra: Any,
) -> dict[str, Any]:
    built: dict[str, Any] = {
        "Description": description,
        "DeliveredQuantity": quantity,
        "Price": price,
        **extra,
    }
    if vat is not None:
        built["VAT"] = vat
    return built


async def create_customer(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"Name": "Verkstaden i Ås AB", **fields}
    response = await client.post("/3/customers", json={"Customer": body})
    assert response.status_code == 201, response.text
    customer: dict[str, Any] = response.json()["Customer"]
    return customer


async def create_article(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"Description": "Hörseltest", **fields}
    response = await client.post("/3/articles", json={"Article": body})
    assert response.status_code == 201, response.text
    article: dict[str, Any] = response.json()["Article"]
    return article


async def post_invoice(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    if "CustomerNumber" not in fields:
        fields["CustomerNumber"] = (await create_customer(client))["CustomerNumber"]
    fields.setdefault("InvoiceRows", [row()])
    return await client.post("/3/invoices", json={"Invoice": fields})


async def create_invoice(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await post_invoice(client, **fields)
    assert response.status_code == 201, response.text
    invoice: dict[str, Any] = response.json()["Invoice"]
    return invoice


async def action(client: httpx.AsyncClient, number: str, name: str) -> httpx.Response:
    return await client.put(f"/3/invoices/{number}/{name}")


async def booked_invoice(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    invoice = await create_invoice(client, **fields)
    response = await action(client, invoice["DocumentNumber"], "bookkeep")
    assert response.status_code == 200, response.text
    booked: dict[str, Any] = response.json()["Invoice"]
    return booked


async def pay(
    client: httpx.AsyncClient, number: str, amount: float | str, date: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"InvoiceNumber": int(number), "Amount": amount}
    if date is not None:
        body["PaymentDate"] = date
    return await client.post("/3/invoicepayments", json={"InvoicePayment": body})


def error_of(response: httpx.Response) -> tuple[int, int]:
    """(status, Fortnox code) whatever the key casing of the ErrorInformation."""
    info = response.json()["ErrorInformation"]
    return response.status_code, int(info.get("Code", info.get("code")))


def token_for(
    backend: SandboxBackend, company: Company, scopes: tuple[str, ...] = ALL_SCOPES
) -> str:
    if REST_CLIENT_ID not in backend.clients:
        backend.register_client(
            OAuthClient(
                client_id=REST_CLIENT_ID,
                client_secret="rest-test-secret",
                redirect_uris=["https://sgx.test/callback"],
            )
        )
    consent = backend.create_consent(
        tenant_id=company.tenant_id,
        client_id=REST_CLIENT_ID,
        scopes=list(scopes),
        account_type="personal",
        user_id=next(iter(company.users.values())).user_id,
    )
    return backend.issue_access_token(consent)
