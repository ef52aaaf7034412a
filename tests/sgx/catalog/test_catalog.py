"""BAS accounts and articles: seeding, explicit sales accounts, VAT rates, exemption texts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sgx.catalog.models import Account, Article
from sgx.catalog.service import seed_bas_accounts
from sgx.issuers.models import Issuer
from tests.builders.catalog import EXEMPT_TEXT
from tests.builders.identity import make_issuer
from tests.builders.parties import issuer_with_invoicer


async def test_seeding_adds_the_bas_accounts_the_invoicing_uses(session: AsyncSession) -> None:
    issuer = await make_issuer(session)

    await seed_bas_accounts(session, issuer_id=issuer.id)

    accounts = (await session.scalars(select(Account).order_by(Account.number))).all()
    assert [account.number for account in accounts] == [
        1510, 2611, 2621, 2631, 3001, 3002, 3003, 3004, 3540, 3740,
    ]  # fmt: skip
    names = {account.number: account.name for account in accounts}
    assert names[3004] == "Försäljning inom Sverige, momsfri"
    assert names[3740] == "Öres- och kronutjämning"


async def test_seeding_twice_keeps_one_of_each_and_renamed_accounts(
    session: AsyncSession,
) -> None:
    issuer = await make_issuer(session)
    session.add(Account(issuer_id=issuer.id, number=3004, name="Sjukvård, momsfri"))
    await session.flush()

    await seed_bas_accounts(session, issuer_id=issuer.id)
    added_again = await seed_bas_accounts(session, issuer_id=issuer.id)

    assert added_again == []
    assert await session.scalar(select(func.count()).select_from(Account)) == 10
    renamed = await session.scalar(select(Account.name).where(Account.number == 3004))
    assert renamed == "Sjukvård, momsfri"


async def seeded_issuer(session: AsyncSession) -> tuple[Issuer, dict[str, str]]:
    issuer, headers = await issuer_with_invoicer(session)
    await seed_bas_accounts(session, issuer_id=issuer.id)
    await session.commit()
    return issuer, headers


async def post_article(
    client: httpx.AsyncClient, issuer: Issuer, headers: dict[str, str], **fields: Any
) -> httpx.Response:
    body = {
        "code": "BESOK",
        "description": "Läkarbesök",
        "unit_price": "850.00",
        "vat_rate": 0,
        "sales_account_number": 3004,
        "vat_exemption_text": EXEMPT_TEXT,
        **fields,
    }
    return await client.post(f"/api/v1/issuers/{issuer.id}/articles", json=body, headers=headers)


async def test_article_is_created_with_its_price_as_a_two_decimal_string(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await seeded_issuer(session)

    response = await post_article(client, issuer, headers, unit_price=850)

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["code"], body["unit_price"], body["unit"], body["active"]) == (
        "BESOK",
        "850.00",
        "st",
        True,
    )


async def test_taxable_article_needs_no_exemption_text(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await seeded_issuer(session)

    response = await post_article(
        client,
        issuer,
        headers,
        code="ERGO",
        description="Ergonomisk rådgivning",
        vat_rate=25,
        sales_account_number=3001,
        vat_exemption_text="",
    )

    assert response.status_code == 201, response.text
    assert response.json()["vat_rate"] == 25


BAD_ARTICLES: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown vat rate", {"vat_rate": 18}, "vat_rate", "invalid_vat_rate"),
    (
        "exempt without text",
        {"vat_exemption_text": ""},
        "vat_exemption_text",
        "required_for_exempt",
    ),
    (
        "taxable with exemption text",
        {"vat_rate": 25, "sales_account_number": 3001},
        "vat_exemption_text",
        "only_for_exempt",
    ),
    (
        "account not in the chart",
        {"sales_account_number": 3010},
        "sales_account_number",
        "unknown_account",
    ),
    (
        "not a sales account",
        {"sales_account_number": 1510},
        "sales_account_number",
        "not_sales_account",
    ),
    ("negative price", {"unit_price": "-1"}, "unit_price", "negative"),
    ("price in tenths of öre", {"unit_price": "10.005"}, "unit_price", "too_many_decimals"),
    ("code with spaces", {"code": "LÄK BES"}, "code", "invalid_format"),
    ("no description", {"description": ""}, "description", "string_too_short"),
]


@pytest.mark.parametrize(
    ("case", "fields", "field", "code"), BAD_ARTICLES, ids=[case[0] for case in BAD_ARTICLES]
)
async def test_bad_article_is_422_with_a_field_message_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    case: str,
    fields: dict[str, Any],
    field: str,
    code: str,
) -> None:
    issuer, headers = await seeded_issuer(session)

    response = await post_article(client, issuer, headers, **fields)

    assert response.status_code == 422, response.text
    errors = {item["field"]: item for item in response.json()["error"]["fields"]}
    assert errors[field]["code"] == code and errors[field]["message"]
    assert await session.scalar(select(func.count()).select_from(Article)) == 0


async def test_inactive_sales_account_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await seeded_issuer(session)
    account = await session.scalar(select(Account).where(Account.number == 3004))
    assert account is not None
    account.active = False
    await session.commit()

    response = await post_article(client, issuer, headers)

    assert response.json()["error"]["fields"][0]["code"] == "inactive_account"


async def test_article_code_is_unique_per_issuer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await seeded_issuer(session)
    await post_article(client, issuer, headers)

    response = await post_article(client, issuer, headers)

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["code"] == "duplicate"


async def test_accounts_and_articles_are_listed_per_issuer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    issuer, headers = await seeded_issuer(session)
    other, other_headers = await seeded_issuer(session)
    await post_article(client, issuer, headers, code="B")
    await post_article(client, issuer, headers, code="A")
    await post_article(client, other, other_headers, code="C")

    articles = await client.get(f"/api/v1/issuers/{issuer.id}/articles", headers=headers)
    accounts = await client.get(f"/api/v1/issuers/{issuer.id}/accounts", headers=headers)

    assert [article["code"] for article in articles.json()] == ["A", "B"]
    assert len(accounts.json()) == 10
    assert accounts.json()[0] | {"id": 0} == {
        "id": 0,
        "number": 1510,
        "name": "Kundfordringar",
        "active": True,
    }
