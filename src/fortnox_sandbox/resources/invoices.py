"""Customer invoices: create and update with Fortnox's defaults, totals and OCR.

Omitted values come from the customer (name, address, terms, currency…) and the company's
predefined settings (terms of payment 30, price list A); explicit values win. ``DocumentNumber``
is the caller's or one of the company's series (see ``numbering``); a number in use is refused
(Fortnox's code for that is UNCONFIRMED; the sandbox answers 400/2000588). The OCR is derived
from the number unless given. ``CreditInvoiceReference`` is read-only (only the credit action
sets it, see ``invoice_actions``). Invoices are never deleted, only cancelled.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from fortnox_sandbox import spec, wire
from fortnox_sandbox.errors import (
    CURRENCY_NOT_FOUND,
    CUSTOMER_NOT_FOUND,
    INVOICE_NOT_FOUND,
    PRICE_LIST_NOT_FOUND,
    TERMS_OF_PAYMENT_NOT_FOUND,
    FortnoxApiError,
)
from fortnox_sandbox.resources import invoice_rows, ledger
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.resources.invoice_math import ZERO, invoice_totals, money, ocr_for
from fortnox_sandbox.resources.numbering import allocate_invoice_number

KIND = "invoices"
NO_REFERENCE = "0"
# Copied from the customer when the invoice does not say otherwise: invoice field ← customer.
FROM_CUSTOMER = {
    "CustomerName": "Name",
    "Address1": "Address1",
    "Address2": "Address2",
    "ZipCode": "ZipCode",
    "City": "City",
    "Country": "Country",
    "Phone1": "Phone1",
    "Phone2": "Phone2",
    "OrganisationNumber": "OrganisationNumber",
    "YourReference": "YourReference",
    "OurReference": "OurReference",
    "Currency": "Currency",
    "TermsOfPayment": "TermsOfPayment",
    "TermsOfDelivery": "TermsOfDelivery",
    "WayOfDelivery": "WayOfDelivery",
    "PriceList": "PriceList",
    "CostCenter": "CostCenter",
    "Project": "Project",
    "Remarks": "InvoiceRemark",
    "DeliveryName": "DeliveryName",
    "DeliveryAddress1": "DeliveryAddress1",
    "DeliveryAddress2": "DeliveryAddress2",
    "DeliveryZipCode": "DeliveryZipCode",
    "DeliveryCity": "DeliveryCity",
    "DeliveryCountry": "DeliveryCountry",
    "VATIncluded": "ShowPriceVATIncluded",
}
# Fields an update cannot clear with null (ASSUMPTION: Fortnox's answer is not recorded).
NEVER_BLANK = ("CustomerNumber", "InvoiceDate", "DueDate", "Currency", "TermsOfPayment")
TEXT_DEFAULTS = (
    "Comments",
    "Remarks",
    "YourOrderNumber",
    "ExternalInvoiceReference1",
    "ExternalInvoiceReference2",
    "CostCenter",
    "Project",
    "TermsOfDelivery",
    "WayOfDelivery",
    "InvoicePeriodReference",
)


def blank_invoice() -> dict[str, Any]:
    invoice: dict[str, Any] = dict.fromkeys(spec.schema("fortnox_Invoice")["properties"])
    for name in ("@url", "@urlTaxReductionList"):
        del invoice[name]
    invoice.update(dict.fromkeys(TEXT_DEFAULTS, ""))
    invoice.update(
        AccountingMethod="ACCRUAL",
        AdministrationFee=ZERO,
        Booked=False,
        Cancelled=False,
        ContractReference=0,
        Credit="false",
        CreditInvoiceReference=NO_REFERENCE,
        Currency="SEK",
        CurrencyRate=Decimal("1"),
        CurrencyUnit=1,
        EDIInformation={
            key: "" for key in spec.schema("fortnox_Invoice_EDIInformation")["properties"]
        },
        EUQuarterlyReport=False,
        Freight=ZERO,
        HouseWork=False,
        InvoiceReference=NO_REFERENCE,
        InvoiceRows=[],
        InvoiceType="INVOICE",
        Labels=[],
        Language="SV",
        NotCompleted=False,
        NoxFinans=False,
        OfferReference=NO_REFERENCE,
        OrderReference=NO_REFERENCE,
        PrintTemplate="st",
        Reminders=0,
        Sent=False,
        TaxReduction=0,
        BasisTaxReduction=ZERO,
        TaxReductionType="none",
        VATIncluded=False,
        WarehouseReady=False,
    )
    return invoice


def get_invoice(ctx: Ctx, number: str | int) -> dict[str, Any]:
    invoice = ctx.company.invoices.get(str(number))
    if invoice is None:
        raise FortnoxApiError(404, INVOICE_NOT_FOUND, "Kan inte hitta fakturan.")
    return invoice


def customer_for(ctx: Ctx, number: Any) -> dict[str, Any]:
    """The customer an invoice names; 2000433 when it does not exist."""
    customer = ctx.company.customers.get(str(number or ""))
    if customer is None:
        raise wire.bad_request(CUSTOMER_NOT_FOUND, "Kan inte hitta kunden.")
    return customer


def typed_payload(payload: dict[str, Any]) -> dict[str, Any]:
    return wire.check_fields(payload, "fortnox_InvoicePayload")


def typed_update(payload: dict[str, Any], *, clears: bool = True) -> dict[str, Any]:
    """A PUT body: ``""`` keeps a text, ``null`` clears it (``clears`` False: kept as well)."""
    fields = wire.check_fields(payload, "fortnox_InvoicePayload", update=True)
    if not clears:
        return {name: value for name, value in fields.items() if value is not None}
    return fields


def create_invoice(ctx: Ctx, fields: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A new invoice from a typed payload; ``overrides`` set read-only fields (credits)."""
    customer = customer_for(ctx, fields.get("CustomerNumber"))
    number = allocate_invoice_number(ctx, fields.pop("DocumentNumber", None))
    invoice = blank_invoice()
    invoice["DocumentNumber"] = number
    invoice["EmailInformation"] = _email_defaults(customer)
    _copy_from_customer(ctx, invoice, customer, fields)
    _apply_header(ctx, invoice, fields)
    invoice["InvoiceDate"] = fields.get("InvoiceDate") or ctx.today.isoformat()
    invoice["OutboundDate"] = fields.get("OutboundDate") or invoice["InvoiceDate"]
    invoice["DueDate"] = fields.get("DueDate") or due_date(ctx, invoice)
    year_id = ledger.require_year_for(ctx.company, _date(invoice["InvoiceDate"]))
    rows = [
        invoice_rows.build_row(ctx, row, customer=customer) for row in fields.get("InvoiceRows", [])
    ]
    invoice_rows.check_accounts(ctx, rows, year_id)
    invoice["InvoiceRows"] = rows
    invoice.update(overrides)
    invoice["OCR"] = fields.get("OCR") or ocr_for(number)
    recompute(ctx, invoice)
    invoice["Balance"] = invoice["Total"]
    ctx.company.invoices[number] = invoice
    ctx.touch(KIND, number)
    return invoice


