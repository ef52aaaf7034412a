"""The pure SGX → Fortnox mapping: numbers, references, patient customers, articles, invoice
payloads and the comparison of totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sgx.catalog.models import Article
from sgx.fortnox.schemas import Article as FortnoxArticle
from sgx.fortnox.schemas import Customer
from sgx.fortnox.schemas import Invoice as FortnoxInvoice
from sgx.integration import mapping
from sgx.invoicing.models import Invoice, InvoiceKind, InvoiceRow
from sgx.parties.models import IdentityKind, Patient

EXEMPT = "Momsfri sjukvård enligt 10 kap. 6 § mervärdesskattelagen"


def patient(**fields: object) -> Patient:
    values: dict[str, object] = {
        "id": 42,
        "issuer_id": 3,
        "identity_kind": IdentityKind.PERSONNUMMER,
        "personal_identity_number": "199007042386",
        "first_name": "Anna",
        "last_name": "Andersson",
        "protected_identity": False,
        "address": "Storgatan 1",
        "zip_code": "12345",
        "city": "Ås",
        "phone": "070-1234567",
        "email": "anna@example.se",
    }
    values.update(fields)
    return Patient(**values)


def row(position: int = 1, **fields: object) -> InvoiceRow:
    values: dict[str, object] = {
        "position": position,
        "article_code": "BESOK",
        "description": "Läkarbesök",
        "quantity": Decimal("1.00"),
        "unit_price": Decimal("850.00"),
        "vat_rate": 0,
        "account_number": 3004,
        "net": Decimal("850.00"),
        "vat_exemption_text": EXEMPT,
    }
    values.update(fields)
    return InvoiceRow(**values)


def invoice(rows: list[InvoiceRow] | None = None, **fields: object) -> Invoice:
    values: dict[str, object] = {
        "id": 7,
        "issuer_id": 3,
        "number": 1001,
        "kind": InvoiceKind.PATIENT,
        "patient_id": 42,
        "invoice_date": dt.date(2026, 3, 10),
        "due_date": dt.date(2026, 4, 9),
        "your_reference": "",
        "ocr": "100153",
        "net": Decimal("850.00"),
        "vat": Decimal("0.00"),
        "rounding": Decimal("0.00"),
        "total": Decimal("850.00"),
    }
    values.update(fields)
    made = Invoice(**values)
    made.rows = rows if rows is not None else [row()]
    return made


def payload(made: Invoice, **kwargs: object) -> FortnoxInvoice:
    options: dict[str, object] = {
        "customer_number": "SGXP42",
        "articles_in_fortnox": {"BESOK"},
        "installation": "",
    }
    options.update(kwargs)
    return mapping.invoice_payload(made, **options)  # type: ignore[arg-type]


# ---- numbers and references ----


def test_patient_customer_number_is_letters_and_digits_derived_from_the_patient_id() -> None:
    number = mapping.patient_customer_number(42, installation="K7QD2")
    assert number == "SGXK7QD2P42" and number.isalnum()


def test_references_name_the_installation_the_issuer_and_the_sgx_id() -> None:
    reference = mapping.patient_reference(installation="K7QD2", issuer_id=3, patient_id=42)
    assert reference == "SGXK7QD2-3-P42"
    assert mapping.invoice_reference(installation="K7QD2", issuer_id=3, invoice_id=7) == (
        "SGXK7QD2-3-7"
    )


def test_legacy_installation_keeps_the_numbers_and_references_it_wrote_before() -> None:
    assert mapping.patient_customer_number(42, installation="") == "SGXP42"
    assert mapping.patient_reference(installation="", issuer_id=3, patient_id=42) == "SGX-3-P42"
    assert mapping.invoice_reference(installation="", issuer_id=3, invoice_id=7) == "SGX-3-7"


def test_invoice_reference_fits_fortnox_80_characters_for_large_ids() -> None:
    reference = mapping.invoice_reference(installation="K7QD2", issuer_id=10**12, invoice_id=10**15)
    assert len(reference) <= 80


def test_personnummer_is_written_with_century_and_hyphen() -> None:
    assert mapping.fortnox_identity_number(patient()) == "19900704-2386"


# ---- patients ----


def test_patient_customer_is_private_with_name_address_phone_and_email() -> None:
    customer = mapping.patient_customer(patient(), send_personnummer=False, installation="")
    assert (customer.customer_number, customer.type, customer.name) == (
        "SGXP42",
        "PRIVATE",
        "Anna Andersson",
    )
    assert (customer.address1, customer.zip_code, customer.city) == ("Storgatan 1", "12345", "Ås")
    assert (customer.phone1, customer.email) == ("070-1234567", "anna@example.se")
    assert customer.external_reference == "SGX-3-P42"


def test_patient_email_is_also_where_fortnox_sends_invoices_and_reminders() -> None:
    customer = mapping.patient_customer(patient(), send_personnummer=False, installation="")
    assert customer.email_invoice == "anna@example.se"


def test_patient_customer_carries_nothing_else_about_the_patient() -> None:
    wire = mapping.patient_customer(patient(), send_personnummer=True, installation="").to_wire()
    assert set(wire) == {
        "CustomerNumber",
        "Name",
        "Type",
        "OrganisationNumber",
        "Address1",
        "Address2",
        "ZipCode",
        "City",
        "Phone1",
        "Phone2",
        "Email",
        "EmailInvoice",
        "ExternalReference",
    }


def test_personnummer_is_left_out_unless_the_issuer_opted_in() -> None:
    assert (
        mapping.patient_customer(
            patient(), send_personnummer=False, installation=""
        ).organisation_number
        == ""
    )
    assert (
        mapping.patient_customer(
            patient(), send_personnummer=True, installation=""
        ).organisation_number
        == "19900704-2386"
    )


def test_samordningsnummer_is_sent_like_a_personnummer_when_opted_in() -> None:
    coordinated = patient(
        identity_kind=IdentityKind.SAMORDNINGSNUMMER, personal_identity_number="199007642383"
    )
    customer = mapping.patient_customer(coordinated, send_personnummer=True, installation="")
    assert customer.organisation_number == "19900764-2383"


@pytest.mark.parametrize("kind", [IdentityKind.RESERVNUMMER, IdentityKind.NONE])
def test_a_reservnummer_or_no_number_is_never_sent(kind: IdentityKind) -> None:
    customer = mapping.patient_customer(
        patient(identity_kind=kind, personal_identity_number="R12345"),
        send_personnummer=True,
        installation="",
    )
    assert customer.organisation_number == ""


def test_patient_with_protected_identity_is_name_and_reference_only() -> None:
    customer = mapping.patient_customer(
        patient(protected_identity=True), send_personnummer=False, installation=""
    )
    filled = {name for name, value in customer.model_dump().items() if value}
    assert filled == {"customer_number", "name", "type", "external_reference"}
    assert customer.name == "Anna Andersson"


def test_create_leaves_blank_fields_out() -> None:
    bare = patient(address="", zip_code="", city="", phone="", email="")
    wire = mapping.customer_to_create(
        mapping.patient_customer(bare, send_personnummer=False, installation="")
    ).to_wire()
    assert set(wire) == {"CustomerNumber", "Name", "Type", "ExternalReference"}


def test_update_clears_blanks_with_null_never_with_empty_strings_and_never_the_number() -> None:
    hidden = mapping.patient_customer(
        patient(protected_identity=True), send_personnummer=False, installation=""
    )
    wire = mapping.customer_changes(hidden).to_wire(clear=mapping.cleared_customer_fields(hidden))
    assert "CustomerNumber" not in wire
    assert "" not in wire.values()
    cleared = {name for name, value in wire.items() if value is None}
    assert cleared == {
        "OrganisationNumber",
        "Address1",
        "Address2",
        "ZipCode",
        "City",
        "Phone1",
        "Phone2",
        "Email",
        "EmailInvoice",
    }
    assert wire["Name"] == "Anna Andersson"


def test_a_field_fortnox_kept_filled_after_a_clear_is_reported() -> None:
    wanted = mapping.patient_customer(
        patient(protected_identity=True), send_personnummer=False, installation=""
    )
    answer = Customer.model_validate(
        {**wanted.to_wire(), "Address1": "Storgatan 1", "Email": "", "City": None}
    )
    assert mapping.unkept_customer_fields(answer, wanted) == ["address1"]


def test_a_value_fortnox_wrote_in_its_own_form_is_not_reported() -> None:
    wanted = mapping.patient_customer(patient(), send_personnummer=True, installation="")
    answer = Customer.model_validate({**wanted.to_wire(), "OrganisationNumber": "199007042386"})
    assert mapping.unkept_customer_fields(answer, wanted) == []


def test_fortnox_nulls_count_as_blanks_when_comparing_content() -> None:
    wanted = mapping.patient_customer(patient(email=""), send_personnummer=False, installation="")
    found = Customer.model_validate({**wanted.to_wire(), "Email": None, "@url": "x"})
    assert mapping.same_customer_content(found, wanted)
    assert not mapping.same_customer_content(found.model_copy(update={"city": "Ö"}), wanted)


def test_customer_is_ours_only_with_our_reference() -> None:
    wanted = mapping.patient_customer(patient(), send_personnummer=False, installation="")
    assert mapping.is_our_customer(wanted.model_copy(update={"name": "Annan"}), wanted)
    assert not mapping.is_our_customer(wanted.model_copy(update={"external_reference": ""}), wanted)
    assert not mapping.is_our_customer(
        wanted.model_copy(update={"external_reference": "SGX-4-P42"}), wanted
    )


def test_content_hash_changes_only_when_something_sent_changes() -> None:
    first = mapping.content_hash(
        mapping.patient_customer(patient(), send_personnummer=False, installation="")
    )
    same = mapping.content_hash(
        mapping.patient_customer(patient(), send_personnummer=False, installation="")
    )
    moved = mapping.content_hash(
        mapping.patient_customer(patient(city="Ösmo"), send_personnummer=False, installation="")
    )
    opted_in = mapping.content_hash(
        mapping.patient_customer(patient(), send_personnummer=True, installation="")
    )
    assert first == same
    assert len({first, moved, opted_in}) == 3


def test_a_change_of_an_unsent_field_keeps_the_hash() -> None:
    before = patient()
    after = patient(personal_identity_number="201311122384")  # not sent without opt-in
    assert mapping.content_hash(
        mapping.patient_customer(before, send_personnummer=False, installation="")
    ) == mapping.content_hash(
        mapping.patient_customer(after, send_personnummer=False, installation="")
    )


# ---- articles ----


def article(**fields: object) -> Article:
    values: dict[str, object] = {
        "id": 5,
        "issuer_id": 3,
        "code": "KONSULT",
        "description": "Konsultation",
        "unit_price": Decimal("1000.40"),
        "vat_rate": 25,
        "sales_account_number": 3001,
        "vat_exemption_text": "",
    }
    values.update(fields)
    return Article(**values)


def test_article_is_a_service_with_its_code_text_sales_account_and_vat() -> None:
    wire = mapping.article_payload(article()).to_wire()
    assert wire == {
        "ArticleNumber": "KONSULT",
        "Description": "Konsultation",
        "Type": "SERVICE",
        "SalesAccount": 3001,
        "VAT": 25,
    }


def test_article_update_never_renumbers() -> None:
    assert (
        "ArticleNumber" not in mapping.article_changes(mapping.article_payload(article())).to_wire()
    )


def test_article_content_is_compared_on_what_sgx_sends() -> None:
    wanted = mapping.article_payload(article())
    found = FortnoxArticle.model_validate(
        {**wanted.to_wire(), "PurchaseAccount": 4000, "SalesPrice": 0}
    )
    assert mapping.same_article_content(found, wanted)
    assert not mapping.same_article_content(
        found.model_copy(update={"sales_account": 3002}), wanted
    )


def test_article_hash_ignores_the_price_and_follows_the_account() -> None:
    # The price is not sent (Fortnox keeps prices in price lists), so it does not matter.
    assert mapping.content_hash(mapping.article_payload(article())) == mapping.content_hash(
        mapping.article_payload(article(unit_price=Decimal("5")))
    )
    assert mapping.content_hash(mapping.article_payload(article())) != mapping.content_hash(
        mapping.article_payload(article(sales_account_number=3002))
    )


# ---- invoices ----


def test_invoice_header_carries_number_ocr_reference_dates_and_sek() -> None:
    wire = payload(invoice(your_reference="Lisa på HR")).to_wire()
    assert {key: value for key, value in wire.items() if key != "InvoiceRows"} == {
        "CustomerNumber": "SGXP42",
        "DocumentNumber": "1001",
        "InvoiceDate": "2026-03-10",
        "DueDate": "2026-04-09",
        "OCR": "100153",
        "ExternalInvoiceReference1": "SGX-3-7",
        "YourReference": "Lisa på HR",
        "Currency": "SEK",
        "VATIncluded": False,
        "Remarks": EXEMPT,
    }


def test_rows_carry_article_text_quantity_price_vat_and_account() -> None:
    made = invoice(
        [
            row(),
            row(
                2,
                article_code="KONSULT",
                description="Konsultation",
                quantity=Decimal("1.5"),
                unit_price=Decimal("1000.40"),
                vat_rate=25,
                account_number=3001,
                vat_exemption_text="",
            ),
        ]
    )
    rows = payload(made, articles_in_fortnox={"BESOK", "KONSULT"}).to_wire()["InvoiceRows"]
    assert rows == [
        {
            "ArticleNumber": "BESOK",
            "Description": "Läkarbesök",
            "DeliveredQuantity": "1.00",
            "Price": 850,
            "VAT": 0,
            "AccountNumber": 3004,
        },
        {
            "ArticleNumber": "KONSULT",
            "Description": "Konsultation",
            "DeliveredQuantity": "1.5",
            "Price": 1000.4,
            "VAT": 25,
            "AccountNumber": 3001,
        },
    ]


def test_row_of_an_article_not_in_fortnox_keeps_its_text_and_account_without_the_number() -> None:
    rows = payload(invoice(), articles_in_fortnox=set()).to_wire()["InvoiceRows"]
    assert "ArticleNumber" not in rows[0]
    assert (rows[0]["Description"], rows[0]["AccountNumber"]) == ("Läkarbesök", 3004)


def test_ore_adjustment_row_is_sent_as_a_text_row_on_3740_without_vat() -> None:
    adjustment = row(
        2,
        article_code="",
        description="Öresutjämning",
        unit="",
        quantity=Decimal("1"),
        unit_price=Decimal("-0.75"),
        vat_rate=0,
        account_number=3740,
        net=Decimal("-0.75"),
        vat_exemption_text="",
    )
    made = invoice([row(quantity=Decimal("-1.00"), net=Decimal("-850.00")), adjustment])
    credit = payload(made, original_number=1001)
    assert credit.to_wire()["InvoiceRows"][1] == {
        "Description": "Öresutjämning",
        "DeliveredQuantity": "1",
        "Price": -0.75,
        "VAT": 0,
        "AccountNumber": 3740,
    }
    assert credit.remarks == f"Kreditering av faktura 1001.\n{EXEMPT}"


def test_delivered_quantity_is_always_sent_even_when_zero() -> None:
    rows = payload(invoice([row(quantity=Decimal("0"))])).to_wire()["InvoiceRows"]
    assert rows[0]["DeliveredQuantity"] == "0"


def test_your_reference_is_cut_to_fortnox_50_characters_and_left_out_when_blank() -> None:
    assert len(payload(invoice(your_reference="x" * 80)).your_reference or "") == 50
    assert "YourReference" not in payload(invoice(your_reference="  ")).to_wire()


def test_each_exemption_text_is_printed_once() -> None:
    made = invoice([row(), row(2), row(3, vat_rate=25, vat_exemption_text="")])
    assert payload(made).remarks == EXEMPT


def test_invoice_without_exempt_rows_has_no_remarks() -> None:
    assert "Remarks" not in payload(invoice([row(vat_exemption_text="")])).to_wire()


def test_partial_credit_names_the_original_and_keeps_negative_quantities() -> None:
    made = invoice([row(quantity=Decimal("-1.00"), net=Decimal("-850.00"))], number=1003)
    credit = payload(made, original_number=1001)
    assert credit.remarks == f"Kreditering av faktura 1001.\n{EXEMPT}"
    assert credit.to_wire()["InvoiceRows"][0]["DeliveredQuantity"] == "-1.00"
    assert credit.document_number == "1003"


def test_company_invoice_names_no_patient_or_employee() -> None:
    made = invoice(kind=InvoiceKind.COMPANY, patient_id=None, company_id=9)
    wire = payload(made, customer_number="17").to_wire()
    assert set(wire) <= {
        "CustomerNumber",
        "DocumentNumber",
        "InvoiceDate",
        "DueDate",
        "OCR",
        "ExternalInvoiceReference1",
        "Currency",
        "VATIncluded",
        "Remarks",
        "InvoiceRows",
    }
    assert {key for row in wire["InvoiceRows"] for key in row} <= {
        "ArticleNumber",
        "Description",
        "DeliveredQuantity",
        "Price",
        "VAT",
        "AccountNumber",
    }


def test_invoice_is_ours_only_with_our_reference() -> None:
    found = FortnoxInvoice(document_number="1001", external_invoice_reference1="SGX-3-7")
    assert mapping.is_our_invoice(found, payload(invoice()))
    assert not mapping.is_our_invoice(found, payload(invoice(id=70)))
    assert not mapping.is_our_invoice(FortnoxInvoice(document_number="1001"), payload(invoice()))


# ---- totals ----


def test_equal_totals_show_no_difference() -> None:
    found = FortnoxInvoice(total=Decimal(850), total_vat=Decimal(0), round_off=Decimal(0))
    assert mapping.totals_differences(invoice(), found) == []


def test_each_differing_total_is_named_with_both_amounts() -> None:
    made = invoice(
        total=Decimal("1250.50"),
        vat=Decimal("250.10"),
        rounding=Decimal("0.00"),
    )
    found = FortnoxInvoice(
        total=Decimal(1251), total_vat=Decimal("250.10"), round_off=Decimal("0.5")
    )
    described = [d.describe() for d in mapping.totals_differences(made, found)]
    assert described == [
        "Total är 1 250,50 kr i SGX men 1 251,00 kr i Fortnox",
        "RoundOff är 0,00 kr i SGX men 0,50 kr i Fortnox",
    ]


def test_a_total_missing_in_fortnox_answer_is_a_difference() -> None:
    differences = mapping.totals_differences(invoice(), FortnoxInvoice())
    assert [d.field for d in differences] == ["Total", "TotalVAT", "RoundOff"]
    assert "saknas i Fortnox" in differences[0].describe()


def test_kronor_are_written_the_swedish_way() -> None:
    assert mapping.kronor(Decimal("-12345.5")) == "-12 345,50 kr"


# ---- adopting an invoice found in Fortnox ----


def _found(**fields: object) -> FortnoxInvoice:
    values: dict[str, object] = {
        "customer_number": "SGXP42",
        "external_invoice_reference1": "SGX-3-7",
        "total": Decimal("850.00"),
    }
    values.update(fields)
    return FortnoxInvoice.model_validate(values)


def test_invoice_with_our_reference_customer_and_total_may_be_adopted() -> None:
    made = invoice()
    wanted = payload(made)
    assert mapping.is_our_invoice(_found(), wanted)
    assert mapping.adoption_differences(_found(), wanted, made) == []


def test_invoice_of_another_installation_is_not_ours() -> None:
    wanted = payload(invoice(), installation="K7QD2")
    assert not mapping.is_our_invoice(_found(), wanted)


def test_invoice_with_our_reference_but_another_customer_or_total_is_a_conflict() -> None:
    made = invoice()
    found = _found(customer_number="SGXP7", total=Decimal("1200.00"))
    differences = mapping.adoption_differences(found, payload(made), made)
    assert differences == [
        "kunden är SGXP7 i Fortnox men SGXP42 i SGX",
        "beloppet är 1 200,00 kr i Fortnox men 850,00 kr i SGX",
    ]
