"""Reading, in one short session, everything a transfer needs about an invoice.

The objects come back loaded (rows and VAT lines eagerly) and detached from their session, to
be read while Fortnox is called; nothing is written through them. An invoice's transfer also
reads, in the same session, what SGX remembers of its customer and articles in Fortnox (the
links), so that the steady state costs one short session before the Fortnox call, not three.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Article
from sgx.integration.handlers.common import tenant_of
from sgx.integration.installation import reference_prefix
from sgx.integration.jobs import JobContext
from sgx.integration.links import FortnoxLink, LinkKind, find_links_by_kind
from sgx.invoicing.models import Invoice
from sgx.issuers.models import Issuer
from sgx.parties.models import Company, Patient


@dataclass
class InvoiceSnapshot:
    invoice: Invoice
    issuer: Issuer
    patient: Patient | None
    company: Company | None
    articles: list[Article]  # the rows' articles that still exist in SGX
    # The installation's reference prefix (``sgx.integration.installation``).
    installation: str = ""
    original: Invoice | None = None  # the credited invoice, for a credit
    other_credits: list[Invoice] = field(default_factory=list)  # the original's other credits
    # Kind → SGX id → link of the party and the articles, when read with the invoice (``None``:
    # not read; whoever needs them reads them).
    links: dict[LinkKind, dict[int, FortnoxLink]] | None = None

    def known_links(self, kind: LinkKind) -> dict[int, FortnoxLink] | None:
        return None if self.links is None else self.links.get(kind, {})


async def load_invoice(
    ctx: JobContext, invoice_id: int, *, with_links: bool = False
) -> InvoiceSnapshot | None:
    async with ctx.session_factory() as session:
        invoice = await session.get(Invoice, invoice_id)
        if invoice is None or invoice.issuer_id != ctx.issuer_id:
            return None
        snapshot = await _snapshot(session, invoice)
        snapshot.installation = await reference_prefix(session)
        if with_links:
            snapshot.links = await find_links_by_kind(
                session,
                issuer_id=ctx.issuer_id,
                tenant_id=tenant_of(ctx),
                wanted=_link_subjects(snapshot),
            )
        await session.commit()
    return snapshot


def _link_subjects(snapshot: InvoiceSnapshot) -> dict[LinkKind, list[int]]:
    wanted = {LinkKind.ARTICLE: [article.id for article in snapshot.articles]}
    if snapshot.patient is not None:
        wanted[LinkKind.PATIENT] = [snapshot.patient.id]
    if snapshot.company is not None:
        wanted[LinkKind.COMPANY] = [snapshot.company.id]
    return wanted


async def _snapshot(session: AsyncSession, invoice: Invoice) -> InvoiceSnapshot:
    issuer = await session.get(Issuer, invoice.issuer_id)
    assert issuer is not None  # a foreign key
    article_ids = {row.article_id for row in invoice.rows if row.article_id is not None}
    articles = (
        list((await session.scalars(select(Article).where(Article.id.in_(article_ids)))).all())
        if article_ids
        else []
    )
    snapshot = InvoiceSnapshot(
        invoice=invoice,
        issuer=issuer,
        patient=await session.get(Patient, invoice.patient_id) if invoice.patient_id else None,
        company=await session.get(Company, invoice.company_id) if invoice.company_id else None,
        articles=sorted(articles, key=lambda article: article.code),
    )
    if invoice.credit_of_id is not None:
        snapshot.original = await session.get(Invoice, invoice.credit_of_id)
        query = select(Invoice).where(
            Invoice.credit_of_id == invoice.credit_of_id, Invoice.id != invoice.id
        )
        snapshot.other_credits = list((await session.scalars(query)).all())
    return snapshot


@dataclass
class PatientSnapshot:
    patient: Patient
    issuer: Issuer
    installation: str  # the reference prefix, as on ``InvoiceSnapshot``


async def load_patient(ctx: JobContext, patient_id: int) -> PatientSnapshot | None:
    async with ctx.session_factory() as session:
        patient = await session.get(Patient, patient_id)
        if patient is None or patient.issuer_id != ctx.issuer_id:
            return None
        issuer = await session.get(Issuer, patient.issuer_id)
        assert issuer is not None
        installation = await reference_prefix(session)
        await session.commit()
    return PatientSnapshot(patient, issuer, installation)