def _email_defaults(customer: dict[str, Any]) -> dict[str, Any]:
    return {
        "EmailAddressFrom": "",
        "EmailAddressTo": customer["EmailInvoice"] or customer["Email"] or "",
        "EmailAddressCC": customer["EmailInvoiceCC"] or "",
        "EmailAddressBCC": customer["EmailInvoiceBCC"] or "",
        "EmailSubject": "Faktura {no} bifogas",
        "EmailBody": " ",
    }


def _copy_from_customer(
    ctx: Ctx, invoice: dict[str, Any], customer: dict[str, Any], fields: dict[str, Any]
) -> None:
    for target, source in FROM_CUSTOMER.items():
        if target not in fields and customer.get(source) not in (None, ""):
            invoice[target] = customer[source]
    invoice["CustomerNumber"] = customer["CustomerNumber"]
    settings = ctx.company.settings
    invoice["TermsOfPayment"] = invoice["TermsOfPayment"] or settings["TermsOfPayment"]
    invoice["PriceList"] = invoice["PriceList"] or settings["PriceList"]
    for name in ("CustomerName", "Address1", "Address2", "ZipCode", "City", "Country"):
        invoice[name] = invoice[name] or ""
    for name in ("Phone1", "Phone2", "YourReference", "OurReference", "OrganisationNumber"):
        invoice[name] = invoice[name] or ""
    for name in TEXT_DEFAULTS:
        invoice[name] = invoice[name] or ""
    invoice["Currency"] = invoice["Currency"] or "SEK"
    invoice["VATIncluded"] = bool(invoice["VATIncluded"])


