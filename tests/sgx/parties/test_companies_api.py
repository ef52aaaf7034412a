"""Companies through the JSON API: organisation number (or a sole trader's personnummer)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.issuers.models import Issuer
from sgx.parties.models import Company
from tests.builders.parties import issuer_with_invoicer


async def post_company(
    client: httpx.AsyncClient, issuer: Issuer, headers: dict[str, str], **fields: Any
) -> httpx.Response:
    body = {"name": "Verkstaden AB", "organisation_number": "556036-0793", **fields}
    return await client.post(f"/api/v1/issuers/{issuer.id}/companies", json=body, headers=headers)


async def company_count(session: AsyncSession) -> int:
    count = int(await session.scalar(select(func.count()).select_from(Company)) or 0)
    await session.commit()
    return count


async def test_company_is_stored_with_a_ten_digit_organisation_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_company(
        client, issuer, headers, contact_person="Karin Ek", invoice_email="faktura@verkstaden.se"
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["organisation_number"], body["is_sole_trader"]) == ("5560360793", False)
    assert (body["contact_person"], body["invoice_email"]) == ("Karin Ek", "faktura@verkstaden.se")


async def test_sole_trader_may_be_identified_by_a_personnummer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_company(
        client, issuer, headers, name="Eva Svensson Konsult", organisation_number="19880320-0016"
    )

    assert response.status_code == 201, response.text
    assert (response.json()["organisation_number"], response.json()["is_sole_trader"]) == (
        "8803200016",
        True,
    )


BAD_COMPANIES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "wrong check digit",
        {"organisation_number": "556036-0794"},
        "organisation_number",
        "invalid_checksum",
    ),
    ("too short", {"organisation_number": "556036"}, "organisation_number", "invalid_format"),
    (
        "personnummer with bad date",
        {"organisation_number": "901304-1232"},
        "organisation_number",
        "invalid_date",
    ),
    ("bad invoice email", {"invoice_email": "ekonomi"}, "invoice_email", "invalid_email"),
    ("no name", {"name": ""}, "name", "string_too_short"),
    ("missing number", {"organisation_number": None}, "organisation_number", "string_type"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "code"), BAD_COMPANIES, ids=[case[0] for case in BAD_COMPANIES]
)
async def test_bad_company_is_422_with_a_field_message_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    case: str,
    fields: dict[str, Any],
    field: str,
    code: str,
) -> None:
    issuer, headers = await issuer_with_invoicer(session)

    response = await post_company(client, issuer, headers, **fields)

    assert response.status_code == 422, response.text
    errors = {item["field"]: item for item in response.json()["error"]["fields"]}
    assert errors[field]["code"] == code and errors[field]["message"]
    assert await company_count(session) == 0


async def test_same_organisation_number_twice_at_one_issuer_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    await post_company(client, issuer, headers)

    response = await post_company(client, issuer, headers, organisation_number="5560360793")

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "duplicate"
    assert await company_count(session) == 1


async def test_patch_changes_the_contact_and_keeps_the_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    created = (await post_company(client, issuer, headers)).json()

    response = await client.patch(
        f"/api/v1/companies/{created['id']}", json={"contact_person": "Per Ek"}, headers=headers
    )

    assert (response.json()["contact_person"], response.json()["organisation_number"]) == (
        "Per Ek",
        "5560360793",
    )


async def test_patch_to_another_companys_number_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await issuer_with_invoicer(session)
    await post_company(client, issuer, headers)
    second = (await post_company(client, issuer, headers, organisation_number="212000-0142")).json()

    response = await client.patch(
        f"/api/v1/companies/{second['id']}",
        json={"organisation_number": "556036-0793"},
        headers=headers,
    )

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "duplicate"
