"""How invoices are shown: the full invoice, the list item subset, and the list's searches.

The status filters follow Fortnox's invoice list: ``unpaid`` and ``unpaidoverdue`` count only
bookkept invoices with money left (ASSUMPTION: Fortnox's "Obetalda" are bookkept invoices),
``fullypaid`` invoices with nothing left and a final pay date (a bookkept zero-total invoice
included, OBSERVED), ``unbooked`` those not bookkept, ``cancelled`` the cancelled ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from fortnox_sandbox import listing, wire
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.resources.invoice_math import ZERO
from fortnox_sandbox.resources.invoices import KIND

LIST_FIELDS = (
    "Balance",
    "Booked",
    "Cancelled",
    "CostCenter",
    "Currency",
    "CurrencyRate",
    "CurrencyUnit",
    "CustomerName",
    "CustomerNumber",
    "DocumentNumber",
    "DueDate",
    "ExternalInvoiceReference1",
    "ExternalInvoiceReference2",
    "FinalPayDate",
    "InvoiceDate",
    "InvoiceType",
    "NoxFinans",
    "OCR",
    "Project",
    "Sent",
    "TermsOfPayment",
    "Total",
    "VoucherNumber",
    "VoucherSeries",
    "VoucherYear",
    "WayOfDelivery",
)
Invoice = dict[str, Any]


def invoice_view(ctx: Ctx, invoice: Invoice) -> dict[str, Any]:
    number = invoice["DocumentNumber"]
    return {
        "@url": ctx.url(f"invoices/{number}"),
        "@urlTaxReductionList": ctx.url(f"taxreductions?filter=invoices&referencenumber={number}"),
        **wire.plain(invoice),
    }


def invoice_list_item(ctx: Ctx, invoice: Invoice) -> dict[str, Any]:
    item: dict[str, Any] = {"@url": ctx.url(f"invoices/{invoice['DocumentNumber']}")}
    item.update({key: wire.plain(invoice[key]) for key in LIST_FIELDS})
    # OBSERVED: the list says "1" where the invoice itself says 1.
    item["CurrencyRate"] = wire.format_decimal(Decimal(invoice["CurrencyRate"]))
    return item


def _open(invoice: Invoice) -> bool:
    return bool(invoice["Booked"]) and not invoice["Cancelled"] and invoice["Balance"] != ZERO


def _fully_paid(invoice: Invoice) -> bool:
    return (
        not invoice["Cancelled"]
        and invoice["Balance"] == ZERO
        and invoice["FinalPayDate"] is not None
    )


def _filters(ctx: Ctx) -> dict[str, Callable[[Invoice], bool]]:
    today = ctx.today.isoformat()
    return {
        "cancelled": lambda i: bool(i["Cancelled"]),
        "fullypaid": _fully_paid,
        "unpaid": _open,
        "unpaidoverdue": lambda i: _open(i) and i["DueDate"] < today,
        "unbooked": lambda i: not i["Booked"] and not i["Cancelled"],
    }


def _rows_text(field: str) -> Callable[[Invoice], str]:
    return lambda i: "\n".join(str(row[field] or "") for row in i["InvoiceRows"])


SEARCHES: dict[str, Callable[[Invoice], Any]] = {
    "costcenter": lambda i: i["CostCenter"],
    "customername": lambda i: i["CustomerName"],
    "customernumber": lambda i: i["CustomerNumber"],
    "documentnumber": lambda i: i["DocumentNumber"],
    "ocr": lambda i: i["OCR"],
    "ourreference": lambda i: i["OurReference"],
    "yourreference": lambda i: i["YourReference"],
    "yourordernumber": lambda i: i["YourOrderNumber"],
    "project": lambda i: i["Project"],
    "sent": lambda i: i["Sent"],
    "notcompleted": lambda i: i["NotCompleted"],
    "credit": lambda i: i["Credit"],
    "currency": lambda i: i["Currency"],
    "invoicetype": lambda i: i["InvoiceType"],
    "externalinvoicereference1": lambda i: i["ExternalInvoiceReference1"],
    "externalinvoicereference2": lambda i: i["ExternalInvoiceReference2"],
    "label": lambda i: " ".join(str(label.get("Id")) for label in i["Labels"]),
    "articlenumber": _rows_text("ArticleNumber"),
    "articledescription": _rows_text("Description"),
}
SORT_KEYS: dict[str, Callable[[Invoice], Any]] = {
    "customername": lambda i: (i["CustomerName"] or "").lower(),
    "customernumber": lambda i: listing.natural_key(i["CustomerNumber"]),
    "documentnumber": lambda i: listing.natural_key(i["DocumentNumber"]),
    "invoicedate": lambda i: i["InvoiceDate"],
    "ocr": lambda i: i["OCR"],
    "total": lambda i: i["Total"],
}


def _in_ranges(invoice: Invoice, params: Mapping[str, str]) -> bool:
    """The range parameters: dates inclusive, row accounts between two numbers."""
    for low, high, field in (
        ("fromdate", "todate", "InvoiceDate"),
        ("fromfinalpaydate", "tofinalpaydate", "FinalPayDate"),
    ):
        value = invoice[field]
        if params.get(low) and (value is None or value < params[low]):
            return False
        if params.get(high) and (value is None or value > params[high]):
            return False
    low_account, high_account = params.get("accountnumberfrom"), params.get("accountnumberto")
    if low_account or high_account:
        accounts = [row["AccountNumber"] or 0 for row in invoice["InvoiceRows"]]
        lowest, highest = int(low_account or 0), int(high_account or 9999)
        return any(lowest <= account <= highest for account in accounts)
    return True


def list_invoices(ctx: Ctx, params: Mapping[str, str]) -> listing.Page:
    for name in ("fromdate", "todate", "fromfinalpaydate", "tofinalpaydate"):
        if params.get(name):
            wire.parse_date(params[name], field=name)
    for name in ("accountnumberfrom", "accountnumberto"):
        if params.get(name) and not params[name].isdigit():
            raise wire.invalid("Ogiltig parameter i anropet.")
    invoices = [i for i in ctx.company.invoices.values() if _in_ranges(i, params)]
    rules = listing.ListRules(
        searches=SEARCHES,
        filters=_filters(ctx),
        sort_keys=SORT_KEYS,
        default_sort=SORT_KEYS["documentnumber"],
    )
    return listing.select(
        invoices,
        params,
        rules,
        modified_at=lambda i: ctx.company.modified_at(KIND, i["DocumentNumber"]),
    )
