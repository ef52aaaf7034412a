"""Actions "inside Fortnox" through the control plane: what people do in Fortnox directly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from fortnox_sandbox.tenants import Company


async def create_customer(fortnox: httpx.AsyncClient) -> dict[str, Any]:
    response = await fortnox.post("/3/customers", json={"Customer": {"Name": "Kund i Ås AB"}})
    assert response.status_code == 201, response.text
    customer: dict[str, Any] = response.json()["Customer"]
    return customer


async def create_invoice(fortnox: httpx.AsyncClient) -> dict[str, Any]:
    customer = await create_customer(fortnox)
    row = {"Description": "Hälsoundersökning", "DeliveredQuantity": "1", "Price": 1000}
    body = {"CustomerNumber": customer["CustomerNumber"], "InvoiceRows": [row]}
    response = await fortnox.post("/3/invoices", json={"Invoice": body})
    assert response.status_code == 201, response.text
    invoice: dict[str, Any] = response.json()["Invoice"]
    return invoice


async def _act(client: httpx.AsyncClient, company: Company, **body: Any) -> httpx.Response:
    return await client.post(f"/_sandbox/tenants/{company.tenant_id}/actions", json=body)


async def test_create_customer_answers_the_customer_as_fortnox_shows_it(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    response = await _act(
        sandbox_client, company, action="create_customer", fields={"Name": "Saknad AB"}
    )
    assert response.status_code == 200
    number = response.json()["Customer"]["CustomerNumber"]
    fetched = await fortnox.get(f"/3/customers/{number}")
    assert fetched.json()["Customer"]["Name"] == "Saknad AB"


async def test_edit_customer_changes_what_the_api_reads(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    customer = await create_customer(fortnox)
    await _act(
        sandbox_client,
        company,
        action="edit_customer",
        customer_number=customer["CustomerNumber"],
        fields={"Email": "ny@example.se"},
    )
    fetched = await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")
    assert fetched.json()["Customer"]["Email"] == "ny@example.se"


async def test_bookkeep_invoice_books_it(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    invoice = await create_invoice(fortnox)
    response = await _act(
        sandbox_client,
        company,
        action="bookkeep_invoice",
        document_number=invoice["DocumentNumber"],
    )
    assert response.json()["Invoice"]["Booked"] is True


async def test_credit_invoice_sets_the_credit_reference(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    invoice = await create_invoice(fortnox)
    number = invoice["DocumentNumber"]
    await _act(sandbox_client, company, action="bookkeep_invoice", document_number=number)
    response = await _act(sandbox_client, company, action="credit_invoice", document_number=number)
    assert response.json()["Invoice"]["CreditInvoiceReference"] not in ("0", "", None)


async def test_cancel_invoice_cancels_it(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    invoice = await create_invoice(fortnox)
    response = await _act(
        sandbox_client, company, action="cancel_invoice", document_number=invoice["DocumentNumber"]
    )
    assert response.json()["Invoice"]["Cancelled"] is True


async def test_register_payment_lowers_the_balance(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    invoice = await create_invoice(fortnox)
    number = invoice["DocumentNumber"]
    response = await _act(
        sandbox_client,
        company,
        action="register_payment",
        document_number=number,
        amount="100.00",
        payment_date="2026-03-10",
    )
    assert Decimal(str(response.json()["InvoicePayment"]["Amount"])) == Decimal("100")
    fetched = (await fortnox.get(f"/3/invoices/{number}")).json()["Invoice"]
    assert Decimal(str(fetched["Balance"])) == Decimal(str(invoice["Total"])) - 100


async def test_edit_invoice_changes_its_fields(
    sandbox_client: httpx.AsyncClient, fortnox: httpx.AsyncClient, company: Company
) -> None:
    invoice = await create_invoice(fortnox)
    response = await _act(
        sandbox_client,
        company,
        action="edit_invoice",
        document_number=invoice["DocumentNumber"],
        fields={"YourReference": "Ändrad i Fortnox"},
    )
    assert response.json()["Invoice"]["YourReference"] == "Ändrad i Fortnox"


async def test_deactivate_account_marks_it_inactive(
    sandbox_client: httpx.AsyncClient, company: Company
) -> None:
    response = await _act(sandbox_client, company, action="deactivate_account", number=3001)
    assert response.status_code == 200
    assert response.json()["Account"]["Active"] is False


async def test_action_on_unknown_invoice_carries_fortnox_code(
    sandbox_client: httpx.AsyncClient, company: Company
) -> None:
    response = await _act(sandbox_client, company, action="cancel_invoice", document_number=999)
    assert response.status_code == 404
    assert response.json()["error"] == "fortnox_error" and response.json()["code"] == 2000434


async def test_unknown_action_is_a_bad_request(
    sandbox_client: httpx.AsyncClient, company: Company
) -> None:
    response = await _act(sandbox_client, company, action="delete_everything")
    assert response.status_code == 400 and response.json()["error"] == "unknown_action"


async def test_action_without_its_field_is_a_bad_request(
    sandbox_client: httpx.AsyncClient, company: Company
) -> None:
    response = await _act(sandbox_client, company, action="credit_invoice")
    assert response.status_code == 400 and "document_number" in response.json()["detail"]


async def test_action_on_unknown_company_is_not_found(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/_sandbox/tenants/42/actions", json={"action": "cancel_invoice", "document_number": 1}
    )
    assert response.status_code == 404 and response.json()["error"] == "company_not_found"


async def test_revoking_a_consent_that_does_not_exist_is_not_found(
    sandbox_client: httpx.AsyncClient, company: Company
) -> None:
    response = await _act(sandbox_client, company, action="revoke_consent", client_id="nobody")
    assert response.status_code == 404 and response.json()["error"] == "consent_not_found"
