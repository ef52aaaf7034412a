"""HTML pages of parties: an issuer's patients and companies (list, create and edit).

An edit page answers only for an object of the issuer in the address (another issuer's id is
404 like an unknown one) and needs a writing role, like the service that stores the change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from sgx.errors import NotFound, ValidationFailed
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.identity.web import PagePrincipal
from sgx.issuers.models import Issuer
from sgx.issuers.service import get_issuer
from sgx.parties import forms, service
from sgx.parties.models import Company, Patient
from sgx.web import forms as web_forms
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.scope import in_address
from sgx.web.templating import templates

router = APIRouter(include_in_schema=False)

BodyT = TypeVar("BodyT")

NOTICES = {
    "patient": "Patienten har lagts till.",
    "foretag": "Företaget har lagts till.",
    "patient-andrad": "Patienten har uppdaterats.",
    "foretag-andrat": "Företaget har uppdaterats.",
    "foretag-kund": "Företagets kund i Fortnox har sparats.",
}


def can_write(principal: Principal, issuer_id: int) -> bool:
    role = principal.role_on(issuer_id)
    return role is not None and role.includes(IssuerRole.INVOICER)


def can_pin(principal: Principal, issuer_id: int) -> bool:
    """Where a company's invoices go in Fortnox is the Administratör's decision."""
    role = principal.role_on(issuer_id)
    return role is not None and role.includes(IssuerRole.ADMIN)


def notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("meddelande", ""))


@router.get("/issuers/{issuer_id}/patients")
async def patient_list(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    patients = await service.list_patients(
        session, principal=principal, issuer_id=issuer_id, limit=service.MAX_PAGE
    )
    rows = [(patient, forms.formatted_identity(patient)) for patient in patients]
    return templates.TemplateResponse(
        request,
        "parties/patients.html",
        {
            "issuer": issuer,
            "rows": rows,
            "can_write": can_write(principal, issuer_id),
            "notice": notice(request),
        },
    )


@router.get("/issuers/{issuer_id}/patients/new")
async def new_patient_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await _writable_issuer(session, principal, issuer_id)
    return _form(request, "parties/patient_new.html", issuer, values={})


@router.post("/issuers/{issuer_id}/patients", dependencies=[Depends(verify_csrf)])
async def create_patient(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await _writable_issuer(session, principal, issuer_id)
    return await _save(
        request,
        session,
        principal,
        issuer_id,
        read=forms.patient_from_form,
        store=lambda data: service.create_patient(
            session, principal=principal, issuer_id=issuer_id, data=data
        ),
        template="parties/patient_new.html",
        done=f"/issuers/{issuer_id}/patients?meddelande=patient",
    )


@router.get("/issuers/{issuer_id}/patients/{patient_id}/edit")
async def edit_patient_page(
    request: Request, issuer_id: int, patient_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await _writable_issuer(session, principal, issuer_id)
    patient = await _patient_of(session, principal, issuer_id, patient_id)
    values = forms.patient_values(patient)
    return _form(request, "parties/patient_edit.html", issuer, values, extra={"patient": patient})


@router.post("/issuers/{issuer_id}/patients/{patient_id}", dependencies=[Depends(verify_csrf)])
async def update_patient(
    request: Request, issuer_id: int, patient_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await _writable_issuer(session, principal, issuer_id)
    await _patient_of(session, principal, issuer_id, patient_id)

    async def context() -> dict[str, Any]:
        return {"patient": await _patient_of(session, principal, issuer_id, patient_id)}

    return await _save(
        request,
        session,
        principal,
        issuer_id,
        read=forms.patient_update_from_form,
        store=lambda data: service.update_patient(
            session, principal=principal, patient_id=patient_id, data=data
        ),
        template="parties/patient_edit.html",
        done=f"/issuers/{issuer_id}/patients?meddelande=patient-andrad",
        context=context,
    )


@router.get("/issuers/{issuer_id}/companies")
async def company_list(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    companies = await service.list_companies(
        session, principal=principal, issuer_id=issuer_id, limit=service.MAX_PAGE
    )
    return templates.TemplateResponse(
        request,
        "parties/companies.html",
        {
            "issuer": issuer,
            "companies": companies,
            "can_write": can_write(principal, issuer_id),
            "notice": notice(request),
        },
    )


@router.get("/issuers/{issuer_id}/companies/new")
async def new_company_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await _writable_issuer(session, principal, issuer_id)
    return _form(request, "parties/company_new.html", issuer, values={})


@router.post("/issuers/{issuer_id}/companies", dependencies=[Depends(verify_csrf)])
async def create_company(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await _writable_issuer(session, principal, issuer_id)
    return await _save(
        request,
        session,
        principal,
        issuer_id,
        read=forms.company_from_form,
        store=lambda data: service.create_company(
            session, principal=principal, issuer_id=issuer_id, data=data
        ),
        template="parties/company_new.html",
        done=f"/issuers/{issuer_id}/companies?meddelande=foretag",
    )


@router.get("/issuers/{issuer_id}/companies/{company_id}/edit")
async def edit_company_page(
    request: Request, issuer_id: int, company_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await _writable_issuer(session, principal, issuer_id)
    company = await _company_of(session, principal, issuer_id, company_id)
    values = forms.company_values(company)
    extra = _pin_context(principal, company, company.fortnox_customer_number or "")
    return _form(request, "parties/company_edit.html", issuer, values, extra=extra)


@router.post("/issuers/{issuer_id}/companies/{company_id}", dependencies=[Depends(verify_csrf)])
async def update_company(
    request: Request, issuer_id: int, company_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await _writable_issuer(session, principal, issuer_id)
    await _company_of(session, principal, issuer_id, company_id)

    async def context() -> dict[str, Any]:
        company = await _company_of(session, principal, issuer_id, company_id)
        return _pin_context(principal, company, company.fortnox_customer_number or "")

    return await _save(
        request,
        session,
        principal,
        issuer_id,
        read=forms.company_update_from_form,
        store=lambda data: service.update_company(
            session, principal=principal, company_id=company_id, data=data
        ),
        template="parties/company_edit.html",
        done=f"/issuers/{issuer_id}/companies?meddelande=foretag-andrat",
        context=context,
    )


@router.post(
    "/issuers/{issuer_id}/companies/{company_id}/fortnox-customer",
    dependencies=[Depends(verify_csrf)],
)
async def pin_fortnox_customer(
    request: Request, issuer_id: int, company_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.ADMIN)
    await _company_of(session, principal, issuer_id, company_id)
    typed = web_forms.text(await request.form(), "fortnox_customer_number")
    try:
        await service.pin_fortnox_customer(
            session, principal=principal, company_id=company_id, customer_number=typed
        )
    except ValidationFailed as failure:
        await session.rollback()
        issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
        company = await _company_of(session, principal, issuer_id, company_id)
        errors = web_forms.field_messages(failure)
        values = forms.company_values(company)
        extra = _pin_context(principal, company, typed)
        return _form(request, "parties/company_edit.html", issuer, values, errors, 422, extra=extra)
    await session.commit()
    return RedirectResponse(
        f"/issuers/{issuer_id}/companies?meddelande=foretag-kund", status_code=303
    )


def _pin_context(principal: Principal, company: Company, pin_value: str) -> dict[str, Any]:
    return {
        "company": company,
        "can_pin": can_pin(principal, company.issuer_id),
        "pin_value": pin_value,
    }


async def _writable_issuer(session: AsyncSession, principal: Principal, issuer_id: int) -> Issuer:
    return await get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER
    )


async def _patient_of(
    session: AsyncSession, principal: Principal, issuer_id: int, patient_id: int
) -> Patient:
    """The patient of the issuer in the address (else 404, like any unknown id).

    Read with the weakest role so that another issuer's patient is 404 whatever the caller's
    role there; the writing role is checked on the issuer in the address and by the service.
    """
    patient = await service.get_patient(session, principal=principal, patient_id=patient_id)
    return in_address(
        patient, issuer_id, missing=NotFound("Patienten finns inte.", code="patient_not_found")
    )


async def _company_of(
    session: AsyncSession, principal: Principal, issuer_id: int, company_id: int
) -> Company:
    """The company of the issuer in the address (else 404, like any unknown id)."""
    company = await service.get_company(session, principal=principal, company_id=company_id)
    return in_address(
        company, issuer_id, missing=NotFound("Företaget finns inte.", code="company_not_found")
    )


async def _save(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    issuer_id: int,
    *,
    read: Callable[[FormData], tuple[BodyT | None, web_forms.Errors]],
    store: Callable[[BodyT], Awaitable[object]],
    template: str,
    done: str,
    context: Callable[[], Awaitable[dict[str, Any]]] | None = None,
) -> Response:
    """Store a posted form, or show it again with a Swedish message per refused field.

    The form is read into the API's body and stored by the service, which checks everything
    again. A refusal keeps nothing (rolled back) and answers 422 with what the user typed, the
    page's objects read anew by ``context``; a stored form redirects (303) to ``done``.
    """
    form = await request.form()
    data, errors = read(form)
    if data is not None:
        try:
            await store(data)
        except ValidationFailed as failure:
            errors = web_forms.field_messages(failure)
    if errors:
        await session.rollback()  # nothing of a refused form is kept
        issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
        extra = await context() if context is not None else {}
        submitted = web_forms.submitted(form)
        return _form(request, template, issuer, submitted, errors, 422, extra=extra)
    await session.commit()
    return RedirectResponse(done, status_code=303)


def _form(
    request: Request,
    template: str,
    issuer: Issuer,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    *,
    extra: dict[str, Any] | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        template,
        {"issuer": issuer, "values": values, "errors": errors or {}, **(extra or {})},
        status_code=status_code,
    )
