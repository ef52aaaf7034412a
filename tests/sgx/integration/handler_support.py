"""Arrangements shared by the transfer-handler tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.handlers.refusals import format_organisation_number
from sgx.integration.jobs import JobOutcome
from sgx.outbox.models import JobKind
from sgx.parties.models import Patient
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    add_company_in_fortnox,
    make_job,
    run_job,
)


async def with_company_in_fortnox(connected: Connected) -> str:
    company = connected.clinic.company
    created = await add_company_in_fortnox(
        connected,
        name=company.name,
        organisation_number=format_organisation_number(company.organisation_number),
    )
    number: str = created["Customer"]["CustomerNumber"]
    return number


async def set_account(connected: Connected, number: int, *, active: bool) -> None:
    response = await connected.sandbox.put(
        f"/3/accounts/{number}",
        json={"Account": {"Active": active}},
        headers={"Authorization": f"Bearer {connected.access_token}"},
    )
    assert response.status_code == 200, response.text


async def change_patient(
    session_factory: SessionFactory, patient_id: int, **fields: object
) -> None:
    async with session_factory() as writer:
        patient = await writer.get(Patient, patient_id)
        assert patient is not None
        for name, value in fields.items():
            setattr(patient, name, value)
        await writer.commit()


async def run_patient_job(connected: Connected, session: AsyncSession) -> JobOutcome:
    """Run a ``PATIENT`` job for the clinic's patient, as a change of the patient enqueues."""
    job = await make_job(
        session,
        issuer_id=connected.clinic.issuer.id,
        kind=JobKind.PATIENT,
        subject_id=connected.clinic.patient.id,
    )
    return await run_job(connected.ctx, job.id)
