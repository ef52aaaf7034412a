"""`/3/articles`: defaults from the predefined accounts, searches, updates, errors."""

from __future__ import annotations

import httpx

from fortnox_sandbox import inside
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import create_article, error_of


async def test_new_article_takes_predefined_accounts_and_vat(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/articles", json={"Article": {"Description": "Hörseltest"}})

    assert response.status_code == 201
    article = response.json()["Article"]
    assert article["ArticleNumber"] == "1"
    assert (article["SalesAccount"], article["PurchaseAccount"]) == (3001, 4000)
    assert article["VAT"] == 25
    assert article["Type"] == "STOCK"
    assert article["Active"] is True


async def test_vat_follows_the_sales_account(fortnox: httpx.AsyncClient) -> None:
    article = await create_article(fortnox, SalesAccount=3004)

    assert article["VAT"] == 0


async def test_unknown_article_is_404_2000428(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/articles/nope")

    assert response.status_code == 404
    assert response.json()["ErrorInformation"]["Code"] == 2000428
    assert response.json()["ErrorInformation"]["Message"] == "Kan inte hitta artikeln."


async def test_sales_account_missing_from_the_chart_is_refused(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await fortnox.post(
        "/3/articles", json={"Article": {"Description": "X", "SalesAccount": 3999}}
    )

    assert error_of(response) == (400, 2000423)


async def test_update_rechecks_accounts_it_did_not_touch(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    article = await create_article(fortnox)
    # The purchase account disappears from the chart (e.g. a chart edited in Fortnox).
    for chart in company.accounts.values():
        del chart["4000"]

    response = await fortnox.put(
        f"/3/articles/{article['ArticleNumber']}", json={"Article": {"Description": "Ny"}}
    )

    assert error_of(response) == (400, 2000423)
    assert "PurchaseAccount" in response.json()["ErrorInformation"]["message"]


async def test_search_by_description_is_substring(fortnox: httpx.AsyncClient) -> None:
    await create_article(fortnox, Description="Hörseltest")
    await create_article(fortnox, Description="Syntest")
    await create_article(fortnox, Description="Vaccination")

    found = (await fortnox.get("/3/articles", params={"description": "TEST"})).json()

    assert sorted(a["Description"] for a in found["Articles"]) == ["Hörseltest", "Syntest"]


async def test_list_item_carries_numbers_as_strings(fortnox: httpx.AsyncClient) -> None:
    await create_article(fortnox, PurchasePrice=12.5)

    item = (await fortnox.get("/3/articles")).json()["Articles"][0]

    assert item["PurchasePrice"] == "12.5"
    assert item["VAT"] == "25"
    assert item["SalesPrice"] == "0"


async def test_put_is_partial_and_number_cannot_change(fortnox: httpx.AsyncClient) -> None:
    article = await create_article(fortnox, Description="Hörseltest", Unit="st")
    url = f"/3/articles/{article['ArticleNumber']}"

    updated = (await fortnox.put(url, json={"Article": {"Description": "Hörsel"}})).json()
    renumbered = await fortnox.put(url, json={"Article": {"ArticleNumber": "X1"}})

    assert (updated["Article"]["Description"], updated["Article"]["Unit"]) == ("Hörsel", "st")
    assert error_of(renumbered) == (400, 2000588)


async def test_caller_set_article_number_in_use_is_refused(fortnox: httpx.AsyncClient) -> None:
    await create_article(fortnox, ArticleNumber="A1")

    response = await fortnox.post(
        "/3/articles", json={"Article": {"Description": "Y", "ArticleNumber": "A1"}}
    )

    assert error_of(response) == (400, 2000588)


async def test_sales_price_is_read_only(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/articles", json={"Article": {"Description": "Y", "SalesPrice": 100}}
    )

    assert error_of(response) == (400, 2001399)


async def test_delete_answers_204(fortnox: httpx.AsyncClient) -> None:
    article = await create_article(fortnox)

    response = await fortnox.delete(f"/3/articles/{article['ArticleNumber']}")

    assert response.status_code == 204
    assert error_of(await fortnox.get(f"/3/articles/{article['ArticleNumber']}")) == (404, 2000428)


async def test_filter_inactive_and_sort_descending(fortnox: httpx.AsyncClient) -> None:
    await create_article(fortnox, ArticleNumber="1")
    await create_article(fortnox, ArticleNumber="2", Active=False)
    await create_article(fortnox, ArticleNumber="3", Active=False)

    found = (
        await fortnox.get(
            "/3/articles",
            params={"filter": "inactive", "sortby": "articlenumber", "sortorder": "descending"},
        )
    ).json()

    assert [a["ArticleNumber"] for a in found["Articles"]] == ["3", "2"]


async def test_invalid_article_filter_is_2000587(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/articles", params={"filter": "expired"})

    assert error_of(response) == (400, 2000587)


def test_inside_deactivating_an_account_shows_the_account(
    sandbox_backend: SandboxBackend, company: Company
) -> None:
    shown = inside.deactivate_account(sandbox_backend, company.tenant_id, 3001)

    assert shown["Account"]["Active"] is False
    assert shown["Account"]["Number"] == 3001
