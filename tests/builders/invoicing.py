"""Builders for invoices and credits, made through the service as the app makes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.invoicing import credits, service
from sgx.invoicing.models import Invoice
from sgx.invoicing.schemas import CreditCreate, CreditRowIn, InvoiceCreate, InvoiceRowIn
from sgx.issuers.models import Issuer
from sgx.parties.models import Company, Patient
from tests.builders.catalog import make_article
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user
from tests.builders.parties import PERSONNUMMER, make_company, make_patient


async def invoicer(session: AsyncSession, *, issuer_id: int) -> Principal:
    """A user with the role Fakturerare on the issuer, as a principal."""
    user = await make_user(session, roles={issuer_id: IssuerRole.INVOICER})
    return Principal(
        user_id=user.id, username=user.username, roles={issuer_id: IssuerRole.INVOICER}
    )


async def make_invoice(
    session: AsyncSession,
    *,
    issuer_id: int,
    rows: list[tuple[str, Decimal | str]],
    patient_id: int | None = None,
    company_id: int | None = None,
    invoice_date: dt.date = dt.date(2025, 3, 14),
) -> Invoice:
    """An invoice of (article code, quantity) rows to a patient or a company."""
    principal = await invoicer(session, issuer_id=issuer_id)
    return await service.create_invoice(
        session,
        principal=principal,
        issuer_id=issuer_id,
        data=InvoiceCreate(
            patient_id=patient_id,
            company_id=company_id,
            invoice_date=invoice_date,
            rows=[
                InvoiceRowIn(article_code=code, quantity=Decimal(quantity))
                for code, quantity in rows
            ],
        ),
    )


async def make_credit(
    session: AsyncSession,
    *,
    invoice: Invoice,
    rows: list[tuple[int, Decimal | str]] | None = None,
    reason: str = "",
) -> Invoice:
    """A full credit, or a partial one of (original row id, quantity) pairs."""
    principal = await invoicer(session, issuer_id=invoice.issuer_id)
    return await credits.credit_invoice(
        session,
        principal=principal,
        invoice_id=invoice.id,
        data=CreditCreate(
            rows=None
            if rows is None
            else [CreditRowIn(row_id=row_id, quantity=Decimal(q)) for row_id, q in rows],
            reason=reason,
        ),
    )


@dataclass
class Clinic:
    """An issuer with BAS accounts, one article per VAT rate, a patient, a company and the
    bearer headers of a Fakturerare."""

    issuer: Issuer
    patient: Patient
    company: Company
    headers: dict[str, str]


# Article codes of a clinic: rate → code.
ARTICLE_BY_RATE = {25: "KONSULT", 12: "MAT", 6: "BOK", 0: "BESOK"}


async def make_clinic(session: AsyncSession, **issuer_fields: object) -> Clinic:
    issuer = await make_issuer(session, **issuer_fields)
    prices = {25: "1000.40", 12: "100.00", 6: "99.99", 0: "850.00"}
    for rate, code in ARTICLE_BY_RATE.items():
        await make_article(
            session, issuer_id=issuer.id, code=code, vat_rate=rate, unit_price=prices[rate]
        )
    patient = await make_patient(
        session, issuer_id=issuer.id, personal_identity_number=PERSONNUMMER[0]
    )
    company = await make_company(session, issuer_id=issuer.id)
    user = await make_user(session, roles={issuer.id: IssuerRole.INVOICER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    return Clinic(issuer=issuer, patient=patient, company=company, headers=headers)
