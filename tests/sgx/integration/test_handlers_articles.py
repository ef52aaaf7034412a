"""Articles through the transfer handler, against the sandbox: created with account and VAT,
updated only when changed, taken over when made in Fortnox by hand."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Article
from sgx.fortnox.schemas import Article as FortnoxArticle
from sgx.integration.jobs import OutcomeKind
from tests.builders.transfer import (
    Connected,
    SessionFactory,
    connect_clinic,
    forget_requests,
    patient_invoice,
    requests_to_fortnox,
    transfer,
)


@pytest.fixture
async def connected(
    session: AsyncSession, session_factory: SessionFactory, sandbox_client: httpx.AsyncClient
) -> Connected:
    return await connect_clinic(session, session_factory, sandbox_client)


async def test_articles_are_created_with_their_sales_account_and_vat(
    connected: Connected, session: AsyncSession
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    besok = await connected.fortnox.articles.get("BESOK")
    konsult = await connected.fortnox.articles.get("KONSULT")
    assert (besok.description, besok.sales_account, besok.vat) == ("Läkarbesök", 3004, 0)
    assert (konsult.sales_account, konsult.vat) == (3001, 25)


async def test_changed_article_is_updated_and_unchanged_ones_are_not_touched(
    connected: Connected, session: AsyncSession, session_factory: SessionFactory
) -> None:
    await transfer(connected, session, await patient_invoice(session, connected))
    async with session_factory() as writer:
        article = await _article(writer, connected.clinic.issuer.id, "KONSULT")
        article.description = "Konsultation företagshälsa"
        await writer.commit()
    second = await patient_invoice(session, connected)
    await forget_requests(connected)
    await transfer(connected, session, second)
    calls = [(r["method"], r["path"]) for r in await requests_to_fortnox(connected)]
    assert calls == [
        ("PUT", "/3/articles/KONSULT"),
        ("POST", "/3/invoices"),
        ("PUT", f"/3/invoices/{second.number}/bookkeep"),
    ]
    assert (await connected.fortnox.articles.get("KONSULT")).description == (
        "Konsultation företagshälsa"
    )


async def test_article_made_in_fortnox_by_hand_is_taken_over_not_created_twice(
    connected: Connected, session: AsyncSession
) -> None:
    await connected.fortnox.articles.create(
        FortnoxArticle(article_number="BESOK", description="Besök", sales_account=3001)
    )
    outcome = await transfer(
        connected, session, await patient_invoice(session, connected, rows=[("BESOK", "1")])
    )
    assert outcome.kind is OutcomeKind.DONE
    article = await connected.fortnox.articles.get("BESOK")
    assert (article.description, article.sales_account) == ("Läkarbesök", 3004)


async def _article(session: AsyncSession, issuer_id: int, code: str) -> Article:
    found = await session.scalars(
        select(Article).where(Article.issuer_id == issuer_id, Article.code == code)
    )
    return found.one()
