"""Company information, financial years and the chart of accounts per year."""

from __future__ import annotations

import httpx

from fortnox_sandbox import inside
from fortnox_sandbox.backend import SandboxBackend
from fortnox_sandbox.tenants import Company
from tests.fortnox_sandbox.rest_builders import error_of, token_for

USED_BY_SGX = (1510, 1930, 2611, 2621, 2631, 2641, 3001, 3002, 3003, 3004, 3540, 3740, 3041)


async def test_company_information_names_the_company_and_its_tenant(
    fortnox: httpx.AsyncClient, company: Company
) -> None:
    response = await fortnox.get("/3/companyinformation")

    assert response.status_code == 200
    info = response.json()["CompanyInformation"]
    assert info["DatabaseNumber"] == company.tenant_id
    assert info["OrganizationNumber"] == "556677-8899"
    assert "OrganisationNumber" not in info
    assert (info["CompanyName"], info["City"]) == ("Företagshälsan i Ås AB", "Ås")


async def test_two_financial_years_are_seeded(fortnox: httpx.AsyncClient) -> None:
    years = (await fortnox.get("/3/financialyears")).json()["FinancialYears"]

    assert [(y["Id"], y["FromDate"], y["ToDate"]) for y in years] == [
        (1, "2025-01-01", "2025-12-31"),
        (2, "2026-01-01", "2026-12-31"),
    ]
    assert {y["AccountChartType"] for y in years} == {"BAS 2024"}


async def test_financial_year_by_date(fortnox: httpx.AsyncClient) -> None:
    years = (await fortnox.get("/3/financialyears", params={"date": "2025-06-30"})).json()

    assert [y["Id"] for y in years["FinancialYears"]] == [1]


async def test_financial_year_by_id_and_unknown_id(fortnox: httpx.AsyncClient) -> None:
    year = (await fortnox.get("/3/financialyears/2")).json()["FinancialYear"]
    missing = await fortnox.get("/3/financialyears/9")

    assert year["FromDate"] == "2026-01-01"
    assert missing.status_code == 404


async def test_a_new_financial_year_copies_the_chart(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/financialyears",
        json={"FinancialYear": {"FromDate": "2027-01-01", "ToDate": "2027-12-31"}},
    )

    assert response.status_code == 201
    year_id = response.json()["FinancialYear"]["Id"]
    accounts = (await fortnox.get("/3/accounts", params={"financialyear": year_id})).json()
    assert {a["Year"] for a in accounts["Accounts"]} == {year_id}
    assert accounts["MetaInformation"]["@TotalResources"] > 40


async def test_overlapping_financial_year_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/financialyears",
        json={"FinancialYear": {"FromDate": "2026-07-01", "ToDate": "2027-06-30"}},
    )

    assert error_of(response) == (400, 2000588)


async def test_chart_holds_the_accounts_the_product_uses(fortnox: httpx.AsyncClient) -> None:
    listed = (await fortnox.get("/3/accounts", params={"limit": 500})).json()["Accounts"]

    numbers = {a["Number"] for a in listed}
    assert set(USED_BY_SGX) <= numbers
    assert all(a["Active"] for a in listed)
    assert {a["Year"] for a in listed} == {2}  # the current year by default
    assert [a["Number"] for a in listed] == sorted(numbers)


async def test_accounts_of_another_year_by_id_or_date(fortnox: httpx.AsyncClient) -> None:
    by_id = (await fortnox.get("/3/accounts", params={"financialyear": 1})).json()
    by_date = (await fortnox.get("/3/accounts", params={"financialyeardate": "2025-03-01"})).json()

    assert {a["Year"] for a in by_id["Accounts"]} == {1}
    assert {a["Year"] for a in by_date["Accounts"]} == {1}


async def test_unknown_financial_year_parameter_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/accounts", params={"financialyear": 42})

    assert error_of(response) == (400, 2000588)


async def test_single_account_and_unknown_account(fortnox: httpx.AsyncClient) -> None:
    account = (await fortnox.get("/3/accounts/3004")).json()["Account"]
    missing = await fortnox.get("/3/accounts/3999")

    assert account["Description"] == "Försäljning inom Sverige, momsfri"
    assert account["VATCode"] == "MF"
    assert error_of(missing) == (404, 2000423)


async def test_deactivated_account_shows_inactive_only_in_that_year(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    inside.deactivate_account(sandbox_backend, company.tenant_id, "3004", financial_year=1)

    last_year = (await fortnox.get("/3/accounts/3004", params={"financialyear": 1})).json()
    this_year = (await fortnox.get("/3/accounts/3004")).json()

    assert last_year["Account"]["Active"] is False
    assert this_year["Account"]["Active"] is True


async def test_put_account_changes_active_flag(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.put("/3/accounts/3740", json={"Account": {"Active": False}})

    assert response.status_code == 200
    assert response.json()["Account"]["Active"] is False


async def test_accounts_lastmodified_lists_only_changed_accounts(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend, company: Company
) -> None:
    sandbox_backend.clock.advance(600)
    inside.deactivate_account(sandbox_backend, company.tenant_id, 3002)

    found = (await fortnox.get("/3/accounts", params={"lastmodified": "2026-03-10 10:05"})).json()

    assert [a["Number"] for a in found["Accounts"]] == [3002]


async def test_account_search_by_sru(fortnox: httpx.AsyncClient) -> None:
    found = (await fortnox.get("/3/accounts", params={"sru": "7251"})).json()

    assert [a["Number"] for a in found["Accounts"]] == [1510]


async def test_company_without_seed_answers_fortnox_errors_not_crashes(
    sandbox_app,  # type: ignore[no-untyped-def]
    sandbox_backend: SandboxBackend,
) -> None:
    bare = sandbox_backend.create_company(
        name="Tomt AB",
        organisation_number="559000-0001",
        users=[{"username": "bo", "password": "hemligt-123", "sysadmin": True}],
        seed=False,
    )
    sandbox_backend.rate_limiter.configure(enabled=False)
    headers = {"Authorization": f"Bearer {token_for(sandbox_backend, bare)}"}
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://fortnox.test", headers=headers
    ) as client:
        accounts = await client.get("/3/accounts")
        customer = await client.post("/3/customers", json={"Customer": {"Name": "Kund"}})
        invoice = await client.post("/3/invoices", json={"Invoice": {"CustomerNumber": "1"}})

    assert error_of(accounts) == (400, 2000588)
    assert customer.status_code == 201
    assert error_of(invoice) == (400, 2000588)
