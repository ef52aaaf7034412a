"""Invoice arithmetic with worked examples: VAT per rate on the summed base, half-up to öre,
optional whole-krona rounding of the amount payable."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from decimal import Decimal as D

import pytest

from sgx.invoicing.amounts import (
    VatLine,
    round_krona,
    row_net,
    totals_for,
    totals_reaching,
    vat_lines_for,
    with_exempt_amount,
)


def test_mixed_rates_give_one_vat_line_per_rate_on_the_summed_base() -> None:
    lines = vat_lines_for(
        [
            (25, D("1000.00")),
            (0, D("1500.00")),
            (25, D("250.50")),
            (12, D("100.00")),
            (6, D("99.99")),
        ]
    )
    assert lines == (
        VatLine(rate=25, base=D("1250.50"), vat=D("312.63")),  # 312.625 rounds up
        VatLine(rate=12, base=D("100.00"), vat=D("12.00")),
        VatLine(rate=6, base=D("99.99"), vat=D("6.00")),  # 5.9994
        VatLine(rate=0, base=D("1500.00"), vat=D("0.00")),
    )


def test_mixed_rate_totals_round_the_amount_payable_to_whole_kronor() -> None:
    lines = vat_lines_for(
        [(25, D("1250.50")), (12, D("100.00")), (6, D("99.99")), (0, D("1500.00"))]
    )
    totals = totals_for(lines, whole_krona=True)
    assert (totals.net, totals.vat) == (D("2950.49"), D("330.63"))
    assert (totals.rounding, totals.total) == (D("-0.12"), D("3281.00"))


def test_vat_half_an_ore_rounds_up_not_to_even() -> None:
    assert vat_lines_for([(25, D("0.10"))])[0].vat == D("0.03")  # 0.025
    assert vat_lines_for([(25, D("0.30"))])[0].vat == D("0.08")  # 0.075


def test_vat_is_computed_on_the_summed_base_not_per_row() -> None:
    # Per row 0.10 × 25 % = 0.025 → 0.03, three rows 0.09; on the sum 0.30 → 0.075 → 0.08.
    lines = vat_lines_for([(25, D("0.10")), (25, D("0.10")), (25, D("0.10"))])
    assert lines == (VatLine(rate=25, base=D("0.30"), vat=D("0.08")),)


def test_row_amount_is_quantity_times_price_half_up_to_ore() -> None:
    assert row_net(D("1.5"), D("333.33")) == D("500.00")  # 499.995
    assert row_net(D("0.25"), D("10.10")) == D("2.53")  # 2.525


def test_fifty_ore_rounds_up_to_the_next_krona_and_the_difference_is_kept() -> None:
    totals = totals_for([VatLine(rate=25, base=D("1000.40"), vat=D("250.10"))], whole_krona=True)
    assert (totals.total, totals.rounding) == (D("1251.00"), D("0.50"))


def test_forty_nine_ore_rounds_down() -> None:
    totals = totals_for([VatLine(rate=0, base=D("1250.49"), vat=D("0.00"))], whole_krona=True)
    assert (totals.total, totals.rounding) == (D("1250.00"), D("-0.49"))


def test_without_whole_krona_rounding_the_total_keeps_its_ore() -> None:
    totals = totals_for([VatLine(rate=25, base=D("1000.40"), vat=D("250.10"))], whole_krona=False)
    assert (totals.total, totals.rounding) == (D("1250.50"), D("0.00"))


def test_credit_amounts_are_negative_and_round_symmetrically() -> None:
    totals = totals_for([VatLine(rate=25, base=D("-1000.40"), vat=D("-250.10"))], whole_krona=True)
    assert (totals.net, totals.vat) == (D("-1000.40"), D("-250.10"))
    assert (totals.total, totals.rounding) == (D("-1251.00"), D("-0.50"))
    assert round_krona(D("-0.49")) == D("0.00")


def test_an_exempt_amount_joins_the_zero_rate_line_and_leaves_the_others() -> None:
    lines = (
        VatLine(rate=25, base=D("100.00"), vat=D("25.00")),
        VatLine(rate=0, base=D("10.00"), vat=D("0.00")),
    )
    assert with_exempt_amount(lines, D("-0.40")) == (
        VatLine(rate=25, base=D("100.00"), vat=D("25.00")),
        VatLine(rate=0, base=D("9.60"), vat=D("0.00")),
    )


def test_an_exempt_amount_without_a_zero_rate_line_gets_a_line_of_its_own_last() -> None:
    lines = (VatLine(rate=25, base=D("100.00"), vat=D("25.00")),)
    assert with_exempt_amount(lines, D("0.30")) == (
        VatLine(rate=25, base=D("100.00"), vat=D("25.00")),
        VatLine(rate=0, base=D("0.30"), vat=D("0.00")),
    )


def test_totals_that_already_reach_the_target_need_no_adjustment() -> None:
    lines = (VatLine(rate=25, base=D("79.96"), vat=D("19.99")),)  # 99.95 → 100.00
    totals, adjustment = totals_reaching(lines, target=D("100.00"), whole_krona=True)
    assert adjustment == D("0.00")
    assert totals == totals_for(lines, whole_krona=True)


def test_totals_reach_the_target_with_an_ore_adjustment_at_zero_vat() -> None:
    lines = (VatLine(rate=25, base=D("79.96"), vat=D("19.99")),)  # 99.95 → 100.00
    totals, adjustment = totals_reaching(lines, target=D("99.00"), whole_krona=True)
    assert adjustment == D("-0.95")
    assert (totals.total, totals.rounding, totals.vat) == (D("99.00"), D("0.00"), D("19.99"))
    assert totals.vat_lines[-1] == VatLine(rate=0, base=D("-0.95"), vat=D("0.00"))


def test_totals_reach_an_ore_exact_target_without_whole_krona_rounding() -> None:
    lines = (VatLine(rate=12, base=D("50.00"), vat=D("6.00")),)
    totals, adjustment = totals_reaching(lines, target=D("56.01"), whole_krona=False)
    assert adjustment == D("0.01")
    assert (totals.total, totals.net, totals.rounding) == (D("56.01"), D("50.01"), D("0.00"))


def test_computed_vat_lines_and_totals_cannot_be_changed_afterwards() -> None:
    line = VatLine(rate=25, base=D("100.00"), vat=D("25.00"))
    totals = totals_for([line], whole_krona=True)
    with pytest.raises(FrozenInstanceError):
        line.vat = D("0.00")  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        totals.total = D("0.00")  # type: ignore[misc]
