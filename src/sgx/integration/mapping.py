"""SGX → Fortnox, pure: the payloads the sync sends, its numbers and references, and checks.

Numbers and references (deterministic, so a retry finds what an earlier attempt created). Each
carries the installation's reference prefix ``<inst>`` (``sgx.integration.installation``: five
letters and digits made once per SGX database, empty for a database that wrote to Fortnox before
installations had one), so that two SGX installations — or a rebuilt database — on one Fortnox
company never take each other's documents for their own:

* a patient's ``CustomerNumber`` is ``SGX<inst>P<patient id>`` (``SGXK7QD2P42``; ``SGXP42``
  with the empty prefix): letters and digits only (Fortnox's 2000106 refuses other characters in
  numbers), far below the field's 1024 characters, and never numeric so it does not move the
  company's own customer number series. The customer's ``ExternalReference`` holds
  ``SGX<inst>-<issuer id>-P<patient id>``: a customer with our number is adopted only when it
  carries our reference;
* an invoice's ``DocumentNumber`` is the SGX invoice number and its ``ExternalInvoiceReference1``
  is ``SGX<inst>-<issuer id>-<invoice id>`` (at most 80 characters): an invoice is ours only when
  it carries our reference, and it is adopted only when its customer and total are SGX's too;
* an article's ``ArticleNumber`` is its SGX code.

What is sent about a patient is name, address, phone and e-mail (``Type`` PRIVATE; the e-mail
also as ``EmailInvoice``, the address Fortnox's own invoice and reminder e-mails go to), the
personnummer only when the issuer has opted in. A patient with skyddad identitet is the name and
SGX's reference only: no address, phone or e-mail. An update clears what SGX no longer holds
with ``null`` (Fortnox ignores ``""``), and Fortnox's answer is checked for what it kept.
Invoice rows carry the articles' neutral texts only. Prices are excluding VAT and every row
carries its quantity, VAT rate and SGX account explicitly. A credit's öresutjämning row has no
article: it goes as a text row ("Öresutjämning", 0 % VAT, 3740), with no ``ArticleNumber``, and
Fortnox totals it like any row.

Every free text goes through ``sendable_text.clean`` (the rule input validation applies too):
line breaks and tabs become spaces, typographic dashes and quotes their plain forms, so Fortnox
never refuses a text SGX accepted (2000359). E-mail addresses go as typed.

Credits: the first credit of an invoice is the credit invoice Fortnox's credit action makes,
changed to SGX's credit (``credit_changes``): SGX's dates, the credit's own SGX reference in
``ExternalInvoiceReference1`` (which tells SGX's credit invoice from one made by hand) and, for a
partial credit, SGX's rows. A later credit of the same invoice is a plain negative invoice
(Fortnox links one credit only); it names the original in ``Remarks`` (printed) and in
``ExternalInvoiceReference2`` (``Kredit av faktura N``, searchable in Fortnox).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from sgx.catalog.models import Article
from sgx.fortnox.schemas import Article as FortnoxArticle
from sgx.fortnox.schemas import Customer, Invoice, InvoiceRow
from sgx.fortnox.wire import WireModel
from sgx.invoicing.models import Invoice as SgxInvoice
from sgx.invoicing.models import InvoiceRow as SgxInvoiceRow
from sgx.kit.sendable_text import clean
from sgx.parties.models import IdentityKind, Patient

REFERENCE_PREFIX = "SGX"
CURRENCY = "SEK"
YOUR_REFERENCE_MAX = 50
REMARKS_MAX = 1024
REFERENCE_MAX = 80
# Identity numbers Fortnox can take as a private customer's OrganisationNumber.
SENDABLE_IDENTITIES = frozenset({IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER})
# The customer fields SGX manages for a patient: sent on every update, blanks as null, so that
# an address removed in SGX (skyddad identitet) or a withdrawn opt-in is removed in Fortnox too.
# Address2 and Phone2 SGX never fills; managing them clears what someone typed there in Fortnox.
PATIENT_FIELDS = (
    "name",
    "type",
    "organisation_number",
    "address1",
    "address2",
    "zip_code",
    "city",
    "phone1",
    "phone2",
    "email",
    "email_invoice",
    "external_reference",
)
# What an invoice in Fortnox carries about where its customer lives and is reached; cleared from
# the unbooked invoices of a patient who gets skyddad identitet.
INVOICE_CONTACT_FIELDS = (
    "address1",
    "address2",
    "zip_code",
    "city",
    "phone1",
    "phone2",
    "email_information.email_address_to",
)


def patient_customer_number(patient_id: int, *, installation: str) -> str:
    return f"{REFERENCE_PREFIX}{installation}P{patient_id}"


def patient_reference(*, installation: str, issuer_id: int, patient_id: int) -> str:
    return f"{REFERENCE_PREFIX}{installation}-{issuer_id}-P{patient_id}"


def invoice_reference(*, installation: str, issuer_id: int, invoice_id: int) -> str:
    return f"{REFERENCE_PREFIX}{installation}-{issuer_id}-{invoice_id}"


def document_number(invoice: SgxInvoice) -> str:
    return str(invoice.number)


def fortnox_identity_number(patient: Patient) -> str:
    """``199007042386`` → ``19900704-2386``: twelve digits keep the century unambiguous."""
    number = patient.personal_identity_number or ""
    return f"{number[:8]}-{number[8:]}" if len(number) == 12 else number


def patient_customer(patient: Patient, *, send_personnummer: bool, installation: str) -> Customer:
    """Everything SGX says about a patient in Fortnox, blanks as ``""`` (see PATIENT_FIELDS)."""
    protected = patient.protected_identity
    email = "" if protected else patient.email.strip()
    sends_identity = (
        send_personnummer
        and patient.identity_kind in SENDABLE_IDENTITIES
        and bool(patient.personal_identity_number)
    )
    return Customer(
        customer_number=patient_customer_number(patient.id, installation=installation),
        name=clean(patient.full_name),
        type="PRIVATE",
        organisation_number=fortnox_identity_number(patient) if sends_identity else "",
        address1="" if protected else clean(patient.address),
        address2="",
        zip_code="" if protected else clean(patient.zip_code),
        city="" if protected else clean(patient.city),
        phone1="" if protected else clean(patient.phone),
        phone2="",
        email=email,
        email_invoice=email,
        external_reference=patient_reference(
            installation=installation, issuer_id=patient.issuer_id, patient_id=patient.id
        ),
    )


def customer_to_create(customer: Customer) -> Customer:
    """A create leaves blanks out: Fortnox's defaults are already blank."""
    filled = {name: value for name, value in customer.model_dump().items() if value != ""}
    return Customer.model_validate(filled)


