""" "Försök igen" from the worklist or an invoice: one invoice, one patient's changed details, or
everything that failed for one cause.

A Fakturerare or Administratör of the issuer may ask for a retry. The jobs become due at once
through the sync engine's own retry (``sgx.integration.transfers.retry``), which also puts the
invoices back to "Väntar på överföring"; who asked is kept in the issuer's audit log. Never
commits.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.audit import service as audit
from sgx.errors import NotFound
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.integration import transfers
from sgx.invoicing.models import Invoice
from sgx.outbox import service as outbox
from sgx.outbox.models import JobKind
from sgx.worklist.repository import CAUSE_TITLES, worklist

RETRY_ROLE = IssuerRole.INVOICER
# Causes the engine stores no code for: retried invoice by invoice.
_SYNTHETIC_CAUSES = frozenset({"out_of_sync", "unknown"})


async def retry_invoice(
    session: AsyncSession, *, principal: Principal, issuer_id: int, invoice_id: int
) -> int:
    """Retry one invoice's transfer now; returns how many jobs became due."""
    principal.require(issuer_id, RETRY_ROLE)
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None or invoice.issuer_id != issuer_id:
        raise NotFound("Fakturan finns inte.", code="invoice_not_found")
    count = await transfers.retry(session, issuer_id=issuer_id, invoice_id=invoice_id)
    await audit.record(
        session,
        action="transfer.retry_requested",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer_id,
        subject=f"invoice:{invoice_id}",
        details={"invoice_number": invoice.number, "jobs": count},
    )
    return count


async def retry_patient(
    session: AsyncSession, *, principal: Principal, issuer_id: int, patient_id: int
) -> int:
    """Send a patient's changed details to Fortnox again now; returns how many jobs."""
    principal.require(issuer_id, RETRY_ROLE)
    jobs = await outbox.retry_jobs(
        session, issuer_id=issuer_id, kinds=[JobKind.PATIENT], subject_id=patient_id
    )
    await audit.record(
        session,
        action="transfer.retry_requested",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer_id,
        subject=f"patient:{patient_id}",
        details={"patient": True, "jobs": len(jobs)},
    )
    return len(jobs)


async def retry_cause(
    session: AsyncSession, *, principal: Principal, issuer_id: int, cause: str
) -> int:
    """Retry every transfer of the issuer that failed for ``cause``; returns how many."""
    principal.require(issuer_id, RETRY_ROLE)
    if cause in _SYNTHETIC_CAUSES:
        count = 0
        for group in await worklist(session, issuer_id=issuer_id):
            if group.cause == cause:
                for item in group.items:
                    count += await transfers.retry(
                        session, issuer_id=issuer_id, invoice_id=item.invoice.id
                    )
    elif cause:
        count = await transfers.retry(session, issuer_id=issuer_id, cause=cause)
    else:
        raise NotFound("Orsaken finns inte.", code="cause_not_found")
    await audit.record(
        session,
        action="transfer.retry_requested",
        actor=principal.username,
        actor_user_id=principal.user_id,
        issuer_id=issuer_id,
        subject=f"cause:{cause}",
        details={"cause": CAUSE_TITLES.get(cause, cause), "jobs": count},
    )
    return count
