"""Invoice actions: bookkeep, cancel, credit, externalprint — and editing credit invoices.

* ``bookkeep`` creates the voucher (series B) after checking every account the voucher needs:
  receivables, the rows' sales accounts, output VAT per rate, round-off (2001304 / 2000550).
* ``cancel`` ("Makulera") is refused once bookkept, and for a credited invoice.
* ``credit`` creates a full credit invoice dated today (``Credit "true"``, negative quantities,
  ``InvoiceReference`` = the original) and answers with the UPDATED ORIGINAL, whose
  ``CreditInvoiceReference`` names the credit. Only a booked invoice that is not already
  credited can be credited (Fortnox's support article "Skapa kreditfaktura": the option is
  missing when the invoice is not booked or already credited). The credit invoice is unbooked
  and may be edited (rows, dates) until it is booked: that is how Fortnox makes a partial credit.
* ``CreditInvoiceReference`` in a POST is read-only and ignored (Fortnox's C# SDK marks it
  read-only; the WooCommerce Fortnox Hub strips it): a POSTed invoice with negative rows is an
  ordinary invoice (``Credit "false"``), neither linked to nor settled against any invoice.
* A credit settles what is still owed: the original's ``Balance`` drops by up to the credited
  amount and whatever was already paid stays on the credit invoice as a negative balance
  (ASSUMPTION: Fortnox shows credited invoices as settled; the exact matching is UNCONFIRMED).
  Editing the credit invoice settles again with its new total.

Fortnox's error codes for refused transitions are UNCONFIRMED; they answer 400/2000588.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from fortnox_sandbox import wire
from fortnox_sandbox.resources import ledger
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.resources.invoice_math import ZERO
from fortnox_sandbox.resources.invoices import (
    KIND,
    NO_REFERENCE,
    create_invoice,
    get_invoice,
    typed_payload,
    update_invoice,
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
    """``POST /3/invoices``: a new (ordinary) invoice; ``CreditInvoiceReference`` is read-only."""
    fields = typed_payload(payload)
    fields.pop("CreditInvoiceReference", None)
    return create_invoice(ctx, fields)


def put_invoice(ctx: Ctx, number: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``PUT /3/invoices/{n}``: the update rules of ``invoices.update_invoice``; a credit
    invoice made by the credit action is settled again against its original with its new total."""
    before = get_invoice(ctx, number)
    settled_before = before["Balance"] - before["Total"]
    invoice = update_invoice(ctx, number, fields)
    original = ctx.company.invoices.get(invoice["InvoiceReference"])
    if invoice["Credit"] == "true" and original is not None:
        _return_settlement(ctx, original, settled_before)
        _settle(ctx, original, invoice)
    return invoice


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
    if not original["Booked"]:
        raise wire.invalid("Fakturan är inte bokförd och kan inte krediteras.")
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


def _settle(ctx: Ctx, original: dict[str, Any], credit_invoice: dict[str, Any]) -> None:
    settled = min(max(original["Balance"], ZERO), max(-credit_invoice["Total"], ZERO))
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
    _return_settlement(ctx, original, credit_invoice["Balance"] - credit_invoice["Total"])
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


def _return_settlement(ctx: Ctx, original: dict[str, Any], settled: Decimal) -> None:
    original["Balance"] += settled
    if original["Balance"] != ZERO:
        original["FinalPayDate"] = None
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
