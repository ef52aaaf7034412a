"""Invoice payments: what drives an invoice's ``Balance`` and ``FinalPayDate``.

A payment (plus any write-offs) lowers the invoice's balance; when the balance reaches zero the
invoice gets ``FinalPayDate`` = the payment date, and loses it again if a payment is removed.
Payments are refused on cancelled invoices, before the invoice date, and on invoices that are
not bookkept (ASSUMPTION, from peers who bookkeep first "so the payment can be registered").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fortnox_sandbox import listing, wire
from fortnox_sandbox.errors import INVALID_PARAMETER, INVOICE_NOT_FOUND, FortnoxApiError
from fortnox_sandbox.resources import ledger
from fortnox_sandbox.resources.common import Ctx
from fortnox_sandbox.resources.invoice_math import ZERO

KIND = "payments"
INVOICE_KIND = "invoices"
READ_ONLY = (
    "@url",
    "Number",
    "Booked",
    "ExternalInvoiceReference1",
    "ExternalInvoiceReference2",
    "InvoiceCustomerName",
    "InvoiceCustomerNumber",
    "InvoiceDueDate",
    "InvoiceOCR",
    "InvoiceTotal",
    "Source",
    "VoucherNumber",
    "VoucherSeries",
    "VoucherYear",
)
LIST_FIELDS = (
    "Amount",
    "Booked",
    "Currency",
    "CurrencyRate",
    "CurrencyUnit",
    "InvoiceNumber",
    "Number",
    "PaymentDate",
    "Source",
)
# Fields a PUT may change on an unbooked payment.
EDITABLE = ("Amount", "AmountCurrency", "PaymentDate", "ModeOfPayment", "ModeOfPaymentAccount")


def get_payment(ctx: Ctx, number: str) -> dict[str, Any]:
    payment = ctx.company.payments.get(str(number))
    if payment is None:
        # Fortnox's code for an unknown payment is not documented (UNCONFIRMED).
        raise FortnoxApiError(404, INVALID_PARAMETER, "Kan inte hitta inbetalningen.")
    return payment


def create_payment(ctx: Ctx, payload: dict[str, Any]) -> dict[str, Any]:
    fields = wire.check_fields(payload, "fortnox_InvoicePayment", read_only=READ_ONLY)
    if "InvoiceNumber" not in fields:
        raise wire.invalid("Fakturanummer saknas. (InvoiceNumber)")
    invoice = ctx.company.invoices.get(str(fields["InvoiceNumber"]))
    if invoice is None:
        raise wire.bad_request(INVOICE_NOT_FOUND, "Kan inte hitta fakturan.")
    return register_payment(ctx, invoice, fields)


def register_payment(ctx: Ctx, invoice: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """A payment on ``invoice`` from typed fields (``Amount``, ``PaymentDate``, …)."""
    if invoice["Cancelled"]:
        raise wire.invalid("Fakturan är makulerad.")
    if not invoice["Booked"]:
        raise wire.invalid("Fakturan måste vara bokförd innan en inbetalning kan registreras.")
    if "Amount" not in fields:
        raise wire.invalid("Belopp saknas. (Amount)")
    payment_date = fields.get("PaymentDate") or ctx.today.isoformat()
    _check_date_and_accounts(ctx, invoice, payment_date, fields)
    number = str(ctx.company.next_in_series("payment"))
    payment = _new_payment(ctx, invoice, fields, number=number, payment_date=payment_date)
    ctx.company.payments[number] = payment
    _apply(ctx, invoice, payment, sign=1)
    ctx.touch(KIND, number)
    return payment


def _new_payment(
    ctx: Ctx, invoice: dict[str, Any], fields: dict[str, Any], *, number: str, payment_date: str
) -> dict[str, Any]:
    return {
        "Amount": fields["Amount"],
        "AmountCurrency": fields.get("AmountCurrency", fields["Amount"]),
        "Booked": False,
        "Currency": invoice["Currency"],
        "CurrencyRate": fields.get("CurrencyRate", invoice["CurrencyRate"]),
        "CurrencyUnit": Decimal(fields.get("CurrencyUnit", invoice["CurrencyUnit"])),
        "ExternalInvoiceReference1": invoice["ExternalInvoiceReference1"],
        "ExternalInvoiceReference2": invoice["ExternalInvoiceReference2"],
        "InvoiceCustomerName": invoice["CustomerName"],
        "InvoiceCustomerNumber": invoice["CustomerNumber"],
        "InvoiceDueDate": invoice["DueDate"],
        "InvoiceNumber": int(invoice["DocumentNumber"]),
        "InvoiceOCR": invoice["OCR"],
        "InvoiceTotal": wire.format_decimal(invoice["Total"]),
        "ModeOfPayment": fields.get("ModeOfPayment", ""),
        "ModeOfPaymentAccount": fields.get(
            "ModeOfPaymentAccount", ctx.company.settings["BankAccount"]
        ),
        "Number": number,
        "PaymentDate": payment_date,
        "Source": "manual",
        "VoucherNumber": None,
        "VoucherSeries": None,
        "VoucherYear": None,
        "WriteOffs": fields.get("WriteOffs", []),
    }


def _check_date_and_accounts(
    ctx: Ctx, invoice: dict[str, Any], payment_date: str, fields: Mapping[str, Any]
) -> None:
    if payment_date < invoice["InvoiceDate"]:
        raise wire.invalid("Betaldatum kan inte vara före fakturadatum. (PaymentDate)")
    year_id = ledger.require_year_for(ctx.company, dt.date.fromisoformat(payment_date))
    account = fields.get("ModeOfPaymentAccount", ctx.company.settings["BankAccount"])
    ledger.require_active_account(ctx.company, year_id, account)
    for write_off in fields.get("WriteOffs", []):
        if "AccountNumber" in write_off:
            ledger.require_active_account(ctx.company, year_id, write_off["AccountNumber"])


def _covered(payment: dict[str, Any]) -> Decimal:
    write_offs = sum((w.get("Amount", ZERO) for w in payment["WriteOffs"]), ZERO)
    amount: Decimal = payment["Amount"]
    return amount + write_offs


def _apply(ctx: Ctx, invoice: dict[str, Any], payment: dict[str, Any], *, sign: int) -> None:
    invoice["Balance"] -= sign * _covered(payment)
    if invoice["Balance"] != ZERO:
        invoice["FinalPayDate"] = None
    elif sign > 0:
        invoice["FinalPayDate"] = payment["PaymentDate"]
    else:
        invoice["FinalPayDate"] = _last_payment(ctx, invoice)
    ctx.touch(INVOICE_KIND, invoice["DocumentNumber"])


def _last_payment(ctx: Ctx, invoice: dict[str, Any]) -> str | None:
    dates = [
        p["PaymentDate"]
        for p in ctx.company.payments.values()
        if str(p["InvoiceNumber"]) == invoice["DocumentNumber"]
    ]
    return max(dates, default=None)


def _invoice_of(ctx: Ctx, payment: dict[str, Any]) -> dict[str, Any]:
    return ctx.company.invoices[str(payment["InvoiceNumber"])]


def update_payment(ctx: Ctx, number: str, payload: dict[str, Any]) -> dict[str, Any]:
    payment = get_payment(ctx, number)
    if payment["Booked"]:
        raise wire.invalid("Inbetalningen är bokförd och kan inte ändras.")
    fields = wire.check_fields(payload, "fortnox_InvoicePayment", read_only=READ_ONLY)
    if "InvoiceNumber" in fields and fields.pop("InvoiceNumber") != payment["InvoiceNumber"]:
        raise wire.invalid("Fakturanumret kan inte ändras. (InvoiceNumber)")
    invoice = _invoice_of(ctx, payment)
    changes = {key: fields[key] for key in EDITABLE if key in fields}
    merged = {**payment, **changes}
    _check_date_and_accounts(ctx, invoice, merged["PaymentDate"], merged)
    _apply(ctx, invoice, payment, sign=-1)
    payment.update(changes)
    if "WriteOffs" in fields:
        payment["WriteOffs"] = fields["WriteOffs"]
    _apply(ctx, invoice, payment, sign=1)
    ctx.touch(KIND, number)
    return payment


def delete_payment(ctx: Ctx, number: str) -> None:
    payment = get_payment(ctx, number)
    if payment["Booked"]:
        raise wire.invalid("Inbetalningen är bokförd och kan inte tas bort.")
    del ctx.company.payments[payment["Number"]]
    _apply(ctx, _invoice_of(ctx, payment), payment, sign=-1)
    ctx.touch(KIND, payment["Number"])


def bookkeep_payment(ctx: Ctx, number: str) -> dict[str, Any]:
    payment = get_payment(ctx, number)
    if payment["Booked"]:
        raise wire.invalid("Inbetalningen är redan bokförd.")
    year_id = ledger.require_year_for(ctx.company, dt.date.fromisoformat(payment["PaymentDate"]))
    series = ctx.company.settings["VoucherSeriesPayment"]
    payment.update(
        Booked=True,
        VoucherSeries=series,
        VoucherNumber=ctx.company.next_in_series(f"voucher/{series}/{year_id}"),
        VoucherYear=year_id,
    )
    ctx.touch(KIND, payment["Number"])
    return payment


def payment_view(ctx: Ctx, payment: dict[str, Any]) -> dict[str, Any]:
    return {"@url": ctx.url(f"invoicepayments/{payment['Number']}"), **wire.plain(payment)}


def payment_list_item(ctx: Ctx, payment: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"@url": ctx.url(f"invoicepayments/{payment['Number']}")}
    item.update({key: wire.plain(payment[key]) for key in LIST_FIELDS})
    item["WriteOffExist"] = bool(payment["WriteOffs"])
    return item


LIST_RULES = listing.ListRules(
    searches={"invoicenumber": lambda p: p["InvoiceNumber"]},
    sort_keys={"paymentdate": lambda p: (p["PaymentDate"], listing.natural_key(p["Number"]))},
    default_sort=lambda p: listing.natural_key(p["Number"]),
)


def list_payments(ctx: Ctx, params: Mapping[str, str]) -> listing.Page:
    return listing.select(
        list(ctx.company.payments.values()),
        params,
        LIST_RULES,
        modified_at=lambda p: ctx.company.modified_at(KIND, p["Number"]),
    )
