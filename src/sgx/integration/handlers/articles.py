"""The articles of an invoice in Fortnox: created when missing, updated when changed.

An article's Fortnox number is its SGX code. What SGX last sent is remembered per article
(content hash), so an invoice whose articles are unchanged costs no article call. An article not
yet linked is read first (one call, once): an article with that number made in Fortnox by hand,
or by an earlier attempt whose answer was lost, is taken over and brought up to date rather
than created twice.
"""

from __future__ import annotations

from sgx.catalog.models import Article
from sgx.fortnox.errors import NotFound
from sgx.fortnox.schemas import Article as FortnoxArticle
from sgx.integration import mapping
from sgx.integration.handlers.common import forget, lookup, read_links, remember, write
from sgx.integration.jobs import JobContext
from sgx.integration.links import FortnoxLink, LinkKind
from sgx.outbox.models import TransferJob


async def ensure_articles(
    ctx: JobContext,
    job: TransferJob,
    articles: list[Article],
    *,
    fresh: bool = False,
    known: dict[int, FortnoxLink] | None = None,
) -> set[str]:
    """Bring the articles up to date in Fortnox; returns their Fortnox numbers.

    ``known``: the article links already read with the invoice (``None``: read them here).
    """
    ids = [article.id for article in articles]
    links: dict[int, FortnoxLink]
    if fresh:
        await forget(ctx, LinkKind.ARTICLE, ids)
        links = {}
    elif known is not None:
        links = known
    else:
        links = await read_links(ctx, LinkKind.ARTICLE, ids)
    for article in articles:
        wanted = mapping.article_payload(article)
        digest = mapping.content_hash(wanted)
        link = links.get(article.id)
        if link is not None and link.content_hash == digest:
            continue
        await _bring_up_to_date(ctx, job, article.code, wanted, known=link is not None)
        await remember(ctx, LinkKind.ARTICLE, article.id, article.code, digest)
    return {article.code for article in articles}


async def _bring_up_to_date(
    ctx: JobContext, job: TransferJob, number: str, wanted: FortnoxArticle, *, known: bool
) -> None:
    if known:
        try:
            await _update(ctx, job, number, wanted)
            return
        except NotFound:
            pass  # removed in Fortnox since: make it again
    found = await lookup(ctx, job, "get_article", lambda: ctx.client.articles.get(number))
    if found is None:
        await write(
            ctx,
            job,
            "create_article",
            lambda: ctx.client.articles.create(wanted),
            document=lambda article: article.article_number,
        )
    elif not mapping.same_article_content(found, wanted):
        await _update(ctx, job, number, wanted)


async def _update(ctx: JobContext, job: TransferJob, number: str, wanted: FortnoxArticle) -> None:
    await write(
        ctx,
        job,
        "update_article",
        lambda: ctx.client.articles.update(number, mapping.article_changes(wanted)),
    )
