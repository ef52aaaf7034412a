"""The article pages: the list with the chart of accounts, and the form."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Article
from sgx.identity.models import IssuerRole
from tests.builders.catalog import EXEMPT_TEXT, make_accounts, make_article
from tests.builders.identity import bearer, make_api_token, make_issuer, make_user
from tests.sgx.identity.pages import csrf_from


async def invoicer_headers(session: AsyncSession, issuer_id: int) -> dict[str, str]:
    user = await make_user(session, roles={issuer_id: IssuerRole.INVOICER})
    headers = bearer(await make_api_token(session, user=user))
    await session.commit()
    return headers


async def test_article_list_shows_articles_and_the_accounts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    await make_article(session, issuer_id=issuer.id, code="BESOK", unit_price="850")
    headers = await invoicer_headers(session, issuer.id)

    response = await client.get(f"/issuers/{issuer.id}/articles", headers=headers)

    assert response.status_code == 200
    assert "BESOK" in response.text and "850,00 kr/st" in response.text
    assert EXEMPT_TEXT in response.text
    assert "Öres- och kronutjämning" in response.text


async def test_invoicer_adds_an_article_with_a_decimal_comma_price(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    await make_accounts(session, issuer_id=issuer.id)
    headers = await invoicer_headers(session, issuer.id)
    form_page = await client.get(f"/issuers/{issuer.id}/articles/new", headers=headers)
    assert "3004 Försäljning inom Sverige, momsfri" in form_page.text

    response = await client.post(
        f"/issuers/{issuer.id}/articles",
        data={
            "csrf_token": csrf_from(form_page.text),
            "code": "ERGO",
            "description": "Ergonomisk rådgivning",
            "unit_price": "1 250,50",
            "unit": "tim",
            "vat_rate": "25",
            "sales_account_number": "3001",
        },
        headers=headers,
    )

    assert response.status_code == 303, response.text
    article = await session.scalar(select(Article))
    assert article is not None
    assert (str(article.unit_price), article.vat_rate, article.unit) == ("1250.50", 25, "tim")


async def test_article_with_an_unreadable_price_is_refused_in_swedish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer = await make_issuer(session)
    await make_accounts(session, issuer_id=issuer.id)
    headers = await invoicer_headers(session, issuer.id)
    form_page = await client.get(f"/issuers/{issuer.id}/articles/new", headers=headers)

    response = await client.post(
        f"/issuers/{issuer.id}/articles",
        data={
            "csrf_token": csrf_from(form_page.text),
            "code": "BESOK",
            "description": "Läkarbesök",
            "unit_price": "abc",
            "vat_rate": "0",
            "sales_account_number": "3004",
        },
        headers=headers,
    )

    assert response.status_code == 422
    assert "Ange ett tal" in response.text
    assert await session.scalar(select(func.count()).select_from(Article)) == 0
