"""Skyddad identitet end to end: a patient is made protected through SGX's API, the worker clears
the patient in Fortnox; when Fortnox keeps a cleared field, the next invoice is held as
"Fel – åtgärd krävs" with the reason, and "Att åtgärda" shows both the invoice and the patient."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from sgx.integration.engine import SyncEngine
from sgx.integration.gateway import FortnoxGateway
from sgx.integration.runner import WorkerConfig
from sgx.invoicing.models import Invoice
from sgx.parties.models import Patient
from tests.builders.catalog import make_article
from tests.builders.parties import make_patient
from tests.sgx.fortnox.sandbox import consent, register_client
from tests.sgx.integration.conftest import Clinic
from tests.sgx.integration.flow import connect_and_show


async def _invoice(client: httpx.AsyncClient, clinic: Clinic, patient_id: int) -> int:
    response = await client.post(
        f"/api/v1/issuers/{clinic.id}/invoices",
        headers=clinic.admin,
        json={"patient_id": patient_id, "rows": [{"article_code": "BESOK", "quantity": "1"}]},
    )
    assert response.status_code == 201, response.text
    invoice_id: int = response.json()["id"]
    return invoice_id


async def _stored(session: AsyncSession, invoice_id: int) -> dict[str, Any]:
    session.expire_all()
    invoice = await session.scalar(select(Invoice).where(Invoice.id == invoice_id))
    assert invoice is not None
    seen = {
        "number": invoice.number,
        "status": invoice.transfer_status,
        "code": invoice.transfer_error_code,
        "message": invoice.transfer_message or "",
    }
    await session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    return seen


async def _customer(sandbox: httpx.AsyncClient, tenant_id: int, number: str) -> dict[str, Any]:
    """The customer as Fortnox holds it, read with a consent of the test's own."""
    await register_client(sandbox)
    tokens = await consent(sandbox, tenant_id)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    response = await sandbox.get(f"/3/customers/{number}", headers=headers)
    assert response.status_code == 200, response.text
    customer: dict[str, Any] = response.json()["Customer"]
    return customer


async def test_a_clear_fortnox_does_not_keep_is_reported_never_passed_as_done(
    client: httpx.AsyncClient,
    session: AsyncSession,
    engine: AsyncEngine,
    gateway: FortnoxGateway,
    sandbox: httpx.AsyncClient,
    clinic: Clinic,
    fortnox_company: dict[str, Any],
) -> None:
    await make_article(session, issuer_id=clinic.id, code="BESOK")
    patient = await make_patient(
        session, issuer_id=clinic.id, address="Storgatan 1", city="Ås", email="p@example.se"
    )
    patient_id = patient.id
    await session.commit()
    await connect_and_show(client, clinic.id, clinic.admin)
    worker = SyncEngine(db=engine, gateway=gateway, config=WorkerConfig(name="worker-1"))
    first = await _invoice(client, clinic, patient_id)
    await worker.run_until_idle()
    assert (await _stored(session, first))["status"] == "Överförd"
    tenant_id = fortnox_company["tenant_id"]
    fault = await sandbox.post(
        "/_sandbox/faults",
        json={"kind": "keep_on_null", "tenant_id": tenant_id, "method": "PUT", "path": "customers"},
    )
    assert fault.status_code == 200, fault.text

    changed = await client.patch(
        f"/api/v1/patients/{patient_id}", headers=clinic.admin, json={"protected_identity": True}
    )
    assert changed.status_code == 200, changed.text
    second = await _invoice(client, clinic, patient_id)
    await worker.run_until_idle()

    held = await _stored(session, second)
    assert (held["status"], held["code"]) == ("Fel – åtgärd krävs", "customer_update_not_kept")
    assert "adress" in held["message"]
    page = await client.get(f"/issuers/{clinic.id}/worklist", headers=clinic.admin)
    assert page.status_code == 200
    assert f'data-invoice="{held["number"]}"' in page.text
    assert f'data-patient="{patient_id}"' in page.text
    assert "Fortnox behöll inte patientens ändrade uppgifter" in page.text
    number = await session.scalar(
        select(Patient.fortnox_customer_number).where(Patient.id == patient_id)
    )
    await session.rollback()  # end the read: on SQLite an open transaction holds the write lock
    assert number is not None and number.endswith(f"P{patient_id}")
    customer = await _customer(sandbox, tenant_id, number)
    assert customer["Address1"] == "Storgatan 1"  # what SGX reports is what Fortnox holds
