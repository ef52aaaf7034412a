"""What people do directly in Fortnox (``inside``): same rules, visible through ``/3/``."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from fortnox_sandbox import inside
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.errors import FortnoxApiError
from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import booked_invoice, create_customer, create_invoice


async def test_credit_inside_answers_like_the_credit_action(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    invoice = await booked_invoice(fortnox)

    shown = inside.credit_invoice(sandbox_backend, company.tenant_id, invoice["DocumentNumber"])

    assert shown["Invoice"]["CreditInvoiceReference"] == "2"
    credit = (await fortnox.get("/3/invoices/2")).json()["Invoice"]
    assert credit["Credit"] == "true"


async def test_cancel_inside_follows_the_api_rules(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    unbooked = await create_invoice(fortnox)
    booked = await booked_invoice(fortnox)

    shown = inside.cancel_invoice(sandbox_backend, company.tenant_id, unbooked["DocumentNumber"])

    assert shown["Invoice"]["Cancelled"] is True
    with pytest.raises(FortnoxApiError) as refused:
        inside.cancel_invoice(sandbox_backend, company.tenant_id, booked["DocumentNumber"])
    assert refused.value.status == 400


async def test_bookkeep_inside(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    invoice = await create_invoice(fortnox)

    shown = inside.bookkeep_invoice(sandbox_backend, company.tenant_id, invoice["DocumentNumber"])

    assert shown["Invoice"]["Booked"] is True


async def test_payment_inside_bookkeeps_first_and_pays(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    invoice = await create_invoice(
        fortnox, InvoiceRows=[{"Description": "x", "Price": 800, "DeliveredQuantity": 1}]
    )

    shown = inside.register_payment(
        sandbox_backend, company.tenant_id, invoice["DocumentNumber"], Decimal("1000"), "2026-03-11"
    )

    assert shown["InvoicePayment"]["Amount"] == 1000
    paid = (await fortnox.get(f"/3/invoices/{invoice['DocumentNumber']}")).json()["Invoice"]
    assert (paid["Booked"], paid["Balance"], paid["FinalPayDate"]) == (True, 0, "2026-03-11")


async def test_partial_payment_inside_with_amount_as_text(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    invoice = await booked_invoice(fortnox)

    inside.register_payment(sandbox_backend, company.tenant_id, invoice["DocumentNumber"], "100")

    paid = (await fortnox.get(f"/3/invoices/{invoice['DocumentNumber']}")).json()["Invoice"]
    assert paid["Balance"] == invoice["Total"] - 100


async def test_edit_invoice_inside_bumps_lastmodified(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    await create_invoice(fortnox)
    await create_invoice(fortnox)
    sandbox_backend.clock.advance(600)

    shown = inside.edit_invoice(sandbox_backend, company.tenant_id, "2", {"YourReference": "Eva"})

    assert shown["Invoice"]["YourReference"] == "Eva"
    changed = (await fortnox.get("/3/invoices", params={"lastmodified": "2026-03-10 10:10"})).json()
    assert [i["DocumentNumber"] for i in changed["Invoices"]] == ["2"]


async def test_edit_customer_inside(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    customer = await create_customer(fortnox, Name="Före")

    shown = inside.edit_customer(
        sandbox_backend, company.tenant_id, customer["CustomerNumber"], {"Name": "Efter"}
    )

    assert shown["Customer"]["Name"] == "Efter"
    again = (await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")).json()
    assert again["Customer"]["Name"] == "Efter"


async def test_create_customer_inside_takes_the_next_number(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    await create_customer(fortnox)

    shown = inside.create_customer(
        sandbox_backend,
        company.tenant_id,
        {"Name": "Saknat Bolag AB", "OrganisationNumber": "559000-0001"},
    )

    assert shown["Customer"]["CustomerNumber"] == "2"
    found = (await fortnox.get("/3/customers", params={"organisationnumber": "559000"})).json()
    assert [c["Name"] for c in found["Customers"]] == ["Saknat Bolag AB"]


def test_inside_unknown_invoice_raises_not_found(
    sandbox_backend: SandboxBackend, company: Company
) -> None:
    with pytest.raises(FortnoxApiError) as missing:
        inside.credit_invoice(sandbox_backend, company.tenant_id, "77")

    assert (missing.value.status, missing.value.code) == (404, 2000434)


def test_inside_unknown_tenant_raises(sandbox_backend: SandboxBackend) -> None:
    with pytest.raises(FortnoxApiError) as missing:
        inside.create_customer(sandbox_backend, 42, {"Name": "X"})

    assert missing.value.status == 404


def test_inside_results_are_json_ready(sandbox_backend: SandboxBackend, company: Company) -> None:
    shown = inside.create_customer(sandbox_backend, company.tenant_id, {"Name": "X"})

    assert json.loads(json.dumps(shown)) == shown


def test_deactivate_account_inside_unknown_account_raises(
    sandbox_backend: SandboxBackend, company: Company
) -> None:
    with pytest.raises(FortnoxApiError) as missing:
        inside.deactivate_account(sandbox_backend, company.tenant_id, 3999)

    assert (missing.value.status, missing.value.code) == (404, 2000423)
