"""Invoice actions: bookkeep, cancel, credit, externalprint — and credit invoices by POST.

* ``bookkeep`` creates the voucher (series B) after checking every account the voucher needs:
  receivables, the rows' sales accounts, output VAT per rate, round-off (2001304 / 2000550).
* ``cancel`` ("Makulera") is refused once bookkept, and for a credited invoice.
* ``credit`` creates a full credit invoice dated today (``Credit "true"``, negative quantities,
  ``InvoiceReference`` = the original) and answers with the UPDATED ORIGINAL, whose
  ``CreditInvoiceReference`` names the credit. A second credit of the same invoice is refused.
* A credit settles what is still owed: the original's ``Balance`` drops by up to the credited
  amount and whatever was already paid stays on the credit invoice as a negative balance
  (ASSUMPTION: Fortnox shows credited invoices as settled; the exact matching is UNCONFIRMED).

Fortnox's error codes for refused transitions are UNCONFIRMED; they answer 400/2000588.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from fortnox_sandbox import wire
from fortnox_sandbox.errors import INVOICE_NOT_FOUND
from fortnox_sandbox.resources import invoice_rows, ledger
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.resources.invoice_math import ZERO
from fortnox_sandbox.resources.invoices import (
    KIND,
    NO_REFERENCE,
    blank_invoice,
    create_invoice,
    customer_for,
    get_invoice,
    recompute,
    typed_payload,
)

# Header fields a full credit copies from the original (ASSUMPTION: references included, so a
# search by ExternalInvoiceReference1 finds the original and its credit).
CREDIT_COPIES = (
    "CustomerNumber",
    "CustomerName",
    "Address1",
    "Address2",
    "ZipCode",
    "City",
    "Country",
    "Phone1",
    "Phone2",
    "YourReference",
    "OurReference",
    "YourOrderNumber",
    "ExternalInvoiceReference1",
    "ExternalInvoiceReference2",
    "Currency",
    "CurrencyRate",
    "CurrencyUnit",
    "VATIncluded",
    "AdministrationFee",
    "Freight",
    "Language",
    "PriceList",
    "TermsOfPayment",
    "CostCenter",
    "Project",
    "Remarks",
)
ROW_COPIES = (
    "AccountNumber",
    "ArticleNumber",
    "CostCenter",
    "Description",
    "Discount",
    "DiscountType",
    "Price",
    "Project",
    "Unit",
    "VAT",
)


def post_invoice(ctx: Ctx, payload: dict[str, Any]) -> dict[str, Any]:
    """``POST /3/invoices``: a new invoice, or a credit invoice when it names one to credit."""
    fields = typed_payload(payload)
    if fields.get("CreditInvoiceReference") not in (None, "", NO_REFERENCE):
        return create_partial_credit(ctx, fields)
    fields.pop("CreditInvoiceReference", None)
    return create_invoice(ctx, fields)


def bookkeep(ctx: Ctx, number: str) -> dict[str, Any]:
    invoice = get_invoice(ctx, number)
    if invoice["Cancelled"]:
        raise wire.invalid("Fakturan är makulerad och kan inte bokföras.")
    if invoice["Booked"]:
        raise wire.invalid("Fakturan är redan bokförd.")
    year_id = ledger.require_year_for(ctx.company, _day(invoice["InvoiceDate"]))
    for account in _voucher_accounts(ctx, invoice):
        ledger.require_active_account(ctx.company, year_id, account)
    series = ctx.company.settings["VoucherSeriesInvoice"]
    invoice.update(
        Booked=True,
        VoucherSeries=series,
        VoucherNumber=ctx.company.next_in_series(f"voucher/{series}/{year_id}"),
        VoucherYear=year_id,
    )
    if invoice["Total"] == ZERO and invoice["FinalPayDate"] is None:
        # OBSERVED: a bookkept zero-total invoice counts as fully paid.
        invoice["FinalPayDate"] = invoice["InvoiceDate"]
    ctx.touch(KIND, invoice["DocumentNumber"])
    return invoice


def _voucher_accounts(ctx: Ctx, invoice: dict[str, Any]) -> list[int]:
    settings = ctx.company.settings
    accounts = [settings["ReceivablesAccount"]]
    accounts += [row["AccountNumber"] for row in invoice["InvoiceRows"] if row["AccountNumber"]]
    rates = {int(row["VAT"]) for row in invoice["InvoiceRows"]}
    if invoice["AdministrationFee"] or invoice["Freight"]:
        rates.add(25)
    if invoice["AdministrationFee"]:
        accounts.append(settings["InvoiceFeeAccount"])
    accounts += [settings["OutputVATAccountByVAT"][rate] for rate in sorted(rates) if rate]
    if invoice["RoundOff"]:
        accounts.append(settings["RoundOffAccount"])
    return accounts


def cancel(ctx: Ctx, number: str) -> dict[str, Any]:
    invoice = get_invoice(ctx, number)
    if invoice["Booked"]:
        raise wire.invalid("Fakturan är bokförd och kan inte makuleras.")
    if invoice["Cancelled"]:
        raise wire.invalid("Fakturan är redan makulerad.")
    if invoice["CreditInvoiceReference"] != NO_REFERENCE:
        raise wire.invalid("Fakturan är krediterad och kan inte makuleras.")
    if invoice["Credit"] == "true":
        _unsettle(ctx, invoice)
    invoice["Cancelled"] = True
    ctx.touch(KIND, invoice["DocumentNumber"])
    return invoice


def credit(ctx: Ctx, number: str) -> dict[str, Any]:
    """The full-credit action; answers with the updated original."""
    original = get_invoice(ctx, number)
    _require_creditable(original)
    if original["CreditInvoiceReference"] != NO_REFERENCE:
        raise wire.invalid(
            f"Fakturan är redan krediterad (kreditfaktura {original['CreditInvoiceReference']})."
        )
    header = {key: copy.deepcopy(original[key]) for key in CREDIT_COPIES}
    header["InvoiceDate"] = ctx.today.isoformat()
    header["DueDate"] = header["InvoiceDate"]
    header["InvoiceRows"] = [_negated_row(ctx, row) for row in original["InvoiceRows"]]
    header["AdministrationFee"] = -original["AdministrationFee"]
    header["Freight"] = -original["Freight"]
    credit_invoice = create_invoice(
        ctx, header, Credit="true", InvoiceReference=original["DocumentNumber"]
    )
    _settle(ctx, original, credit_invoice)
    return original


def _negated_row(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    copied = {key: row[key] for key in ROW_COPIES}
    if copied["ArticleNumber"] not in ctx.company.articles:
        # The row keeps its own text and account when its article has been deleted since.
        copied["ArticleNumber"] = ""
    copied["DeliveredQuantity"] = wire.format_decimal(-Decimal(row["DeliveredQuantity"]))
    return copied


def _require_creditable(original: dict[str, Any]) -> None:
    if original["Cancelled"]:
        raise wire.invalid("Fakturan är makulerad och kan inte krediteras.")
    if original["Credit"] == "true":
        raise wire.invalid("En kreditfaktura kan inte krediteras.")


def create_partial_credit(ctx: Ctx, fields: dict[str, Any]) -> dict[str, Any]:
    """ASSUMPTION: ``POST /3/invoices`` with ``CreditInvoiceReference`` = the original's number
    creates a credit invoice of it. Rows carry negative quantities (as on Fortnox's own credit
    invoices); the credits of an invoice together never exceed its total."""
    reference = str(fields.pop("CreditInvoiceReference"))
    original = ctx.company.invoices.get(reference)
    if original is None:
        raise wire.bad_request(INVOICE_NOT_FOUND, "Kan inte hitta fakturan.")
    _require_creditable(original)
    customer = customer_for(ctx, fields.setdefault("CustomerNumber", original["CustomerNumber"]))
    if customer["CustomerNumber"] != original["CustomerNumber"]:
        raise wire.invalid("Kreditfakturan måste ha samma kund som fakturan. (CustomerNumber)")
    preview = _credit_total(ctx, fields, customer)
    if preview >= ZERO:
        raise wire.invalid("En kreditfaktura måste ha ett negativt belopp.")
    if -(credited_amount(ctx, reference) + preview) > original["Total"]:
        raise wire.invalid("Krediteringen överstiger fakturans belopp.")
    credit_invoice = create_invoice(ctx, fields, Credit="true", InvoiceReference=reference)
    _settle(ctx, original, credit_invoice)
    return credit_invoice


def _credit_total(ctx: Ctx, fields: dict[str, Any], customer: dict[str, Any]) -> Decimal:
    """The total the credit invoice would get, computed without storing anything."""
    draft = blank_invoice()
    draft.update(
        VATIncluded=fields.get("VATIncluded", bool(customer["ShowPriceVATIncluded"])),
        Currency=fields.get("Currency", customer["Currency"] or "SEK"),
        AdministrationFee=fields.get("AdministrationFee", ZERO),
        Freight=fields.get("Freight", ZERO),
        InvoiceRows=[
            invoice_rows.build_row(ctx, copy.deepcopy(row), customer=customer)
            for row in fields.get("InvoiceRows", [])
        ],
    )
    recompute(ctx, draft)
    total: Decimal = draft["Total"]
    return total


def credited_amount(ctx: Ctx, number: str) -> Decimal:
    """The (negative) sum of the live credit invoices referring to invoice ``number``."""
    return sum(
        (
            invoice["Total"]
            for invoice in ctx.company.invoices.values()
            if invoice["InvoiceReference"] == number and not invoice["Cancelled"]
        ),
        ZERO,
    )


def _settle(ctx: Ctx, original: dict[str, Any], credit_invoice: dict[str, Any]) -> None:
    settled = min(max(original["Balance"], ZERO), -credit_invoice["Total"])
    original["Balance"] -= settled
    credit_invoice["Balance"] = credit_invoice["Total"] + settled
    for invoice in (original, credit_invoice):
        if invoice["Balance"] == ZERO and invoice["FinalPayDate"] is None:
            invoice["FinalPayDate"] = ctx.today.isoformat()
    original["CreditInvoiceReference"] = credit_invoice["DocumentNumber"]
    ctx.touch(KIND, original["DocumentNumber"])
    ctx.touch(KIND, credit_invoice["DocumentNumber"])


def _unsettle(ctx: Ctx, credit_invoice: dict[str, Any]) -> None:
    """Cancelling an (unbooked) credit invoice gives its settlement back to the original."""
    original = ctx.company.invoices.get(credit_invoice["InvoiceReference"])
    if original is None:
        return
    original["Balance"] += credit_invoice["Balance"] - credit_invoice["Total"]
    if original["Balance"] != ZERO:
        original["FinalPayDate"] = None
    if original["CreditInvoiceReference"] == credit_invoice["DocumentNumber"]:
        others = [
            i["DocumentNumber"]
            for i in ctx.company.invoices.values()
            if i["InvoiceReference"] == original["DocumentNumber"]
            and not i["Cancelled"]
            and i is not credit_invoice
        ]
        original["CreditInvoiceReference"] = others[-1] if others else NO_REFERENCE
    ctx.touch(KIND, original["DocumentNumber"])


def external_print(ctx: Ctx, number: str) -> dict[str, Any]:
    """Marks the invoice as sent without producing a document."""
    invoice = get_invoice(ctx, number)
    if invoice["Cancelled"]:
        raise wire.invalid("Fakturan är makulerad.")
    invoice["Sent"] = True
    ctx.touch(KIND, invoice["DocumentNumber"])
    return invoice


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
