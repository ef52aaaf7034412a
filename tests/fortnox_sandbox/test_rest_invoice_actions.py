"""Invoice actions (bookkeep, cancel, credit, externalprint), editing a credit invoice into a
partial credit, and POSTed negative invoices (never credits)."""

from __future__ import annotations

from typing import Any

import httpx

from fortnox_sandbox import inside
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import (
    action,
    booked_invoice,
    create_article,
    create_invoice,
    error_of,
    pay,
    post_invoice,
    row,
)


async def get(client: httpx.AsyncClient, number: str) -> dict[str, Any]:
    invoice: dict[str, Any] = (await client.get(f"/3/invoices/{number}")).json()["Invoice"]
    return invoice


# ---- bookkeep ----------------------------------------------------------------------------


async def test_bookkeep_sets_booked_and_the_voucher(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await action(fortnox, invoice["DocumentNumber"], "bookkeep")

    assert response.status_code == 200
    booked = response.json()["Invoice"]
    assert booked["Booked"] is True
    assert (booked["VoucherSeries"], booked["VoucherNumber"], booked["VoucherYear"]) == ("B", 1, 2)


async def test_bookkeep_twice_is_refused(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    response = await action(fortnox, invoice["DocumentNumber"], "bookkeep")

    assert error_of(response) == (400, 2000588)


async def test_bookkeep_needs_the_rounding_account_active(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(price=1000.40)])
    inside.deactivate_account(sandbox_backend, company.tenant_id, 3740)

    response = await action(fortnox, invoice["DocumentNumber"], "bookkeep")

    assert error_of(response) == (400, 2000550)
    assert (await get(fortnox, invoice["DocumentNumber"]))["Booked"] is False


async def test_bookkeep_of_unknown_invoice_is_404(fortnox: httpx.AsyncClient) -> None:
    assert error_of(await action(fortnox, "9", "bookkeep")) == (404, 2000434)


# ---- cancel ------------------------------------------------------------------------------


async def test_cancel_marks_the_invoice_cancelled(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await action(fortnox, invoice["DocumentNumber"], "cancel")

    assert response.status_code == 200
    assert response.json()["Invoice"]["Cancelled"] is True


async def test_bookkept_invoice_cannot_be_cancelled(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    response = await action(fortnox, invoice["DocumentNumber"], "cancel")

    assert error_of(response) == (400, 2000588)
    assert (await get(fortnox, invoice["DocumentNumber"]))["Cancelled"] is False


async def test_cancelled_invoice_cannot_be_bookkept_or_credited(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox)
    await action(fortnox, invoice["DocumentNumber"], "cancel")

    assert error_of(await action(fortnox, invoice["DocumentNumber"], "bookkeep"))[0] == 400
    assert error_of(await action(fortnox, invoice["DocumentNumber"], "credit"))[0] == 400
    assert error_of(await action(fortnox, invoice["DocumentNumber"], "cancel"))[0] == 400


# ---- credit ------------------------------------------------------------------------------


async def test_credit_answers_with_the_updated_original(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=1000.40)])

    response = await action(fortnox, invoice["DocumentNumber"], "credit")

    assert response.status_code == 200
    original = response.json()["Invoice"]
    assert original["DocumentNumber"] == invoice["DocumentNumber"]
    assert original["Credit"] == "false"
    assert original["CreditInvoiceReference"] == "2"


async def test_credit_invoice_mirrors_the_original_with_negative_amounts(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(
        fortnox,
        ExternalInvoiceReference1="sgx-7",
        InvoiceRows=[row(price=1000.40, quantity="2"), row(price=300, vat=0)],
    )
    await action(fortnox, invoice["DocumentNumber"], "credit")

    credit = await get(fortnox, "2")

    assert credit["Credit"] == "true"
    assert credit["InvoiceReference"] == invoice["DocumentNumber"]
    assert credit["CreditInvoiceReference"] == "0"
    assert [r["DeliveredQuantity"] for r in credit["InvoiceRows"]] == ["-2", "-1"]
    assert (credit["Total"], credit["TotalVAT"], credit["RoundOff"]) == (
        -invoice["Total"],
        -invoice["TotalVAT"],
        -invoice["RoundOff"],
    )
    assert credit["InvoiceDate"] == "2026-03-10"
    assert credit["OCR"] == "232"
    assert credit["ExternalInvoiceReference1"] == "sgx-7"
    assert credit["Booked"] is False


async def test_credit_settles_an_unpaid_invoice(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    original = (await action(fortnox, invoice["DocumentNumber"], "credit")).json()["Invoice"]
    credit = await get(fortnox, original["CreditInvoiceReference"])

    assert (original["Balance"], original["FinalPayDate"]) == (0, "2026-03-10")
    assert (credit["Balance"], credit["FinalPayDate"]) == (0, "2026-03-10")


async def test_credit_of_a_paid_invoice_leaves_money_to_return_on_the_credit(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=800)])
    await pay(fortnox, invoice["DocumentNumber"], 1000)

    original = (await action(fortnox, invoice["DocumentNumber"], "credit")).json()["Invoice"]
    credit = await get(fortnox, original["CreditInvoiceReference"])

    assert original["Balance"] == 0
    assert (credit["Total"], credit["Balance"], credit["FinalPayDate"]) == (-1000, -1000, None)


async def test_a_second_full_credit_is_refused(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)
    await action(fortnox, invoice["DocumentNumber"], "credit")

    response = await action(fortnox, invoice["DocumentNumber"], "credit")

    assert error_of(response) == (400, 2000588)
    listed = (await fortnox.get("/3/invoices", params={"credit": "true"})).json()
    assert listed["MetaInformation"]["@TotalResources"] == 1


async def test_a_credit_invoice_cannot_itself_be_credited(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)
    await action(fortnox, invoice["DocumentNumber"], "credit")
    assert (await action(fortnox, "2", "bookkeep")).status_code == 200

    assert error_of(await action(fortnox, "2", "credit")) == (400, 2000588)


async def test_unbooked_invoice_cannot_be_credited(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await action(fortnox, invoice["DocumentNumber"], "credit")

    assert error_of(response) == (400, 2000588)
    original = await get(fortnox, invoice["DocumentNumber"])
    assert (original["CreditInvoiceReference"], original["Balance"]) == ("0", invoice["Total"])
    listed = (await fortnox.get("/3/invoices", params={"credit": "true"})).json()
    assert listed["MetaInformation"]["@TotalResources"] == 0


# ---- a partial credit: the credit invoice edited before it is booked ----------------------


async def test_credit_invoice_rows_and_dates_can_be_changed_until_booked(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=400, quantity=3)])
    await action(fortnox, invoice["DocumentNumber"], "credit")

    response = await fortnox.put(
        "/3/invoices/2",
        json={
            "Invoice": {
                "InvoiceDate": "2026-03-05",
                "DueDate": "2026-03-05",
                "InvoiceRows": [row(price=400, quantity=-1)],
            }
        },
    )

    assert response.status_code == 200, response.text
    credit = response.json()["Invoice"]
    assert (credit["Credit"], credit["InvoiceReference"]) == ("true", invoice["DocumentNumber"])
    assert (credit["Total"], credit["InvoiceDate"], credit["DueDate"]) == (
        -500,
        "2026-03-05",
        "2026-03-05",
    )
    original = await get(fortnox, invoice["DocumentNumber"])
    assert (original["CreditInvoiceReference"], original["Balance"]) == ("2", 1000)
    assert original["FinalPayDate"] is None
    assert (credit["Balance"], credit["FinalPayDate"]) == (0, "2026-03-10")


