"""HTML pages of "Att åtgärda": the issuer's worklist, its badge and summary fragments, and
"Försök igen" for one invoice or a whole cause.

Everyone who may see the issuer sees the worklist; a Fakturerare or Administratör may retry.
The badge and the summary are small fragments the layout and the Fortnox page load with htmx.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sgx.identity.principal import Principal
from sgx.identity.web import PagePrincipal
from sgx.integration.number_clash import number_clash
from sgx.invoicing.forms import kronor
from sgx.issuers.service import get_issuer
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.templating import templates
from sgx.worklist import repository, service

router = APIRouter(include_in_schema=False)

NOTICES = {
    "forsok-igen": "Överföringen görs om nu. Fakturan visas inte här om den går igenom.",
    "inget-att-gora": "Det fanns inget att försöka igen; fakturan väntar redan på överföring.",
}


def can_retry(principal: Principal, issuer_id: int) -> bool:
    role = principal.role_on(issuer_id)
    return role is not None and role.includes(service.RETRY_ROLE)


@router.get("/issuers/{issuer_id}/worklist")
async def worklist_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    return templates.TemplateResponse(
        request,
        "worklist/worklist.html",
        {
            "kr": kronor,
            "issuer": issuer,
            "groups": await repository.worklist(session, issuer_id=issuer_id),
            "patients": await repository.failed_patient_updates(session, issuer_id=issuer_id),
            "unmatched": await repository.unmatched_credits(session, issuer_id=issuer_id),
            "paused": await repository.paused_count(session, issuer_id=issuer_id),
            "clash": await number_clash(session, issuer_id=issuer_id),
            "can_retry": can_retry(principal, issuer_id),
            "notice": NOTICES.get(request.query_params.get("meddelande", "")),
        },
    )


@router.get("/issuers/{issuer_id}/worklist/badge")
async def worklist_badge(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    count = await repository.attention_count(session, issuer_id=issuer_id)
    return templates.TemplateResponse(request, "worklist/_badge.html", {"count": count})


@router.get("/issuers/{issuer_id}/worklist/summary")
async def worklist_summary(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    return templates.TemplateResponse(
        request,
        "worklist/_summary.html",
        {
            "issuer": issuer,
            "groups": await repository.worklist(session, issuer_id=issuer_id),
            "patients": await repository.failed_patient_updates(session, issuer_id=issuer_id),
            "unmatched": await repository.unmatched_credits(session, issuer_id=issuer_id),
            "paused": await repository.paused_count(session, issuer_id=issuer_id),
        },
    )


@router.post("/issuers/{issuer_id}/worklist/retry", dependencies=[Depends(verify_csrf)])
async def retry(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    form = await request.form()
    invoice_id = str(form.get("invoice_id") or "")
    patient_id = str(form.get("patient_id") or "")
    if invoice_id.isdigit():
        count = await service.retry_invoice(
            session, principal=principal, issuer_id=issuer_id, invoice_id=int(invoice_id)
        )
    elif patient_id.isdigit():
        count = await service.retry_patient(
            session, principal=principal, issuer_id=issuer_id, patient_id=int(patient_id)
        )
    else:
        count = await service.retry_cause(
            session, principal=principal, issuer_id=issuer_id, cause=str(form.get("cause") or "")
        )
    await session.commit()
    notice = "forsok-igen" if count else "inget-att-gora"
    if form.get("back") == "invoice" and invoice_id.isdigit():
        target = f"/issuers/{issuer_id}/invoices/{invoice_id}?meddelande={notice}"
    else:
        target = f"/issuers/{issuer_id}/worklist?meddelande={notice}"
    return RedirectResponse(target, status_code=303)
