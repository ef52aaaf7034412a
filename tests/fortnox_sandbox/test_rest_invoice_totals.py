"""Worked examples of Fortnox's invoice arithmetic: VAT per rate, RoundOff, discounts, OCR."""

from __future__ import annotations

import httpx
import pytest

from fortnox_sandbox.resources.invoice_math import ocr_for
from tests.fortnox_sandbox.rest_builders import create_invoice, row


def amounts(invoice: dict[str, object]) -> tuple[object, ...]:
    return tuple(invoice[key] for key in ("Net", "TotalVAT", "RoundOff", "Total"))


async def test_total_is_rounded_up_to_whole_krona_from_50_ore(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(price=1000.40)])

    # 1 000,40 + 25 % VAT 250,10 = 1 250,50 → 1 251
    assert amounts(invoice) == (1000.4, 250.1, 0.5, 1251)
    assert invoice["TotalToPay"] == 1251
    assert invoice["Balance"] == 1251


async def test_total_is_rounded_down_below_50_ore(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(price=100.36)])

    # 100,36 + 25,09 = 125,45 → 125
    assert amounts(invoice) == (100.36, 25.09, -0.45, 125)


async def test_vat_is_computed_per_rate_on_the_summed_base(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(
        fortnox,
        InvoiceRows=[
            row(quantity=3, price=333.33, vat=25),
            row(quantity=1, price=450, vat=0, AccountNumber=3004),
            row(quantity=2, price=99.90, vat=12),
            row(quantity=1, price=50, vat=6),
        ],
    )

    # 25 %: 999,99 → 250,00; 12 %: 199,80 → 23,98; 6 %: 50 → 3,00; exempt: 450
    assert amounts(invoice) == (1699.79, 276.98, 0.23, 1977)


async def test_vat_of_small_rows_is_not_rounded_row_by_row(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(price=0.10) for _ in range(3)])

    # per row 0,025 would round to 0,03 each (0,09); on the sum 0,30 it is 0,075 → 0,08
    assert invoice["TotalVAT"] == 0.08


async def test_prices_including_vat(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, VATIncluded=True, InvoiceRows=[row(price=1250)])

    line = invoice["InvoiceRows"][0]
    assert amounts(invoice) == (1000, 250, 0, 1250)
    assert (line["Total"], line["TotalExcludingVAT"], line["PriceExcludingVAT"]) == (
        1250,
        1000,
        1000,
    )


async def test_percent_discount(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(quantity=2, price=500, Discount=10)])

    assert invoice["InvoiceRows"][0]["DiscountType"] == "PERCENT"
    assert amounts(invoice) == (900, 225, 0, 1125)


async def test_amount_discount(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(
        fortnox,
        InvoiceRows=[row(quantity=2, price=500, Discount=50, DiscountType="AMOUNT")],
    )

    assert amounts(invoice) == (950, 237.5, 0.5, 1188)


async def test_administration_fee_carries_standard_vat(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, AdministrationFee=50, InvoiceRows=[row(price=1000)])

    assert (invoice["Net"], invoice["Gross"], invoice["AdministrationFeeVAT"]) == (1000, 1050, 12.5)
    assert (invoice["TotalVAT"], invoice["Total"], invoice["RoundOff"]) == (262.5, 1313, 0.5)


async def test_exempt_invoice_has_no_vat(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(price=650, vat=0, AccountNumber=3004)])

    assert amounts(invoice) == (650, 0, 0, 650)


async def test_foreign_currency_is_not_rounded_to_whole_units(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, Currency="EUR", InvoiceRows=[row(price=100.36)])

    assert (invoice["Total"], invoice["RoundOff"]) == (125.45, 0)


@pytest.mark.parametrize(
    ("number", "ocr"), [("1", "133"), ("18", "1842"), ("39", "3947"), ("40", "4044")]
)
def test_ocr_rule_matches_fortnox_observed_samples(number: str, ocr: str) -> None:
    assert ocr_for(number) == ocr


async def test_invoice_gets_its_ocr_from_its_number(fortnox: httpx.AsyncClient) -> None:
    first = await create_invoice(fortnox)
    eighteenth = await create_invoice(fortnox, DocumentNumber="18")

    assert (first["OCR"], eighteenth["OCR"]) == ("133", "1842")


async def test_an_ocr_given_by_the_caller_is_kept(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, OCR="426523791")

    assert invoice["OCR"] == "426523791"
