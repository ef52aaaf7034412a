"""`PUT /3/invoices/{n}`: partial header updates and Fortnox's two row-update rules."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fortnox_sandbox.rest_builders import action, create_invoice, error_of, row


async def put(client: httpx.AsyncClient, number: str, **fields: Any) -> httpx.Response:
    return await client.put(f"/3/invoices/{number}", json={"Invoice": fields})


def texts(invoice: dict[str, Any]) -> list[str]:
    return [r["Description"] for r in invoice["InvoiceRows"]]


async def test_header_update_keeps_what_was_not_sent(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, YourReference="Anna", Remarks="Tack!")

    response = await put(fortnox, invoice["DocumentNumber"], YourReference="Bertil")

    assert response.status_code == 200
    updated = response.json()["Invoice"]
    assert (updated["YourReference"], updated["Remarks"]) == ("Bertil", "Tack!")
    assert texts(updated) == texts(invoice)


async def test_rows_without_row_ids_are_matched_by_position_and_the_rest_dropped(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(
        fortnox, InvoiceRows=[row(description="A"), row(description="B"), row(description="C")]
    )

    updated = (
        await put(fortnox, invoice["DocumentNumber"], InvoiceRows=[{"Price": 10}, {"Price": 20}])
    ).json()["Invoice"]

    assert texts(updated) == ["A", "B"]
    assert [r["Price"] for r in updated["InvoiceRows"]] == [10, 20]


async def test_with_row_ids_unmentioned_rows_are_removed_and_rows_without_id_added(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(
        fortnox, InvoiceRows=[row(description="A"), row(description="B"), row(description="C")]
    )
    first, _, third = (r["RowId"] for r in invoice["InvoiceRows"])

    updated = (
        await put(
            fortnox,
            invoice["DocumentNumber"],
            InvoiceRows=[
                {"RowId": first},
                {"RowId": third, "Description": "C2"},
                row(description="D"),
            ],
        )
    ).json()["Invoice"]

    assert texts(updated) == ["A", "C2", "D"]


async def test_every_update_gives_every_row_a_new_row_id(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(), row()])
    before = {r["RowId"] for r in invoice["InvoiceRows"]}

    updated = (await put(fortnox, invoice["DocumentNumber"], Comments="x")).json()["Invoice"]

    assert before.isdisjoint({r["RowId"] for r in updated["InvoiceRows"]})


async def test_unknown_row_id_is_refused(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await put(fortnox, invoice["DocumentNumber"], InvoiceRows=[{"RowId": 999999}])

    assert error_of(response) == (400, 2000588)


async def test_totals_follow_the_updated_rows(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(price=100)])

    updated = (
        await put(fortnox, invoice["DocumentNumber"], InvoiceRows=[{"DeliveredQuantity": "3"}])
    ).json()["Invoice"]

    assert (updated["Net"], updated["Total"], updated["Balance"]) == (300, 375, 375)


async def test_new_invoice_date_moves_the_due_date(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    updated = (await put(fortnox, invoice["DocumentNumber"], InvoiceDate="2026-03-20")).json()

    assert updated["Invoice"]["DueDate"] == "2026-04-19"


async def test_refused_update_leaves_the_invoice_unchanged(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, YourReference="Anna")

    response = await put(
        fortnox,
        invoice["DocumentNumber"],
        YourReference="Bertil",
        InvoiceRows=[row(AccountNumber=3999)],
    )

    assert error_of(response) == (400, 2001304)
    again = (await fortnox.get(f"/3/invoices/{invoice['DocumentNumber']}")).json()["Invoice"]
    assert again["YourReference"] == "Anna"


async def test_bookkept_invoice_cannot_be_updated(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)
    await action(fortnox, invoice["DocumentNumber"], "bookkeep")

    response = await put(fortnox, invoice["DocumentNumber"], Comments="x")

    assert error_of(response) == (400, 2000588)


async def test_cancelled_invoice_cannot_be_updated(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)
    await action(fortnox, invoice["DocumentNumber"], "cancel")

    response = await put(fortnox, invoice["DocumentNumber"], Comments="x")

    assert error_of(response) == (400, 2000588)


async def test_document_number_cannot_change(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await put(fortnox, invoice["DocumentNumber"], DocumentNumber="99")

    assert error_of(response) == (400, 2000588)


async def test_update_of_unknown_invoice_is_404(fortnox: httpx.AsyncClient) -> None:
    response = await put(fortnox, "404", Comments="x")

    assert error_of(response) == (404, 2000434)
