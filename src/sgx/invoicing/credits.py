"""Credit invoices (ändringsfakturor): full or partial, never more than the original.

A credit is an invoice of its own from the same number series, with negative amounts, that
references the original; each credit row references the original row. Several partial credits
are allowed, never of more than what is left of a row's quantity.

Every credit is computed as Fortnox computes it, so that Fortnox's totals are SGX's: row =
quantity × price, VAT per rate on the credit's summed base, half-up, and whole-krona rounding
per document for an issuer that rounds. Computed one by one, partial credits need not add up to
the invoice: 333.33 kr is invoiced as 333 kr, and its halves are 166.67 kr each in Fortnox
(167 kr rounded); 3 × 0.10 kr at 25 % has 0.08 kr VAT, a third of it 0.03 kr. Fortnox refuses
credits beyond the invoice. So the credit that completes the crediting of an invoice after
earlier credits gets the amount payable that makes all its credits together exactly the
invoice's: when its own arithmetic would not give that, it carries one öresutjämning row (no
article, 1 × the difference, 0 % VAT, account 3740, crediting no original row) and is not
rounded further. A partial credit that would take the credits beyond the invoice is brought
to what is left the same way: rows of 1.60, 1.60 and 0.10 kr are invoiced as 3 kr, the first
row credited alone is 2 kr, the second then only 1 kr. Once the credits add up to the whole
amount the invoice is fully credited, whatever quantities are left (Fortnox takes no credit of
0 kr; for the same reason a partial credit that comes to 0 kr is refused). The credits' net
and VAT may then differ from the original's by an öre or two, which the öresutjämning takes
up. An öresutjämning row has no ``credited_row_id``, so it never counts as a credit of an
original row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.errors import Conflict, FieldError, ValidationFailed, raise_if_any
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.invoicing.amounts import (
    ROUNDING_ACCOUNT,
    ZERO,
    Totals,
    row_net,
    totals_for,
    totals_reaching,
    vat_lines_for,
)
from sgx.invoicing.models import Invoice, InvoiceRow
from sgx.invoicing.numbering import lock_issuer
from sgx.invoicing.schemas import CreditCreate, CreditRowIn
from sgx.invoicing.service import Party, get_invoice, issue_invoice, quantity_errors
from sgx.kit.clock import today_in_sweden

ROUNDING_TEXT = "Öresutjämning"
ZERO_CREDIT_MESSAGE = (
    "Krediteringen blir 0 kr efter avrundningen. Kreditera fler rader eller ett större antal."
)


async def credit_invoice(
    session: AsyncSession,
    *,
    principal: Principal,
    invoice_id: int,
    data: CreditCreate,
    today: dt.date | None = None,
) -> Invoice:
    original = await get_invoice(
        session, principal=principal, invoice_id=invoice_id, needed=IssuerRole.INVOICER
    )
    if original.is_credit:
        raise Conflict("En kreditfaktura kan inte krediteras.", code="credit_of_credit")
    # Concurrent credits of one invoice must see each other's rows: hold the issuer lock (the
    # same one numbering takes) while reading what is already credited.
    issuer = await lock_issuer(session, issuer_id=original.issuer_id)
    rows_credited = await _credited_rows(session, original)
    wanted = _wanted_quantities(original, data.rows, rows_credited)
    left = await _left_to_credit(session, original)
    if rows_credited and left == ZERO:  # earlier credits took the whole amount already
        raise Conflict("Fakturan är redan helt krediterad.", code="already_credited")
    completes = bool(rows_credited) and _completes(original, wanted, rows_credited)
    credit_rows, totals = _credit_as_fortnox(
        wanted, left=left, completes=completes, whole_krona=issuer.whole_krona_rounding
    )
    full_credit = data.rows is None and not rows_credited
    if totals.total == ZERO and not full_credit:  # Fortnox takes no credit of 0 kr
        raise ValidationFailed(
            [FieldError("rows", "credit_of_nothing", ZERO_CREDIT_MESSAGE)], ZERO_CREDIT_MESSAGE
        )
    credit_date = today or today_in_sweden()
    return await issue_invoice(
        session,
        issuer_id=original.issuer_id,
        party=Party(
            kind=original.kind, patient_id=original.patient_id, company_id=original.company_id
        ),
        rows=credit_rows,
        totals=totals,
        invoice_date=credit_date,
        due_date=credit_date,
        your_reference=original.your_reference,
        created_by_user_id=principal.user_id,
        credit_of_id=original.id,
        credit_reason=data.reason,
        full_credit=full_credit,
    )


async def _credited_rows(session: AsyncSession, original: Invoice) -> dict[int, Decimal]:
    """The quantity earlier credits took from each original row (positive)."""
    query = (
        select(InvoiceRow.credited_row_id, func.sum(InvoiceRow.quantity))
        .where(InvoiceRow.credited_row_id.in_([row.id for row in original.rows]))
        .group_by(InvoiceRow.credited_row_id)
    )
    return {
        row_id: -Decimal(quantity)
        for row_id, quantity in (await session.execute(query)).all()
        if row_id is not None
    }


async def _left_to_credit(session: AsyncSession, original: Invoice) -> Decimal:
    """What is left of the invoice's amount to credit, as a credit's total (zero or negative)."""
    query = select(func.sum(Invoice.total)).where(Invoice.credit_of_id == original.id)
    return -original.total - Decimal(await session.scalar(query) or ZERO)


def _credit_as_fortnox(
    wanted: list[tuple[InvoiceRow, Decimal]], *, left: Decimal, completes: bool, whole_krona: bool
) -> tuple[list[InvoiceRow], Totals]:
    """A credit as Fortnox computes it; the one that completes the crediting after earlier
    credits makes all the credits exactly the invoice, and one that would take the credits
    beyond the invoice takes only what is left, each with an öresutjämning row when needed."""
    rows = [
        _credit_row(position, row, quantity, row_net(quantity, row.unit_price))
        for position, (row, quantity) in enumerate(wanted, start=1)
    ]
    vat_lines = vat_lines_for((row.vat_rate, row.net) for row in rows)
    totals = totals_for(vat_lines, whole_krona=whole_krona)
    if not completes and totals.total >= left:
        return rows, totals
    # The credit that completes the crediting takes exactly what is left of the invoice, and so
    # does one that would go beyond it (Fortnox refuses credits beyond the invoice).
    totals, adjustment = totals_reaching(vat_lines, target=left, whole_krona=whole_krona)
    if adjustment:
        rows.append(_rounding_row(len(rows) + 1, adjustment))
    return rows, totals


def remaining_quantity(row: InvoiceRow, credited: dict[int, Decimal]) -> Decimal:
    return row.quantity - credited.get(row.id, ZERO)


def _wanted_quantities(
    original: Invoice, requested: list[CreditRowIn] | None, credited: dict[int, Decimal]
) -> list[tuple[InvoiceRow, Decimal]]:
    """The original rows to credit and how much of each, checked against what is left."""
    if requested is None:
        wanted = [(row, remaining_quantity(row, credited)) for row in original.rows]
        wanted = [(row, quantity) for row, quantity in wanted if quantity > 0]
        if not wanted:
            raise Conflict("Fakturan är redan helt krediterad.", code="already_credited")
        return wanted
    rows = {row.id: row for row in original.rows}
    errors: list[FieldError] = []
    wanted, seen = [], set()
    for index, item in enumerate(requested):
        prefix = f"rows.{index}"
        row = rows.get(item.row_id)
        if row is None or item.row_id in seen:
            code, message = (
                ("unknown_row", "Raden finns inte på fakturan.")
                if row is None
                else ("duplicate_row", "Raden finns redan med.")
            )
            errors.append(FieldError(f"{prefix}.row_id", code, message))
            continue
        seen.add(item.row_id)
        left = remaining_quantity(row, credited)
        found = quantity_errors(item.quantity, f"{prefix}.quantity")
        if not found and item.quantity > left:
            found.append(
                FieldError(
                    f"{prefix}.quantity",
                    "exceeds_remaining",
                    f"Högst {left:.2f} kan krediteras på raden.",
                )
            )
        errors.extend(found)
        wanted.append((row, item.quantity))
    raise_if_any(errors)
    return sorted(wanted, key=lambda pair: pair[0].position)


def _completes(
    original: Invoice, wanted: list[tuple[InvoiceRow, Decimal]], credited: dict[int, Decimal]
) -> bool:
    """Does crediting ``wanted`` leave nothing of the original to credit?"""
    taken = {row.id: quantity for row, quantity in wanted}
    return all(
        remaining_quantity(row, credited) == taken.get(row.id, ZERO) for row in original.rows
    )


def _rounding_row(position: int, amount: Decimal) -> InvoiceRow:
    """An öresutjämning row: no article, no original row, 0 % VAT, booked on 3740."""
    return InvoiceRow(
        position=position,
        article_id=None,
        article_code="",
        description=ROUNDING_TEXT,
        unit="",
        quantity=Decimal(1),
        unit_price=amount,
        vat_rate=0,
        account_number=ROUNDING_ACCOUNT,
        net=row_net(Decimal(1), amount),
        vat_exemption_text="",
        credited_row_id=None,
    )


def _credit_row(position: int, row: InvoiceRow, quantity: Decimal, net: Decimal) -> InvoiceRow:
    return InvoiceRow(
        position=position,
        article_id=row.article_id,
        article_code=row.article_code,
        description=row.description,
        unit=row.unit,
        quantity=-quantity,
        unit_price=row.unit_price,
        vat_rate=row.vat_rate,
        account_number=row.account_number,
        net=-net,
        vat_exemption_text=row.vat_exemption_text,
        credited_row_id=row.id,
    )


async def credits_of(session: AsyncSession, *, invoice_id: int) -> Sequence[Invoice]:
    query = select(Invoice).where(Invoice.credit_of_id == invoice_id).order_by(Invoice.number)
    return (await session.scalars(query)).all()


async def remaining_quantities(session: AsyncSession, *, original: Invoice) -> dict[int, Decimal]:
    """What is still creditable of each row of an original invoice: nothing, once its credits
    add up to its whole amount (rounded credits of small amounts can get there early)."""
    credited = await _credited_rows(session, original)
    if credited and await _left_to_credit(session, original) == ZERO:
        return {row.id: ZERO for row in original.rows}
    return {row.id: remaining_quantity(row, credited) for row in original.rows}
