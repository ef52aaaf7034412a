"""Pinning a company to one Fortnox customer number: the Administratör's choice, through the
JSON API and the company's page; other roles may see it but not change it."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.issuers.models import Issuer
from sgx.parties.models import Company
from tests.builders.identity import make_issuer
from tests.builders.parties import make_company
from tests.sgx.parties.edit_pages import Headers, edit_form, user_headers


async def company_with_user(
    session: AsyncSession, role: IssuerRole, **fields: object
) -> tuple[Issuer, Company, Headers]:
    issuer = await make_issuer(session)
    company = await make_company(session, issuer_id=issuer.id, **fields)
    headers = await user_headers(session, {issuer.id: role})
    await session.commit()
    return issuer, company, headers


async def stored_pin(session: AsyncSession, company: Company) -> str | None:
    await session.refresh(company)
    pinned = company.fortnox_customer_number
    await session.commit()  # ends the read, so the next request may write
    return pinned


async def test_administrator_pins_a_company_to_a_fortnox_customer_through_the_api(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, company, headers = await company_with_user(session, IssuerRole.ADMIN)

    response = await client.put(
        f"/api/v1/companies/{company.id}/fortnox-customer",
        json={"fortnox_customer_number": " 1042 "},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["fortnox_customer_number"] == "1042"
    assert await stored_pin(session, company) == "1042"


async def test_null_pin_returns_the_company_to_the_look_up_by_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, company, headers = await company_with_user(
        session, IssuerRole.ADMIN, fortnox_customer_number="1042"
    )

    response = await client.put(
        f"/api/v1/companies/{company.id}/fortnox-customer",
        json={"fortnox_customer_number": None},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    assert await stored_pin(session, company) is None


async def test_invoicer_may_not_pin_a_company(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, company, headers = await company_with_user(session, IssuerRole.INVOICER)

    response = await client.put(
        f"/api/v1/companies/{company.id}/fortnox-customer",
        json={"fortnox_customer_number": "1042"},
        headers=headers,
    )

    assert response.status_code == 403, response.text
    assert await stored_pin(session, company) is None


async def test_pin_that_is_not_a_customer_number_is_refused_in_swedish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    _, company, headers = await company_with_user(session, IssuerRole.ADMIN)

    response = await client.put(
        f"/api/v1/companies/{company.id}/fortnox-customer",
        json={"fortnox_customer_number": "10 42; drop"},
        headers=headers,
    )

    assert response.status_code == 422, response.text
    [error] = response.json()["error"]["fields"]
    assert (error["field"], error["code"]) == ("fortnox_customer_number", "invalid_customer_number")
    assert error["message"].startswith("Ange kundnumret som det står i Fortnox")
    assert await stored_pin(session, company) is None


async def test_administrator_pins_the_company_on_its_page(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, company, headers = await company_with_user(session, IssuerRole.ADMIN)
    page = f"/issuers/{issuer.id}/companies/{company.id}/edit"
    fields = await edit_form(client, page, headers)
    assert fields["fortnox_customer_number"] == ""

    response = await client.post(
        f"/issuers/{issuer.id}/companies/{company.id}/fortnox-customer",
        data={**fields, "fortnox_customer_number": "1042"},
        headers=headers,
    )

    assert response.status_code == 303, response.text
    listing = await client.get(response.headers["location"], headers=headers)
    assert "Företagets kund i Fortnox har sparats." in listing.text
    assert await stored_pin(session, company) == "1042"
    assert (await edit_form(client, page, headers))["fortnox_customer_number"] == "1042"


async def test_page_shows_a_refused_pin_with_its_message_and_keeps_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, company, headers = await company_with_user(session, IssuerRole.ADMIN)
    fields = await edit_form(client, f"/issuers/{issuer.id}/companies/{company.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/companies/{company.id}/fortnox-customer",
        data={**fields, "fortnox_customer_number": "kund/1"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "Ange kundnumret som det står i Fortnox" in response.text
    assert 'value="kund/1"' in response.text
    assert await stored_pin(session, company) is None


async def test_invoicer_sees_the_pin_on_the_page_but_cannot_change_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, company, headers = await company_with_user(
        session, IssuerRole.INVOICER, fortnox_customer_number="1042"
    )
    page = await client.get(f"/issuers/{issuer.id}/companies/{company.id}/edit", headers=headers)
    assert page.status_code == 200
    assert "Vald kund: kundnummer 1042" in page.text
    assert "fortnox-customer" not in page.text
    fields = await edit_form(client, f"/issuers/{issuer.id}/companies/{company.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/companies/{company.id}/fortnox-customer",
        data={**fields, "fortnox_customer_number": "7"},
        headers=headers,
    )

    assert response.status_code == 403
    assert await stored_pin(session, company) == "1042"
