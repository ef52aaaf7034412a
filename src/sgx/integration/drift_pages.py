"""HTML route of the read-back: an administrator marks an invoice's difference with Fortnox
handled from the invoice page (the form is ``integration/_drift.html``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sgx.errors import NotFound
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.identity.web import PagePrincipal
from sgx.integration import drift
from sgx.invoicing.service import get_invoice
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.scope import in_address

router = APIRouter(include_in_schema=False)


def can_handle_drift(principal: Principal | None, issuer_id: int) -> bool:
    role = principal.role_on(issuer_id) if principal is not None else None
    return role is not None and role.includes(IssuerRole.ADMIN)


@router.post(
    "/issuers/{issuer_id}/invoices/{invoice_id}/drift/handled",
    dependencies=[Depends(verify_csrf)],
)
async def mark_drift_handled(
    request: Request, issuer_id: int, invoice_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    invoice = await get_invoice(session, principal=principal, invoice_id=invoice_id)
    in_address(
        invoice, issuer_id, missing=NotFound("Fakturan finns inte.", code="invoice_not_found")
    )
    form = await request.form()
    await drift.mark_handled(
        session, principal=principal, invoice_id=invoice_id, comment=str(form.get("comment") or "")
    )
    await session.commit()
    return RedirectResponse(
        f"/issuers/{issuer_id}/invoices/{invoice_id}?meddelande=osynk-hanterad", status_code=303
    )
