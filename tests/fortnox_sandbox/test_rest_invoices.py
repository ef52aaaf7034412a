"""Creating invoices: defaults, numbering, value quirks, and what makes Fortnox refuse one."""

from __future__ import annotations

import httpx

from fortnox_sandbox import inside
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import (
    create_article,
    create_customer,
    create_invoice,
    error_of,
    post_invoice,
    row,
)


async def test_new_invoice_copies_the_customer_and_company_defaults(
    fortnox: httpx.AsyncClient,
) -> None:
    customer = await create_customer(
        fortnox,
        Name="Verkstaden AB",
        Address1="Industrivägen 2",
        ZipCode="123 45",
        City="Ås",
        OrganisationNumber="556123-4567",
        EmailInvoice="faktura@verkstaden.se",
    )

    response = await fortnox.post(
        "/3/invoices", json={"Invoice": {"CustomerNumber": customer["CustomerNumber"]}}
    )

    assert response.status_code == 201
    invoice = response.json()["Invoice"]
    assert (invoice["CustomerName"], invoice["Address1"], invoice["City"]) == (
        "Verkstaden AB",
        "Industrivägen 2",
        "Ås",
    )
    assert invoice["OrganisationNumber"] == "556123-4567"
    assert invoice["EmailInformation"]["EmailAddressTo"] == "faktura@verkstaden.se"
    assert invoice["EmailInformation"]["EmailSubject"] == "Faktura {no} bifogas"
    assert (invoice["InvoiceDate"], invoice["DueDate"]) == ("2026-03-10", "2026-04-09")
    assert (invoice["TermsOfPayment"], invoice["PriceList"], invoice["Currency"]) == (
        "30",
        "A",
        "SEK",
    )
    assert (invoice["Language"], invoice["InvoiceType"], invoice["PrintTemplate"]) == (
        "SV",
        "INVOICE",
        "st",
    )


async def test_new_invoice_shows_fortnox_value_quirks(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    assert invoice["Credit"] == "false"
    assert invoice["CreditInvoiceReference"] == "0"
    assert invoice["InvoiceReference"] == "0"
    assert invoice["OrderReference"] == "0"
    assert invoice["DocumentNumber"] == "1"
    assert invoice["InvoiceRows"][0]["DeliveredQuantity"] == "1"
    assert (invoice["FinalPayDate"], invoice["DeliveryDate"], invoice["LastRemindDate"]) == (
        None,
        None,
        None,
    )
    assert (invoice["Booked"], invoice["Cancelled"], invoice["Sent"]) == (False, False, False)
    assert (invoice["VoucherNumber"], invoice["VoucherSeries"]) == (None, None)
    assert invoice["@url"] == "http://fortnox.test/3/invoices/1"


async def test_invoice_date_and_terms_from_the_caller_set_the_due_date(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox, InvoiceDate="2026-02-01", TermsOfPayment="10")

    assert invoice["DueDate"] == "2026-02-11"


async def test_customer_terms_of_payment_win_over_the_company_default(
    fortnox: httpx.AsyncClient,
) -> None:
    customer = await create_customer(fortnox, TermsOfPayment="15")

    invoice = await create_invoice(fortnox, CustomerNumber=customer["CustomerNumber"])

    assert (invoice["TermsOfPayment"], invoice["DueDate"]) == ("15", "2026-03-25")


async def test_unknown_terms_of_payment_are_refused(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, TermsOfPayment="99")

    assert error_of(response) == (400, 2000429)


async def test_delivered_quantity_defaults_to_zero_so_the_row_totals_zero(
    fortnox: httpx.AsyncClient,
) -> None:
    article = await create_article(fortnox, Description="Hammer")

    invoice = await create_invoice(
        fortnox, InvoiceRows=[{"ArticleNumber": article["ArticleNumber"], "Price": 10.0}]
    )

    line = invoice["InvoiceRows"][0]
    assert line["DeliveredQuantity"] == "0"
    assert (line["Total"], invoice["Total"]) == (0, 0)
    assert (line["Description"], line["AccountNumber"]) == ("Hammer", 3001)


async def test_row_account_defaults_to_the_predefined_account_for_its_vat(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(vat=0), row(vat=12), row(vat=None)])

    accounts = [(r["AccountNumber"], r["VAT"]) for r in invoice["InvoiceRows"]]
    assert accounts == [(3004, 0), (3002, 12), (3001, 25)]


async def test_row_vat_defaults_from_the_account(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox, InvoiceRows=[row(vat=None, AccountNumber=3004)])

    assert invoice["InvoiceRows"][0]["VAT"] == 0


async def test_document_number_follows_the_series_or_the_caller(
    fortnox: httpx.AsyncClient,
) -> None:
    first = await create_invoice(fortnox)
    chosen = await create_invoice(fortnox, DocumentNumber="500")
    following = await create_invoice(fortnox)

    assert (first["DocumentNumber"], chosen["DocumentNumber"]) == ("1", "500")
    assert following["DocumentNumber"] == "2"


async def test_document_number_in_use_is_refused(fortnox: httpx.AsyncClient) -> None:
    await create_invoice(fortnox, DocumentNumber="500")

    response = await post_invoice(fortnox, DocumentNumber="500")

    assert error_of(response) == (400, 2000588)
    listed = (await fortnox.get("/3/invoices")).json()
    assert listed["MetaInformation"]["@TotalResources"] == 1


