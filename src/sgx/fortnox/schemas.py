"""Typed wire models of the Fortnox resources the product uses.

Field names follow Fortnox (``CustomerNumber`` on the wire, ``customer_number`` here). Every field
is optional on read because Fortnox leaves many out of list items and answers with ``null`` or
``""``; unknown fields are ignored. Fields Fortnox fills in are ``ReadOnly`` and are never sent:
``to_wire()`` writes only the writable fields that are set. Which fields are writable follows the
official payload schemas (``fortnox_InvoicePayload`` for invoices).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from sgx.fortnox.wire import Date, Flag, Integer, Money, Quantity, ReadOnly, Text, WireModel


def _no_reference(value: Any) -> Any:
    # Fortnox says "no reference" with "0" (or 0); we say None.
    if value is None or str(value).strip() in {"", "0"}:
        return None
    return str(value)


Reference = Annotated[str | None, BeforeValidator(_no_reference)]
"""A document number pointing at another document; ``None`` when Fortnox says ``"0"``."""


class CompanyInformation(WireModel):
    """``GET /3/companyinformation``. Note ``OrganizationNumber`` with a z."""

    company_name: Text = None
    organization_number: Text = None
    database_number: Integer = None  # == the tenant id
    address: Text = None
    zip_code: Text = None
    city: Text = None
    country_code: Text = None
    visit_address: Text = None
    visit_zip_code: Text = None
    visit_city: Text = None
    visit_country_code: Text = None


class CustomerListItem(WireModel):
    """A customer as it appears in search results (a subset; ``Phone``, not ``Phone1``)."""

    url: Text = Field(default=None, alias="@url")
    customer_number: Text = None
    name: Text = None
    organisation_number: Text = None
    email: Text = None
    phone: Text = None
    address1: Text = None
    address2: Text = None
    zip_code: Text = None
    city: Text = None


class Customer(WireModel):
    """A customer in Fortnox's register. ``Name`` is required on create."""

    url: Text = ReadOnly(alias="@url")
    country: Text = ReadOnly()  # derived from CountryCode
    customer_number: Text = None
    name: Text = None
    type: Text = None  # PRIVATE | COMPANY
    organisation_number: Text = None
    address1: Text = None
    address2: Text = None
    zip_code: Text = None
    city: Text = None
    country_code: Text = None
    phone1: Text = None
    phone2: Text = None
    email: Text = None
    email_invoice: Text = None
    email_invoice_cc: Text = None
    email_invoice_bcc: Text = None
    currency: Text = None
    vat_type: Text = None
    vat_number: Text = None
    sales_account: Text = None
    terms_of_payment: Text = None
    price_list: Text = None
    your_reference: Text = None
    our_reference: Text = None
    invoice_remark: Text = None
    comments: Text = None
    external_reference: Text = None
    show_price_vat_included: Flag = None
    active: Flag = None


class Article(WireModel):
    """An article. ``Description`` is required on create; prices live in price lists."""

    url: Text = ReadOnly(alias="@url")
    sales_price: Money = ReadOnly()
    disposable_quantity: Money = ReadOnly()
    quantity_in_stock: Money = ReadOnly()
    reserved_quantity: Money = ReadOnly()
    stock_value: Money = ReadOnly()
    article_number: Text = None
    description: Text = None
    type: Text = None  # STOCK | SERVICE
    unit: Text = None
    vat: Money = None
    sales_account: Integer = None
    eu_account: Integer = None
    eu_vat_account: Integer = None
    export_account: Integer = None
    purchase_account: Integer = None
    purchase_price: Money = None
    ean: Text = None
    note: Text = None
    housework: Flag = Field(default=None, alias="Housework")
    webshop_article: Flag = None
    active: Flag = None
    expired: Flag = None


class Account(WireModel):
    """An account of the chart of accounts of one financial year (``Year``)."""

    url: Text = ReadOnly(alias="@url")
    year: Integer = ReadOnly()
    balance_carried_forward: Money = ReadOnly()
    number: Integer = None
    description: Text = None
    active: Flag = None
    balance_brought_forward: Money = None
    vat_code: Text = None
    sru: Integer = None
    cost_center: Text = None
    cost_center_settings: Text = None  # ALLOWED | MANDATORY | NOTALLOWED
    project: Text = None
    project_settings: Text = None
    transaction_information_settings: Text = None
    quantity_settings: Text = None


class FinancialYear(WireModel):
    url: Text = ReadOnly(alias="@url")
    id: Integer = ReadOnly()
    from_date: Date = None
    to_date: Date = None
    account_chart_type: Text = None
    accounting_method: Text = None  # ACCRUAL | CASH


