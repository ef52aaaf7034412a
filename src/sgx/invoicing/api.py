"""JSON API routes of invoicing (under /api/v1): invoices, their totals and OCR, credits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sgx.invoicing import credits, service
from sgx.invoicing.schemas import CreditCreate, InvoiceCreate, InvoiceOut
from sgx.parties.service import MAX_PAGE
from sgx.web.deps import CurrentPrincipal, DbSession

router = APIRouter(tags=["Fakturor"])


@router.post("/issuers/{issuer_id}/invoices", response_model=InvoiceOut, status_code=201)
async def create_invoice(
    issuer_id: int, body: InvoiceCreate, session: DbSession, principal: CurrentPrincipal
) -> InvoiceOut:
    invoice = await service.create_invoice(
        session, principal=principal, issuer_id=issuer_id, data=body
    )
    await session.commit()
    return InvoiceOut.of(invoice)


@router.get("/issuers/{issuer_id}/invoices", response_model=list[InvoiceOut])
async def list_invoices(
    issuer_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[InvoiceOut]:
    invoices = await service.list_invoices(
        session, principal=principal, issuer_id=issuer_id, limit=limit, offset=offset
    )
    return [InvoiceOut.of(invoice) for invoice in invoices]


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(
    invoice_id: int, session: DbSession, principal: CurrentPrincipal
) -> InvoiceOut:
    invoice = await service.get_invoice(session, principal=principal, invoice_id=invoice_id)
    return InvoiceOut.of(invoice)


@router.post("/invoices/{invoice_id}/credit", response_model=InvoiceOut, status_code=201)
async def credit_invoice(
    invoice_id: int, body: CreditCreate, session: DbSession, principal: CurrentPrincipal
) -> InvoiceOut:
    credit = await credits.credit_invoice(
        session, principal=principal, invoice_id=invoice_id, data=body
    )
    await session.commit()
    return InvoiceOut.of(credit)
