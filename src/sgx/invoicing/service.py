"""Rules of invoices: who may see them, creating one from articles, issuing it with a number.

Everything is validated before the issuer row is locked for the number, so a refused invoice
stores nothing and holds no lock. Never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Article
from sgx.catalog.service import articles_by_code, money_errors
from sgx.errors import FieldError, NotFound, raise_if_any
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.invoicing.amounts import Totals, row_net, totals_for, vat_lines_for
from sgx.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceRow,
    InvoiceVatLine,
    TransferStatus,
)
from sgx.invoicing.numbering import allocate_invoice_number, lock_issuer
from sgx.invoicing.ocr import ocr_reference
from sgx.invoicing.schemas import InvoiceCreate, InvoiceRowIn
from sgx.invoicing.transfer_queue import announce_transfer
from sgx.issuers.service import get_issuer
from sgx.kit.clock import today_in_sweden
from sgx.kit.sendable_text import character_errors
from sgx.parties.models import Company, Patient
from sgx.parties.service import MAX_PAGE

MAX_QUANTITY = Decimal("9999999.99")


@dataclass(frozen=True)
class Party:
    kind: InvoiceKind
    patient_id: int | None = None
    company_id: int | None = None


def _invoice_missing() -> NotFound:
    return NotFound("Fakturan finns inte.", code="invoice_not_found")


async def get_invoice(
    session: AsyncSession,
    *,
    principal: Principal,
    invoice_id: int,
    needed: IssuerRole = IssuerRole.READER,
) -> Invoice:
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None:
        raise _invoice_missing()
    principal.require_object(invoice.issuer_id, needed, missing=_invoice_missing())
    return invoice


async def list_invoices(
    session: AsyncSession,
    *,
    principal: Principal,
    issuer_id: int,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Invoice]:
    await get_issuer(session, principal=principal, issuer_id=issuer_id)
    query = (
        select(Invoice)
        .where(Invoice.issuer_id == issuer_id)
        .order_by(Invoice.number.desc())
        .limit(min(limit, MAX_PAGE))
        .offset(offset)
    )
    return (await session.scalars(query)).all()


async def create_invoice(
    session: AsyncSession,
    *,
    principal: Principal,
    issuer_id: int,
    data: InvoiceCreate,
    today: dt.date | None = None,
) -> Invoice:
    issuer = await get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER
    )
    errors = character_errors(data.model_dump(), ("your_reference",))
    party = await _party(session, issuer_id=issuer_id, data=data, errors=errors)
    articles = await articles_by_code(
        session, issuer_id=issuer_id, codes=[row.article_code for row in data.rows]
    )
    rows = [_row(index, row, articles, errors) for index, row in enumerate(data.rows)]
    invoice_date = data.invoice_date or today or today_in_sweden()
    due_date = data.due_date or invoice_date + dt.timedelta(days=issuer.payment_terms_days)
    if due_date < invoice_date:
        errors.append(
            FieldError("due_date", "before_invoice_date", "Förfallodagen är före fakturadatum.")
        )
    raise_if_any(errors)
    assert party is not None
    valid_rows = [row for row in rows if row is not None]
    return await issue_invoice(
        session,
        issuer_id=issuer_id,
        party=party,
        rows=valid_rows,
        totals=totals_for(
            vat_lines_for((row.vat_rate, row.net) for row in valid_rows),
            whole_krona=issuer.whole_krona_rounding,
        ),
        invoice_date=invoice_date,
        due_date=due_date,
        your_reference=data.your_reference,
        created_by_user_id=principal.user_id,
    )


async def issue_invoice(
    session: AsyncSession,
    *,
    issuer_id: int,
    party: Party,
    rows: list[InvoiceRow],
    totals: Totals,
    invoice_date: dt.date,
    due_date: dt.date,
    your_reference: str = "",
    created_by_user_id: int | None = None,
    credit_of_id: int | None = None,
    credit_reason: str = "",
    full_credit: bool = False,
) -> Invoice:
    """Number a validated invoice (or credit), add it and its transfer job in this transaction.

    Locks the issuer until commit.
    """
    issuer = await lock_issuer(session, issuer_id=issuer_id)
    number = await allocate_invoice_number(session, issuer=issuer)
    invoice = Invoice(
        issuer_id=issuer_id,
        number=number,
        kind=party.kind,
        patient_id=party.patient_id,
        company_id=party.company_id,
        invoice_date=invoice_date,
        due_date=due_date,
        your_reference=your_reference,
        ocr=ocr_reference(number),
        net=totals.net,
        vat=totals.vat,
        rounding=totals.rounding,
        total=totals.total,
        credit_of_id=credit_of_id,
        credit_reason=credit_reason,
        created_by_user_id=created_by_user_id,
        transfer_status=TransferStatus.NOT_ACTIVATED.value,
        rows=rows,
        vat_lines=[
            InvoiceVatLine(rate=line.rate, base=line.base, vat=line.vat)
            for line in totals.vat_lines
        ],
    )
    session.add(invoice)
    await session.flush()
    await announce_transfer(
        session,
        invoice=invoice,
        integration_enabled=issuer.fortnox_integration_enabled,
        full_credit=full_credit,
        go_live_date=issuer.fortnox_go_live_date,
    )
    return invoice


async def _party(
    session: AsyncSession, *, issuer_id: int, data: InvoiceCreate, errors: list[FieldError]
) -> Party | None:
    if (data.patient_id is None) == (data.company_id is None):
        errors.append(
            FieldError(
                "patient_id", "one_party_required", "Ange antingen en patient eller ett företag."
            )
        )
        return None
    if data.patient_id is not None:
        patient = await session.get(Patient, data.patient_id)
        if patient is None or patient.issuer_id != issuer_id:
            errors.append(FieldError("patient_id", "unknown_patient", "Patienten finns inte."))
            return None
        return Party(kind=InvoiceKind.PATIENT, patient_id=patient.id)
    company = await session.get(Company, data.company_id)
    if company is None or company.issuer_id != issuer_id:
        errors.append(FieldError("company_id", "unknown_company", "Företaget finns inte."))
        return None
    return Party(kind=InvoiceKind.COMPANY, company_id=company.id)


def _row(
    index: int, data: InvoiceRowIn, articles: dict[str, Article], errors: list[FieldError]
) -> InvoiceRow | None:
    prefix = f"rows.{index}"
    article = articles.get(data.article_code)
    found = quantity_errors(data.quantity, f"{prefix}.quantity")
    found += character_errors(
        {f"{prefix}.description": data.description}, (f"{prefix}.description",)
    )
    if data.unit_price is not None:
        found += money_errors(data.unit_price, f"{prefix}.unit_price", allow_negative=False)
    if article is None or not article.active:
        found.append(
            FieldError(
                f"{prefix}.article_code",
                "unknown_article" if article is None else "inactive_article",
                f"Artikeln {data.article_code} finns inte."
                if article is None
                else f"Artikeln {data.article_code} är inaktiverad.",
            )
        )
    errors.extend(found)
    if found or article is None:
        return None
    unit_price = article.unit_price if data.unit_price is None else data.unit_price
    return InvoiceRow(
        position=index + 1,
        article_id=article.id,
        article_code=article.code,
        description=data.description or article.description,
        unit=article.unit,
        quantity=data.quantity,
        unit_price=unit_price,
        vat_rate=article.vat_rate,
        account_number=article.sales_account_number,
        net=row_net(data.quantity, unit_price),
        vat_exemption_text=article.vat_exemption_text,
    )


def quantity_errors(value: Decimal, field: str) -> list[FieldError]:
    if not value.is_finite() or not Decimal(0) < value <= MAX_QUANTITY:
        return [FieldError(field, "out_of_range", "Antalet ska vara större än noll.")]
    if value != value.quantize(Decimal("0.01")):
        return [FieldError(field, "too_many_decimals", "Ange antalet med högst två decimaler.")]
    return []


async def party_names(session: AsyncSession, *, invoices: Sequence[Invoice]) -> dict[int, str]:
    """The customer's name per invoice id, for lists."""
    patient_ids = {invoice.patient_id for invoice in invoices if invoice.patient_id}
    company_ids = {invoice.company_id for invoice in invoices if invoice.company_id}
    patients = {
        patient.id: patient.full_name
        for patient in (
            await session.scalars(select(Patient).where(Patient.id.in_(patient_ids)))
        ).all()
    }
    companies = {
        company.id: company.name
        for company in (
            await session.scalars(select(Company).where(Company.id.in_(company_ids)))
        ).all()
    }
    return {
        invoice.id: patients.get(invoice.patient_id or 0)
        or companies.get(invoice.company_id or 0)
        or ""
        for invoice in invoices
    }
