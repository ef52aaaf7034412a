"""`/3/invoicepayments`: payments drive the invoice's Balance and FinalPayDate."""

from __future__ import annotations

from typing import Any

import httpx

from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.rest_builders import (
    booked_invoice,
    create_invoice,
    error_of,
    pay,
    row,
)


async def get_invoice(client: httpx.AsyncClient, number: str) -> dict[str, Any]:
    invoice: dict[str, Any] = (await client.get(f"/3/invoices/{number}")).json()["Invoice"]
    return invoice


async def test_full_payment_zeroes_the_balance_and_sets_final_pay_date(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=1000.40)])

    response = await pay(fortnox, invoice["DocumentNumber"], 1251, "2026-03-12")

    assert response.status_code == 201
    payment = response.json()["InvoicePayment"]
    assert (payment["Number"], payment["InvoiceNumber"], payment["Amount"]) == ("1", 1, 1251)
    assert (payment["InvoiceTotal"], payment["InvoiceOCR"]) == ("1251", "133")
    paid = await get_invoice(fortnox, invoice["DocumentNumber"])
    assert (paid["Balance"], paid["FinalPayDate"]) == (0, "2026-03-12")


async def test_partial_payment_lowers_the_balance_only(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=1000)])

    await pay(fortnox, invoice["DocumentNumber"], 500.5)

    paid = await get_invoice(fortnox, invoice["DocumentNumber"])
    assert (paid["Balance"], paid["FinalPayDate"]) == (749.5, None)


async def test_final_pay_date_is_the_day_of_the_last_payment(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=800)])

    await pay(fortnox, invoice["DocumentNumber"], 400, "2026-03-11")
    await pay(fortnox, invoice["DocumentNumber"], 600, "2026-03-14")

    paid = await get_invoice(fortnox, invoice["DocumentNumber"])
    assert (paid["Balance"], paid["FinalPayDate"]) == (0, "2026-03-14")


async def test_payment_date_defaults_to_today(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    payment = (await pay(fortnox, invoice["DocumentNumber"], 10)).json()["InvoicePayment"]

    assert payment["PaymentDate"] == "2026-03-10"


async def test_payment_on_an_unbooked_invoice_is_refused(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await pay(fortnox, invoice["DocumentNumber"], 100)

    assert error_of(response) == (400, 2000588)


async def test_payment_before_the_invoice_date_is_refused(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    response = await pay(fortnox, invoice["DocumentNumber"], 100, "2026-03-09")

    assert error_of(response) == (400, 2000588)


async def test_payment_on_an_unknown_invoice_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await pay(fortnox, "404", 100)

    assert error_of(response) == (400, 2000434)


async def test_payment_needs_an_invoice_number(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/invoicepayments", json={"InvoicePayment": {"Amount": 1}})

    assert error_of(response) == (400, 2000588)


async def test_list_by_invoice_number(fortnox: httpx.AsyncClient) -> None:
    first = await booked_invoice(fortnox)
    second = await booked_invoice(fortnox)
    await pay(fortnox, first["DocumentNumber"], 10)
    await pay(fortnox, second["DocumentNumber"], 20)
    await pay(fortnox, second["DocumentNumber"], 30)

    listed = (
        await fortnox.get("/3/invoicepayments", params={"invoicenumber": second["DocumentNumber"]})
    ).json()

    assert [p["Amount"] for p in listed["InvoicePayments"]] == [20, 30]
    assert listed["InvoicePayments"][0]["WriteOffExist"] is False


async def test_get_payment_and_unknown_payment(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)
    await pay(fortnox, invoice["DocumentNumber"], 10)

    found = (await fortnox.get("/3/invoicepayments/1")).json()["InvoicePayment"]
    missing = await fortnox.get("/3/invoicepayments/9")

    assert (found["Amount"], found["InvoiceCustomerNumber"]) == (10, invoice["CustomerNumber"])
    assert missing.status_code == 404


async def test_deleting_a_payment_reopens_the_invoice(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=800)])
    await pay(fortnox, invoice["DocumentNumber"], 1000)

    response = await fortnox.delete("/3/invoicepayments/1")

    assert response.status_code == 204
    reopened = await get_invoice(fortnox, invoice["DocumentNumber"])
    assert (reopened["Balance"], reopened["FinalPayDate"]) == (1000, None)


async def test_updating_a_payment_moves_the_balance(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=800)])
    await pay(fortnox, invoice["DocumentNumber"], 400)

    response = await fortnox.put("/3/invoicepayments/1", json={"InvoicePayment": {"Amount": 1000}})

    assert response.status_code == 200
    assert (await get_invoice(fortnox, invoice["DocumentNumber"]))["Balance"] == 0


async def test_bookkept_payment_cannot_be_deleted(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)
    await pay(fortnox, invoice["DocumentNumber"], 10)

    booked = (await fortnox.put("/3/invoicepayments/1/bookkeep")).json()["InvoicePayment"]
    response = await fortnox.delete("/3/invoicepayments/1")

    assert (booked["Booked"], booked["VoucherSeries"]) == (True, "C")
    assert error_of(response) == (400, 2000588)


async def test_write_off_covers_the_rest_of_the_balance(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=800)])

    response = await fortnox.post(
        "/3/invoicepayments",
        json={
            "InvoicePayment": {
                "InvoiceNumber": int(invoice["DocumentNumber"]),
                "Amount": 999,
                "WriteOffs": [{"AccountNumber": 3740, "Amount": 1}],
            }
        },
    )

    assert response.status_code == 201
    assert (await get_invoice(fortnox, invoice["DocumentNumber"]))["Balance"] == 0


async def test_read_only_payment_field_is_refused(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    response = await fortnox.post(
        "/3/invoicepayments",
        json={
            "InvoicePayment": {
                "InvoiceNumber": int(invoice["DocumentNumber"]),
                "Amount": 1,
                "Booked": True,
            }
        },
    )

    assert error_of(response) == (400, 2001399)


async def test_payments_lastmodified(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    invoice = await booked_invoice(fortnox)
    await pay(fortnox, invoice["DocumentNumber"], 1)
    sandbox_backend.clock.advance(900)
    await pay(fortnox, invoice["DocumentNumber"], 2)

    listed = (
        await fortnox.get("/3/invoicepayments", params={"lastmodified": "2026-03-10 10:10"})
    ).json()

    assert [p["Amount"] for p in listed["InvoicePayments"]] == [2]
