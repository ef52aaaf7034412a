"""Patients as Fortnox customers through the transfer handlers, against the sandbox: created
private customers, one call per invoice once known, updates only on change, conflicts refused."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.schemas import Customer
from sgx.integration.jobs import OutcomeKind
from sgx.parties.models import Patient
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    forget_requests,
    patient_invoice,
    patient_number,
    requests_to_fortnox,
    stored,
    transfer,
)
from tests.sgx.integration.handler_support import change_patient, run_patient_job, set_account


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


async def test_patient_becomes_a_private_customer_with_name_and_contact_details(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await change_patient(
        session_factory,
        patient.id,
        address="Storgatan 1",
        zip_code="12345",
        city="Ås",
        phone="070-1234567",
        email="patient@example.se",
    )
    await transfer(connected, session, await patient_invoice(session, connected))
    customer = await connected.fortnox.customers.get(await patient_number(connected, patient.id))
    assert (customer.type, customer.name) == ("PRIVATE", patient.full_name)
    assert (customer.address1, customer.zip_code, customer.city) == ("Storgatan 1", "12345", "Ås")
    assert (customer.phone1, customer.email) == ("070-1234567", "patient@example.se")
    assert not customer.organisation_number  # no personnummer without the issuer's opt-in
    after = await stored(session_factory, Patient, patient.id)
    assert after.fortnox_customer_number == await patient_number(connected, patient.id)


async def test_personnummer_is_sent_when_the_issuer_opted_in(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> None:
    connected = await connect_clinic(
        session, session_factory, sandbox_client, send_personnummer_to_fortnox=True
    )
    await transfer(connected, session, await patient_invoice(session, connected))
    customer = await connected.fortnox.customers.get(await patient_number(connected))
    assert customer.organisation_number == "19900704-2386"


async def test_patient_with_protected_identity_never_has_an_address_in_fortnox(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await change_patient(
        session_factory, patient.id, protected_identity=True, address="Hemlig väg 2", city="Ås"
    )
    await transfer(connected, session, await patient_invoice(session, connected))
    customer = await connected.fortnox.customers.get(await patient_number(connected, patient.id))
    assert not customer.address1 and not customer.city and not customer.zip_code


async def test_second_invoice_for_a_known_patient_costs_its_creation_and_booking(
    connected: Connected, session: AsyncSession
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    second = await patient_invoice(session, connected)
    await forget_requests(connected)
    outcome = await transfer(connected, session, second)
    assert outcome.kind is OutcomeKind.DONE
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    number = outcome.fortnox_document_number
    assert calls == [("POST", "/3/invoices"), ("PUT", f"/3/invoices/{number}/bookkeep")]


async def test_patient_whose_number_was_not_stored_beside_the_link_gets_it_with_the_next_invoice(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    # A worker stopped after the link was saved and before the number was put on the patient.
    patient = connected.clinic.patient
    await transfer(connected, session, await patient_invoice(session, connected))
    await change_patient(session_factory, patient.id, fortnox_customer_number=None)

    outcome = await transfer(connected, session, await patient_invoice(session, connected))

    assert outcome.kind is OutcomeKind.DONE
    stored_patient = await stored(session_factory, Patient, patient.id)
    assert stored_patient.fortnox_customer_number == await patient_number(connected, patient.id)


async def test_changed_patient_is_updated_only_when_what_is_sent_changed(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await transfer(connected, session, await patient_invoice(session, connected))
    await forget_requests(connected)
    await run_patient_job(connected, session)
    assert await requests_to_fortnox(connected) == []  # nothing changed, nothing sent
    await change_patient(session_factory, patient.id, phone="08-123 45", address="Ny väg 3")
    await run_patient_job(connected, session)
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert calls == [("PUT", f"/3/customers/{await patient_number(connected, patient.id)}")]
    customer = await connected.fortnox.customers.get(await patient_number(connected, patient.id))
    assert (customer.phone1, customer.address1) == ("08-123 45", "Ny väg 3")


async def test_patient_given_protected_identity_has_the_address_removed_in_fortnox(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await change_patient(session_factory, patient.id, address="Storgatan 1", city="Ås")
    await transfer(connected, session, await patient_invoice(session, connected))
    await change_patient(session_factory, patient.id, protected_identity=True)
    await run_patient_job(connected, session)
    customer = await connected.fortnox.customers.get(await patient_number(connected, patient.id))
    assert not customer.address1 and not customer.city


async def test_patient_not_yet_in_fortnox_is_not_sent_by_a_patient_job(
    connected: Connected, session: AsyncSession
) -> None:
    outcome = await run_patient_job(connected, session)
    assert outcome.kind is OutcomeKind.DONE
    assert await requests_to_fortnox(connected) == []


async def test_patient_customer_number_taken_by_someone_else_is_a_conflict(
    connected: Connected, session: AsyncSession
) -> None:
    number = await patient_number(connected)
    await connected.fortnox.customers.create(Customer(customer_number=number, name="Annan"))
    outcome = await transfer(connected, session, await patient_invoice(session, connected))
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "customer_number_taken")
    assert (await connected.fortnox.customers.get(number)).name == "Annan"


async def test_patient_customer_removed_in_fortnox_is_a_case_for_a_person(
    connected: Connected, session: AsyncSession
) -> None:
    number = await patient_number(connected)
    await set_account(connected, 3004, active=False)
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    failed = await transfer(connected, session, invoice)  # the customer is made, the invoice not
    assert failed.kind is OutcomeKind.FAILED
    removed = await connected.sandbox.delete(
        f"/3/customers/{number}", headers={"Authorization": f"Bearer {connected.access_token}"}
    )
    assert removed.status_code == 204, removed.text
    await set_account(connected, 3004, active=True)
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "customer_number_deleted")
    assert number in outcome.message
    assert [i async for i in connected.fortnox.invoices.iterate()] == []
