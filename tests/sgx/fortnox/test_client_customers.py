"""Company information and customers through the client, against the sandbox."""

from __future__ import annotations

import httpx
import pytest

from sgx.fortnox.client import FortnoxClient
from sgx.fortnox.errors import NotFound
from sgx.fortnox.schemas import Customer
from tests.sgx.fortnox.sandbox import ORGANISATION_NUMBER, requests_seen


async def make_customer(fortnox: FortnoxClient, **fields: object) -> Customer:
    fields.setdefault("name", "Verkstaden i Ås AB")
    return await fortnox.customers.create(Customer(**fields))  # type: ignore[arg-type]


async def test_company_information_names_the_connected_company(
    fortnox: FortnoxClient, tenant_id: int
) -> None:
    company = await fortnox.company_information()
    assert company.company_name == "Företagshälsan i Ås AB"
    assert company.organization_number == ORGANISATION_NUMBER
    assert company.database_number == tenant_id


async def test_created_customer_comes_back_with_its_number_and_defaults(
    fortnox: FortnoxClient,
) -> None:
    created = await make_customer(fortnox, organisation_number="556677-8899", type="COMPANY")
    assert created.customer_number
    assert created.organisation_number == "556677-8899"
    assert created.currency == "SEK"
    assert created.active is True


async def test_customer_is_read_back_by_number(fortnox: FortnoxClient) -> None:
    created = await make_customer(fortnox, email="ekonomi@verkstaden.se")
    assert created.customer_number is not None
    fetched = await fortnox.customers.get(created.customer_number)
    assert (fetched.name, fetched.email) == ("Verkstaden i Ås AB", "ekonomi@verkstaden.se")


async def test_customer_read_and_written_back_whole_is_accepted(
    fortnox: FortnoxClient, sandbox_client: httpx.AsyncClient, tenant_id: int
) -> None:
    created = await make_customer(fortnox, country_code="SE")
    assert created.customer_number is not None and created.country == "Sverige"
    changed = created.model_copy(update={"city": "Ås"})
    updated = await fortnox.customers.update(created.customer_number, changed)
    assert updated.city == "Ås"
    # The sandbox refuses read-only fields (@url, Country) with 2001399; nothing was refused.
    statuses = [r["status"] for r in await requests_seen(sandbox_client, tenant_id)]
    assert all(status < 400 for status in statuses)


async def test_partial_update_changes_only_what_is_sent(fortnox: FortnoxClient) -> None:
    created = await make_customer(fortnox, email="a@verkstaden.se", city="Ås")
    assert created.customer_number is not None
    updated = await fortnox.customers.update(created.customer_number, Customer(city="Moss"))
    assert (updated.city, updated.email) == ("Moss", "a@verkstaden.se")


async def test_unknown_customer_is_not_found_with_fortnox_code(fortnox: FortnoxClient) -> None:
    with pytest.raises(NotFound) as raised:
        await fortnox.customers.get("99999")
    assert (raised.value.status, raised.value.code) == (404, 2000433)
    assert raised.value.message == "Kan inte hitta kunden."


async def test_search_by_name_is_a_substring_match_one_page_at_a_time(
    fortnox: FortnoxClient,
) -> None:
    for name in ("Ås Bil AB", "Ås Bilservice AB", "Moss Bil AB"):
        await make_customer(fortnox, name=name)
    page = await fortnox.customers.search(name="ås bil", limit=1)
    assert page.total_resources == 2 and page.total_pages == 2
    assert [c.name for c in page.items] == ["Ås Bil AB"]


async def test_iterating_walks_every_page(fortnox: FortnoxClient) -> None:
    for number in range(3):
        await make_customer(fortnox, name=f"Kund {number}")
    page = await fortnox.customers.search(limit=2)
    assert page.has_next
    names = [c.name async for c in fortnox.customers.iterate(name="Kund")]
    assert names == ["Kund 0", "Kund 1", "Kund 2"]


async def test_organisation_number_is_found_exactly_in_any_spelling(
    fortnox: FortnoxClient,
) -> None:
    hyphen = await make_customer(fortnox, organisation_number="556036-0793")
    plain = await make_customer(fortnox, organisation_number="5560360793")
    await make_customer(fortnox, organisation_number="556036-0801")  # same first six digits
    found = await fortnox.customers.find_by_organisation_number("165560360793")
    assert {c.customer_number for c in found} == {hyphen.customer_number, plain.customer_number}


async def test_email_and_name_lookups_ignore_longer_matches(fortnox: FortnoxClient) -> None:
    exact = await make_customer(fortnox, name="Ås AB", email="info@as.se")
    await make_customer(fortnox, name="Ås AB Filial", email="info@as.se.example")
    by_email = await fortnox.customers.find_by_email("INFO@as.se")
    by_name = await fortnox.customers.find_by_name("ås ab")
    assert [c.customer_number for c in by_email] == [exact.customer_number]
    assert [c.customer_number for c in by_name] == [exact.customer_number]


async def test_customer_number_lookup_does_not_take_a_number_containing_it(
    fortnox: FortnoxClient,
) -> None:
    first = await make_customer(fortnox, customer_number="10")
    await make_customer(fortnox, customer_number="100")
    found = await fortnox.customers.find_by_customer_number("10")
    missing = await fortnox.customers.find_by_customer_number("1")
    assert found is not None and found.customer_number == first.customer_number
    assert missing is None


async def test_sales_account_fortnox_answers_as_a_number_is_read_as_text(
    fortnox: FortnoxClient,
) -> None:
    created = await make_customer(fortnox, sales_account="3001")
    assert created.customer_number is not None

    fetched = await fortnox.customers.get(created.customer_number)

    assert (created.sales_account, fetched.sales_account) == ("3001", "3001")


async def test_update_clears_with_null_and_keeps_what_it_does_not_name(
    fortnox: FortnoxClient,
) -> None:
    created = await make_customer(fortnox, city="Ås", phone1="070-1", email="a@b.se")
    assert created.customer_number is not None

    updated = await fortnox.customers.update(
        created.customer_number, Customer(), clear=["city", "email"]
    )

    assert (updated.city, updated.email, updated.phone1) == (None, "", "070-1")