class InvoiceRow(WireModel):
    """An invoice row. ``DeliveredQuantity`` is required: left out, Fortnox totals the row 0."""

    total: Money = ReadOnly()
    total_excluding_vat: Money = ReadOnly()
    price_excluding_vat: Money = ReadOnly()
    contribution_percent: Money = ReadOnly()
    contribution_value: Money = ReadOnly()
    delivered_quantity: Quantity
    row_id: Integer = None  # only on updates
    article_number: Text = None
    account_number: Integer = None
    description: Text = None
    price: Money = None
    vat: Money = None
    discount: Money = None
    discount_type: Text = None  # AMOUNT | PERCENT
    unit: Text = None
    cost_center: Text = None
    project: Text = None
    vat_code: Text = None


class EmailInformation(WireModel):
    email_address_from: Text = None
    email_address_to: Text = None
    email_address_cc: Text = None
    email_address_bcc: Text = None
    email_subject: Text = None
    email_body: Text = None


class Invoice(WireModel):
    """A customer invoice, or a credit invoice (``credit`` true, ``invoice_reference`` set)."""

    url: Text = ReadOnly(alias="@url")
    balance: Money = ReadOnly()
    booked: Flag = ReadOnly()
    cancelled: Flag = ReadOnly()
    sent: Flag = ReadOnly()
    credit: Flag = ReadOnly()
    invoice_reference: Reference = ReadOnly()  # on a credit invoice: the original
    final_pay_date: Date = ReadOnly()
    last_remind_date: Date = ReadOnly()
    reminders: Integer = ReadOnly()
    total: Money = ReadOnly()
    total_vat: Money = ReadOnly()
    total_to_pay: Money = ReadOnly()
    net: Money = ReadOnly()
    gross: Money = ReadOnly()
    round_off: Money = ReadOnly()
    voucher_number: Integer = ReadOnly()
    voucher_series: Text = ReadOnly()
    voucher_year: Integer = ReadOnly()
    accounting_method: Text = ReadOnly()
    organisation_number: Text = ReadOnly()
    customer_number: Text = None
    document_number: Text = None
    # On an original: the credit invoice the credit action made from it. Read-only: a POST
    # naming an invoice here makes no credit (only ``PUT /3/invoices/{n}/credit`` does).
    credit_invoice_reference: Reference = ReadOnly()
    invoice_date: Date = None
    due_date: Date = None
    delivery_date: Date = None
    invoice_type: Text = None
    currency: Text = None
    currency_rate: Money = None
    currency_unit: Integer = None
    vat_included: Flag = None
    language: Text = None  # SV | EN
    terms_of_payment: Text = None
    price_list: Text = None
    ocr: Text = None
    your_reference: Text = None
    our_reference: Text = None
    your_order_number: Text = None
    external_invoice_reference1: Text = None
    external_invoice_reference2: Text = None
    remarks: Text = None
    comments: Text = None
    customer_name: Text = None
    address1: Text = None
    address2: Text = None
    zip_code: Text = None
    city: Text = None
    country: Text = None
    phone1: Text = None
    phone2: Text = None
    cost_center: Text = None
    project: Text = None
    administration_fee: Money = None
    freight: Money = None
    not_completed: Flag = None
    email_information: EmailInformation | None = None
    invoice_rows: list[InvoiceRow] | None = None


class InvoiceListItem(WireModel):
    """An invoice in list/search results (no rows, no ``Credit`` flag)."""

    url: Text = Field(default=None, alias="@url")
    document_number: Text = None
    customer_number: Text = None
    customer_name: Text = None
    invoice_date: Date = None
    due_date: Date = None
    final_pay_date: Date = None
    invoice_type: Text = None
    external_invoice_reference1: Text = None
    external_invoice_reference2: Text = None
    ocr: Text = None
    currency: Text = None
    currency_rate: Money = None
    total: Money = None
    balance: Money = None
    booked: Flag = None
    cancelled: Flag = None
    sent: Flag = None
    voucher_number: Integer = None
    voucher_series: Text = None
    voucher_year: Integer = None
    terms_of_payment: Text = None
    cost_center: Text = None
    project: Text = None


class InvoicePayment(WireModel):
    """A payment registered against a customer invoice (list items carry a subset)."""

    url: Text = Field(default=None, alias="@url")
    number: Text = None
    invoice_number: Integer = None
    amount: Money = None
    amount_currency: Money = None
    currency: Text = None
    currency_rate: Money = None
    payment_date: Date = None
    booked: Flag = None
    source: Text = None
    mode_of_payment: Text = None
    write_off_exist: Flag = None
    voucher_number: Integer = None
    voucher_series: Text = None
    voucher_year: Integer = None
    external_invoice_reference1: Text = None
    invoice_ocr: Text = None
    invoice_total: Money = None