async def test_unknown_customer_is_refused_with_2000433(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, CustomerNumber="404")

    assert error_of(response) == (400, 2000433)


async def test_customer_number_is_required(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/invoices", json={"Invoice": {"InvoiceRows": [row()]}})

    assert error_of(response) == (400, 2000433)


async def test_unknown_article_on_a_row_is_refused_with_2000428(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(ArticleNumber="X99")])

    assert error_of(response) == (400, 2000428)


async def test_row_account_missing_from_the_chart_is_2001304(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(AccountNumber=3999)])

    assert response.status_code == 400
    assert response.json()["ErrorInformation"] == {
        "error": 1,
        "message": "Kunde inte hitta konto",
        "code": 2001304,
    }


async def test_inactive_row_account_is_2000550(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    inside.deactivate_account(sandbox_backend, company.tenant_id, 3004)

    response = await post_invoice(fortnox, InvoiceRows=[row(AccountNumber=3004, vat=0)])

    assert error_of(response) == (400, 2000550)
    assert '"3004"' in response.json()["ErrorInformation"]["message"]


async def test_accounts_are_checked_in_the_invoice_dates_financial_year(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    inside.deactivate_account(sandbox_backend, company.tenant_id, 3004, financial_year=1)
    rows = [row(AccountNumber=3004, vat=0)]

    last_year = await post_invoice(fortnox, InvoiceDate="2025-12-30", InvoiceRows=rows)
    this_year = await post_invoice(fortnox, InvoiceDate="2026-01-02", InvoiceRows=rows)

    assert error_of(last_year) == (400, 2000550)
    assert this_year.status_code == 201


async def test_invoice_date_without_a_financial_year_is_refused(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await post_invoice(fortnox, InvoiceDate="2024-06-01")

    assert error_of(response) == (400, 2000588)


async def test_unknown_field_is_2001399(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, Foo="bar")

    assert error_of(response) == (400, 2001399)


async def test_computed_fields_cannot_be_written(fortnox: httpx.AsyncClient) -> None:
    for field, value in (("Total", 100), ("Booked", True), ("Balance", 0), ("@url", "x")):
        response = await post_invoice(fortnox, **{field: value})

        assert error_of(response) == (400, 2001399), field


async def test_unknown_row_field_is_2001399(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(Total=100)])

    assert error_of(response) == (400, 2001399)


async def test_external_reference_longer_than_80_is_2000107(fortnox: httpx.AsyncClient) -> None:
    ok = await post_invoice(fortnox, ExternalInvoiceReference1="x" * 80)
    too_long = await post_invoice(fortnox, ExternalInvoiceReference1="x" * 81)

    assert ok.status_code == 201
    assert error_of(too_long) == (400, 2000107)


async def test_invoice_type_outside_the_enum_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, InvoiceType="PROFORMA")

    assert error_of(response) == (400, 2000588)


async def test_non_numeric_quantity_is_2000108(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(quantity="två")])

    assert error_of(response) == (400, 2000108)


async def test_vat_rate_that_does_not_exist_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(vat=18)])

    assert error_of(response) == (400, 2000588)


async def test_billable_row_without_text_or_article_is_refused(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await post_invoice(fortnox, InvoiceRows=[row(description="")])

    assert error_of(response) == (400, 2003977)


async def test_rows_as_a_non_list_is_2001392(fortnox: httpx.AsyncClient) -> None:
    response = await post_invoice(fortnox, InvoiceRows={"Price": 1})

    assert error_of(response) == (400, 2001392)


async def test_unknown_invoice_is_404_2000434(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/invoices/77")

    assert response.status_code == 404
    assert response.json()["ErrorInformation"] == {
        "Error": 1,
        "Message": "Kan inte hitta fakturan.",
        "Code": 2000434,
    }


async def test_there_is_no_delete_for_invoices(fortnox: httpx.AsyncClient) -> None:
    invoice = await create_invoice(fortnox)

    response = await fortnox.delete(f"/3/invoices/{invoice['DocumentNumber']}")

    assert response.status_code == 405
    assert (await fortnox.get(f"/3/invoices/{invoice['DocumentNumber']}")).status_code == 200


async def test_numbers_and_booleans_sent_as_strings_are_accepted(
    fortnox: httpx.AsyncClient,
) -> None:
    invoice = await create_invoice(
        fortnox, VATIncluded="false", InvoiceRows=[row(price="200.50", quantity=2, vat=25)]
    )

    assert invoice["Net"] == 401
    assert invoice["VATIncluded"] is False


async def test_customer_outside_swedish_vat_gets_rows_without_vat(
    fortnox: httpx.AsyncClient,
) -> None:
    customer = await create_customer(fortnox, VATType="EUREVERSEDVAT", CountryCode="DE")

    invoice = await create_invoice(
        fortnox, CustomerNumber=customer["CustomerNumber"], InvoiceRows=[row(vat=None)]
    )

    assert invoice["InvoiceRows"][0]["VAT"] == 0
    assert invoice["Country"] == "Tyskland"
