"""Invoice arithmetic as Fortnox shows it: row totals, VAT per rate, whole-krona round-off, OCR.

VAT is computed per rate on the summed base of the rows with that rate and rounded half-up to
öre; the invoice total is then rounded to whole kronor (1-49 öre down, 50-99 up) and the
difference shown as ``RoundOff``. Negative amounts (credit invoices) round symmetrically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
KRONA = Decimal("1")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
# Fees (AdministrationFee, Freight) carry Sweden's standard rate.
FEE_VAT = 25


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class RowAmounts:
    total: Decimal  # in the invoice's price mode (incl. VAT when VATIncluded)
    total_excluding_vat: Decimal
    price_excluding_vat: Decimal


@dataclass
class InvoiceTotals:
    net: Decimal
    gross: Decimal
    total_vat: Decimal
    round_off: Decimal
    total: Decimal
    administration_fee_vat: Decimal
    freight_vat: Decimal
    vat_by_rate: dict[int, Decimal] = field(default_factory=dict)
    base_by_rate: dict[int, Decimal] = field(default_factory=dict)


def row_amounts(row: dict[str, Any], *, vat_included: bool) -> RowAmounts:
    quantity = Decimal(row["DeliveredQuantity"])
    price: Decimal = row["Price"]
    discount: Decimal = row["Discount"]
    amount = quantity * price
    if row["DiscountType"] == "AMOUNT":
        # The discount follows the row's sign, so a credited row gives the discount back.
        amount -= discount if quantity >= 0 else -discount
    else:
        amount = amount * (HUNDRED - discount) / HUNDRED
    total = money(amount)
    if not vat_included:
        return RowAmounts(total=total, total_excluding_vat=total, price_excluding_vat=price)
    divisor = (HUNDRED + row["VAT"]) / HUNDRED
    return RowAmounts(
        total=total,
        total_excluding_vat=money(total / divisor),
        price_excluding_vat=money(price / divisor),
    )


def invoice_totals(
    rows: list[dict[str, Any]],
    *,
    vat_included: bool,
    administration_fee: Decimal,
    freight: Decimal,
    round_to_krona: bool,
) -> InvoiceTotals:
    base: dict[int, Decimal] = {}
    for row in rows:
        rate = int(row["VAT"])
        base[rate] = base.get(rate, ZERO) + row_amounts(row, vat_included=vat_included).total
    fees = administration_fee + freight
    vat = {rate: _vat_of(amount, rate, vat_included=vat_included) for rate, amount in base.items()}
    row_sum = sum(base.values(), ZERO)
    net = row_sum - sum(vat.values(), ZERO) if vat_included else row_sum
    if fees and vat_included:
        # Fees are always excluding VAT.
        vat[FEE_VAT] = vat.get(FEE_VAT, ZERO) + money(fees * FEE_VAT / HUNDRED)
    elif fees:
        # Fees join the standard rate's base, so its VAT is still computed once on the sum.
        vat[FEE_VAT] = money((base.get(FEE_VAT, ZERO) + fees) * FEE_VAT / HUNDRED)
    gross = net + fees
    total_vat = sum(vat.values(), ZERO)
    unrounded = gross + total_vat
    total = unrounded.quantize(KRONA, rounding=ROUND_HALF_UP) if round_to_krona else unrounded
    return InvoiceTotals(
        net=net,
        gross=gross,
        total_vat=total_vat,
        round_off=total - unrounded,
        total=total,
        administration_fee_vat=money(administration_fee * FEE_VAT / HUNDRED),
        freight_vat=money(freight * FEE_VAT / HUNDRED),
        vat_by_rate=vat,
        base_by_rate=base,
    )


def _vat_of(amount: Decimal, rate: int, *, vat_included: bool) -> Decimal:
    if vat_included:
        return money(amount * rate / (HUNDRED + rate))
    return money(amount * rate / HUNDRED)


def luhn_check_digit(digits: str) -> str:
    """The mod-10 check digit to append to ``digits``."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def ocr_for(document_number: str) -> str:
    """OBSERVED rule: number + length digit ((len + 2) mod 10) + Luhn digit over both."""
    with_length = document_number + str((len(document_number) + 2) % 10)
    return with_length + luhn_check_digit(with_length)
