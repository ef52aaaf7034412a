"""Invoice rows: defaults from the article and the predefined accounts, validation, amounts.

A row's account (given, else the article's, else the customer's, else the predefined sales
account for its VAT rate) must exist and be active in the financial year of the invoice date.
``DeliveredQuantity`` defaults to 0 (OBSERVED), so a row with only a price totals 0; it and
``Price`` are kept rounded half up to two decimals (OBSERVED: 1.123 → 1.12, 1.125 → 1.13). Updates
follow Fortnox's documented rules: without any ``RowId`` rows are matched by position and rows
not sent are dropped; with ``RowId``s, rows with an id are updated, rows without are new and
rows not mentioned are dropped. Every update gives every row a new ``RowId``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fortnox_sandbox import spec, wire
from fortnox_sandbox.errors import ARTICLE_NOT_FOUND, INVALID_PARAMETER
from fortnox_sandbox.resources import ledger
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.resources.invoice_math import HUNDRED, ZERO, money, row_amounts

VAT_RATES = (25, 12, 6, 0)
# Customers outside Swedish VAT get rows without VAT unless a rate is given.
NO_VAT_TYPES = ("SEREVERSEDVAT", "EUREVERSEDVAT", "EXPORT")
# Sharespine's catalogue of Fortnox errors: a billable row needs a text or an article.
ROW_INCOMPLETE = 2003977


def blank_row() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(spec.schema("fortnox_Invoice_InvoiceRow")["properties"])
    row.update(
        ArticleNumber="",
        ContributionPercent="0",
        ContributionValue="0",
        CostCenter="",
        DeliveredQuantity="0",
        Description="",
        Discount=ZERO,
        DiscountType="PERCENT",
        HouseWork=False,
        Price=ZERO,
        PriceExcludingVAT=ZERO,
        Project="",
        Total=ZERO,
        TotalExcludingVAT=ZERO,
        Unit="",
        VATCode="",
    )
    return row


def build_row(
    ctx: Ctx,
    given: dict[str, Any],
    *,
    customer: dict[str, Any],
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A stored row from a (typed) payload row, on top of ``base`` when updating one."""
    given = {key: value for key, value in given.items() if key != "RowId"}
    row = dict(base) if base is not None else blank_row()
    article_changed = "ArticleNumber" in given and given["ArticleNumber"] != row["ArticleNumber"]
    article = _article(ctx, given.get("ArticleNumber") or "")
    fresh = base is None or article_changed
    if article is not None and fresh:
        row["Description"] = article["Description"]
        row["Unit"] = article["Unit"] or ""
        row["Price"] = article["SalesPrice"] or ZERO
    row.update({key: value for key, value in given.items() if key != "DeliveredQuantity"})
    if "DeliveredQuantity" in given:
        quantity = money(wire.to_decimal(given["DeliveredQuantity"]))
        row["DeliveredQuantity"] = wire.format_decimal(quantity)
    if "Price" in given:
        row["Price"] = money(given["Price"])
    if fresh:
        _default_account_and_vat(ctx, row, given, article, customer)
    if row["VAT"] not in VAT_RATES:
        raise wire.bad_request(INVALID_PARAMETER, "Kunde inte hämta/hitta moms")
    if Decimal(row["DeliveredQuantity"]) != ZERO and not (
        row["Description"] or row["ArticleNumber"]
    ):
        raise wire.bad_request(ROW_INCOMPLETE, "Raden saknar benämning eller artikelnummer.")
    row["RowId"] = ctx.company.next_in_series("row")
    return row


def _article(ctx: Ctx, number: str) -> dict[str, Any] | None:
    if not number:
        return None
    article = ctx.company.articles.get(number)
    if article is None:
        raise wire.bad_request(ARTICLE_NOT_FOUND, "Kan inte hitta artikeln.")
    return article


def _default_account_and_vat(
    ctx: Ctx,
    row: dict[str, Any],
    given: dict[str, Any],
    article: dict[str, Any] | None,
    customer: dict[str, Any],
) -> None:
    settings = ctx.company.settings
    by_vat = settings["SalesAccountByVAT"]
    vat_given = given.get("VAT")
    if "AccountNumber" not in given:
        if article is not None and article["SalesAccount"]:
            row["AccountNumber"] = article["SalesAccount"]
        elif customer.get("SalesAccount"):
            row["AccountNumber"] = int(customer["SalesAccount"])
        else:
            row["AccountNumber"] = by_vat.get(vat_given, by_vat[25])
    if vat_given is None:
        row["VAT"] = _default_vat(ctx, row, article, customer)


def _default_vat(
    ctx: Ctx, row: dict[str, Any], article: dict[str, Any] | None, customer: dict[str, Any]
) -> int:
    if customer.get("VATType") in NO_VAT_TYPES:
        return 0
    if article is not None and article["VAT"] is not None:
        return int(article["VAT"])
    year_id = ledger.current_year_id(ctx)
    from_account = ledger.vat_of_account(ctx.company, year_id, row["AccountNumber"])
    return from_account if from_account is not None else 25


def merge_rows(
    ctx: Ctx,
    existing: list[dict[str, Any]],
    given: list[dict[str, Any]],
    *,
    customer: dict[str, Any],
) -> list[dict[str, Any]]:
    if not any("RowId" in row for row in given):
        return [
            build_row(ctx, row, customer=customer, base=existing[i] if i < len(existing) else None)
            for i, row in enumerate(given)
        ]
    by_id = {row["RowId"]: row for row in existing}
    merged = []
    for row in given:
        base = None
        if "RowId" in row:
            base = by_id.get(row["RowId"])
            if base is None:
                raise wire.invalid(f"Raden finns inte på fakturan. (RowId {row['RowId']})")
        merged.append(build_row(ctx, row, customer=customer, base=base))
    return merged


def renumber(ctx: Ctx, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row["RowId"] = ctx.company.next_in_series("row")


def check_accounts(ctx: Ctx, rows: list[dict[str, Any]], year_id: int) -> None:
    for row in rows:
        if row["AccountNumber"] is not None:
            ledger.require_active_account(ctx.company, year_id, row["AccountNumber"])


def fill_amounts(ctx: Ctx, row: dict[str, Any], *, vat_included: bool) -> None:
    amounts = row_amounts(row, vat_included=vat_included)
    row["Total"] = amounts.total
    row["TotalExcludingVAT"] = amounts.total_excluding_vat
    row["PriceExcludingVAT"] = amounts.price_excluding_vat
    cost = ZERO
    article = ctx.company.articles.get(row["ArticleNumber"] or "")
    if article is not None and article["PurchasePrice"]:
        cost = article["PurchasePrice"] * Decimal(row["DeliveredQuantity"])
    value = money(amounts.total_excluding_vat - cost)
    base = amounts.total_excluding_vat
    percent = money(value * HUNDRED / base) if base else ZERO
    row["ContributionValue"] = wire.format_decimal(value)
    row["ContributionPercent"] = wire.format_decimal(percent)
