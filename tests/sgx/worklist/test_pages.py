""" "Att åtgärda": invoices in error grouped by cause, "Försök igen" per invoice and per cause,
the badge's count, and who may retry."""

from __future__ import annotations

from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity.models import IssuerRole
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.outbox.models import JobStatus, TransferJob
from tests.builders.identity import bearer, make_api_token, make_user
from tests.builders.invoicing import Clinic, make_credit, make_invoice
from tests.sgx.identity.pages import csrf_from
from tests.sgx.worklist.support import (
    ACCOUNT_PROBLEM,
    MISSING_COMPANY,
    connected_clinic,
    failed_invoice,
    failed_patient_update,
    job_of,
    status_of,
)


async def retry(
    client: httpx.AsyncClient, clinic: Clinic, headers: dict[str, str], **fields: str
) -> httpx.Response:
    page = await client.get(f"/issuers/{clinic.issuer.id}/worklist", headers=headers)
    data = {"csrf_token": csrf_from(page.text), **fields}
    return await client.post(
        f"/issuers/{clinic.issuer.id}/worklist/retry", data=data, headers=headers
    )


async def test_worklist_groups_invoices_in_error_by_cause_with_what_to_do(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    first = await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    second = await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    third = await failed_invoice(session, clinic, cause=ACCOUNT_PROBLEM)

    page = await client.get(f"/issuers/{clinic.issuer.id}/worklist", headers=clinic.headers)

    assert page.status_code == 200
    html = page.text
    missing = html.index('data-cause="company_not_in_fortnox"')
    account = html.index('data-cause="fortnox_account_problem"')
    assert missing < account  # the larger group first
    assert "Företaget finns inte i Fortnox kundregister" in html
    assert "Konto saknas eller är inaktivt i Fortnox" in html
    assert "Försök igen för alla (2)" in html
    for invoice in (first, second, third):
        assert f'data-invoice="{invoice.number}"' in html
    assert "Lägg upp kontot i Fortnox kontoplan." in html


async def test_retry_of_one_invoice_makes_it_wait_for_transfer_again_and_is_logged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    invoice = await failed_invoice(session, clinic, cause=MISSING_COMPANY)

    response = await retry(client, clinic, clinic.headers, invoice_id=str(invoice.id))

    assert response.status_code == 303
    assert response.headers["location"].endswith("/worklist?meddelande=forsok-igen")
    assert await status_of(session, invoice) == "Väntar på överföring"
    assert (await job_of(session, invoice)).status is JobStatus.PENDING
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "transfer.retry_requested")
    )
    assert event is not None and event.details["invoice_number"] == invoice.number


