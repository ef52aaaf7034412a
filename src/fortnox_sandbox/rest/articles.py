"""`/3/articles`: list/search, create, get, partial update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from fortnox_sandbox.auth import require_scope
from fortnox_sandbox.backend import AccessContext
from fortnox_sandbox.resources import articles
from fortnox_sandbox.rest import http

router = APIRouter()
scope = require_scope("article")


@router.get("/articles")
async def list_articles(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    page = articles.list_articles(ctx, http.query(request))
    items = [articles.article_list_item(ctx, a) for a in page.items]
    return http.listed("Articles", page, items)


@router.post("/articles")
async def create_article(request: Request, access: AccessContext = Depends(scope)) -> Response:
    ctx = http.context(request, access)
    article = articles.create_article(ctx, await http.body(request, "Article"))
    return http.single("Article", articles.article_view(ctx, article), status=201)


@router.get("/articles/{number}")
async def get_article(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    return http.single("Article", articles.article_view(ctx, articles.get_article(ctx, number)))


@router.put("/articles/{number}")
async def update_article(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    ctx = http.context(request, access)
    articles.get_article(ctx, number)
    article = articles.update_article(ctx, number, await http.body(request, "Article"))
    return http.single("Article", articles.article_view(ctx, article))


@router.delete("/articles/{number}")
async def delete_article(
    number: str, request: Request, access: AccessContext = Depends(scope)
) -> Response:
    articles.delete_article(http.context(request, access), number)
    return http.no_content()
