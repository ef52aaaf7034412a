"""HTML pages of issuers: Systemadministration → Fakturautställare, one issuer's settings,
the support-only Fortnox "Integration" switch, and the issuer's audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sgx.audit import service as audit
from sgx.errors import ValidationFailed
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.identity.web import PagePrincipal
from sgx.issuers import forms, service
from sgx.issuers.models import Issuer
from sgx.kit.clock import STOCKHOLM
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.templating import templates
from sgx.worklist.repository import attention_counts

router = APIRouter()

# Messages shown after a redirect, chosen by key so that no text from the URL is echoed.
NOTICES = {
    "sparat": "Inställningarna har sparats.",
    "skapad": "Fakturautställaren har skapats.",
    "integration-pa": "Fortnox-integrationen är aktiverad.",
    "integration-av": "Fortnox-integrationen är inaktiverad.",
}


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("meddelande", ""))


@router.get("/issuers")
async def issuer_list(request: Request, session: DbSession, principal: PagePrincipal) -> Response:
    issuers = await service.list_issuers(session, principal=principal)
    attention = await attention_counts(session, issuer_ids=[issuer.id for issuer in issuers])
    return templates.TemplateResponse(
        request,
        "issuers/list.html",
        {"issuers": issuers, "attention": attention, "notice": _notice(request)},
    )


@router.get("/issuers/new")
async def new_issuer_page(request: Request, principal: PagePrincipal) -> Response:
    principal.require_support()
    return _new_issuer_form(request, values=forms.DEFAULT_NEW_ISSUER)


@router.post("/issuers", dependencies=[Depends(verify_csrf)])
async def create_issuer(request: Request, session: DbSession, principal: PagePrincipal) -> Response:
    principal.require_support()
    form = await request.form()
    data, errors = forms.create_from_form(form)
    try:
        issuer = await service.create_issuer(session, principal=principal, data=data)
    except ValidationFailed as failure:
        errors = {**_messages(failure), **errors}
    if errors:
        await session.rollback()
        return _new_issuer_form(
            request, values=forms.submitted_values(form), errors=errors, status_code=422
        )
    await session.commit()
    return RedirectResponse(f"/issuers/{issuer.id}?meddelande=skapad", status_code=303)


@router.get("/issuers/{issuer_id}")
async def issuer_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await service.get_issuer(session, principal=principal, issuer_id=issuer_id)
    return _issuer_page(request, issuer, principal, values=forms.stored_values(issuer))


@router.post("/issuers/{issuer_id}/settings", dependencies=[Depends(verify_csrf)])
async def save_settings(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    form = await request.form()
    changes, errors = forms.update_from_form(form)
    try:
        await service.update_issuer(
            session, principal=principal, issuer_id=issuer_id, changes=changes
        )
    except ValidationFailed as failure:
        errors = {**_messages(failure), **errors}
    if errors:
        await session.rollback()  # nothing of a partly wrong form is kept
        issuer = await service.get_issuer(session, principal=principal, issuer_id=issuer_id)
        return _issuer_page(
            request,
            issuer,
            principal,
            values=forms.submitted_values(form),
            errors=errors,
            status_code=422,
        )
    await session.commit()
    return RedirectResponse(f"/issuers/{issuer_id}?meddelande=sparat", status_code=303)


@router.post("/issuers/{issuer_id}/fortnox-integration", dependencies=[Depends(verify_csrf)])
async def switch_fortnox_integration(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    enabled = "true" in (await request.form()).getlist("enabled")
    await service.set_fortnox_integration(
        session, principal=principal, issuer_id=issuer_id, enabled=enabled
    )
    await session.commit()
    notice = "integration-pa" if enabled else "integration-av"
    return RedirectResponse(f"/issuers/{issuer_id}?meddelande={notice}#fortnox", status_code=303)


@router.get("/issuers/{issuer_id}/audit")
async def audit_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await service.get_issuer(session, principal=principal, issuer_id=issuer_id)
    service.require_admin_or_support(principal, issuer_id)
    events = await audit.list_issuer_events(session, issuer_id=issuer_id)
    rows = [(event, event.at.astimezone(STOCKHOLM)) for event in events]
    return templates.TemplateResponse(
        request, "issuers/audit.html", {"issuer": issuer, "rows": rows}
    )


def _messages(failure: ValidationFailed) -> dict[str, str]:
    return {item.field: item.message for item in failure.field_errors} or {"name": failure.message}


def _issuer_page(
    request: Request,
    issuer: Issuer,
    principal: Principal,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    role = principal.role_on(issuer.id)
    return templates.TemplateResponse(
        request,
        "issuers/detail.html",
        {
            "issuer": issuer,
            "role": role,
            "can_edit": role is IssuerRole.ADMIN,
            "can_switch": principal.is_support,
            "values": values,
            "errors": errors or {},
            "notice": None if errors else _notice(request),
        },
        status_code=status_code,
    )


def _new_issuer_form(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return templates.TemplateResponse(
        request,
        "issuers/new.html",
        {"values": values, "errors": errors or {}},
        status_code=status_code,
    )
