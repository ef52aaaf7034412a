"""Invoice arithmetic, pure: row amounts, VAT per rate, totals and whole-krona rounding.

VAT is computed per rate on the summed base of that rate and rounded half-up to öre, never to
whole kronor (Skatteverket). The amount payable may then be rounded to whole kronor (lag
1970:1029: 1–49 öre down, 50–99 up); the difference is booked on 3740. Rounding is
symmetric, so a credit of an invoice mirrors the original exactly. A document whose payable
amount must be a given sum (the credit that completes the crediting of an invoice) gets that
sum exactly with an öresutjämning amount at 0 % VAT, which changes no VAT.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
KRONA = Decimal("1")
ZERO = Decimal("0.00")
ROUNDING_ACCOUNT = 3740


def round_ore(amount: Decimal) -> Decimal:
    """Half-up (away from zero on ties) to two decimals."""
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def round_krona(amount: Decimal) -> Decimal:
    return amount.quantize(KRONA, rounding=ROUND_HALF_UP).quantize(ORE)


def row_net(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return round_ore(quantity * unit_price)


def vat_for(base: Decimal, rate: int) -> Decimal:
    return round_ore(base * rate / Decimal(100))


@dataclass(frozen=True)
class VatLine:
    rate: int
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    rounding: Decimal
    total: Decimal
    vat_lines: tuple[VatLine, ...]


def vat_lines_for(rows: Iterable[tuple[int, Decimal]]) -> tuple[VatLine, ...]:
    """One line per rate present, from (rate, row net) pairs; highest rate first."""
    bases: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for rate, net in rows:
        bases[rate] += net
    return tuple(
        VatLine(rate=rate, base=bases[rate], vat=vat_for(bases[rate], rate))
        for rate in sorted(bases, reverse=True)
    )


def totals_for(vat_lines: Iterable[VatLine], *, whole_krona: bool) -> Totals:
    lines = tuple(vat_lines)
    net = sum((line.base for line in lines), ZERO)
    vat = sum((line.vat for line in lines), ZERO)
    gross = net + vat
    total = round_krona(gross) if whole_krona else gross
    return Totals(net=net, vat=vat, rounding=total - gross, total=total, vat_lines=lines)


def with_exempt_amount(lines: Iterable[VatLine], amount: Decimal) -> tuple[VatLine, ...]:
    """The VAT lines with ``amount`` added to the 0 % base (a line of its own when missing)."""
    lines = tuple(lines)
    if any(line.rate == 0 for line in lines):
        return tuple(
            VatLine(rate=0, base=line.base + amount, vat=line.vat) if line.rate == 0 else line
            for line in lines
        )
    return (*lines, VatLine(rate=0, base=amount, vat=ZERO))  # 0 % is the lowest rate


def totals_reaching(
    vat_lines: Iterable[VatLine], *, target: Decimal, whole_krona: bool
) -> tuple[Totals, Decimal]:
    """Totals whose amount payable is ``target``, and the öresutjämning amount (at 0 % VAT)
    that gets them there: zero when the document's own rounding already gives ``target``."""
    totals = totals_for(vat_lines, whole_krona=whole_krona)
    if totals.total == target:
        return totals, ZERO
    adjustment = target - (totals.total - totals.rounding)
    adjusted = totals_for(with_exempt_amount(totals.vat_lines, adjustment), whole_krona=whole_krona)
    return adjusted, adjustment
