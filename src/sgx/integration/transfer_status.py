"""The transfer status shown on an invoice, in the seed's Swedish words."""

from __future__ import annotations

import enum

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.invoicing.models import Invoice
from sgx.kit.clock import utcnow


class InvoiceTransferStatus(enum.StrEnum):
    NOT_ACTIVATED = "Ej aktiverad"
    PENDING = "Väntar på överföring"
    TRANSFERRED = "Överförd"
    FAILED = "Fel – åtgärd krävs"
    PAUSED = "Pausad – ingen anslutning"
    CREDITED = "Krediterad"
    OUT_OF_SYNC = "Osynk"


async def set_invoice_transfer_status(
    session: AsyncSession,
    *,
    invoice_id: int,
    status: InvoiceTransferStatus,
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
