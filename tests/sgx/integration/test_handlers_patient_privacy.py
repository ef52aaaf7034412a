"""Privacy of patients in Fortnox, against the sandbox: clears sent as null and checked, skyddad
identitet in the customer register and on the patient's invoices, e-mail for Fortnox's mail."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.fortnox.errors import InvalidRequest
from sgx.integration.drift import drifts_of
from sgx.integration.jobs import OutcomeKind
from sgx.integration.reconcile_models import DriftKind
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.issuers.models import Issuer
from sgx.parties.models import IdentityKind
from sgx.worklist.repository import worklist
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_fault,
    company_invoice,
    connect_clinic,
    forget_requests,
    patient_invoice,
    patient_number,
    requests_to_fortnox,
    stored,
    transfer,
)
from tests.sgx.integration.handler_support import (
    change_patient,
    run_patient_job,
    with_company_in_fortnox,
)

CONTACT = {
    "address": "Storgatan 1",
    "zip_code": "12345",
    "city": "Ås",
    "phone": "070-1234567",
    "email": "patient@example.se",
}


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    connected = await connect_clinic(session, session_factory, sandbox_client)
    await change_patient(session_factory, connected.clinic.patient.id, **CONTACT)
    return connected


async def _number(connected: Connected) -> str:
    return await patient_number(connected)


async def _transferred_invoice(connected: Connected, session: AsyncSession) -> Invoice:
    invoice = await patient_invoice(session, connected)
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE, outcome
    return invoice


async def _books_by_hand(session_factory: SessionFactory, connected: Connected) -> None:
    """The issuer leaves invoices unbooked in Fortnox (only those can still be changed)."""
    async with session_factory() as writer:
        issuer = await writer.get(Issuer, connected.clinic.issuer.id)
        assert issuer is not None
        issuer.book_invoices_in_fortnox = False
        await writer.commit()


async def test_patient_email_reaches_email_invoice_and_the_invoices_fortnox_mails(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await _transferred_invoice(connected, session)

    customer = await connected.fortnox.customers.get(await _number(connected))
    assert (customer.email, customer.email_invoice) == ("patient@example.se",) * 2
    made = await stored(session_factory, Invoice, invoice.id)
    in_fortnox = await connected.fortnox.invoices.get(made.fortnox_document_number or "")
    assert in_fortnox.email_information is not None
    assert in_fortnox.email_information.email_address_to == "patient@example.se"


async def test_changed_email_moves_email_invoice_too(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _transferred_invoice(connected, session)
    await change_patient(session_factory, connected.clinic.patient.id, email="ny@example.se")

    await run_patient_job(connected, session)

    customer = await connected.fortnox.customers.get(await _number(connected))
    assert (customer.email, customer.email_invoice) == ("ny@example.se",) * 2


async def test_patient_made_protected_keeps_only_name_and_reference_in_the_register(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _transferred_invoice(connected, session)
    await change_patient(session_factory, connected.clinic.patient.id, protected_identity=True)

    outcome = await run_patient_job(connected, session)

    assert outcome.kind is OutcomeKind.DONE
    customer = await connected.fortnox.customers.get(await _number(connected))
    assert customer.name == connected.clinic.patient.full_name
    assert customer.external_reference
    contact = (customer.address1, customer.zip_code, customer.city, customer.phone1)
    assert contact == (None, None, None, None)
    assert not customer.email and not customer.email_invoice


async def test_removed_phone_is_cleared_in_fortnox_not_left_as_it_was(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _transferred_invoice(connected, session)
    await change_patient(session_factory, connected.clinic.patient.id, phone="")

    await run_patient_job(connected, session)

    customer = await connected.fortnox.customers.get(await _number(connected))
    assert customer.phone1 is None
    assert customer.address1 == "Storgatan 1"


async def test_clear_that_fortnox_does_not_keep_fails_the_job_with_a_swedish_message(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _transferred_invoice(connected, session)
    await change_patient(session_factory, connected.clinic.patient.id, protected_identity=True)
    await add_fault(connected, kind="keep_on_null", method="PUT", path="/3/customers/", count=1)

    failed = await run_patient_job(connected, session)

    assert (failed.kind, failed.code) == (OutcomeKind.FAILED, "customer_update_not_kept")
    assert "adress" in failed.message and "Försök igen" in failed.message
    assert "Storgatan" not in failed.message  # the message never repeats the details
    retried = await run_patient_job(connected, session)  # Fortnox clears as it should again
    assert retried.kind is OutcomeKind.DONE
    assert (await connected.fortnox.customers.get(await _number(connected))).address1 is None


async def test_failed_clear_holds_the_next_invoice_with_the_reason(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _transferred_invoice(connected, session)
    await change_patient(session_factory, connected.clinic.patient.id, protected_identity=True)
    await add_fault(connected, kind="keep_on_null", method="PUT", path="/3/customers/")

    outcome = await transfer(connected, session, await patient_invoice(session, connected))

    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "customer_update_not_kept")
    seen = await requests_to_fortnox(connected)
    invoices_made = [r for r in seen if (r["method"], r["path"]) == ("POST", "/3/invoices")]
    assert len(invoices_made) == 1  # the first invoice only: none copies the kept address


async def test_patient_made_protected_has_the_address_cleared_from_unbooked_invoices(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _books_by_hand(session_factory, connected)
    invoice = await _transferred_invoice(connected, session)
    number = (await stored(session_factory, Invoice, invoice.id)).fortnox_document_number or ""
    before = await connected.fortnox.invoices.get(number)
    assert before.address1 == "Storgatan 1"
    await change_patient(session_factory, connected.clinic.patient.id, protected_identity=True)

    outcome = await run_patient_job(connected, session)

    assert outcome.kind is OutcomeKind.DONE
    after = await connected.fortnox.invoices.get(number)
    contact = (after.address1, after.zip_code, after.city, after.phone1)
    assert contact == (None, None, None, None)
    assert after.email_information is not None
    assert not after.email_information.email_address_to
    assert after.total == before.total
    assert len(after.invoice_rows or []) == len(before.invoice_rows or [])


async def test_booked_invoice_that_keeps_the_address_is_listed_for_the_administrator(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await _transferred_invoice(connected, session)  # booked on transfer
    number = (await stored(session_factory, Invoice, invoice.id)).fortnox_document_number
    assert (await connected.fortnox.invoices.get(number or "")).booked is True
    await change_patient(session_factory, connected.clinic.patient.id, protected_identity=True)

    outcome = await run_patient_job(connected, session)
    await run_patient_job(connected, session)  # seen again: still reported once

    assert outcome.kind is OutcomeKind.DONE
    listed = await stored(session_factory, Invoice, invoice.id)
    assert listed.transfer_status == TransferStatus.OUT_OF_SYNC.value
    assert listed.transfer_error_code == DriftKind.ADDRESS_KEPT.value
    assert "Skatteverket" in (listed.transfer_message or "")
    assert "Storgatan" not in (listed.transfer_message or "")
    async with session_factory() as reader:
        drifts = await drifts_of(reader, invoice_id=invoice.id)
        groups = await worklist(reader, issuer_id=connected.clinic.issuer.id)
    assert [d.kind for d in drifts] == [DriftKind.ADDRESS_KEPT]
    assert [(g.cause, g.count) for g in groups] == [(DriftKind.ADDRESS_KEPT.value, 1)]
    assert (await connected.fortnox.invoices.get(number or "")).address1 == "Storgatan 1"


async def test_company_invoice_never_changes_the_company_register(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    await forget_requests(connected)

    outcome = await transfer(connected, session, await company_invoice(session, connected))

    assert outcome.kind is OutcomeKind.DONE
    writes = [
        (r["method"], r["path"])
        for r in await requests_to_fortnox(connected)
        if r["path"].startswith("/3/customers") and r["method"] != "GET"
    ]
    assert writes == []


async def test_withdrawn_personnummer_is_cleared_in_fortnox(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> None:
    connected = await connect_clinic(
        session, session_factory, sandbox_client, send_personnummer_to_fortnox=True
    )
    await _transferred_invoice(connected, session)
    number = await _number(connected)
    assert (await connected.fortnox.customers.get(number)).organisation_number
    await change_patient(
        session_factory,
        connected.clinic.patient.id,
        identity_kind=IdentityKind.NONE,
        personal_identity_number=None,
    )

    outcome = await run_patient_job(connected, session)

    assert outcome.kind is OutcomeKind.DONE
    assert (await connected.fortnox.customers.get(number)).organisation_number is None


async def test_other_refusal_to_clear_an_unbooked_invoice_is_not_taken_for_a_booked_one(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await _books_by_hand(session_factory, connected)
    invoice = await _transferred_invoice(connected, session)
    await change_patient(session_factory, connected.clinic.patient.id, protected_identity=True)
    refusal = {"ErrorInformation": {"error": 1, "message": "Ogiltigt värde.", "code": 2000588}}
    await add_fault(
        connected, kind="status", status=400, method="PUT", path="/3/invoices/", body=refusal
    )

    with pytest.raises(InvalidRequest):
        await run_patient_job(connected, session)

    assert await drifts_of_invoice(session_factory, invoice.id) == []


async def drifts_of_invoice(session_factory: SessionFactory, invoice_id: int) -> list[DriftKind]:
    async with session_factory() as reader:
        return [d.kind for d in await drifts_of(reader, invoice_id=invoice_id)]
