"""Editing companies through the pages: a prefilled form, refusals in Swedish, roles and
another issuer's companies."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.parties.models import Company
from tests.builders.identity import make_issuer
from tests.builders.parties import make_company
from tests.sgx.parties.edit_pages import (
    csrf_of_list,
    edit_form,
    user_headers,
)


async def test_company_edit_form_is_prefilled_with_the_formatted_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    company = await make_company(
        session,
        issuer_id=issuer.id,
        name="Verkstaden AB",
        organisation_number="5560360793",
        invoice_email="faktura@verkstaden.se",
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.ADMIN})
    await session.commit()

    fields = await edit_form(client, f"/issuers/{issuer.id}/companies/{company.id}/edit", headers)

    assert (fields["name"], fields["organisation_number"], fields["invoice_email"]) == (
        "Verkstaden AB",
        "556036-0793",
        "faktura@verkstaden.se",
    )


async def test_invoicer_corrects_a_companys_email_and_empties_its_contact(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    company = await make_company(
        session,
        issuer_id=issuer.id,
        organisation_number="5560360793",
        contact_person="Eva Ek",
        invoice_email="gammal@verkstaden.se",
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/companies/{company.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/companies/{company.id}",
        data={**fields, "invoice_email": "faktura@verkstaden.se", "contact_person": ""},
        headers=headers,
    )

    assert response.status_code == 303
    listing = await client.get(response.headers["location"], headers=headers)
    assert "Företaget har uppdaterats." in listing.text
    await session.refresh(company)
    assert (company.invoice_email, company.contact_person, company.organisation_number) == (
        "faktura@verkstaden.se",
        "",
        "5560360793",
    )


async def test_company_edit_refuses_a_bad_number_and_an_emptied_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    company = await make_company(
        session, issuer_id=issuer.id, name="Verkstaden AB", organisation_number="5560360793"
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    url = f"/issuers/{issuer.id}/companies/{company.id}"
    fields = await edit_form(client, f"{url}/edit", headers)

    bad_number = await client.post(
        url,
        data={**fields, "organisation_number": "556036-0794", "city": "Malmö"},
        headers=headers,
    )
    no_name = await client.post(url, data={**fields, "name": " "}, headers=headers)

    assert (bad_number.status_code, no_name.status_code) == (422, 422)
    assert "Kontrollsiffran stämmer inte" in bad_number.text
    assert 'value="556036-0794"' in bad_number.text
    assert "Fältet måste fyllas i." in no_name.text
    await session.refresh(company)
    assert (company.name, company.organisation_number, company.city) == (
        "Verkstaden AB",
        "5560360793",
        "",
    )


async def test_reader_may_neither_open_nor_post_the_company_edit_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    company = await make_company(session, issuer_id=issuer.id, name="Verkstaden AB")
    headers = await user_headers(session, {issuer.id: IssuerRole.READER})
    await session.commit()
    csrf = await csrf_of_list(client, f"/issuers/{issuer.id}/companies", headers)

    page = await client.get(f"/issuers/{issuer.id}/companies/{company.id}/edit", headers=headers)
    posted = await client.post(
        f"/issuers/{issuer.id}/companies/{company.id}",
        data={"csrf_token": csrf, "name": "Nytt namn AB"},
        headers=headers,
    )

    assert (page.status_code, posted.status_code) == (403, 403)
    await session.refresh(company)
    assert company.name == "Verkstaden AB"


async def test_another_issuers_company_through_this_issuers_address_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    other = await make_issuer(session)
    foreign = await make_company(session, issuer_id=other.id, name="Verkstaden AB")
    headers = await user_headers(session, {issuer.id: IssuerRole.ADMIN, other.id: IssuerRole.ADMIN})
    await session.commit()
    csrf = await csrf_of_list(client, f"/issuers/{issuer.id}/companies", headers)

    page = await client.get(f"/issuers/{issuer.id}/companies/{foreign.id}/edit", headers=headers)
    posted = await client.post(
        f"/issuers/{issuer.id}/companies/{foreign.id}",
        data={"csrf_token": csrf, "name": "Nytt namn AB"},
        headers=headers,
    )

    assert (page.status_code, posted.status_code) == (404, 404)
    await session.refresh(foreign)
    assert foreign.name == "Verkstaden AB"


async def test_company_edit_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    company = await make_company(session, issuer_id=issuer.id, name="Verkstaden AB")
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/companies/{company.id}/edit", headers)
    del fields["csrf_token"]

    response = await client.post(
        f"/issuers/{issuer.id}/companies/{company.id}",
        data={**fields, "name": "Nytt namn AB"},
        headers=headers,
    )

    assert response.status_code == 403
    assert await session.scalar(select(Company.name).where(Company.id == company.id)) == (
        "Verkstaden AB"
    )
