"""Articles, financial years and the chart of accounts through the client, against the sandbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
import pytest

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.errors import NotFound
from sgx.fortnox.schemas import Article
from tests.sgx.fortnox.sandbox import TODAY, requests_seen


async def test_created_article_is_read_back_with_its_accounts(fortnox: FortnoxClient) -> None:
    created = await fortnox.articles.create(
        Article(description="Hörseltest", type="SERVICE", sales_account=3041, vat=Decimal(25))
    )
    assert created.article_number
    fetched = await fortnox.articles.get(created.article_number)
    assert (fetched.description, fetched.sales_account, fetched.type) == (
        "Hörseltest",
        3041,
        "SERVICE",
    )


async def test_article_read_and_written_back_whole_is_accepted(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    created = await fortnox.articles.create(Article(description="Syntest", sales_account=3041))
    assert created.article_number is not None
    changed = created.model_copy(update={"description": "Syntest, utökad"})
    updated = await fortnox.articles.update(created.article_number, changed)
    assert updated.description == "Syntest, utökad"
    statuses = [r["status"] for r in await requests_seen(sandbox_client, tenant_id)]
    assert all(status < 400 for status in statuses)


async def test_article_with_a_chosen_number_keeps_it(fortnox: FortnoxClient) -> None:
    created = await fortnox.articles.create(Article(article_number="HT-1", description="Test"))
    assert created.article_number == "HT-1"


async def test_unknown_article_is_not_found_with_fortnox_code(fortnox: FortnoxClient) -> None:
    with pytest.raises(NotFound) as raised:
        await fortnox.articles.get("finns-inte")
    assert (raised.value.status, raised.value.code) == (404, 2000428)


async def test_financial_years_cover_this_year_and_last(fortnox: FortnoxClient) -> None:
    years = await fortnox.financial_years.all()
    assert len(years) == 2
    assert all(year.id is not None and year.from_date and year.to_date for year in years)


async def test_financial_year_for_a_date_is_the_one_containing_it(fortnox: FortnoxClient) -> None:
    year = await fortnox.financial_years.for_date(TODAY)
    assert year is not None
    assert (year.from_date, year.to_date) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


async def test_a_date_without_financial_year_has_none(fortnox: FortnoxClient) -> None:
    assert await fortnox.financial_years.for_date(dt.date(1999, 6, 1)) is None


async def test_chart_of_accounts_of_a_year_is_read_whole(fortnox: FortnoxClient) -> None:
    year = await fortnox.financial_years.for_date(TODAY)
    assert year is not None and year.id is not None
    accounts = [a async for a in fortnox.accounts.iterate(financial_year=year.id)]
    numbers = {account.number for account in accounts}
    assert {1510, 2611, 3001} <= numbers
    assert all(account.year == year.id for account in accounts)


async def test_one_page_of_accounts_says_how_many_there_are(fortnox: FortnoxClient) -> None:
    page = await fortnox.accounts.search(limit=10)
    assert len(page.items) == 10 and page.total_resources > 10 and page.has_next


async def test_account_deactivated_in_fortnox_reads_as_inactive(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    response = await sandbox_client.post(
        f"/_sandbox/tenants/{tenant_id}/actions",
        json={"action": "deactivate_account", "number": 3041},
    )
    assert response.status_code == 200, response.text
    account = await fortnox.accounts.get(3041)
    assert (account.number, account.active) == (3041, False)
    assert (await fortnox.accounts.get(3001)).active is True


async def test_account_of_last_year_is_read_with_the_year_id(fortnox: FortnoxClient) -> None:
    last_year = await fortnox.financial_years.for_date(dt.date(2025, 6, 30))
    assert last_year is not None and last_year.id is not None
    account = await fortnox.accounts.get(1510, financial_year=last_year.id)
    assert (account.description, account.year) == ("Kundfordringar", last_year.id)


async def test_unknown_account_is_not_found(fortnox: FortnoxClient) -> None:
    with pytest.raises(NotFound):
        await fortnox.accounts.get(9998)
