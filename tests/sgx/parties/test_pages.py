"""The patient and company pages as people use them: list, form, refusals in Swedish."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.parties.models import Company, Patient
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user
from tests.builders.parties import make_patient
from tests.sgx.identity.pages import csrf_from, log_in

PASSWORD = "rätt-lösenord-123"


async def test_logged_in_invoicer_adds_a_patient_through_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session, name="Hälsokliniken")
    await make_user(
        session, username="eva", password=PASSWORD, roles={issuer.id: IssuerRole.INVOICER}
    )
    await session.commit()
    await log_in(client, "eva", PASSWORD)
    form_page = await client.get(f"/issuers/{issuer.id}/patients/new")

    response = await client.post(
        f"/issuers/{issuer.id}/patients",
        data={
            "csrf_token": csrf_from(form_page.text),
            "first_name": "Karl",
            "last_name": "Berg",
            "personal_identity_number": "900704-2386",
            "city": "Lund",
        },
    )

    assert response.status_code == 303
    listing = await client.get(response.headers["location"])
    assert "Patienten har lagts till." in listing.text
    assert "Berg, Karl" in listing.text and "19900704-2386" in listing.text


async def test_patient_form_shows_the_swedish_message_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    user = await make_user(session, roles={issuer.id: IssuerRole.INVOICER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    form_page = await client.get(f"/issuers/{issuer.id}/patients/new", headers=headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients",
        data={
            "csrf_token": csrf_from(form_page.text),
            "first_name": "Karl",
            "last_name": "Berg",
            "personal_identity_number": "640823-3235",
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert "Kontrollsiffran stämmer inte" in response.text
    assert 'value="640823-3235"' in response.text
    assert await session.scalar(select(func.count()).select_from(Patient)) == 0


async def test_patient_form_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    user = await make_user(session, roles={issuer.id: IssuerRole.INVOICER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()

    response = await client.post(
        f"/issuers/{issuer.id}/patients",
        data={"first_name": "Karl", "last_name": "Berg"},
        headers=headers,
    )

    assert response.status_code == 403
    assert await session.scalar(select(func.count()).select_from(Patient)) == 0


async def test_reader_sees_patients_but_no_button_to_add(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    await make_patient(session, issuer_id=issuer.id, last_name="Ek", protected_identity=True)
    user = await make_user(session, roles={issuer.id: IssuerRole.READER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()

    listing = await client.get(f"/issuers/{issuer.id}/patients", headers=headers)
    form_page = await client.get(f"/issuers/{issuer.id}/patients/new", headers=headers)

    assert listing.status_code == 200
    assert "Ek, Test" in listing.text and "Skyddad identitet" in listing.text
    assert "Ny patient" not in listing.text
    assert form_page.status_code == 403


async def test_invoicer_adds_a_sole_trader_through_the_company_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    user = await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    form_page = await client.get(f"/issuers/{issuer.id}/companies/new", headers=headers)

    response = await client.post(
        f"/issuers/{issuer.id}/companies",
        data={
            "csrf_token": csrf_from(form_page.text),
            "name": "Eva Konsult",
            "organisation_number": "880320-0016",
        },
        headers=headers,
    )

    assert response.status_code == 303
    listing = await client.get(response.headers["location"], headers=headers)
    assert "Eva Konsult" in listing.text and "880320-0016" in listing.text
    assert "Enskild firma" in listing.text
    assert await session.scalar(select(func.count()).select_from(Company)) == 1


async def test_company_form_refuses_a_bad_organisation_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    user = await make_user(session, roles={issuer.id: IssuerRole.ADMIN})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    form_page = await client.get(f"/issuers/{issuer.id}/companies/new", headers=headers)

    response = await client.post(
        f"/issuers/{issuer.id}/companies",
        data={
            "csrf_token": csrf_from(form_page.text),
            "name": "Verkstaden AB",
            "organisation_number": "556036-0794",
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert "Kontrollsiffran stämmer inte" in response.text
    assert await session.scalar(select(func.count()).select_from(Company)) == 0