async def test_booked_credit_invoice_cannot_be_changed(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=400, quantity=3)])
    await action(fortnox, invoice["DocumentNumber"], "credit")
    await action(fortnox, "2", "bookkeep")

    response = await fortnox.put(
        "/3/invoices/2", json={"Invoice": {"InvoiceRows": [row(price=400, quantity=-1)]}}
    )

    assert error_of(response) == (400, 2000588)
    assert (await get(fortnox, "2"))["Total"] == -invoice["Total"]


async def test_booked_invoice_cannot_be_changed(fortnox: httpx.AsyncClient) -> None:
    invoice = await booked_invoice(fortnox)

    response = await fortnox.put(
        f"/3/invoices/{invoice['DocumentNumber']}", json={"Invoice": {"YourReference": "Eva"}}
    )

    assert error_of(response) == (400, 2000588)


async def test_cancelling_an_edited_credit_invoice_restores_the_original(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=400, quantity=2)])
    await action(fortnox, invoice["DocumentNumber"], "credit")
    await fortnox.put(
        "/3/invoices/2", json={"Invoice": {"InvoiceRows": [row(price=400, quantity=-1)]}}
    )

    await action(fortnox, "2", "cancel")

    original = await get(fortnox, invoice["DocumentNumber"])
    assert (original["Balance"], original["CreditInvoiceReference"]) == (1000, "0")


# ---- CreditInvoiceReference in a POST is read-only -----------------------------------------


async def test_posted_credit_reference_is_ignored_and_the_invoice_is_ordinary(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=400, quantity=3)])

    response = await post_invoice(
        fortnox,
        CustomerNumber=invoice["CustomerNumber"],
        CreditInvoiceReference=invoice["DocumentNumber"],
        InvoiceRows=[row(price=400, quantity=-1)],
    )

    assert response.status_code == 201
    posted = response.json()["Invoice"]
    assert (posted["Credit"], posted["InvoiceReference"]) == ("false", "0")
    assert (posted["Total"], posted["Balance"]) == (-500, -500)
    original = await get(fortnox, invoice["DocumentNumber"])
    assert (original["CreditInvoiceReference"], original["Balance"]) == ("0", 1500)


async def test_a_posted_negative_invoice_leaves_the_original_creditable(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await booked_invoice(fortnox, InvoiceRows=[row(price=400, quantity=2)])
    await post_invoice(
        fortnox,
        CustomerNumber=invoice["CustomerNumber"],
        CreditInvoiceReference=invoice["DocumentNumber"],
        InvoiceRows=[row(price=400, quantity=-1)],
    )

    response = await action(fortnox, invoice["DocumentNumber"], "credit")

    assert response.status_code == 200
    assert response.json()["Invoice"]["CreditInvoiceReference"] == "3"


# ---- externalprint -----------------------------------------------------------------------


async def test_externalprint_marks_the_invoice_sent(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await action(fortnox, invoice["DocumentNumber"], "externalprint")

    assert response.status_code == 200
    assert response.json()["Invoice"]["Sent"] is True


async def test_credit_works_after_the_rows_article_was_deleted(
    fortnox: httpx.AsyncClient,
) -> None:
    article = await create_article(fortnox, Description="Syntest")
    invoice = await create_invoice(
        fortnox, InvoiceRows=[row(ArticleNumber=article["ArticleNumber"], description="Syntest")]
    )
    await action(fortnox, invoice["DocumentNumber"], "bookkeep")
    await fortnox.delete(f"/3/articles/{article['ArticleNumber']}")

    response = await action(fortnox, invoice["DocumentNumber"], "credit")

    assert response.status_code == 200
    credit = await get(fortnox, response.json()["Invoice"]["CreditInvoiceReference"])
    assert credit["InvoiceRows"][0]["Description"] == "Syntest"
    assert credit["Total"] == -invoice["Total"]
