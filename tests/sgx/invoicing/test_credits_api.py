"""Crediting invoices through the JSON API: full and partial credits, several partials, limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice
from tests.builders.catalog import make_article
from tests.builders.invoicing import Clinic, make_clinic


async def create_invoice(
    client: httpx.AsyncClient, clinic: Clinic, rows: list[tuple[str, str]]
) -> Any:
    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json={
            "patient_id": clinic.patient.id,
            "invoice_date": "2025-03-14",
            "rows": [{"article_code": code, "quantity": quantity} for code, quantity in rows],
        },
        headers=clinic.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def credit(
    client: httpx.AsyncClient, clinic: Clinic, invoice: Any, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/api/v1/invoices/{invoice['id']}/credit", json=body, headers=clinic.headers
    )


def partial(invoice: Any, *quantities: str) -> dict[str, Any]:
    """Body crediting the given quantity of each row, in row order ("0" leaves a row out)."""
    rows = [
        {"row_id": row["id"], "quantity": quantity}
        for row, quantity in zip(invoice["rows"], quantities, strict=False)
        if quantity != "0"
    ]
    return {"rows": rows, "reason": "Fel antal"}


async def invoice_count(session: AsyncSession) -> int:
    count = int(await session.scalar(select(func.count()).select_from(Invoice)) or 0)
    await session.commit()
    return count


async def test_full_credit_mirrors_the_original_with_negative_amounts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("KONSULT", "1"), ("BESOK", "2")])

    response = await credit(client, clinic, original, {"reason": "Felaktig faktura"})

    assert response.status_code == 201, response.text
    credit_invoice = response.json()
    assert (credit_invoice["credit_of_id"], credit_invoice["credit_reason"]) == (
        original["id"],
        "Felaktig faktura",
    )
    assert (credit_invoice["number"], credit_invoice["ocr"]) == (1002, "100263")
    assert [(row["quantity"], row["net"]) for row in credit_invoice["rows"]] == [
        ("-1.00", "-1000.40"),
        ("-2.00", "-1700.00"),
    ]
    assert [row["credited_row_id"] for row in credit_invoice["rows"]] == [
        row["id"] for row in original["rows"]
    ]
    for name in ("net", "vat", "rounding", "total"):
        assert Decimal(credit_invoice[name]) == -Decimal(original[name])
    assert credit_invoice["transfer"]["status"] == "Ej aktiverad"


async def test_partial_credit_takes_only_the_chosen_rows_and_quantities(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("KONSULT", "2"), ("BESOK", "3")])

    response = await credit(client, clinic, original, partial(original, "0", "1"))

    assert response.status_code == 201, response.text
    body = response.json()
    assert [(row["article_code"], row["quantity"]) for row in body["rows"]] == [("BESOK", "-1.00")]
    assert (body["net"], body["vat"], body["total"]) == ("-850.00", "0.00", "-850.00")


async def test_several_partial_credits_are_allowed_up_to_the_whole_invoice(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("KONSULT", "2"), ("BESOK", "3")])

    statuses = [
        (await credit(client, clinic, original, partial(original, "1", "1"))).status_code,
        (await credit(client, clinic, original, partial(original, "0", "2"))).status_code,
        (await credit(client, clinic, original, partial(original, "1"))).status_code,
    ]

    assert statuses == [201, 201, 201]
    refused = await credit(client, clinic, original, {})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "already_credited"


async def test_over_credit_of_a_row_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("KONSULT", "2"), ("BESOK", "3")])
    assert (await credit(client, clinic, original, partial(original, "0", "2"))).status_code == 201
    before = await invoice_count(session)

    response = await credit(client, clinic, original, partial(original, "1", "2"))

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {
            "field": "rows.1.quantity",
            "code": "exceeds_remaining",
            "message": "Högst 1.00 kan krediteras på raden.",
        }
    ]
    assert await invoice_count(session) == before


async def test_full_credit_after_partial_credits_takes_the_remainder(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("KONSULT", "2"), ("BESOK", "3")])
    first = (await credit(client, clinic, original, partial(original, "1", "2"))).json()

    response = await credit(client, clinic, original, {})

    rest = response.json()
    # 2 950,50 → -2 951 and 2 100,50 → -2 101 would credit 5 052 kr of 5 051: the rest
    # completes the crediting with an öresutjämning row (see test_credit_rounding.py).
    assert [(row["article_code"], row["quantity"]) for row in rest["rows"]] == [
        ("KONSULT", "-1.00"),
        ("BESOK", "-1.00"),
        ("", "1.00"),
    ]
    for name in ("vat", "total"):
        assert Decimal(first[name]) + Decimal(rest[name]) == -Decimal(original[name])


async def test_partial_credits_never_exceed_the_original_total_in_sum(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # Original: 3 × 0.10 at 25 % → VAT 0.08 on the summed base 0.30, total 0.38. Each credit of
    # one is 0.10 + 0.03 VAT in Fortnox; the last is brought to what is left (0.12) by an
    # öresutjämning row of 0.01, so the three are exactly the invoice.
    clinic = await make_clinic(session, whole_krona_rounding=False)
    await make_article(
        session, issuer_id=clinic.issuer.id, code="LITEN", vat_rate=25, unit_price="0.10"
    )
    await session.commit()
    original = await create_invoice(client, clinic, [("LITEN", "3")])
    assert (original["vat"], original["total"]) == ("0.08", "0.38")

    credits = [
        (await credit(client, clinic, original, partial(original, "1"))).json() for _ in range(3)
    ]

    assert [item["vat"] for item in credits] == ["-0.03", "-0.03", "-0.03"]
    assert [item["total"] for item in credits] == ["-0.13", "-0.13", "-0.12"]
    assert [len(item["rows"]) for item in credits] == [1, 1, 2]
    assert sum(Decimal(item["total"]) for item in credits) == Decimal("-0.38")


async def test_credit_rows_with_fractional_quantities_sum_to_the_original_row(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # 0.75 × 10.10 = 7.575 → 7.58; 0.25 × 10.10 = 2.525 → 2.53 each, three of them 7.59.
    # (Whole-krona rounding would complete the crediting with an öresutjämning row instead.)
    clinic = await make_clinic(session, whole_krona_rounding=False)
    await make_article(
        session, issuer_id=clinic.issuer.id, code="TIM", vat_rate=0, unit_price="10.10"
    )
    await session.commit()
    original = await create_invoice(client, clinic, [("TIM", "0.75")])

    nets = [
        (await credit(client, clinic, original, partial(original, "0.25"))).json()["net"]
        for _ in range(3)
    ]

    assert nets == ["-2.53", "-2.53", "-2.52"]
    assert original["net"] == "7.58"


async def test_a_credit_invoice_cannot_itself_be_credited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("BESOK", "1")])
    credit_invoice = (await credit(client, clinic, original, {})).json()

    response = await credit(client, clinic, credit_invoice, {})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "credit_of_credit"


async def test_credit_naming_a_row_of_another_invoice_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("BESOK", "1")])
    other = await create_invoice(client, clinic, [("BESOK", "1")])
    before = await invoice_count(session)

    response = await credit(
        client, clinic, original, {"rows": [{"row_id": other["rows"][0]["id"], "quantity": "1"}]}
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "unknown_row"
    assert await invoice_count(session) == before


async def test_credit_naming_a_row_twice_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("BESOK", "2")])
    row_id = original["rows"][0]["id"]

    response = await credit(
        client,
        clinic,
        original,
        {"rows": [{"row_id": row_id, "quantity": "1"}, {"row_id": row_id, "quantity": "1"}]},
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0] == {
        "field": "rows.1.row_id",
        "code": "duplicate_row",
        "message": "Raden finns redan med.",
    }


async def test_credit_of_zero_quantity_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    original = await create_invoice(client, clinic, [("BESOK", "2")])

    response = await credit(client, clinic, original, partial(original, "0.00"))

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "out_of_range"


async def test_a_partial_credit_that_rounds_to_nothing_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # 0.30 kr credited alone is 0 kr after whole-krona rounding: Fortnox takes no such credit.
    clinic = await make_clinic(session)
    await make_article(
        session, issuer_id=clinic.issuer.id, code="SMA", vat_rate=0, unit_price="0.30"
    )
    await session.commit()
    original = await create_invoice(client, clinic, [("BESOK", "1"), ("SMA", "1")])
    before = await invoice_count(session)

    response = await credit(client, clinic, original, partial(original, "0", "1"))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "rows"
    assert error["fields"][0]["code"] == "credit_of_nothing"
    assert error["message"].startswith("Krediteringen blir 0 kr efter avrundningen.")
    assert await invoice_count(session) == before
    both = await credit(client, clinic, original, partial(original, "1", "1"))
    assert both.status_code == 201 and Decimal(both.json()["total"]) == -Decimal(original["total"])
