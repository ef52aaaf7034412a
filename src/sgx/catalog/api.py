"""JSON API routes of the catalog (under /api/v1): an issuer's articles and accounts."""

from __future__ import annotations

from fastapi import APIRouter

from sgx.catalog import service
from sgx.catalog.schemas import AccountOut, ArticleCreate, ArticleOut
from sgx.web.deps import CurrentPrincipal, DbSession

router = APIRouter(tags=["Artiklar och konton"])


@router.post("/issuers/{issuer_id}/articles", response_model=ArticleOut, status_code=201)
async def create_article(
    issuer_id: int, body: ArticleCreate, session: DbSession, principal: CurrentPrincipal
) -> ArticleOut:
    article = await service.create_article(
        session, principal=principal, issuer_id=issuer_id, data=body
    )
    await session.commit()
    return ArticleOut.model_validate(article)


@router.get("/issuers/{issuer_id}/articles", response_model=list[ArticleOut])
async def list_articles(
    issuer_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[ArticleOut]:
    articles = await service.list_articles(session, principal=principal, issuer_id=issuer_id)
    return [ArticleOut.model_validate(article) for article in articles]


@router.get("/issuers/{issuer_id}/accounts", response_model=list[AccountOut])
async def list_accounts(
    issuer_id: int, session: DbSession, principal: CurrentPrincipal
) -> list[AccountOut]:
    accounts = await service.list_accounts(session, principal=principal, issuer_id=issuer_id)
    return [AccountOut.model_validate(account) for account in accounts]
