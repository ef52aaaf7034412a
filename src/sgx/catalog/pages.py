"""HTML pages of the catalog: an issuer's articles (list, create) and its accounts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from sgx.catalog import service
from sgx.catalog.schemas import ArticleCreate
from sgx.errors import ValidationFailed
from sgx.identity.models import IssuerRole
from sgx.identity.web import PagePrincipal
from sgx.issuers.models import Issuer
from sgx.issuers.service import get_issuer
from sgx.parties.pages import can_write
from sgx.web import forms
from sgx.web.csrf import verify_csrf
from sgx.web.deps import DbSession
from sgx.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/issuers/{issuer_id}/articles")
async def article_list(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
    articles = await service.list_articles(session, principal=principal, issuer_id=issuer_id)
    accounts = await service.list_accounts(session, principal=principal, issuer_id=issuer_id)
    return templates.TemplateResponse(
        request,
        "catalog/articles.html",
        {
            "issuer": issuer,
            "articles": articles,
            "accounts": accounts,
            "can_write": can_write(principal, issuer_id),
            "notice": "Artikeln har lagts till."
            if request.query_params.get("meddelande") == "artikel"
            else None,
        },
    )


@router.get("/issuers/{issuer_id}/articles/new")
async def new_article_page(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    issuer = await get_issuer(
        session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER
    )
    return await _form(request, session, issuer, values={"unit": "st", "vat_rate": "0"})


@router.post("/issuers/{issuer_id}/articles", dependencies=[Depends(verify_csrf)])
async def create_article(
    request: Request, issuer_id: int, session: DbSession, principal: PagePrincipal
) -> Response:
    await get_issuer(session, principal=principal, issuer_id=issuer_id, needed=IssuerRole.INVOICER)
    form = await request.form()
    data, errors = _article_from_form(form)
    if data is not None:
        try:
            await service.create_article(
                session, principal=principal, issuer_id=issuer_id, data=data
            )
        except ValidationFailed as failure:
            errors = forms.field_messages(failure)
    if errors:
        await session.rollback()  # nothing of a refused form is kept
        issuer = await get_issuer(session, principal=principal, issuer_id=issuer_id)
        return await _form(request, session, issuer, forms.submitted(form), errors, 422)
    await session.commit()
    return RedirectResponse(f"/issuers/{issuer_id}/articles?meddelande=artikel", status_code=303)


def _article_from_form(form: FormData) -> tuple[ArticleCreate | None, forms.Errors]:
    errors: forms.Errors = {}
    values: dict[str, Any] = {
        name: forms.text(form, name)
        for name in (
            "code",
            "description",
            "unit",
            "vat_rate",
            "sales_account_number",
            "vat_exemption_text",
        )
    }
    values["unit_price"] = forms.decimal(form, "unit_price", errors)
    if errors:
        return None, errors
    return forms.build(ArticleCreate, values, errors), errors


async def _form(
    request: Request,
    session: DbSession,
    issuer: Issuer,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    accounts = [
        account
        for account in await service.list_sales_accounts(session, issuer_id=issuer.id)
        if account.active
    ]
    return templates.TemplateResponse(
        request,
        "catalog/article_new.html",
        {
            "issuer": issuer,
            "accounts": accounts,
            "vat_rates": service.VAT_RATES,
            "values": values,
            "errors": errors or {},
        },
        status_code=status_code,
    )
