"""HTML pages of invoicing: an issuer's invoices (filtered list, create, view) and crediting one.

The list and an invoice's transfer panel refresh themselves (htmx polling) while a transfer to
Fortnox is on its way, so that the user sees an invoice become "Överförd" without reloading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog import service as catalog
from sgx.errors import AppError, NotFound, ValidationFailed
from sgx.identity.models import IssuerRole
from sgx.identity.principal import Principal
from sgx.identity.web import PagePrincipal
from sgx.invoicing import credits, filters, forms, service
from sgx.invoicing.models import Invoice
from sgx.invoicing.transfer_history import transfer_history
from sgx.issuers.models import Issuer
from sgx.issuers.service import get_issuer
from sgx.kit.clock import today_in_sweden
from sgx.parties import service as parties
from sgx.parties.models import Company, Patient
from sgx.parties.pages import can_write
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.forms import field_messages, submitted
from sgx.web.scope import in_address
from sgx.web.templating import templates

router = APIRouter(include_in_schema=False)

NOTICES = {
    "skapad": "Fakturan har skapats.",
    "krediterad": "Kreditfakturan har skapats.",
    "forsok-igen": "Överföringen till Fortnox görs om nu.",
    "inget-att-gora": "Det fanns inget att försöka igen; fakturan väntar redan på överföring.",
    "osynk-hanterad": "Skillnaden mot Fortnox är markerad som hanterad.",
}
# The event that makes the "Att åtgärda" badge count again (``HX-Trigger`` header).
TRANSFER_CHANGED = "transfer-changed"
# Statuses whose invoice page offers "Försök igen".
RETRYABLE_STATUSES = frozenset({"Fel – åtgärd krävs", "Pausad – ingen anslutning", "Osynk"})
FORMAT = {"kr": forms.kronor, "qty": forms.quantity}


@router.get("/issuers/{issuer_id}/invoices")
async def invoice_list(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    chosen = filters.parse_filter(request.query_params)
    invoices = await filters.filtered_invoices(session, issuer_id=issuer_id, chosen=chosen)
    response = templates.TemplateResponse(
        request,
        "invoicing/list.html",
        {
            **FORMAT,
            "issuer": issuer,
            "invoices": invoices,
            "filter": chosen,
            "values": chosen.values(),
            "status_keys": filters.STATUS_KEYS,
            "payment_keys": filters.PAYMENT_KEYS,
            "names": await service.party_names(session, invoices=invoices),
            "numbers": await _numbers_of_originals(session, invoices),
            "any_pending": any(
                invoice.transfer_status not in filters.FINAL_STATUSES for invoice in invoices
            ),
            "can_write": can_write(principal, issuer_id),
        },
    )
    if request.headers.get("hx-request"):
        response.headers["HX-Trigger"] = TRANSFER_CHANGED  # statuses may have moved
    return response


@router.get("/issuers/{issuer_id}/invoices/new")
async def new_invoice_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER
    )
    values = {"invoice_date": today_in_sweden().isoformat()}
    return await _invoice_form(request, session, principal, issuer, values)


@router.post("/issuers/{issuer_id}/invoices", dependencies=[Depends(verify_csrf)])
async def create_invoice(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER)
    form = await request.form()
    data, errors, slots = forms.invoice_from_form(form)
    if data is not None:
        try:
            invoice = await service.create_invoice(
                session, principal=principal, issuer_id=issuer_id, data=data
            )
        except ValidationFailed as failure:
            errors = forms.to_slots(forms.party_field(field_messages(failure)), slots)
    if errors:
        await session.rollback()  # nothing of a refused form is kept
        issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
        return await _invoice_form(
            request, session, principal, issuer, submitted(form), errors, 422
        )
    await session.commit()
    return RedirectResponse(
        f"/issuers/{issuer_id}/invoices/{invoice.id}?meddelande=skapad", status_code=303
    )


@router.get("/issuers/{issuer_id}/invoices/{invoice_id}")
async def invoice_page(
    request: Request, issuer_id: int, invoice_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    invoice = await _invoice_of(session, principal, issuer_id, invoice_id)
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    credit_invoices = await credits.credits_of(session, invoice_id=invoice.id)
    remaining = await credits.remaining_quantities(session, original=invoice)
    original = await session.get(Invoice, invoice.credit_of_id) if invoice.credit_of_id else None
    return templates.TemplateResponse(
        request,
        "invoicing/view.html",
        {
            **FORMAT,
            **await _party_of(session, invoice),
            **await _transfer_context(session, principal, invoice),
            "issuer": issuer,
            "original": original,
            "credits": credit_invoices,
            "exemption_texts": sorted({row.vat_exemption_text for row in invoice.rows} - {""}),
            "can_credit": can_write(principal, issuer_id)
            and not invoice.is_credit
            and any(left > 0 for left in remaining.values()),
            "notice": NOTICES.get(request.query_params.get("meddelande", "")),
        },
    )


@router.get("/issuers/{issuer_id}/invoices/{invoice_id}/transfer")
async def transfer_fragment(
    request: Request, issuer_id: int, invoice_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    """The invoice page's transfer panel alone, polled by the page while the transfer runs."""
    invoice = await _invoice_of(session, principal, issuer_id, invoice_id)
    context = await _transfer_context(session, principal, invoice)
    response = templates.TemplateResponse(
        request, "invoicing/_transfer.html", {**context, "fragment": True}
    )
    if context["transfer_final"]:
        response.headers["HX-Trigger"] = TRANSFER_CHANGED
    return response