def _apply_header(ctx: Ctx, invoice: dict[str, Any], fields: dict[str, Any]) -> None:
    """Merge header fields after checking the codes they refer to."""
    settings = ctx.company.settings
    if fields.get("Currency") and fields["Currency"] not in settings["Currencies"]:
        raise wire.bad_request(CURRENCY_NOT_FOUND, "Kunde inte hitta valuta")
    if (
        fields.get("TermsOfPayment")
        and fields["TermsOfPayment"] not in settings["TermsOfPaymentDays"]
    ):
        raise wire.bad_request(TERMS_OF_PAYMENT_NOT_FOUND, "Kunde inte hitta betalningsvillkor")
    if fields.get("PriceList") and fields["PriceList"] not in settings["PriceLists"]:
        raise wire.bad_request(PRICE_LIST_NOT_FOUND, "Kunde inte hitta prislista")
    for name, value in fields.items():
        if name in ("InvoiceRows", "CreditInvoiceReference", "DocumentNumber"):
            continue
        if name in ("EmailInformation", "EDIInformation"):
            invoice[name] = {**(invoice[name] or {}), **value}
        else:
            invoice[name] = value


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def due_date(ctx: Ctx, invoice: dict[str, Any]) -> str:
    days = ctx.company.settings["TermsOfPaymentDays"].get(invoice["TermsOfPayment"], 0)
    return (_date(invoice["InvoiceDate"]) + dt.timedelta(days=days)).isoformat()


def recompute(ctx: Ctx, invoice: dict[str, Any]) -> None:
    """Row amounts and the invoice totals (Net, TotalVAT, RoundOff, Total…)."""
    vat_included = bool(invoice["VATIncluded"])
    for row in invoice["InvoiceRows"]:
        invoice_rows.fill_amounts(ctx, row, vat_included=vat_included)
    totals = invoice_totals(
        invoice["InvoiceRows"],
        vat_included=vat_included,
        administration_fee=invoice["AdministrationFee"],
        freight=invoice["Freight"],
        round_to_krona=invoice["Currency"] == "SEK",
    )
    contribution = sum((Decimal(r["ContributionValue"]) for r in invoice["InvoiceRows"]), ZERO)
    invoice.update(
        Net=totals.net,
        Gross=totals.gross,
        TotalVAT=totals.total_vat,
        RoundOff=totals.round_off,
        Total=totals.total,
        TotalToPay=totals.total,
        AdministrationFeeVAT=totals.administration_fee_vat,
        FreightVAT=totals.freight_vat,
        ContributionValue=contribution,
        ContributionPercent=money(contribution * 100 / totals.net) if totals.net else ZERO,
    )


def update_invoice(ctx: Ctx, number: str, fields: dict[str, Any]) -> dict[str, Any]:
    """PUT: a partial update with Fortnox's row rules; refused once bookkept or cancelled."""
    stored = get_invoice(ctx, number)
    _require_editable(stored)
    # Work on a copy so that a refused update leaves the invoice as it was.
    invoice = copy.deepcopy(stored)
    for key in NEVER_BLANK:
        if key in fields and fields[key] is None:
            raise wire.invalid(f"Fältet kan inte vara tomt. ({key})")
    for key in ("DocumentNumber", "CreditInvoiceReference"):
        if key in fields and fields.pop(key) != invoice[key]:
            raise wire.invalid(f"Fältet kan inte ändras. ({key})")
    customer = customer_for(ctx, fields.get("CustomerNumber", invoice["CustomerNumber"]))
    if customer["CustomerNumber"] != invoice["CustomerNumber"]:
        for target in FROM_CUSTOMER:
            invoice[target] = None
        _copy_from_customer(ctx, invoice, customer, fields)
    _apply_header(ctx, invoice, fields)
    if "DueDate" not in fields and ({"InvoiceDate", "TermsOfPayment"} & set(fields)):
        invoice["DueDate"] = due_date(ctx, invoice)
    year_id = ledger.require_year_for(ctx.company, _date(invoice["InvoiceDate"]))
    if "InvoiceRows" in fields:
        rows = invoice_rows.merge_rows(
            ctx, invoice["InvoiceRows"], fields["InvoiceRows"], customer=customer
        )
    else:
        rows = [dict(row) for row in invoice["InvoiceRows"]]
    invoice_rows.renumber(ctx, rows)
    invoice_rows.check_accounts(ctx, rows, year_id)
    invoice["InvoiceRows"] = rows
    recompute(ctx, invoice)
    invoice["Balance"] = invoice["Total"]
    ctx.company.invoices[invoice["DocumentNumber"]] = invoice
    ctx.touch(KIND, invoice["DocumentNumber"])
    return invoice


def _require_editable(invoice: dict[str, Any]) -> None:
    # Fortnox's codes for these refusals are UNCONFIRMED; answered as 400/2000588.
    if invoice["Booked"]:
        raise wire.invalid("Fakturan är bokförd och kan inte ändras.")
    if invoice["Cancelled"]:
        raise wire.invalid("Fakturan är makulerad och kan inte ändras.")
    if invoice["CreditInvoiceReference"] != NO_REFERENCE:
        raise wire.invalid("Fakturan är krediterad och kan inte ändras.")
