"""JSON API routes of the read-back (under /api/v1): an invoice's differences with Fortnox,
marking them handled, and asking for a reconciliation pass now."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sgx.identity.models import IssuerRole
from sgx.integration import drift
from sgx.integration.reconcile_models import DriftKind, InvoiceDrift
from sgx.integration.reconcile_schedule import request_reconciliation
from sgx.invoicing.service import get_invoice
from sgx.issuers.service import get_issuer
from sgx.web.deps import CurrentPrincipal, DbSession

router = APIRouter(tags=["Fortnox"])


class DriftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: DriftKind
    description: str = Field(description="The difference, in Swedish.")
    fortnox_document_number: str
    detected_at: dt.datetime
    handled_at: dt.datetime | None
    handled_by: str
    handled_comment: str


class DriftHandledIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(max_length=drift.COMMENT_MAX)


class DriftHandledOut(BaseModel):
    invoice_id: int
    transfer_status: str
    handled: list[DriftOut]


class ReconcileQueued(BaseModel):
    job_id: int
    full: bool


def _out(drifts: list[InvoiceDrift]) -> list[DriftOut]:
    return [DriftOut.model_validate(item) for item in drifts]


@router.get("/invoices/{invoice_id}/drifts", response_model=list[DriftOut])
async def invoice_drifts(
    invoice_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[DriftOut]:
    invoice = await get_invoice(session, principal=principal, invoice_id=invoice_id)
    return _out(list(await drift.drifts_of(session, invoice_id=invoice.id)))


@router.post("/invoices/{invoice_id}/drift/handled", response_model=DriftHandledOut)
async def mark_drift_handled(
    invoice_id: int, body: DriftHandledIn, session: DbSession, principal: CurrentPrincipal
) -> DriftHandledOut:
    handled = await drift.mark_handled(
        session, principal=principal, invoice_id=invoice_id, comment=body.comment
    )
    invoice = await get_invoice(session, principal=principal, invoice_id=invoice_id)
    result = DriftHandledOut(
        invoice_id=invoice.id, transfer_status=invoice.transfer_status, handled=_out(handled)
    )
    await session.commit()
    return result


@router.post(
    "/issuers/{issuer_id}/fortnox/reconcile", response_model=ReconcileQueued, status_code=202
)
async def reconcile_now(
    issuer_id: int, session: DbSession, principal: CurrentPrincipal, full: bool = False
) -> ReconcileQueued:
    """Read back payments and changes from Fortnox now (a worker runs the pass)."""
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER)
    job = await request_reconciliation(session, issuer_id=issuer_id, full=full)
    result = ReconcileQueued(job_id=job.id, full=full)
    await session.commit()
    return result
