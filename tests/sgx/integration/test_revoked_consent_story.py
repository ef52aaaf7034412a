"""Consent revoked in Fortnox → the issuer's invoices pause (never dropped) → the Administratör
reconnects through Fortnox's pages → every paused invoice is delivered, once."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.engine import SyncEngine
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.runner import WorkerConfig
from sgx.invoicing.models import Invoice
from sgx.outbox.models import JobStatus, TransferJob
from sgx.settings import Settings
from tests.builders.catalog import make_article
from tests.builders.parties import make_patient
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import connect_and_show, fortnox_page


async def _create_invoices(
    client: httpx.AsyncClient, clinic: Clinic, patient_id: int, count: int
) -> list[int]:
    ids = []
    for _ in range(count):
        response = await client.post(
            f"/api/v1/issuers/{clinic.id}/invoices",
            headers=clinic.admin,
            json={"patient_id": patient_id, "rows": [{"article_code": "BESOK", "quantity": "1"}]},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def _statuses(session: AsyncSession, ids: list[int]) -> list[str]:
    session.expire_all()
    rows = await session.scalars(select(Invoice).where(Invoice.id.in_(ids)).order_by(Invoice.id))
    statuses = [invoice.transfer_status for invoice in rows]
    await session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    return statuses


async def _invoices_created_in_fortnox(sandbox: httpx.AsyncClient, tenant_id: int) -> int:
    log = await sandbox.get(
        "/_sandbox/requests", params={"tenant_id": tenant_id, "path": "/3/invoices$"}
    )
    assert log.status_code == 200, log.text
    return sum(1 for entry in log.json()["requests"] if entry["status"] == 201)


async def test_revoked_consent_pauses_invoices_until_reconnected_then_all_are_delivered(
    client: httpx.AsyncClient,
    session: AsyncSession,
    engine: AsyncEngine,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    settings: Settings,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await make_article(session, issuer_id=clinic.id, code="BESOK")
    patient = await make_patient(session, issuer_id=clinic.id)
    await session.commit()
    # Two connections' checks and three booked transfers in one second pass Fortnox's 25 calls
    # per 5 s; this story is about the consent, and `run_until_idle` waits out no back-off.
    unlimited = await sandbox.post("/_sandbox/rate-limit", json={"enabled": False})
    assert unlimited.status_code == 200, unlimited.text
    await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")
    tenant_id = fortnox_company["tenant_id"]
    revoked = await sandbox.post(
        f"/_sandbox/tenants/{tenant_id}/actions",
        json={"action": "revoke_consent", "client_id": settings.fortnox_client_id},
    )
    assert revoked.status_code == 200, revoked.text

    invoice_ids = await _create_invoices(client, clinic, patient.id, 3)
    worker = SyncEngine(db=engine, gateway=gateway, config=WorkerConfig(name="worker-1"))
    await worker.run_until_idle()

    assert await _statuses(session, invoice_ids) == ["Pausad – ingen anslutning"] * 3
    jobs = list(await session.scalars(select(TransferJob)))
    assert {job.status for job in jobs} == {JobStatus.HELD}
    await session.rollback()
    assert (
        "Anslutningen till Fortnox har upphört"
        in (await fortnox_page(client, clinic.id, clinic.admin)).text
    )
    assert await _invoices_created_in_fortnox(sandbox, tenant_id) == 0

    page = await connect_and_show(client, clinic.id, clinic.admin, account_type="personal")
    assert ">Ansluten<" in page.text
    await worker.run_until_idle()

    assert await _statuses(session, invoice_ids) == ["Överförd"] * 3
    assert await _invoices_created_in_fortnox(sandbox, tenant_id) == 3
