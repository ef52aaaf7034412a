"""The read-only UI shows companies and, per company, customers, invoices and payments."""

from __future__ import annotations

from decimal import Decimal

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.oauth_helpers import make_company


async def test_start_page_lists_companies(sandbox_client: httpx.AsyncClient) -> None:
    await make_company(sandbox_client, name="Tandläkarna i Ås AB")
    page = await sandbox_client.get("/_sandbox/ui")
    assert page.status_code == 200
    assert "<title>Företag – Fortnox (sandlåda)</title>" in page.text
    assert "Tandläkarna i Ås AB" in page.text


async def test_start_page_without_companies_says_so(sandbox_client: httpx.AsyncClient) -> None:
    page = await sandbox_client.get("/_sandbox/ui/")
    assert "Inga företag ännu." in page.text


async def test_company_page_shows_customers_invoices_and_payments(
    sandbox_client: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    company = await make_company(sandbox_client)
    stored = sandbox_backend.companies[company["tenant_id"]]
    stored.customers["7"] = {"CustomerNumber": "7", "Name": "Kalle Kund", "City": "Ås"}
    stored.invoices["1001"] = {
        "DocumentNumber": "1001",
        "CustomerNumber": "7",
        "CustomerName": "Kalle Kund",
        "Total": Decimal("1250.00"),
        "Balance": Decimal("0.00"),
        "Booked": True,
        "Cancelled": False,
        "Credit": "false",
    }
    stored.payments["3"] = {"Number": "3", "InvoiceNumber": "1001", "Amount": Decimal("1250.00")}
    page = await sandbox_client.get(f"/_sandbox/ui/companies/{company['tenant_id']}")
    assert page.status_code == 200
    assert "Kalle Kund" in page.text and "1001" in page.text and "Bokförd" in page.text
    assert page.text.count("1250.00") == 2


async def test_unknown_company_page_is_404(sandbox_client: httpx.AsyncClient) -> None:
    page = await sandbox_client.get("/_sandbox/ui/companies/123")
    assert page.status_code == 404 and "finns inte" in page.text


async def test_links_keep_the_mount_prefix(sandbox_app) -> None:  # type: ignore[no-untyped-def]
    outer = Starlette(routes=[Mount("/fortnox-sandbox", app=sandbox_app)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=outer), base_url="http://sgx.test"
    ) as client:
        await client.post(
            "/fortnox-sandbox/_sandbox/companies", json={"name": "A", "organisation_number": "1"}
        )
        page = await client.get("/fortnox-sandbox/_sandbox/ui")
    assert 'href="/fortnox-sandbox/_sandbox/ui/companies/' in page.text