@router.get("/issuers/{issuer_id}/invoices/{invoice_id}/credit")
async def credit_page(
    request: Request, issuer_id: int, invoice_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    invoice = await _invoice_of(session, principal, issuer_id, invoice_id, IssuerRole.INVOICER)
    return await _credit_form(request, session, principal, invoice, values={"mode": "full"})


@router.post(
    "/issuers/{issuer_id}/invoices/{invoice_id}/credit", dependencies=[Depends(verify_csrf)]
)
async def credit_invoice(
    request: Request, issuer_id: int, invoice_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    invoice = await _invoice_of(session, principal, issuer_id, invoice_id, IssuerRole.INVOICER)
    form = await request.form()
    data, errors = forms.credit_from_form(form, invoice)
    if data is not None:
        try:
            credit = await credits.credit_invoice(
                session, principal=principal, invoice_id=invoice.id, data=data
            )
        except ValidationFailed as failure:
            errors = forms.credit_errors_by_row(field_messages(failure), data)
        except AppError as failure:  # already credited, or a credit invoice
            errors = {"mode": failure.message}
    if errors:
        await session.rollback()  # nothing of a refused form is kept
        invoice = await _invoice_of(session, principal, issuer_id, invoice_id)
        return await _credit_form(
            request, session, principal, invoice, submitted(form), errors, 422
        )
    await session.commit()
    return RedirectResponse(
        f"/issuers/{issuer_id}/invoices/{credit.id}?meddelande=krediterad", status_code=303
    )


async def _invoice_of(
    session: AsyncSession,
    principal: Principal,
    issuer_id: int,
    invoice_id: int,
    needed: IssuerRole = IssuerRole.READER,
) -> Invoice:
    """The invoice if it belongs to the issuer in the address (else 404, like any unknown id).

    The address is checked before the role, so an invoice of another issuer is 404 even where
    the caller may read it there.
    """
    invoice = await service.get_invoice(
        session, principal=principal, invoice_id=invoice_id, needed=IssuerRole.READER
    )
    in_address(
        invoice, issuer_id, missing=NotFound("Fakturan finns inte.", code="invoice_not_found")
    )
    principal.require(issuer_id, needed)
    return invoice


async def _transfer_context(
    session: AsyncSession, principal: Principal, invoice: Invoice
) -> dict[str, Any]:
    return {
        "invoice": invoice,
        "history": await transfer_history(
            session, issuer_id=invoice.issuer_id, invoice_id=invoice.id
        ),
        "transfer_final": invoice.transfer_status in filters.FINAL_STATUSES,
        "can_retry": can_write(principal, invoice.issuer_id)
        and invoice.transfer_status in RETRYABLE_STATUSES,
    }


async def _numbers_of_originals(
    session: AsyncSession, invoices: Sequence[Invoice]
) -> dict[int, int]:
    """Invoice numbers by id, of the listed invoices and of the originals their credits name."""
    numbers = {invoice.id: invoice.number for invoice in invoices}
    missing = {invoice.credit_of_id for invoice in invoices} - set(numbers) - {None}
    if missing:
        rows = await session.execute(
            select(Invoice.id, Invoice.number).where(Invoice.id.in_(missing))
        )
        numbers.update({invoice_id: number for invoice_id, number in rows.all()})
    return numbers


async def _party_of(session: AsyncSession, invoice: Invoice) -> dict[str, Any]:
    if invoice.patient_id:
        return {"patient": await session.get(Patient, invoice.patient_id), "company": None}
    return {"patient": None, "company": await session.get(Company, invoice.company_id)}


async def _invoice_form(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    issuer: Issuer,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    patients = await parties.list_patients(
        session, principal=principal, issuer_id=issuer.id, limit=parties.MAX_PAGE
    )
    companies = await parties.list_companies(
        session, principal=principal, issuer_id=issuer.id, limit=parties.MAX_PAGE
    )
    articles = await catalog.list_articles(session, principal=principal, issuer_id=issuer.id)
    return templates.TemplateResponse(
        request,
        "invoicing/new.html",
        {
            "issuer": issuer,
            "patients": patients,
            "companies": companies,
            "articles": [article for article in articles if article.active],
            "slots": range(forms.ROW_SLOTS),
            "due_hint": issuer.payment_terms_days,
            "values": values,
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _credit_form(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    invoice: Invoice,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=invoice.issuer_id)
    return templates.TemplateResponse(
        request,
        "invoicing/credit.html",
        {
            **FORMAT,
            "issuer": issuer,
            "invoice": invoice,
            "remaining": await credits.remaining_quantities(session, original=invoice),
            "values": values,
            "errors": errors or {},
        },
        status_code=status_code,
    )
