"""JSON API routes of parties (under /api/v1): patients and companies of an issuer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sgx.parties import service
from sgx.parties.schemas import (
    CompanyCreate,
    CompanyOut,
    CompanyUpdate,
    FortnoxCustomerPin,
    PatientCreate,
    PatientOut,
    PatientUpdate,
)
from sgx.web.deps import CurrentPrincipal, DbSession

router = APIRouter(tags=["Patienter och företag"])

Limit = Annotated[int, Query(ge=1, le=service.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0)]


@router.post("/issuers/{issuer_id}/patients", response_model=PatientOut, status_code=201)
async def create_patient(
    issuer_id: int, body: PatientCreate, session: DbSession, principal: CurrentPrincipal
) -> PatientOut:
    patient = await service.create_patient(
        session, principal=principal, issuer_id=issuer_id, data=body
    )
    await session.commit()
    return PatientOut.model_validate(patient)


@router.get("/issuers/{issuer_id}/patients", response_model=list[PatientOut])
async def list_patients(
    issuer_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[PatientOut]:
    patients = await service.list_patients(
        session, principal=principal, issuer_id=issuer_id, limit=limit, offset=offset
    )
    return [PatientOut.model_validate(patient) for patient in patients]


@router.get("/patients/{patient_id}", response_model=PatientOut)
async def get_patient(
    patient_id: int, session: DbSession, principal: CurrentPrincipal
) -> PatientOut:
    patient = await service.get_patient(session, principal=principal, patient_id=patient_id)
    return PatientOut.model_validate(patient)


@router.patch("/patients/{patient_id}", response_model=PatientOut)
async def update_patient(
    patient_id: int, body: PatientUpdate, session: DbSession, principal: CurrentPrincipal
) -> PatientOut:
    patient = await service.update_patient(
        session, principal=principal, patient_id=patient_id, data=body
    )
    await session.commit()
    return PatientOut.model_validate(patient)


@router.post("/issuers/{issuer_id}/companies", response_model=CompanyOut, status_code=201)
async def create_company(
    issuer_id: int, body: CompanyCreate, session: DbSession, principal: CurrentPrincipal
) -> CompanyOut:
    company = await service.create_company(
        session, principal=principal, issuer_id=issuer_id, data=body
    )
    await session.commit()
    return CompanyOut.model_validate(company)


@router.get("/issuers/{issuer_id}/companies", response_model=list[CompanyOut])
async def list_companies(
    issuer_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[CompanyOut]:
    companies = await service.list_companies(
        session, principal=principal, issuer_id=issuer_id, limit=limit, offset=offset
    )
    return [CompanyOut.model_validate(company) for company in companies]


@router.get("/companies/{company_id}", response_model=CompanyOut)
async def get_company(
    company_id: int, session: DbSession, principal: CurrentPrincipal
) -> CompanyOut:
    company = await service.get_company(session, principal=principal, company_id=company_id)
    return CompanyOut.model_validate(company)


@router.patch("/companies/{company_id}", response_model=CompanyOut)
async def update_company(
    company_id: int, body: CompanyUpdate, session: DbSession, principal: CurrentPrincipal
) -> CompanyOut:
    company = await service.update_company(
        session, principal=principal, company_id=company_id, data=body
    )
    await session.commit()
    return CompanyOut.model_validate(company)


@router.put("/companies/{company_id}/fortnox-customer", response_model=CompanyOut)
async def pin_fortnox_customer(
    company_id: int, body: FortnoxCustomerPin, session: DbSession, principal: CurrentPrincipal
) -> CompanyOut:
    """Administratör: send the company's invoices to this Fortnox customer number."""
    company = await service.pin_fortnox_customer(
        session,
        principal=principal,
        company_id=company_id,
        customer_number=body.fortnox_customer_number,
    )
    await session.commit()
    return CompanyOut.model_validate(company)
