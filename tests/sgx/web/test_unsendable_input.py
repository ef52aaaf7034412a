"""Texts that would reach Fortnox are refused at input, in the JSON API and the forms, when they
hold a character Fortnox does not take and that cannot be cleaned; nothing is stored then.
Characters that can be cleaned are kept as typed in SGX."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Article
from sgx.invoicing.models import Invoice
from sgx.parties.models import Company, Patient
from tests.builders.invoicing import make_clinic
from tests.builders.parties import issuer_with_invoicer
from tests.sgx.catalog.test_catalog import post_article, seeded_issuer
from tests.sgx.identity.pages import csrf_from
from tests.sgx.invoicing.test_invoices_api import invoice_body
from tests.sgx.parties.test_patients_api import post_patient


async def count(session: AsyncSession, model: type[Any]) -> int:
    found = int(await session.scalar(select(func.count()).select_from(model)) or 0)
    await session.commit()
    return found


def field_errors(response: httpx.Response) -> dict[str, dict[str, str]]:
    return {item["field"]: item for item in response.json()["error"]["fields"]}


async def test_patient_name_with_a_character_fortnox_refuses_is_refused_in_swedish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(client, issuer, headers, last_name='Ek "Eken"', city="Ås <C>")

    assert response.status_code == 422, response.text
    errors = field_errors(response)
    assert errors["last_name"]["code"] == "unsupported_characters"
    assert errors["last_name"]["message"] == (
        'Tecknet ”"” kan inte skickas till Fortnox. Ta bort eller byt ut det.'
    )
    assert errors["city"]["code"] == "unsupported_characters"
    assert await count(session, Patient) == 0


async def test_patient_email_is_checked_as_typed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(client, issuer, headers, email="o'brien@example.se")

    assert response.status_code == 422, response.text
    assert field_errors(response)["email"]["code"] == "unsupported_characters"


async def test_cleanable_characters_are_accepted_and_kept_as_typed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_patient(
        client, issuer, headers, last_name="O’Brien\u2013Ek", address="Storgatan 1\nLgh 1102"
    )

    assert response.status_code == 201, response.text
    assert (response.json()["last_name"], response.json()["address"]) == (
        "O’Brien\u2013Ek",
        "Storgatan 1\nLgh 1102",
    )


async def test_patient_update_with_an_unsendable_character_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (await post_patient(client, issuer, headers, city="Lund")).json()

    response = await client.patch(
        f"/api/v1/patients/{created['id']}", json={"city": "Lund | Malmö"}, headers=headers
    )

    assert response.status_code == 422, response.text
    stored = await client.get(f"/api/v1/patients/{created['id']}", headers=headers)
    assert stored.json()["city"] == "Lund"


async def test_company_texts_are_not_restricted_since_they_never_reach_fortnox(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await client.post(
        f"/api/v1/issuers/{issuer.id}/companies",
        json={"name": 'Bolaget "Hälsa" AB', "organisation_number": "556036-0793"},
        headers=headers,
    )

    assert response.status_code == 201, response.text
    assert await count(session, Company) == 1


async def test_article_text_and_exemption_that_fortnox_refuses_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await seeded_issuer(session)

    response = await post_article(
        client, issuer, headers, description="Besök <30 min>", vat_exemption_text="Momsfri {6 §}"
    )

    assert response.status_code == 422, response.text
    errors = field_errors(response)
    assert (
        errors["description"]["code"]
        == errors["vat_exemption_text"]["code"]
        == ("unsupported_characters")
    )
    assert await count(session, Article) == 0


async def test_invoice_row_text_and_reference_that_fortnox_refuses_are_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await make_clinic(session)
    body = invoice_body(
        clinic,
        your_reference="Eva | Ek",
        rows=[{"article_code": "BESOK", "quantity": "1", "description": "Besök \u2605"}],
    )

    response = await client.post(
        f"/api/v1/issuers/{clinic.issuer.id}/invoices", json=body, headers=clinic.headers
    )

    assert response.status_code == 422, response.text
    errors = field_errors(response)
    assert set(errors) == {"your_reference", "rows.0.description"}
    assert errors["rows.0.description"]["message"] == (
        "Tecknet ”\u2605” kan inte skickas till Fortnox. Ta bort eller byt ut det."
    )
    assert await count(session, Invoice) == 0


async def test_patient_form_shows_the_character_refusal_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    form_page = await client.get(f"/issuers/{issuer.id}/patients/new", headers=headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients",
        data={"csrf_token": csrf_from(form_page.text), "first_name": "Karl", "last_name": "<Berg>"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "kan inte skickas till Fortnox" in response.text
    assert await count(session, Patient) == 0