def customer_changes(customer: Customer) -> Customer:
    """An update sends every managed field that has a value, never the number; the blank ones
    go as ``null`` (``cleared_customer_fields``)."""
    blanks = dict.fromkeys(cleared_customer_fields(customer))
    return customer.model_copy(update={"customer_number": None, **blanks})


def cleared_customer_fields(customer: Customer) -> tuple[str, ...]:
    """The managed fields that must be empty in Fortnox."""
    return tuple(name for name in PATIENT_FIELDS if not (getattr(customer, name) or "").strip())


def unkept_customer_fields(found: Customer, wanted: Customer) -> list[str]:
    """The managed fields Fortnox's answer did not take: still filled where SGX cleared them, or
    empty where SGX filled them. A value Fortnox wrote in its own form is not a difference."""
    return [
        name
        for name in PATIENT_FIELDS
        if bool((getattr(found, name) or "").strip()) != bool((getattr(wanted, name) or "").strip())
    ]


def invoice_has_contact(invoice: Invoice) -> bool:
    """Does a Fortnox invoice say where its customer lives or is reached?"""
    email = invoice.email_information.email_address_to if invoice.email_information else None
    values = [getattr(invoice, name) for name in INVOICE_CONTACT_FIELDS if "." not in name]
    return any((value or "").strip() for value in [*values, email])


def managed_customer_fields(customer: Customer) -> dict[str, str]:
    return {name: getattr(customer, name) or "" for name in PATIENT_FIELDS}


def same_customer_content(found: Customer, wanted: Customer) -> bool:
    """Does Fortnox hold what SGX would send? (Fortnox answers ``null`` for blanks.)"""
    return managed_customer_fields(found) == managed_customer_fields(wanted)


def is_our_customer(found: Customer, wanted: Customer) -> bool:
    return bool(found.external_reference) and found.external_reference == (
        wanted.external_reference
    )


