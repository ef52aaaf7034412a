"""Drift: an invoice that Fortnox shows differently from SGX — recorded once, marked handled.

``record_findings`` is what the reconciliation calls with what it found for one invoice. A
finding already recorded for the invoice (same kind, same Fortnox state ``key``) is not recorded
again — handled or not — so re-reading the same state never reports it twice; a new state does.
Recording puts the invoice in "Osynk" with every open difference in its message (the worklist
shows it under the finding's code), remembering the status it had before.

``mark_handled`` is the administrator's answer: every open difference of the invoice gets the
comment, who and when; the invoice gets back the status it had before the drift; the issuer's
audit log keeps the event. Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit import service as audit
from sgx.errors import Conflict, ValidationFailed
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.integration.drift_findings import Finding
from sgx.integration.reconcile_models import InvoiceDrift
from sgx.integration.transfer_status import set_invoice_transfer_status
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.invoicing.service import get_invoice
from sgx.kit.clock import utcnow

HANDLE_ROLE = IssuerRole.ADMIN
COMMENT_MAX = 1000
OUT_OF_SYNC = TransferStatus.OUT_OF_SYNC.value


async def drifts_of(
    session: AsyncSession, *, invoice_id: int, open_only: bool = False
) -> Sequence[InvoiceDrift]:
    query = select(InvoiceDrift).where(InvoiceDrift.invoice_id == invoice_id)
    if open_only:
        query = query.where(InvoiceDrift.handled_at.is_(None))
    return (await session.scalars(query.order_by(InvoiceDrift.id))).all()


async def record_findings(
    session: AsyncSession, *, invoice: Invoice, findings: Sequence[Finding]
) -> list[InvoiceDrift]:
    """Record the findings not seen before for this invoice; returns the new ones."""
    known = {(drift.kind, drift.key) for drift in await drifts_of(session, invoice_id=invoice.id)}
    open_before = await drifts_of(session, invoice_id=invoice.id, open_only=True)
    status_before = open_before[0].status_before if open_before else invoice.transfer_status
    new = []
    for finding in findings:
        if (finding.kind, finding.key) in known:
            continue
        known.add((finding.kind, finding.key))
        drift = InvoiceDrift(
            issuer_id=invoice.issuer_id,
            invoice_id=invoice.id,
            kind=finding.kind,
            key=finding.key,
            description=finding.description,
            fortnox_document_number=finding.fortnox_document_number,
            status_before=status_before,
        )
        session.add(drift)
        new.append(drift)
    if new:
        await session.flush()
        opened = [*open_before, *new]
        await set_invoice_transfer_status(
            session,
            invoice_id=invoice.id,
            status=TransferStatus.OUT_OF_SYNC,
            error_code=new[-1].kind.value,
            message=" ".join(drift.description for drift in opened),
        )
    return new


async def mark_handled(
    session: AsyncSession, *, principal: Principal, invoice_id: int, comment: str
) -> list[InvoiceDrift]:
    """An administrator has looked at the difference: close it with a comment (audited)."""
    invoice = await get_invoice(
        session, principal=principal, invoice_id=invoice_id, needed=HANDLE_ROLE
    )
    text = comment.strip()
    if not text or len(text) > COMMENT_MAX:
        raise ValidationFailed.single(
            "comment",
            "comment_required",
            f"Skriv en kommentar om hur skillnaden hanterats (högst {COMMENT_MAX} tecken).",
        )
    drifts = list(await drifts_of(session, invoice_id=invoice.id, open_only=True))
    if not drifts and invoice.transfer_status != OUT_OF_SYNC:
        raise Conflict("Fakturan har ingen skillnad mot Fortnox att hantera.", code="no_drift")
    now = utcnow()
    for drift in drifts:
        drift.handled_at = now
        drift.handled_by_user_id = principal.user_id
        drift.handled_by = principal.username
        drift.handled_comment = text
    if invoice.transfer_status == OUT_OF_SYNC:
        await set_invoice_transfer_status(
            session, invoice_id=invoice.id, status=_status_after(drifts)
        )
    await audit.record(
        session,
        action="fortnox.drift_handled",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=invoice.issuer_id,
        subject=f"invoice:{invoice.id}",
        details={
            "invoice_number": invoice.number,
            "differences": [drift.description for drift in drifts],
            "comment": text,
        },
    )
    await session.flush()
    return drifts


def _status_after(drifts: Sequence[InvoiceDrift]) -> TransferStatus:
    before = drifts[0].status_before if drifts else ""
    if before and before != OUT_OF_SYNC:
        return TransferStatus(before)
    return TransferStatus.TRANSFERRED
