"""The chaos run's checks can fail: an invoice transferred once passes them, the same invoice
made a second time in Fortnox (as a retry that did not look first would make it) does not."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sgx.chaos import checks
from sgx.chaos.sandbox import FortnoxReader
from sgx.chaos.world import IssuerWorld
from sgx.integration.jobs import OutcomeKind
from sgx.integration.mapping import patient_customer_number
from sgx.integration.models import AccountType
from tests.builders.transfer import Connected, connect_clinic, patient_invoice, transfer


async def connected_with_one_invoice(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> tuple[Connected, IssuerWorld]:
    connected = await connect_clinic(
        session, session_factory, sandbox_client, fortnox_integration_enabled=True
    )
    invoice = await patient_invoice(session, connected)
    assert (await transfer(connected, session, invoice)).kind is OutcomeKind.DONE
    issuer = connected.clinic.issuer
    world = IssuerWorld(
        issuer_id=issuer.id,
        organisation_number=issuer.organisation_number,
        account_type=AccountType.PERSONAL,
        tenant_id=connected.tenant_id,
    )
    return connected, world


async def verdict_of(
    connected: Connected,
    world: IssuerWorld,
    session_factory: async_sessionmaker[AsyncSession],
) -> checks.Verdict:
    verdict = checks.Verdict()
    reader = FortnoxReader(connected.sandbox, access_token=connected.access_token)
    await checks.check_issuer(session_factory, reader, world, set(), verdict)
    return verdict


async def test_an_invoice_transferred_once_passes_the_checks(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    connected, world = await connected_with_one_invoice(session, session_factory, sandbox_client)

    verdict = await verdict_of(connected, world, session_factory)

    assert verdict.violations == []
    assert verdict.figures["Fortnox invoices"] == 1


async def test_an_invoice_made_twice_in_fortnox_is_an_extra_document(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    sandbox_client: httpx.AsyncClient,
) -> None:
    connected, world = await connected_with_one_invoice(session, session_factory, sandbox_client)
    patient = connected.clinic.patient
    duplicate = await sandbox_client.post(
        "/3/invoices",
        json={
            "Invoice": {
                "CustomerNumber": patient_customer_number(patient.id),
                "InvoiceRows": [{"Description": "Läkarbesök", "DeliveredQuantity": "1"}],
            }
        },
        headers={"Authorization": f"Bearer {connected.access_token}"},
    )
    assert duplicate.status_code == 201, duplicate.text

    verdict = await verdict_of(connected, world, session_factory)

    assert [v.split(" (")[0] for v in verdict.violations] == ["extra documents in Fortnox"]
