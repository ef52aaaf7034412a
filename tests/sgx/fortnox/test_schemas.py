"""The wire models read Fortnox's loose JSON and write only writable fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fortnox_sandbox import spec
from sgx.fortnox.schemas import (
    Account,
    Article,
    CompanyInformation,
    Customer,
    CustomerListItem,
    EmailInformation,
    FinancialYear,
    Invoice,
    InvoiceListItem,
    InvoicePayment,
    InvoiceRow,
)
from sgx.fortnox.wire import WireModel, decode_json, fortnox_alias

# Shapes as Fortnox sends them: numbers and booleans as strings, "0" for no reference,
# null and "" for unset dates, fields we do not model.
RECORDED_INVOICE = b"""{"Invoice": {
 "@url": "https:\\/\\/api.fortnox.se\\/3\\/invoices\\/18", "@urlTaxReductionList": "x",
 "AccountingMethod": "ACCRUAL", "Balance": 0, "Booked": false, "Cancelled": false,
 "Credit": "false", "CreditInvoiceReference": "0", "InvoiceReference": "0",
 "ContractReference": "0", "OfferReference": "0", "OrderReference": "0",
 "Currency": "SEK", "CurrencyRate": 1, "CurrencyUnit": 1, "CustomerNumber": "1",
 "DocumentNumber": "18", "DueDate": "2024-12-31", "InvoiceDate": "2024-12-01",
 "FinalPayDate": null, "DeliveryDate": "", "LastRemindDate": null, "OCR": "1842",
 "Total": 1250.5, "TotalVAT": "250.10", "RoundOff": 0.4, "Sent": false, "VATIncluded": false,
 "VoucherNumber": null, "VoucherSeries": null, "VoucherYear": null, "Reminders": 0,
 "EmailInformation": {"EmailSubject": "Faktura {no} bifogas", "EmailAddressTo": ""},
 "TaxReductionType": "none", "Labels": [], "NewFieldFromTheFuture": {"a": 1},
 "InvoiceRows": [{"AccountNumber": 3001, "ArticleNumber": "101", "ContributionPercent": "0",
   "ContributionValue": "0", "DeliveredQuantity": "1.12", "Description": "Hammer",
   "Price": 1000.4, "PriceExcludingVAT": 1000.4, "RowId": 2, "Total": 1120.45,
   "TotalExcludingVAT": 1120.45, "VAT": 25, "Discount": 0, "DiscountType": "PERCENT"}]
}}"""


def test_recorded_invoice_is_read_with_exact_amounts_and_tolerant_types() -> None:
    invoice = Invoice.model_validate(decode_json(RECORDED_INVOICE)["Invoice"])
    assert invoice.total == Decimal("1250.5")
    assert invoice.total_vat == Decimal("250.10")
    assert invoice.credit is False
    assert invoice.credit_invoice_reference is None
    assert invoice.invoice_reference is None
    assert invoice.final_pay_date is None and invoice.delivery_date is None
    assert invoice.invoice_date == dt.date(2024, 12, 1)
    assert invoice.invoice_rows is not None
    row = invoice.invoice_rows[0]
    assert row.delivered_quantity == Decimal("1.12")
    assert row.account_number == 3001
    assert row.price == Decimal("1000.4")


def test_references_to_other_documents_are_kept_as_numbers_when_set() -> None:
    invoice = Invoice.model_validate({"Credit": "true", "InvoiceReference": 17})
    assert invoice.credit is True
    assert invoice.invoice_reference == "17"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("false", False), ("1", True), ("0", False), (True, True), ("", None)],
)
def test_booleans_are_read_from_strings(raw: object, expected: bool | None) -> None:
    assert Invoice.model_validate({"Booked": raw}).booked is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.12", Decimal("1.12")), ("0", Decimal(0)), (10, Decimal(10)), (0.1, Decimal("0.1"))],
)
def test_amounts_are_read_exactly_from_strings_and_numbers(raw: object, expected: Decimal) -> None:
    assert Invoice.model_validate({"Balance": raw}).balance == expected


def test_blank_numbers_and_dates_are_read_as_unset() -> None:
    invoice = Invoice.model_validate({"Balance": "", "DueDate": "", "VoucherNumber": ""})
    assert (invoice.balance, invoice.due_date, invoice.voucher_number) == (None, None, None)


def test_numbers_sent_for_text_fields_are_read_as_text() -> None:
    customer = Customer.model_validate({"SalesAccount": 3001, "CustomerNumber": 7})
    assert (customer.sales_account, customer.customer_number) == ("3001", "7")


def test_read_invoice_written_back_contains_no_read_only_fields() -> None:
    invoice = Invoice.model_validate(decode_json(RECORDED_INVOICE)["Invoice"])
    wire = invoice.to_wire()
    for read_only in (
        "@url",
        "Balance",
        "Booked",
        "Credit",
        "Total",
        "TotalVAT",
        "RoundOff",
        "Sent",
    ):
        assert read_only not in wire
    assert "CreditInvoiceReference" not in wire  # "0" means none, and none is not sent
    assert set(wire["InvoiceRows"][0]) == {
        "AccountNumber",
        "ArticleNumber",
        "DeliveredQuantity",
        "Description",
        "Price",
        "RowId",
        "VAT",
        "Discount",
        "DiscountType",
    }


def test_rows_always_carry_the_delivered_quantity_as_a_decimal_string() -> None:
    row = InvoiceRow(delivered_quantity=Decimal("2.50"), price=Decimal("99.90"), vat=Decimal(25))
    assert row.to_wire() == {"DeliveredQuantity": "2.50", "Price": 99.9, "VAT": 25}


def test_a_row_cannot_be_built_without_a_quantity() -> None:
    with pytest.raises(ValueError, match="DeliveredQuantity"):
        InvoiceRow.model_validate({"Price": 10})


def test_only_fields_that_are_set_are_written() -> None:
    customer = Customer(name="Tandläkare AB", organisation_number="556036-0793", vat_type="SEVAT")
    assert customer.to_wire() == {
        "Name": "Tandläkare AB",
        "OrganisationNumber": "556036-0793",
        "VATType": "SEVAT",
    }


def test_the_credit_reference_is_read_only_and_never_written() -> None:
    credit = Invoice(customer_number="1", credit_invoice_reference="18")
    assert credit.to_wire() == {"CustomerNumber": "1"}
    read = Invoice.model_validate({"CreditInvoiceReference": "18"})
    assert read.credit_invoice_reference == "18"


def test_company_information_reads_organization_number_with_z() -> None:
    info = CompanyInformation.model_validate(
        {"CompanyName": "Klinik AB", "OrganizationNumber": "556036-0793", "DatabaseNumber": "42"}
    )
    assert (info.organization_number, info.database_number) == ("556036-0793", 42)


@pytest.mark.parametrize(
    ("name", "alias"),
    [
        ("vat_type", "VATType"),
        ("eu_vat_account", "EUVATAccount"),
        ("email_invoice_cc", "EmailInvoiceCC"),
        ("external_invoice_reference1", "ExternalInvoiceReference1"),
        ("price_excluding_vat", "PriceExcludingVAT"),
        ("row_id", "RowId"),
        ("id", "Id"),
        ("ocr", "OCR"),
    ],
)
def test_python_names_map_to_fortnox_names(name: str, alias: str) -> None:
    assert fortnox_alias(name) == alias


# Fields Fortnox returns that its published schema leaves out.
UNPUBLISHED = {"InvoiceReference", "WriteOffExist"}

MODEL_SCHEMAS: list[tuple[type[WireModel], str]] = [
    (CompanyInformation, "fortnox_CompanyInfo"),
    (Customer, "fortnox_Customer"),
    (CustomerListItem, "fortnox_CustomerListItem"),
    (Article, "fortnox_Article"),
    (Account, "fortnox_AccountSingleItem"),
    (FinancialYear, "fortnox_FinancialYear"),
    (Invoice, "fortnox_Invoice"),
    (InvoiceRow, "fortnox_Invoice_InvoiceRow"),
    (InvoiceListItem, "fortnox_InvoiceListItem"),
    (InvoicePayment, "fortnox_InvoicePayment"),
    (EmailInformation, "fortnox_Invoice_EmailInformation"),
]


@pytest.mark.parametrize(("model", "schema_name"), MODEL_SCHEMAS)
def test_every_field_has_a_name_from_fortnox_schema(
    model: type[WireModel], schema_name: str
) -> None:
    known = set(spec.schema(schema_name)["properties"]) | UNPUBLISHED
    aliases = {field.alias for field in model.model_fields.values()}
    assert aliases - known == set()


WRITE_SCHEMAS: list[tuple[type[WireModel], str]] = [
    (Customer, "fortnox_Customer"),
    (Article, "fortnox_Article"),
    (Invoice, "fortnox_InvoicePayload"),
    (InvoiceRow, "fortnox_InvoicePayload_InvoiceRow"),
    (EmailInformation, "fortnox_InvoicePayload_EmailInformation"),
]


@pytest.mark.parametrize(("model", "schema_name"), WRITE_SCHEMAS)
def test_writable_fields_are_all_in_fortnox_payload_schema(
    model: type[WireModel], schema_name: str
) -> None:
    payload = set(spec.schema(schema_name)["properties"]) - {"@url"}
    writable = {f.alias for f in model.model_fields.values() if not f.exclude}
    assert writable - payload == set()
