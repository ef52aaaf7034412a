"""Builders for client tests: a company, an OAuth client and tokens made through the sandbox's
control plane, and ``FortnoxClient``s talking to the sandbox in-process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.oauth import FortnoxOAuth
from sgx.fortnox.pacing import Pacer, PacingKey, SlidingWindowPacer
from sgx.fortnox.schemas import Invoice, InvoiceRow

API_BASE_URL = "http://fortnox.test"
OAUTH_BASE_URL = "http://fortnox.test/oauth-v1"
CLIENT_ID = "sgx-client-tests"
CLIENT_SECRET = "sgx-client-secret"
REDIRECT_URI = "https://sgx.test/fortnox/callback"
SCOPES = ["companyinformation", "customer", "article", "invoice", "bookkeeping", "payment"]
ORGANISATION_NUMBER = "556036-0793"
USERNAME, PASSWORD = "anna", "hemligt-123"
# The sandbox's clock is set to this day (financial years 2025 and 2026 are seeded).
TODAY = dt.date(2026, 3, 10)


async def register_client(control: httpx.AsyncClient, **overrides: Any) -> None:
    body = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [REDIRECT_URI],
        **overrides,
    }
    response = await control.post("/_sandbox/clients", json=body)
    assert response.status_code == 200, response.text


async def create_company(
    control: httpx.AsyncClient,
    *,
    name: str = "Företagshälsan i Ås AB",
    organisation_number: str = ORGANISATION_NUMBER,
    **extra: Any,
) -> int:
    users = [{"username": USERNAME, "password": PASSWORD, "sysadmin": True}]
    body = {"name": name, "organisation_number": organisation_number, "users": users, **extra}
    response = await control.post("/_sandbox/companies", json=body)
    assert response.status_code == 200, response.text
    tenant_id: int = response.json()["tenant_id"]
    return tenant_id


async def consent(
    control: httpx.AsyncClient,
    tenant_id: int,
    *,
    scopes: list[str] | None = None,
    account_type: str = "personal",
) -> dict[str, Any]:
    """Tokens of a consent made without the browser."""
    body = {
        "tenant_id": tenant_id,
        "client_id": CLIENT_ID,
        "scopes": scopes or SCOPES,
        "account_type": account_type,
    }
    response = await control.post("/_sandbox/tokens", json=body)
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def fortnox_client(
    http: httpx.AsyncClient, access_token: str, tenant_id: int, *, pacer: Pacer | None = None
) -> FortnoxClient:
    async def token_provider() -> str:
        return access_token

    return FortnoxClient(
        http,
        base_url=API_BASE_URL,
        token_provider=token_provider,
        pacer=pacer or SlidingWindowPacer(),
        pacing_key=PacingKey(client_id=CLIENT_ID, tenant_id=tenant_id),
    )


def fortnox_oauth(http: httpx.AsyncClient, *, secret: str = CLIENT_SECRET) -> FortnoxOAuth:
    return FortnoxOAuth(
        http,
        client_id=CLIENT_ID,
        client_secret=secret,
        redirect_uri=REDIRECT_URI,
        base_url=OAUTH_BASE_URL,
    )


async def requests_seen(control: httpx.AsyncClient, tenant_id: int) -> list[dict[str, Any]]:
    """What the sandbox received for ``tenant_id``, in order."""
    response = await control.get("/_sandbox/requests", params={"tenant_id": tenant_id})
    assert response.status_code == 200, response.text
    requests: list[dict[str, Any]] = response.json()["requests"]
    return requests


async def add_fault(control: httpx.AsyncClient, **fault: Any) -> None:
    response = await control.post("/_sandbox/faults", json=fault)
    assert response.status_code == 200, response.text


def row(
    *,
    quantity: str = "1",
    price: str = "1000",
    account: int = 3001,
    description: str = "Hälsoundersökning",
) -> InvoiceRow:
    return InvoiceRow(
        delivered_quantity=Decimal(quantity),
        price=Decimal(price),
        vat=Decimal(25),
        account_number=account,
        description=description,
    )


def invoice(customer_number: str, **fields: Any) -> Invoice:
    fields.setdefault("invoice_rows", [row()])
    fields.setdefault("vat_included", False)
    return Invoice(customer_number=customer_number, **fields)