async def test_retry_of_a_cause_leaves_other_causes_failed(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    missing = [await failed_invoice(session, clinic, cause=MISSING_COMPANY) for _ in range(2)]
    other = await failed_invoice(session, clinic, cause=ACCOUNT_PROBLEM)

    response = await retry(client, clinic, clinic.headers, cause=MISSING_COMPANY)

    assert response.status_code == 303
    assert [(await job_of(session, invoice)).status for invoice in missing] == [
        JobStatus.PENDING,
        JobStatus.PENDING,
    ]
    assert (await job_of(session, other)).status is JobStatus.FAILED


async def test_badge_counts_the_invoices_needing_attention(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    await failed_invoice(session, clinic, cause=ACCOUNT_PROBLEM)

    badge = await client.get(f"/issuers/{clinic.issuer.id}/worklist/badge", headers=clinic.headers)

    assert badge.status_code == 200
    assert 'data-count="2"' in badge.text and "fakturor" in badge.text


async def test_a_reader_sees_the_worklist_without_retry_and_is_refused_when_forcing_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    invoice = await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    reader = await make_user(session, roles={clinic.issuer.id: IssuerRole.READER})
    headers = bearer(await make_api_token(session, user=reader))
    await session.commit()

    page = await client.get(f"/issuers/{clinic.issuer.id}/worklist", headers=headers)
    forced = await retry(client, clinic, headers, invoice_id=str(invoice.id))

    assert page.status_code == 200 and f'data-invoice="{invoice.number}"' in page.text
    assert f'action="/issuers/{clinic.issuer.id}/worklist/retry"' not in page.text
    assert forced.status_code == 403
    assert (await job_of(session, invoice)).status is JobStatus.FAILED


async def test_the_worklist_of_an_issuer_without_a_role_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    other = await connected_clinic(session)

    page = await client.get(f"/issuers/{other.issuer.id}/worklist", headers=clinic.headers)

    assert page.status_code == 404
    assert "Fakturautställaren finns inte." in page.text


async def test_a_refused_patient_update_is_listed_counted_and_retried(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    job = await failed_patient_update(session, clinic)

    page = await client.get(f"/issuers/{clinic.issuer.id}/worklist", headers=clinic.headers)
    badge = await client.get(f"/issuers/{clinic.issuer.id}/worklist/badge", headers=clinic.headers)
    response = await retry(client, clinic, clinic.headers, patient_id=str(clinic.patient.id))

    assert f'data-patient="{clinic.patient.id}"' in page.text
    assert "Kundnumret används redan i Fortnox" in page.text
    assert 'data-count="1"' in badge.text
    assert response.status_code == 303
    stored = await session.get(TransferJob, job.id, populate_existing=True)
    assert stored is not None and stored.status is JobStatus.PENDING


async def test_a_company_cause_links_to_the_companys_page_where_its_customer_is_chosen(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    company_failed = await failed_invoice(session, clinic, cause=MISSING_COMPANY)
    await failed_invoice(session, clinic, cause=ACCOUNT_PROBLEM)

    page = await client.get(f"/issuers/{clinic.issuer.id}/worklist", headers=clinic.headers)
    invoice_page = await client.get(
        f"/issuers/{clinic.issuer.id}/invoices/{company_failed.id}", headers=clinic.headers
    )

    link = f"/issuers/{clinic.issuer.id}/companies/{clinic.company.id}/edit#kund-i-fortnox"
    assert page.text.count(f'href="{link}"') == 1  # on the company's invoice, not the other
    assert f'href="{link}"' in invoice_page.text


async def _unlinked_credit(session: AsyncSession, clinic: Clinic) -> Invoice:
    """A transferred invoice and a later credit of it that went as a plain negative invoice."""
    invoice = await make_invoice(
        session, issuer_id=clinic.issuer.id, patient_id=clinic.patient.id, rows=[("BESOK", "2")]
    )
    credit = await make_credit(session, invoice=invoice, rows=[(invoice.rows[0].id, "1")])
    invoice.fortnox_document_number = str(invoice.number)
    credit.fortnox_document_number = str(credit.number)
    credit.transfer_status = TransferStatus.TRANSFERRED.value
    credit.fortnox_unlinked_credit = True
    await session.commit()
    return credit


async def test_a_credit_fortnox_does_not_link_is_listed_to_be_matched_until_settled(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clinic = await connected_clinic(session)
    credit = await _unlinked_credit(session, clinic)
    url = f"/issuers/{clinic.issuer.id}"

    page = (await client.get(f"{url}/worklist", headers=clinic.headers)).text
    badge = (await client.get(f"{url}/worklist/badge", headers=clinic.headers)).text
    shown = (await client.get(f"{url}/invoices/{credit.id}", headers=clinic.headers)).text

    assert 'data-cause="credit_not_linked"' in page and f'data-invoice="{credit.number}"' in page
    assert f"Matcha den mot faktura {credit.number - 1} i Fortnox" in page
    assert 'data-count="1"' in badge
    assert 'id="ej-kopplad-kreditering"' in shown and "Ska matchas i Fortnox" in shown

    credit.payment_balance = Decimal("0")  # matched in Fortnox, as the read-back shows
    await session.commit()
    page = (await client.get(f"{url}/worklist", headers=clinic.headers)).text
    assert 'data-cause="credit_not_linked"' not in page
