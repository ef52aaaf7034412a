"""SGX's invoice numbers and the numbers Fortnox hands out itself: a clash seen before it happens.

SGX invoices keep their SGX number in Fortnox — one number on paper, in the OCR and in the books.
But Fortnox numbers invoices itself too: the credit invoices its credit action makes, and the
invoices people make in Fortnox. How Fortnox's series continues after numbers a caller chose is
not documented (the sandbox offers each plausible behaviour), so SGX does not predict it; it
looks. Fortnox's highest invoice number is read when the connection is checked and learnt from
every reconciliation pass's list (no extra call), and compared with the lowest SGX number still
on its way to Fortnox. Once Fortnox has reached it, that transfer would meet a taken number: the
Administratör is warned in "Att åtgärda" and on the Fortnox page, with the start number to
continue SGX's series above Fortnox's highest (``sgx.issuers.service.continue_invoice_series``).
The series stays gapless from there; the jump is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.integration.repository import connection_of
from sgx.invoicing.models import Invoice, TransferStatus
from sgx.issuers.models import Issuer

# Invoices SGX still means to send: their numbers must stay free in Fortnox.
ON_THE_WAY = (TransferStatus.PENDING, TransferStatus.FAILED, TransferStatus.PAUSED)


@dataclass(frozen=True)
class NumberClash:
    fortnox_highest: int  # Fortnox's highest invoice number when last read
    sgx_number: int  # the lowest SGX number that Fortnox has reached
    checked_at: dt.datetime | None

    @property
    def suggested_next(self) -> int:
        return self.fortnox_highest + 1

    def message(self) -> str:
        return (
            f"Fortnox har redan fakturanummer upp till {self.fortnox_highest}, men SGX nästa "
            f"fakturanummer till Fortnox är {self.sgx_number}. Fakturor med nummer som redan "
            "används i Fortnox kan inte överföras. Låt SGX nummerserie fortsätta från "
            f"{self.suggested_next} eller högre (Fortnox-sidan, ”Fortsätt nummerserien”)."
        )


async def record_highest(
    session: AsyncSession, *, issuer_id: int, highest: int | None, at: dt.datetime
) -> None:
    """Remember Fortnox's highest invoice number as just read (the caller commits)."""
    connection = await connection_of(session, issuer_id=issuer_id)
    if connection is None:
        return
    connection.fortnox_highest_invoice_number = highest
    connection.numbers_checked_at = at


async def note_listed(
    session: AsyncSession,
    *,
    issuer_id: int,
    listed: set[str],
    complete: bool,
    at: dt.datetime,
) -> None:
    """Learn Fortnox's highest invoice number from a reconciliation pass's list, at no cost:
    a full pass lists every invoice, a partial one every invoice changed since the last."""
    connection = await connection_of(session, issuer_id=issuer_id)
    if connection is None:
        return
    seen = max((int(number) for number in listed if number.isdigit()), default=None)
    known = None if complete else connection.fortnox_highest_invoice_number
    candidates = [number for number in (seen, known) if number is not None]
    connection.fortnox_highest_invoice_number = max(candidates, default=None)
    connection.numbers_checked_at = at


async def number_clash(session: AsyncSession, *, issuer_id: int) -> NumberClash | None:
    """The clash Fortnox's last known highest number makes with SGX's numbers, if any."""
    connection = await connection_of(session, issuer_id=issuer_id)
    if connection is None or connection.fortnox_highest_invoice_number is None:
        return None
    highest = connection.fortnox_highest_invoice_number
    first = await first_number_to_send(session, issuer_id=issuer_id)
    if first > highest:
        return None
    return NumberClash(highest, first, connection.numbers_checked_at)


async def first_number_to_send(session: AsyncSession, *, issuer_id: int) -> int:
    """The lowest number SGX will still write into Fortnox: an invoice on its way, else the
    next number of the series. Credits are left out: Fortnox's credit action numbers them."""
    waiting = await session.scalar(
        select(func.min(Invoice.number)).where(
            Invoice.issuer_id == issuer_id,
            Invoice.credit_of_id.is_(None),
            Invoice.fortnox_document_number.is_(None),
            Invoice.transfer_status.in_([status.value for status in ON_THE_WAY]),
        )
    )
    issuer = await session.get(Issuer, issuer_id)
    assert issuer is not None
    return int(waiting) if waiting is not None else issuer.next_invoice_number