def content_hash(payload: WireModel) -> str:
    """sha256 of the wire form: equal hashes mean there is nothing new to send."""
    text = json.dumps(payload.to_wire(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_payload(article: Article) -> FortnoxArticle:
    return FortnoxArticle(
        article_number=article.code,
        description=clean(article.description),
        type="SERVICE",
        sales_account=article.sales_account_number,
        vat=Decimal(article.vat_rate),
    )


def article_changes(article: FortnoxArticle) -> FortnoxArticle:
    return article.model_copy(update={"article_number": None})


def same_article_content(found: FortnoxArticle, wanted: FortnoxArticle) -> bool:
    fields = ("description", "type", "sales_account", "vat")
    return all(getattr(found, name) == getattr(wanted, name) for name in fields)


def invoice_row(row: SgxInvoiceRow, *, article_in_fortnox: bool) -> InvoiceRow:
    """A row with everything explicit; the article is named only when it exists in Fortnox
    (never for a row without an article, whose code is blank)."""
    return InvoiceRow(
        article_number=row.article_code if article_in_fortnox else None,
        description=clean(row.description),
        delivered_quantity=row.quantity,
        price=row.unit_price,
        vat=Decimal(row.vat_rate),
        account_number=row.account_number,
    )


def remarks(invoice: SgxInvoice, *, original_number: int | None) -> str | None:
    """The credited invoice's number and each VAT exemption statement, printed on the invoice."""
    lines = []
    if original_number is not None:
        lines.append(f"Kreditering av faktura {original_number}.")
    for text in dict.fromkeys(clean(row.vat_exemption_text) for row in invoice.rows):
        if text:
            lines.append(text)
    return "\n".join(lines)[:REMARKS_MAX] or None


def unlinked_credit_reference(original_number: int) -> str:
    return f"Kredit av faktura {original_number}"[:REFERENCE_MAX]


def invoice_rows(invoice: SgxInvoice, *, articles_in_fortnox: set[str]) -> list[InvoiceRow]:
    return [
        invoice_row(row, article_in_fortnox=row.article_code in articles_in_fortnox)
        for row in invoice.rows
    ]


def credit_changes(
    credit: SgxInvoice,
    *,
    original_number: int,
    articles_in_fortnox: set[str] | None,
    installation: str,
) -> Invoice:
    """What SGX changes on the credit invoice Fortnox's credit action made: dates and reference,
    and SGX's rows (``articles_in_fortnox`` given) for a credit of less than the whole invoice."""
    reference = invoice_reference(
        installation=installation, issuer_id=credit.issuer_id, invoice_id=credit.id
    )
    if articles_in_fortnox is None:
        return Invoice(
            invoice_date=credit.invoice_date,
            due_date=credit.due_date,
            external_invoice_reference1=reference,
        )
    return Invoice(
        invoice_date=credit.invoice_date,
        due_date=credit.due_date,
        external_invoice_reference1=reference,
        remarks=remarks(credit, original_number=original_number),
        invoice_rows=invoice_rows(credit, articles_in_fortnox=articles_in_fortnox),
    )


def invoice_payload(
    invoice: SgxInvoice,
    *,
    customer_number: str,
    articles_in_fortnox: set[str],
    installation: str,
    original_number: int | None = None,
) -> Invoice:
    """The invoice (or a later credit, a plain negative invoice) as Fortnox gets it.

    For a company invoice nothing names a patient or an employee: the rows are article texts and
    ``YourReference`` is the customer's own reference.
    """
    return Invoice(
        customer_number=customer_number,
        document_number=document_number(invoice),
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        ocr=invoice.ocr,
        external_invoice_reference1=invoice_reference(
            installation=installation, issuer_id=invoice.issuer_id, invoice_id=invoice.id
        ),
        your_reference=clean(invoice.your_reference)[:YOUR_REFERENCE_MAX] or None,
        currency=CURRENCY,
        vat_included=False,
        remarks=remarks(invoice, original_number=original_number),
        external_invoice_reference2=(
            None if original_number is None else unlinked_credit_reference(original_number)
        ),
        invoice_rows=invoice_rows(invoice, articles_in_fortnox=articles_in_fortnox),
    )


def is_our_invoice(found: Invoice, wanted: Invoice) -> bool:
    """Does the invoice found in Fortnox carry the reference SGX sends (``wanted``)?"""
    reference = (wanted.external_invoice_reference1 or "").strip()
    return bool(reference) and (found.external_invoice_reference1 or "").strip() == reference


def adoption_differences(found: Invoice, wanted: Invoice, invoice: SgxInvoice) -> list[str]:
    """Why an invoice carrying our reference still cannot be ours: another customer or another
    total (in Swedish, for the person who must look). Empty when it may be adopted."""
    differences = []
    if (found.customer_number or "") != (wanted.customer_number or ""):
        differences.append(
            f"kunden är {found.customer_number or 'okänd'} i Fortnox men "
            f"{wanted.customer_number} i SGX"
        )
    if found.total is None or Decimal(found.total) != Decimal(invoice.total):
        theirs = "saknas" if found.total is None else kronor(found.total)
        differences.append(f"beloppet är {theirs} i Fortnox men {kronor(invoice.total)} i SGX")
    return differences


@dataclass(frozen=True)
class TotalDifference:
    field: str  # Fortnox's name: Total, TotalVAT, RoundOff
    sgx: Decimal
    fortnox: Decimal | None

    def describe(self) -> str:
        theirs = "saknas" if self.fortnox is None else kronor(self.fortnox)
        return f"{self.field} är {kronor(self.sgx)} i SGX men {theirs} i Fortnox"


def kronor(amount: Decimal) -> str:
    """``Decimal("-1250.5")`` → ``-1 250,50 kr``."""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} kr"


def totals_differences(invoice: SgxInvoice, found: Invoice) -> list[TotalDifference]:
    """Where Fortnox's totals differ from SGX's (empty when they agree)."""
    pairs = [
        ("Total", invoice.total, found.total),
        ("TotalVAT", invoice.vat, found.total_vat),
        ("RoundOff", invoice.rounding, found.round_off),
    ]
    return [
        TotalDifference(name, ours, theirs)
        for name, ours, theirs in pairs
        if theirs is None or Decimal(ours) != Decimal(theirs)
    ]
