"""Request and response bodies of the invoice API. Amounts are strings with two decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from sgx.catalog.schemas import Money
from sgx.invoicing.models import Invoice, InvoiceKind

_INPUT = ConfigDict(extra="forbid", str_strip_whitespace=True)
MAX_ROWS = 200


class InvoiceRowIn(BaseModel):
    """One row; price and text default to the article's (the text must stay neutral)."""

    model_config = _INPUT

    article_code: str = Field(min_length=1, max_length=50)
    quantity: Decimal
    unit_price: Decimal | None = None
    description: str | None = Field(default=None, min_length=1, max_length=255)


class InvoiceCreate(BaseModel):
    """Exactly one of ``patient_id`` and ``company_id``; ``due_date`` defaults from the terms."""

    model_config = _INPUT

    patient_id: int | None = None
    company_id: int | None = None
    invoice_date: dt.date | None = None
    due_date: dt.date | None = None
    your_reference: str = Field(default="", max_length=100)
    rows: list[InvoiceRowIn] = Field(min_length=1, max_length=MAX_ROWS)


class CreditRowIn(BaseModel):
    model_config = _INPUT

    row_id: int
    quantity: Decimal


class CreditCreate(BaseModel):
    """Without ``rows`` everything not yet credited is credited."""

    model_config = _INPUT

    rows: list[CreditRowIn] | None = Field(default=None, min_length=1, max_length=MAX_ROWS)
    reason: str = Field(default="", max_length=200)


class InvoiceRowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    article_code: str
    description: str
    unit: str
    quantity: Money
    unit_price: Money
    vat_rate: int
    account_number: int
    net: Money
    vat_exemption_text: str
    credited_row_id: int | None


class VatLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rate: int
    base: Money
    vat: Money


TRANSFER_STATUS_HELP = (
    "Väntar på överföring, Överförd, Fel – åtgärd krävs, Pausad – ingen anslutning, Krediterad, "
    "Ej aktiverad, or Osynk: the invoice was credited, cancelled, changed or deleted in Fortnox "
    "and no longer matches SGX; the difference is in `message` (in Swedish) and `error_code` "
    "names it (credited_in_fortnox, cancelled_in_fortnox, changed_in_fortnox, "
    "deleted_in_fortnox, fortnox_totals_differ) until an administrator marks it handled."
)


class TransferOut(BaseModel):
    status: str = Field(description=TRANSFER_STATUS_HELP)
    fortnox_document_number: str | None
    error_code: str | None
    message: str | None
    updated_at: dt.datetime | None


class PaymentOut(BaseModel):
    """Read back from Fortnox (read-only): Betald, Delvis betald, Obetald or Förfallen."""

    status: str | None = Field(
        description="Betald, Delvis betald, Obetald, Förfallen, or null when not read yet "
        "(or nothing is to be paid: a credit, a fully credited invoice)."
    )
    balance: Money | None = Field(description="What is left to pay, as Fortnox says.")
    final_pay_date: dt.date | None
    due_date: dt.date

    @classmethod
    def of(cls, invoice: Invoice) -> PaymentOut:
        return cls(
            status=invoice.payment_status,
            balance=invoice.payment_balance,
            final_pay_date=invoice.payment_final_pay_date,
            due_date=invoice.payment_due_date or invoice.due_date,
        )


class InvoiceOut(BaseModel):
    id: int
    issuer_id: int
    number: int
    kind: InvoiceKind
    patient_id: int | None
    company_id: int | None
    invoice_date: dt.date
    due_date: dt.date
    your_reference: str
    ocr: str
    net: Money
    vat: Money
    rounding: Money
    total: Money
    vat_lines: list[VatLineOut]
    rows: list[InvoiceRowOut]
    credit_of_id: int | None
    credit_reason: str
    transfer: TransferOut
    payment: PaymentOut
    created_at: dt.datetime

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceOut:
        return cls(
            id=invoice.id,
            issuer_id=invoice.issuer_id,
            number=invoice.number,
            kind=invoice.kind,
            patient_id=invoice.patient_id,
            company_id=invoice.company_id,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            your_reference=invoice.your_reference,
            ocr=invoice.ocr,
            net=invoice.net,
            vat=invoice.vat,
            rounding=invoice.rounding,
            total=invoice.total,
            vat_lines=[VatLineOut.model_validate(line) for line in invoice.vat_lines],
            rows=[InvoiceRowOut.model_validate(row) for row in invoice.rows],
            credit_of_id=invoice.credit_of_id,
            credit_reason=invoice.credit_reason,
            transfer=TransferOut(
                status=invoice.transfer_status,
                fortnox_document_number=invoice.fortnox_document_number,
                error_code=invoice.transfer_error_code,
                message=invoice.transfer_message,
                updated_at=invoice.transfer_updated_at,
            ),
            payment=PaymentOut.of(invoice),
            created_at=invoice.created_at,
        )
