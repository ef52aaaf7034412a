"""Creating and reading invoices through the JSON API: rows from articles, totals, OCR, numbers,
transfer status, and refusals that store nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice, InvoiceRow, InvoiceVatLine
from sgx.issuers.models import Issuer
from tests.builders.catalog import EXEMPT_TEXT, make_article
from tests.builders.invoicing import Clinic, make_clinic


def invoice_body(clinic: Clinic, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "patient_id": clinic.patient.id,
        "invoice_date": "2025-03-14",
        "rows": [
            {"article_code": "KONSULT", "quantity": "1"},
            {"article_code": "BESOK", "quantity": "1"},
        ],
    }
    body.update(overrides)
    return body


async def post_invoice(client: httpx.AsyncClient, clinic: Clinic, **overrides: Any) -> Any:
    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json=invoice_body(clinic, **overrides),
        headers=clinic.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_patient_invoice_gets_totals_vat_per_rate_ocr_and_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    invoice = await post_invoice(client, clinic)

    assert (invoice["number"], invoice["ocr"], invoice["kind"]) == (1001, "100164", "patient")
    assert invoice["vat_lines"] == [
        {"rate": 25, "base": "1000.40", "vat": "250.10"},
        {"rate": 0, "base": "850.00", "vat": "0.00"},
    ]
    assert (invoice["net"], invoice["vat"]) == ("1850.40", "250.10")
    assert (invoice["rounding"], invoice["total"]) == ("0.50", "2101.00")


async def test_rows_carry_the_articles_neutral_text_account_and_exemption(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    rows = (await post_invoice(client, clinic))["rows"]

    assert [(row["description"], row["account_number"], row["vat_rate"]) for row in rows] == [
        ("Läkarbesök", 3001, 25),
        ("Läkarbesök", 3004, 0),
    ]
    assert [row["vat_exemption_text"] for row in rows] == ["", EXEMPT_TEXT]
    assert [(row["quantity"], row["unit_price"], row["net"]) for row in rows] == [
        ("1.00", "1000.40", "1000.40"),
        ("1.00", "850.00", "850.00"),
    ]


async def test_due_date_defaults_to_the_issuers_payment_terms(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session, payment_terms_days=20)

    invoice = await post_invoice(client, clinic)

    assert (invoice["invoice_date"], invoice["due_date"]) == ("2025-03-14", "2025-04-03")


async def test_given_due_date_and_reference_are_kept(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    invoice = await post_invoice(client, clinic, due_date="2025-03-31", your_reference="Eva")

    assert (invoice["due_date"], invoice["your_reference"]) == ("2025-03-31", "Eva")


async def test_invoice_waits_for_transfer_only_when_the_integration_is_active(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    inactive = await make_clinic(session)
    active = await make_clinic(session, fortnox_integration_enabled=True)

    first = await post_invoice(client, inactive)
    second = await post_invoice(client, active)

    assert first["transfer"]["status"] == "Ej aktiverad"
    assert second["transfer"] == {
        "status": "Väntar på överföring",
        "fortnox_document_number": None,
        "error_code": None,
        "message": None,
        "updated_at": None,
    }


async def test_numbers_run_per_issuer_from_its_series_start(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first_clinic = await make_clinic(session)
    second_clinic = await make_clinic(session, invoice_number_start=5001, next_invoice_number=5001)

    numbers = [
        (await post_invoice(client, first_clinic))["number"],
        (await post_invoice(client, second_clinic))["number"],
        (await post_invoice(client, first_clinic))["number"],
    ]

    assert numbers == [1001, 5001, 1002]
    issuer = await session.get(Issuer, first_clinic.issuer.id, populate_existing=True)
    assert issuer is not None and issuer.next_invoice_number == 1003


async def test_company_invoice_is_addressed_to_the_company(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)

    invoice = await post_invoice(client, clinic, patient_id=None, company_id=clinic.company.id)

    assert (invoice["kind"], invoice["company_id"], invoice["patient_id"]) == (
        "company",
        clinic.company.id,
        None,
    )


async def test_row_price_and_text_may_differ_from_the_article(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    rows = [
        {
            "article_code": "BESOK",
            "quantity": "1.5",
            "unit_price": "333.33",
            "description": "Hälsoundersökning",
        }
    ]

    invoice = await post_invoice(client, clinic, rows=rows)

    row = invoice["rows"][0]
    assert (row["description"], row["unit_price"], row["net"]) == (
        "Hälsoundersökning",
        "333.33",
        "500.00",
    )
    assert invoice["total"] == "500.00"


async def test_issuer_without_whole_krona_rounding_keeps_the_ore(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session, whole_krona_rounding=False)

    invoice = await post_invoice(client, clinic)

    assert (invoice["rounding"], invoice["total"]) == ("0.00", "2100.50")


async def test_mixed_rate_company_invoice_rounds_vat_per_rate_half_up(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    rows = [
        {"article_code": "KONSULT", "quantity": "1", "unit_price": "1250.50"},
        {"article_code": "MAT", "quantity": "1"},
        {"article_code": "BOK", "quantity": "1"},
        {"article_code": "BESOK", "quantity": "1", "unit_price": "1500.00"},
    ]

    invoice = await post_invoice(
        client, clinic, patient_id=None, company_id=clinic.company.id, rows=rows
    )

    assert [(line["rate"], line["vat"]) for line in invoice["vat_lines"]] == [
        (25, "312.63"),
        (12, "12.00"),
        (6, "6.00"),
        (0, "0.00"),
    ]
    assert (invoice["net"], invoice["vat"], invoice["rounding"], invoice["total"]) == (
        "2950.49",
        "330.63",
        "-0.12",
        "3281.00",
    )


async def test_get_invoice_returns_rows_totals_and_transfer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    created = await post_invoice(client, clinic)

    response = await client.get(f"/api/v1/invoices/{created['id']}", headers=clinic.headers)

    assert response.status_code == 200
    assert response.json() == created


async def test_list_shows_the_issuers_invoices_newest_first(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    other = await make_clinic(session)
    await post_invoice(client, clinic)
    await post_invoice(client, other)
    await post_invoice(client, clinic)

    response = await client.get(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices", headers=clinic.headers
    )

    assert [invoice["number"] for invoice in response.json()] == [1002, 1001]


async def count_rows(session: AsyncSession) -> tuple[int, int, int, int]:
    counts = []
    for model in (Invoice, InvoiceRow, InvoiceVatLine):
        counts.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    next_number = await session.scalar(select(func.max(Issuer.next_invoice_number)))
    await session.commit()  # end the read: on SQLite it holds the write lock
    return counts[0], counts[1], counts[2], int(next_number or 0)


BAD_BODIES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "unknown article",
        {"rows": [{"article_code": "NOPE", "quantity": "1"}]},
        "rows.0.article_code",
        "unknown_article",
    ),
    (
        "zero quantity",
        {"rows": [{"article_code": "BESOK", "quantity": "0"}]},
        "rows.0.quantity",
        "out_of_range",
    ),
    (
        "negative quantity",
        {"rows": [{"article_code": "BESOK", "quantity": "-1"}]},
        "rows.0.quantity",
        "out_of_range",
    ),
    (
        "three decimals",
        {"rows": [{"article_code": "BESOK", "quantity": "1.005"}]},
        "rows.0.quantity",
        "too_many_decimals",
    ),
    (
        "negative price",
        {"rows": [{"article_code": "BESOK", "quantity": "1", "unit_price": "-5"}]},
        "rows.0.unit_price",
        "negative",
    ),
    (
        "price in tenths of öre",
        {"rows": [{"article_code": "BESOK", "quantity": "1", "unit_price": "1.001"}]},
        "rows.0.unit_price",
        "too_many_decimals",
    ),
    ("no party", {"patient_id": None}, "patient_id", "one_party_required"),
    ("both parties", {"company_id": -1}, "patient_id", "one_party_required"),
    ("unknown patient", {"patient_id": 999999}, "patient_id", "unknown_patient"),
    ("due before invoice date", {"due_date": "2025-03-13"}, "due_date", "before_invoice_date"),
    ("no rows", {"rows": []}, "rows", "too_short"),
    ("unknown field", {"discount": "5"}, "discount", "extra_forbidden"),
    ("bad date", {"invoice_date": "14/3/2025"}, "invoice_date", "date_from_datetime_parsing"),
]


@pytest.mark.parametrize(
    ("case", "overrides", "field", "code"), BAD_BODIES, ids=[case[0] for case in BAD_BODIES]
)
async def test_bad_invoice_input_is_422_with_field_message_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    case: str,
    overrides: dict[str, Any],
    field: str,
    code: str,
) -> None:
    clinic = await make_clinic(session)
    before = await count_rows(session)

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json=invoice_body(clinic, **overrides),
        headers=clinic.headers,
    )

    assert response.status_code == 422, response.text
    fields = {item["field"]: item for item in response.json()["error"]["fields"]}
    assert fields[field]["code"] == code
    assert fields[field]["message"]
    assert await count_rows(session) == before


async def test_patient_of_another_issuer_cannot_be_invoiced(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    other = await make_clinic(session)
    before = await count_rows(session)

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json=invoice_body(clinic, patient_id=other.patient.id),
        headers=clinic.headers,
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "unknown_patient"
    assert await count_rows(session) == before


async def test_inactive_article_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    await make_article(session, issuer_id=clinic.issuer.id, code="GAMMAL", active=False)
    await session.commit()

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json=invoice_body(clinic, rows=[{"article_code": "GAMMAL", "quantity": "1"}]),
        headers=clinic.headers,
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "inactive_article"


async def test_every_bad_row_is_reported_at_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    rows = [
        {"article_code": "NOPE", "quantity": "1"},
        {"article_code": "BESOK", "quantity": "1"},
        {"article_code": "BESOK", "quantity": "0"},
    ]

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices",
        json=invoice_body(clinic, rows=rows),
        headers=clinic.headers,
    )

    assert [item["field"] for item in response.json()["error"]["fields"]] == [
        "rows.0.article_code",
        "rows.2.quantity",
    ]
