"""Invoices to Fortnox through the transfer handler, against the sandbox: patients, companies,
articles, one call per invoice in the steady state, totals compared, conflicts refused."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Article
from sgx.fortnox.schemas import Article as FortnoxArticle
from sgx.fortnox.schemas import Customer, Invoice, InvoiceRow
from sgx.integration.handlers.refusals import format_organisation_number
from sgx.integration.jobs import JobOutcome, OutcomeKind
from sgx.integration.links import LinkKind, save_link
from sgx.invoicing.models import Invoice as SgxInvoice
from sgx.invoicing.models import TransferStatus
from sgx.outbox.models import JobKind
from sgx.parties.models import Patient
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_company_in_fortnox,
    company_invoice,
    connect_clinic,
    forget_requests,
    make_job,
    patient_invoice,
    requests_to_fortnox,
    run_job,
    stored,
    transfer,
)


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


async def with_company_in_fortnox(connected: Connected) -> str:
    company = connected.clinic.company
    created = await add_company_in_fortnox(
        connected,
        name=company.name,
        organisation_number=format_organisation_number(company.organisation_number),
    )
    number: str = created["Customer"]["CustomerNumber"]
    return number


async def test_patient_invoice_arrives_with_its_number_ocr_reference_and_rows(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1"), ("KONSULT", "2")])
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE
    assert outcome.fortnox_document_number == str(invoice.number)
    sent = await connected.fortnox.invoices.get(str(invoice.number))
    assert sent.ocr == invoice.ocr
    assert sent.external_invoice_reference1 == f"SGX-{invoice.issuer_id}-{invoice.id}"
    assert sent.customer_number == f"SGXP{connected.clinic.patient.id}"
    assert sent.invoice_date == invoice.invoice_date and sent.due_date == invoice.due_date
    assert [
        (r.article_number, r.delivered_quantity, r.price, r.vat, r.account_number)
        for r in sent.invoice_rows or []
    ] == [
        ("BESOK", Decimal(1), Decimal("850"), Decimal(0), 3004),
        ("KONSULT", Decimal(2), Decimal("1000.40"), Decimal(25), 3001),
    ]


async def test_transferred_invoice_shows_overford_with_the_fortnox_number(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await patient_invoice(session, connected)
    await transfer(connected, session, invoice)
    after = await stored(session_factory, SgxInvoice, invoice.id)
    assert after.transfer_status == TransferStatus.TRANSFERRED.value
    assert after.fortnox_document_number == str(invoice.number)
    assert after.transfer_error_code is None


async def test_exemption_text_is_printed_on_the_invoice(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    await transfer(connected, session, invoice)
    sent = await connected.fortnox.invoices.get(str(invoice.number))
    assert sent.remarks is not None and "Momsfri sjukvård" in sent.remarks


async def test_patient_becomes_a_private_customer_with_name_and_contact_details(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await _change_patient(
        session_factory,
        patient.id,
        address="Storgatan 1",
        zip_code="12345",
        city="Ås",
        phone="070-1234567",
        email="patient@example.se",
    )
    await transfer(connected, session, await patient_invoice(session, connected))
    customer = await connected.fortnox.customers.get(f"SGXP{patient.id}")
    assert (customer.type, customer.name) == ("PRIVATE", patient.full_name)
    assert (customer.address1, customer.zip_code, customer.city) == ("Storgatan 1", "12345", "Ås")
    assert (customer.phone1, customer.email) == ("070-1234567", "patient@example.se")
    assert not customer.organisation_number  # no personnummer without the issuer's opt-in
    after = await stored(session_factory, Patient, patient.id)
    assert after.fortnox_customer_number == f"SGXP{patient.id}"


async def test_personnummer_is_sent_when_the_issuer_opted_in(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> None:
    connected = await connect_clinic(
        session, session_factory, sandbox_client, send_personnummer_to_fortnox=True
    )
    await transfer(connected, session, await patient_invoice(session, connected))
    customer = await connected.fortnox.customers.get(f"SGXP{connected.clinic.patient.id}")
    assert customer.organisation_number == "19900704-2386"


async def test_patient_with_protected_identity_never_has_an_address_in_fortnox(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await _change_patient(
        session_factory, patient.id, protected_identity=True, address="Hemlig väg 2", city="Ås"
    )
    await transfer(connected, session, await patient_invoice(session, connected))
    customer = await connected.fortnox.customers.get(f"SGXP{patient.id}")
    assert not customer.address1 and not customer.city and not customer.zip_code


async def test_second_invoice_for_a_known_patient_costs_one_fortnox_call(
    connected: Connected, session: AsyncSession
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    second = await patient_invoice(session, connected)
    await forget_requests(connected)
    outcome = await transfer(connected, session, second)
    assert outcome.kind is OutcomeKind.DONE
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert calls == [("POST", "/3/invoices")]


async def test_patient_whose_number_was_not_stored_beside_the_link_gets_it_with_the_next_invoice(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    # A worker stopped after the link was saved and before the number was put on the patient.
    patient = connected.clinic.patient
    await transfer(connected, session, await patient_invoice(session, connected))
    await _change_patient(session_factory, patient.id, fortnox_customer_number=None)

    outcome = await transfer(connected, session, await patient_invoice(session, connected))

    assert outcome.kind is OutcomeKind.DONE
    stored_patient = await stored(session_factory, Patient, patient.id)
    assert stored_patient.fortnox_customer_number == f"SGXP{patient.id}"


async def test_second_invoice_for_a_known_company_costs_one_fortnox_call(
    connected: Connected, session: AsyncSession
) -> None:
    await with_company_in_fortnox(connected)
    await transfer(connected, session, await company_invoice(session, connected))
    second = await company_invoice(session, connected)
    await forget_requests(connected)
    outcome = await transfer(connected, session, second)
    assert outcome.kind is OutcomeKind.DONE
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert calls == [("POST", "/3/invoices")]


async def test_company_invoice_goes_to_the_customer_with_exactly_that_organisation_number(
    connected: Connected, session: AsyncSession
) -> None:
    org = connected.clinic.company.organisation_number
    # Same first digits, another company: Fortnox's substring search finds both.
    await add_company_in_fortnox(
        connected, name="Grannen AB", organisation_number=f"{org[:6]}-{int(org[6:]) ^ 1:04d}"
    )
    number = await with_company_in_fortnox(connected)
    invoice = await company_invoice(session, connected)
    await transfer(connected, session, invoice)
    sent = await connected.fortnox.invoices.get(str(invoice.number))
    assert sent.customer_number == number


async def test_company_missing_in_fortnox_fails_with_the_message_then_goes_once_added(
    connected: Connected, session: AsyncSession
) -> None:
    company = connected.clinic.company
    invoice = await company_invoice(session, connected)
    failed = await transfer(connected, session, invoice)
    orgnr = format_organisation_number(company.organisation_number)
    assert (failed.kind, failed.code) == (OutcomeKind.FAILED, "company_not_in_fortnox")
    assert failed.message == (
        f"Företaget {company.name} ({orgnr}) finns inte i Fortnox kundregister. Lägg upp "
        "kunden i Fortnox med samma organisationsnummer."
    )
    await with_company_in_fortnox(connected)
    again = await transfer(connected, session, invoice)
    assert (again.kind, again.fortnox_document_number) == (OutcomeKind.DONE, str(invoice.number))


async def test_company_registered_twice_in_fortnox_fails_with_its_own_message(
    connected: Connected, session: AsyncSession
) -> None:
    first = await with_company_in_fortnox(connected)
    second = await with_company_in_fortnox(connected)
    outcome = await transfer(connected, session, await company_invoice(session, connected))
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "company_ambiguous_in_fortnox")
    assert first in outcome.message and second in outcome.message


async def test_remembered_company_number_that_fortnox_no_longer_knows_is_looked_up_again(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    number = await with_company_in_fortnox(connected)
    async with session_factory() as writer:
        await save_link(
            writer,
            issuer_id=connected.clinic.issuer.id,
            tenant_id=connected.tenant_id,
            kind=LinkKind.COMPANY,
            sgx_id=connected.clinic.company.id,
            fortnox_number="4711",
        )
        await writer.commit()
    invoice = await company_invoice(session, connected)
    outcome = await transfer(connected, session, invoice)
    assert outcome.kind is OutcomeKind.DONE
    assert (await connected.fortnox.invoices.get(str(invoice.number))).customer_number == number


async def test_articles_are_created_with_their_sales_account_and_vat(
    connected: Connected, session: AsyncSession
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    besok = await connected.fortnox.articles.get("BESOK")
    konsult = await connected.fortnox.articles.get("KONSULT")
    assert (besok.description, besok.sales_account, besok.vat) == ("Läkarbesök", 3004, 0)
    assert (konsult.sales_account, konsult.vat) == (3001, 25)


async def test_changed_article_is_updated_and_unchanged_ones_are_not_touched(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    async with session_factory() as writer:
        article = await _article(writer, connected.clinic.issuer.id, "KONSULT")
        article.description = "Konsultation företagshälsa"
        await writer.commit()
    second = await patient_invoice(session, connected)
    await forget_requests(connected)
    await transfer(connected, session, second)
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert calls == [("PUT", "/3/articles/KONSULT"), ("POST", "/3/invoices")]
    assert (await connected.fortnox.articles.get("KONSULT")).description == (
        "Konsultation företagshälsa"
    )


async def test_article_made_in_fortnox_by_hand_is_taken_over_not_created_twice(
    connected: Connected, session: AsyncSession
) -> None:
    await connected.fortnox.articles.create(
        FortnoxArticle(article_number="BESOK", description="Besök", sales_account=3001)
    )
    outcome = await transfer(
        connected, session, await patient_invoice(session, connected, rows=[("BESOK", "1")])
    )
    assert outcome.kind is OutcomeKind.DONE
    article = await connected.fortnox.articles.get("BESOK")
    assert (article.description, article.sales_account) == ("Läkarbesök", 3004)


async def test_changed_patient_is_updated_only_when_what_is_sent_changed(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await transfer(connected, session, await patient_invoice(session, connected))
    await forget_requests(connected)
    await _run_patient_job(connected, session)
    assert await requests_to_fortnox(connected) == []  # nothing changed, nothing sent
    await _change_patient(session_factory, patient.id, phone="08-123 45", address="Ny väg 3")
    await _run_patient_job(connected, session)
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert calls == [("PUT", f"/3/customers/SGXP{patient.id}")]
    customer = await connected.fortnox.customers.get(f"SGXP{patient.id}")
    assert (customer.phone1, customer.address1) == ("08-123 45", "Ny väg 3")


async def test_patient_given_protected_identity_has_the_address_removed_in_fortnox(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    patient = connected.clinic.patient
    await _change_patient(session_factory, patient.id, address="Storgatan 1", city="Ås")
    await transfer(connected, session, await patient_invoice(session, connected))
    await _change_patient(session_factory, patient.id, protected_identity=True)
    await _run_patient_job(connected, session)
    customer = await connected.fortnox.customers.get(f"SGXP{patient.id}")
    assert not customer.address1 and not customer.city


async def test_patient_not_yet_in_fortnox_is_not_sent_by_a_patient_job(
    connected: Connected, session: AsyncSession
) -> None:
    outcome = await _run_patient_job(connected, session)
    assert outcome.kind is OutcomeKind.DONE
    assert await requests_to_fortnox(connected) == []


async def test_totals_that_differ_in_fortnox_leave_the_invoice_osynk_with_the_difference(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> None:
    # SGX keeps öre while Fortnox rounds to whole kronor: 1 250,50 against 1 251.
    connected = await connect_clinic(
        session, session_factory, sandbox_client, whole_krona_rounding=False
    )
    invoice = await patient_invoice(session, connected, rows=[("KONSULT", "1")])
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.DONE, "fortnox_totals_differ")
    after = await stored(session_factory, SgxInvoice, invoice.id)
    assert after.transfer_status == TransferStatus.OUT_OF_SYNC.value
    assert after.fortnox_document_number == str(invoice.number)
    assert after.transfer_message is not None
    assert "Total är 1 250,50 kr i SGX men 1 251,00 kr i Fortnox" in after.transfer_message


async def test_invoice_number_taken_in_fortnox_by_another_invoice_is_a_conflict(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected)
    stranger = await connected.fortnox.customers.create(Customer(name="Någon annan"))
    await connected.fortnox.invoices.create(
        Invoice(
            customer_number=stranger.customer_number,
            document_number=str(invoice.number),
            invoice_rows=[
                InvoiceRow(delivered_quantity=Decimal(1), price=Decimal(10), description="X")
            ],
        )
    )
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "document_number_taken")
    found = await connected.fortnox.invoices.get(str(invoice.number))
    assert found.customer_number == stranger.customer_number  # left alone, no second one
    assert len([i async for i in connected.fortnox.invoices.iterate()]) == 1


async def test_patient_customer_number_taken_by_someone_else_is_a_conflict(
    connected: Connected, session: AsyncSession
) -> None:
    number = f"SGXP{connected.clinic.patient.id}"
    await connected.fortnox.customers.create(Customer(customer_number=number, name="Annan"))
    outcome = await transfer(connected, session, await patient_invoice(session, connected))
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "customer_number_taken")
    assert (await connected.fortnox.customers.get(number)).name == "Annan"


async def test_inactive_account_in_fortnox_fails_naming_the_account_and_the_year(
    connected: Connected, session: AsyncSession
) -> None:
    response = await connected.sandbox.post(
        f"/_sandbox/tenants/{connected.tenant_id}/actions",
        json={"action": "deactivate_account", "number": 3004},
    )
    assert response.status_code == 200, response.text
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    outcome = await transfer(connected, session, invoice)
    year = invoice.invoice_date.year
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "fortnox_account_problem")
    assert outcome.fortnox_code == "2000550"
    assert "konto 3004 är inte aktivt" in outcome.message
    assert f"{year}-01-01 – {year}-12-31" in outcome.message


async def test_job_of_an_invoice_already_transferred_is_done_without_a_call(
    connected: Connected, session: AsyncSession
) -> None:
    invoice = await patient_invoice(session, connected)
    await transfer(connected, session, invoice)
    await forget_requests(connected)
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.fortnox_document_number) == (
        OutcomeKind.DONE,
        str(invoice.number),
    )
    assert await requests_to_fortnox(connected) == []


async def _change_patient(
    session_factory: SessionFactory, patient_id: int, **fields: object
) -> None:
    async with session_factory() as writer:
        patient = await writer.get(Patient, patient_id)
        assert patient is not None
        for name, value in fields.items():
            setattr(patient, name, value)
        await writer.commit()


async def _article(session: AsyncSession, issuer_id: int, code: str) -> Article:
    found = await session.scalars(
        select(Article).where(Article.issuer_id == issuer_id, Article.code == code)
    )
    return found.one()


async def _run_patient_job(connected: Connected, session: AsyncSession) -> JobOutcome:
    job = await make_job(
        session,
        issuer_id=connected.clinic.issuer.id,
        kind=JobKind.PATIENT,
        subject_id=connected.clinic.patient.id,
    )
    return await run_job(connected.ctx, job.id)


async def test_patient_customer_removed_in_fortnox_is_a_case_for_a_person(
    connected: Connected, session: AsyncSession
) -> None:
    number = f"SGXP{connected.clinic.patient.id}"
    await _set_account(connected, 3004, active=False)
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    failed = await transfer(connected, session, invoice)  # the customer is made, the invoice not
    assert failed.kind is OutcomeKind.FAILED
    removed = await connected.sandbox.delete(
        f"/3/customers/{number}", headers={"Authorization": f"Bearer {connected.access_token}"}
    )
    assert removed.status_code == 204, removed.text
    await _set_account(connected, 3004, active=True)
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code) == (OutcomeKind.FAILED, "customer_number_deleted")
    assert number in outcome.message
    assert [i async for i in connected.fortnox.invoices.iterate()] == []


async def _set_account(connected: Connected, number: int, *, active: bool) -> None:
    response = await connected.sandbox.put(
        f"/3/accounts/{number}",
        json={"Account": {"Active": active}},
        headers={"Authorization": f"Bearer {connected.access_token}"},
    )
    assert response.status_code == 200, response.text


async def test_account_missing_in_fortnox_fails_naming_the_account(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    invoice = await patient_invoice(session, connected, rows=[("BESOK", "1")])
    async with session_factory() as writer:
        stored_invoice = await writer.get(SgxInvoice, invoice.id)
        assert stored_invoice is not None
        stored_invoice.rows[0].account_number = 3999  # not in Fortnox's chart
        await writer.commit()
    outcome = await transfer(connected, session, invoice)
    assert (outcome.kind, outcome.code, outcome.fortnox_code) == (
        OutcomeKind.FAILED,
        "fortnox_account_problem",
        "2001304",
    )
    assert "konto 3999 finns inte" in outcome.message
