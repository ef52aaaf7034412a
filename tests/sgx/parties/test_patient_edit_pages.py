"""Editing patients through the pages: a prefilled form, refusals in Swedish, roles, another
issuer's patients, and a patient already in Fortnox reaching Fortnox again."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.outbox.models import JobKind, JobStatus
from sgx.outbox.service import latest_job_for
from sgx.parties.models import IdentityKind
from tests.builders.identity import make_issuer
from tests.builders.parties import make_company, make_patient
from tests.sgx.parties.edit_pages import (
    csrf_of_list,
    edit_form,
    form_fields,
    job_count,
    user_headers,
)


async def test_patient_edit_form_is_prefilled_with_the_formatted_number(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session,
        issuer_id=issuer.id,
        personal_identity_number="199007042386",
        first_name="Karl",
        last_name="Berg",
        city="Lund",
        email="karl@example.se",
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()

    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)

    assert fields["first_name"] == "Karl" and fields["last_name"] == "Berg"
    assert fields["personal_identity_number"] == "19900704-2386"
    assert fields["identity_kind"] == ""  # personnummer or samordningsnummer
    assert (fields["city"], fields["email"], fields["address"]) == (
        "Lund",
        "karl@example.se",
        "",
    )
    assert "protected_identity" not in fields  # not checked


async def test_invoicer_corrects_a_patients_address_and_email(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session,
        issuer_id=issuer.id,
        personal_identity_number="199007042386",
        last_name="Berg",
        address="Storgatan 1",
        city="Lund",
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={**fields, "address": "Lilla torg 3", "email": "ny@example.se"},
        headers=headers,
    )

    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/issuers/{issuer.id}/patients?meddelande=patient-andrad"
    )
    listing = await client.get(response.headers["location"], headers=headers)
    assert "Patienten har uppdaterats." in listing.text
    await session.refresh(patient)
    assert (patient.address, patient.email, patient.city) == (
        "Lilla torg 3",
        "ny@example.se",
        "Lund",
    )
    assert patient.personal_identity_number == "199007042386"


async def test_an_emptied_optional_patient_field_is_cleared(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session, issuer_id=issuer.id, phone="070-123 45 67", email="karl@example.se"
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={**fields, "phone": "", "email": "  "},
        headers=headers,
    )

    assert response.status_code == 303
    await session.refresh(patient)
    assert (patient.phone, patient.email) == ("", "")


async def test_patient_edit_refusal_shows_swedish_messages_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session, issuer_id=issuer.id, first_name="Karl", city="Lund", email="karl@example.se"
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={**fields, "first_name": "", "city": "Malmö"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "Fältet måste fyllas i." in response.text
    assert 'value="Malmö"' in response.text  # what was typed is shown again
    await session.refresh(patient)
    assert (patient.first_name, patient.city, patient.email) == ("Karl", "Lund", "karl@example.se")


async def test_patient_edit_refuses_an_invalid_email_with_its_message(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(session, issuer_id=issuer.id, city="Lund")
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={**fields, "city": "Malmö", "email": "inte-en-adress"},
        headers=headers,
    )

    assert response.status_code == 422
    assert "Ange en giltig e-postadress." in response.text
    assert 'value="inte-en-adress"' in response.text
    await session.refresh(patient)
    assert (patient.city, patient.email) == ("Lund", "")


async def test_patient_number_can_be_corrected_and_a_bad_one_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session, issuer_id=issuer.id, personal_identity_number="199007042386"
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    url = f"/issuers/{issuer.id}/patients/{patient.id}"
    fields = await edit_form(client, f"{url}/edit", headers)

    refused = await client.post(
        url, data={**fields, "personal_identity_number": "640823-3235"}, headers=headers
    )
    corrected = await client.post(
        url, data={**fields, "personal_identity_number": "20131112-2384"}, headers=headers
    )

    assert refused.status_code == 422
    assert "Kontrollsiffran stämmer inte" in refused.text
    assert corrected.status_code == 303
    await session.refresh(patient)
    assert (patient.identity_kind, patient.personal_identity_number) == (
        IdentityKind.PERSONNUMMER,
        "201311122384",
    )


async def test_marking_protected_identity_needs_the_address_emptied(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session, issuer_id=issuer.id, address="Storgatan 1", zip_code="222 22", city="Lund"
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    url = f"/issuers/{issuer.id}/patients/{patient.id}"
    fields = await edit_form(client, f"{url}/edit", headers)
    protected = {**fields, "protected_identity": "true"}

    refused = await client.post(url, data=protected, headers=headers)
    saved = await client.post(
        url, data={**protected, "address": "", "zip_code": "", "city": ""}, headers=headers
    )

    assert refused.status_code == 422
    assert "Patienten har skyddad identitet; ingen adress får sparas." in refused.text
    assert saved.status_code == 303
    await session.refresh(patient)
    assert patient.protected_identity is True
    assert (patient.address, patient.zip_code, patient.city) == ("", "", "")


async def test_the_protected_identity_choice_says_what_fortnox_gets(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(session, issuer_id=issuer.id)
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()

    page = await client.get(f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers=headers)

    assert page.status_code == 200
    assert "Till Fortnox skickas bara namnet – ingen adress, telefon eller e-post." in page.text


async def test_reader_may_neither_open_nor_post_the_patient_edit_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(session, issuer_id=issuer.id, city="Lund")
    headers = await user_headers(session, {issuer.id: IssuerRole.READER})
    await session.commit()
    csrf = await csrf_of_list(client, f"/issuers/{issuer.id}/patients", headers)

    page = await client.get(f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers=headers)
    posted = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={"csrf_token": csrf, "first_name": "Ny", "last_name": "Namn", "city": "Malmö"},
        headers=headers,
    )

    assert (page.status_code, posted.status_code) == (403, 403)
    await session.refresh(patient)
    assert patient.city == "Lund"


async def test_another_issuers_patient_through_this_issuers_address_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    other = await make_issuer(session)
    foreign = await make_patient(session, issuer_id=other.id, city="Lund")
    # A writer on both issuers: only the address decides, and it names the wrong one.
    headers = await user_headers(
        session, {issuer.id: IssuerRole.INVOICER, other.id: IssuerRole.INVOICER}
    )
    await session.commit()
    csrf = await csrf_of_list(client, f"/issuers/{issuer.id}/patients", headers)

    page = await client.get(f"/issuers/{issuer.id}/patients/{foreign.id}/edit", headers=headers)
    posted = await client.post(
        f"/issuers/{issuer.id}/patients/{foreign.id}",
        data={"csrf_token": csrf, "first_name": "Ny", "last_name": "Namn", "city": "Malmö"},
        headers=headers,
    )

    assert (page.status_code, posted.status_code) == (404, 404)
    assert "Patienten finns inte." in page.text
    await session.refresh(foreign)
    assert foreign.city == "Lund"


async def test_patient_of_an_issuer_where_the_caller_only_reads_is_not_found_either(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    other = await make_issuer(session)
    foreign = await make_patient(session, issuer_id=other.id)
    headers = await user_headers(
        session, {issuer.id: IssuerRole.INVOICER, other.id: IssuerRole.READER}
    )
    await session.commit()

    page = await client.get(f"/issuers/{issuer.id}/patients/{foreign.id}/edit", headers=headers)

    assert page.status_code == 404


async def test_patient_edit_without_csrf_token_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(session, issuer_id=issuer.id, first_name="Karl", city="Lund")
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)
    del fields["csrf_token"]

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={**fields, "city": "Malmö"},
        headers=headers,
    )

    assert response.status_code == 403
    await session.refresh(patient)
    assert patient.city == "Lund"


async def test_editing_a_patient_already_in_fortnox_enqueues_its_transfer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session, issuer_id=issuer.id, city="Lund", fortnox_customer_number="SGXP1"
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    page = await client.get(f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers=headers)
    assert "förs över till Fortnox kundregister" in page.text
    fields = form_fields(page.text)

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}",
        data={**fields, "city": "Malmö"},
        headers=headers,
    )

    assert response.status_code == 303
    job = await latest_job_for(
        session, issuer_id=issuer.id, kind=JobKind.PATIENT, subject_id=patient.id
    )
    assert job is not None and job.status is JobStatus.PENDING


async def test_saving_an_unchanged_patient_form_sends_nothing_to_fortnox(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(
        session,
        issuer_id=issuer.id,
        personal_identity_number="199007042386",
        city="Lund",
        phone="070-123 45 67",
        fortnox_customer_number="SGXP1",
    )
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()
    fields = await edit_form(client, f"/issuers/{issuer.id}/patients/{patient.id}/edit", headers)

    response = await client.post(
        f"/issuers/{issuer.id}/patients/{patient.id}", data=fields, headers=headers
    )

    assert response.status_code == 303
    assert await job_count(session) == 0  # the prefilled form round-trips to the same values


async def test_edit_link_is_shown_to_invoicers_and_not_to_readers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    patient = await make_patient(session, issuer_id=issuer.id)
    company = await make_company(session, issuer_id=issuer.id)
    invoicer = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    reader = await user_headers(session, {issuer.id: IssuerRole.READER})
    await session.commit()
    patient_link = f'href="/issuers/{issuer.id}/patients/{patient.id}/edit"'
    company_link = f'href="/issuers/{issuer.id}/companies/{company.id}/edit"'

    as_invoicer = [
        (await client.get(f"/issuers/{issuer.id}/{tab}", headers=invoicer)).text
        for tab in ("patients", "companies")
    ]
    as_reader = [
        (await client.get(f"/issuers/{issuer.id}/{tab}", headers=reader)).text
        for tab in ("patients", "companies")
    ]

    assert patient_link in as_invoicer[0] and company_link in as_invoicer[1]
    assert all("Ändra" in page for page in as_invoicer)
    assert patient_link not in as_reader[0] and company_link not in as_reader[1]
    assert not any("Ändra" in page for page in as_reader)


async def test_unknown_patient_id_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    headers = await user_headers(session, {issuer.id: IssuerRole.INVOICER})
    await session.commit()

    page = await client.get(f"/issuers/{issuer.id}/patients/999999/edit", headers=headers)

    assert page.status_code == 404
    assert "Patienten finns inte." in page.text
