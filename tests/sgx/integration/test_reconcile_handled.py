"""An administrator marks a difference with Fortnox handled, with a comment, in the audit log;
the same Fortnox state is then left alone, and a new change is reported again."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.audit.models import AuditEvent
from sgx.identity.models import IssuerRole
from sgx.integration.gateway import FortnoxGateway
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.settings import Settings
from tests.builders.identity import bearer, make_api_token, make_user
from tests.sgx.identity.pages import csrf_from, log_in
from tests.sgx.integration.reconcile_support import (
    Setup,
    books_by_hand,
    drifts,
    edit_rows,
    fresh,
    inside,
    patient_invoice,
    reconciled,
    set_up,
    transferred,
)


@pytest.fixture
async def setup(
    engine: AsyncEngine,
    session: AsyncSession,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    gateway: FortnoxGateway,
) -> Setup:
    return await set_up(engine, session, sandbox, settings, gateway)


async def _headers(session: AsyncSession, setup: Setup, role: IssuerRole) -> dict[str, str]:
    user = await make_user(session, roles={setup.issuer_id: role})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    return headers


async def _credited_in_fortnox(session: AsyncSession, setup: Setup) -> Invoice:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await inside(setup, "credit_invoice", document_number=invoice.fortnox_document_number)
    await reconciled(setup)
    return invoice


async def test_an_administrator_marks_the_difference_handled_with_a_comment(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    invoice = await _credited_in_fortnox(session, setup)
    admin = await _headers(session, setup, IssuerRole.ADMIN)

    response = await client.post(
        f"/api/v1/invoices/{invoice.id}/drift/handled",
        json={"comment": "Krediterad även i SGX efter samtal med kunden."},
        headers=admin,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["transfer_status"] == TransferStatus.TRANSFERRED.value
    assert [d["handled_comment"] for d in body["handled"]] == [
        "Krediterad även i SGX efter samtal med kunden."
    ]
    assert (await fresh(session, invoice.id)).transfer_message is None


async def test_marking_handled_is_in_the_issuers_audit_log(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    invoice = await _credited_in_fortnox(session, setup)
    admin = await _headers(session, setup, IssuerRole.ADMIN)

    await client.post(
        f"/api/v1/invoices/{invoice.id}/drift/handled", json={"comment": "Ok"}, headers=admin
    )

    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "fortnox.drift_handled")
    )
    await session.commit()
    assert event is not None and event.issuer_id == setup.issuer_id
    assert event.details["comment"] == "Ok"
    assert event.details["differences"][0].startswith("Krediterad i Fortnox (kreditfaktura")


async def test_an_invoicer_may_not_mark_a_difference_handled(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    invoice = await _credited_in_fortnox(session, setup)

    response = await client.post(
        f"/api/v1/invoices/{invoice.id}/drift/handled",
        json={"comment": "Ok"},
        headers=setup.connected.clinic.headers,
    )

    assert response.status_code == 403, response.text
    assert (await fresh(session, invoice.id)).transfer_status == "Osynk"


async def test_a_difference_is_not_handled_without_a_comment(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    invoice = await _credited_in_fortnox(session, setup)
    admin = await _headers(session, setup, IssuerRole.ADMIN)

    response = await client.post(
        f"/api/v1/invoices/{invoice.id}/drift/handled", json={"comment": "  "}, headers=admin
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"


async def test_an_invoice_in_step_with_fortnox_has_nothing_to_handle(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    admin = await _headers(session, setup, IssuerRole.ADMIN)

    response = await client.post(
        f"/api/v1/invoices/{invoice.id}/drift/handled", json={"comment": "Ok"}, headers=admin
    )

    assert response.status_code == 409, response.text


async def test_a_handled_state_is_not_reported_again_but_a_new_change_is(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    await books_by_hand(session, setup)
    [invoice] = await transferred(session, setup, await patient_invoice(session, setup))
    await reconciled(setup)
    await edit_rows(setup, invoice, {0: {"Description": "Första ändringen"}})
    await reconciled(setup)
    admin = await _headers(session, setup, IssuerRole.ADMIN)
    await client.post(
        f"/api/v1/invoices/{invoice.id}/drift/handled", json={"comment": "Ok"}, headers=admin
    )

    await reconciled(setup)
    after_handling = (await fresh(session, invoice.id)).transfer_status
    await edit_rows(setup, invoice, {0: {"Description": "Andra ändringen"}})
    await reconciled(setup)

    assert after_handling == TransferStatus.TRANSFERRED.value
    assert [d.handled_at is None for d in await drifts(session, invoice.id)] == [False, True]
    assert "Andra ändringen" in ((await fresh(session, invoice.id)).transfer_message or "")


async def test_the_invoice_page_offers_the_form_and_takes_the_comment(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    invoice = await _credited_in_fortnox(session, setup)
    await make_user(
        session, username="alva", password="losenord-123", roles={setup.issuer_id: IssuerRole.ADMIN}
    )
    await session.commit()
    await log_in(client, "alva", "losenord-123")
    page = await client.get(f"/issuers/{setup.issuer_id}/invoices/{invoice.id}")
    assert "Markera som hanterad" in page.text

    answer = await client.post(
        f"/issuers/{setup.issuer_id}/invoices/{invoice.id}/drift/handled",
        data={"csrf_token": csrf_from(page.text), "comment": "Stämt av med ekonomi."},
    )

    assert answer.status_code == 303, answer.text
    [handled] = await drifts(session, invoice.id)
    assert (handled.handled_by, handled.handled_comment) == ("alva", "Stämt av med ekonomi.")


async def test_the_worklist_shows_an_invoice_credited_in_fortnox(
    session: AsyncSession, setup: Setup, client: httpx.AsyncClient
) -> None:
    invoice = await _credited_in_fortnox(session, setup)
    await make_user(
        session, username="alva", password="losenord-123", roles={setup.issuer_id: IssuerRole.ADMIN}
    )
    await session.commit()
    await log_in(client, "alva", "losenord-123")

    page = await client.get(f"/issuers/{setup.issuer_id}/worklist")

    assert page.status_code == 200, page.text
    assert "Krediterad i Fortnox men inte i SGX" in page.text
    assert "Krediterad i Fortnox (kreditfaktura" in page.text
    assert str(invoice.number) in page.text
