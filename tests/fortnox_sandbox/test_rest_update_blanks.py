"""Blanks in updates, as recorded against real Fortnox: ``""`` keeps a field, ``null`` clears it."""

from __future__ import annotations

import httpx

from tests.fortnox_sandbox.rest_builders import create_customer, create_invoice, error_of


async def _put_customer(client: httpx.AsyncClient, number: str, **fields: object) -> httpx.Response:
    return await client.put(f"/3/customers/{number}", json={"Customer": fields})


async def _put_invoice(client: httpx.AsyncClient, number: str, **fields: object) -> httpx.Response:
    return await client.put(f"/3/invoices/{number}", json={"Invoice": fields})


async def test_empty_string_in_a_customer_update_leaves_the_field_as_it_was(
    fortnox: httpx.AsyncClient,
) -> None:
    customer = await create_customer(fortnox, Address1="Storgatan 1", Comments="Ring först")

    response = await _put_customer(fortnox, customer["CustomerNumber"], Address1="", Comments="")

    assert response.status_code == 200
    updated = response.json()["Customer"]
    assert (updated["Address1"], updated["Comments"]) == ("Storgatan 1", "Ring först")


async def test_null_in_a_customer_update_clears_the_field(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(
        fortnox, Address1="Storgatan 1", City="Lund", Phone1="046-123", Comments="Ring först"
    )

    response = await _put_customer(
        fortnox, customer["CustomerNumber"], Address1=None, City=None, Phone1=None, Comments=None
    )

    assert response.status_code == 200
    updated = response.json()["Customer"]
    assert [updated[k] for k in ("Address1", "City", "Phone1", "Comments")] == [None] * 4
    again = (await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")).json()["Customer"]
    assert again["Address1"] is None


async def test_null_clears_an_email_to_the_empty_string_a_new_customer_shows(
    fortnox: httpx.AsyncClient,
) -> None:
    customer = await create_customer(fortnox, Email="a@b.se", EmailInvoice="a@b.se")

    response = await _put_customer(fortnox, customer["CustomerNumber"], EmailInvoice=None)

    updated = response.json()["Customer"]
    assert (updated["Email"], updated["EmailInvoice"]) == ("a@b.se", "")


async def test_null_name_is_refused_and_nothing_is_stored(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, Name="Acme", City="Lund")

    response = await _put_customer(fortnox, customer["CustomerNumber"], Name=None, City=None)

    assert error_of(response) == (400, 2000588)
    assert response.json()["ErrorInformation"]["message"] == "Kundnamn kan inte vara tomt"
    stored = (await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")).json()["Customer"]
    assert (stored["Name"], stored["City"]) == ("Acme", "Lund")


async def test_empty_name_in_an_update_is_ignored(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, Name="Acme")

    response = await _put_customer(fortnox, customer["CustomerNumber"], Name="")

    assert response.status_code == 200
    assert response.json()["Customer"]["Name"] == "Acme"


async def test_empty_string_in_an_invoice_update_leaves_the_field_as_it_was(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox, Comments="A comment to be reset", Country="Sverige")

    response = await _put_invoice(fortnox, invoice["DocumentNumber"], Comments="", Country="")

    assert response.status_code == 200
    updated = response.json()["Invoice"]
    assert (updated["Comments"], updated["Country"]) == ("A comment to be reset", "Sverige")


async def test_null_in_an_invoice_update_clears_the_field(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(
        fortnox, Comments="A comment", Address1="Storgatan 1", ZipCode="22100", City="Lund"
    )

    response = await _put_invoice(
        fortnox, invoice["DocumentNumber"], Comments=None, Address1=None, ZipCode=None, City=None
    )

    assert response.status_code == 200
    updated = response.json()["Invoice"]
    assert [updated[k] for k in ("Comments", "Address1", "ZipCode", "City")] == [None] * 4


async def test_null_on_an_invoice_field_that_cannot_be_blank_is_refused(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox, Comments="A comment")

    response = await _put_invoice(
        fortnox, invoice["DocumentNumber"], InvoiceDate=None, Comments=None
    )

    assert error_of(response) == (400, 2000588)
    stored = (await fortnox.get(f"/3/invoices/{invoice['DocumentNumber']}")).json()["Invoice"]
    assert stored["Comments"] == "A comment"


async def test_null_in_a_create_is_the_field_left_out(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/customers", json={"Customer": {"Name": "Acme", "City": None}})

    assert response.status_code == 201
    assert response.json()["Customer"]["City"] is None


async def test_keep_on_null_fault_makes_a_clear_have_no_effect(
    fortnox: httpx.AsyncClient, sandbox_client: httpx.AsyncClient
) -> None:
    customer = await create_customer(fortnox, Address1="Storgatan 1")
    await sandbox_client.post(
        "/_sandbox/faults", json={"kind": "keep_on_null", "method": "PUT", "count": 1}
    )

    kept = await _put_customer(fortnox, customer["CustomerNumber"], Address1=None, City="Lund")
    cleared = await _put_customer(fortnox, customer["CustomerNumber"], Address1=None)

    assert kept.status_code == 200
    assert (kept.json()["Customer"]["Address1"], kept.json()["Customer"]["City"]) == (
        "Storgatan 1",
        "Lund",
    )
    assert cleared.json()["Customer"]["Address1"] is None
