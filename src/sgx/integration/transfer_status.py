"""Writing an invoice's transfer status (``sgx.invoicing.models.TransferStatus``) as the sync
engine learns it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice, TransferStatus
from sgx.kit.clock import utcnow


async def set_invoice_transfer_status(
    session: AsyncSession,
    *,
    invoice_id: int,
    status: TransferStatus,
    error_code: str | None = None,
    message: str | None = None,
    fortnox_document_number: str | None = None,
) -> Invoice | None:
    """Update the status columns; a document number, once known, is kept."""
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None:
        return None
    invoice.transfer_status = status.value
    invoice.transfer_error_code = error_code
    invoice.transfer_message = message
    if fortnox_document_number:
        invoice.fortnox_document_number = fortnox_document_number
    invoice.transfer_updated_at = utcnow()
    return invoice
