"""The control plane exists as SANDBOX-CONTROL.md writes it: state, clients, tokens and errors."""

from __future__ import annotations

import httpx

from fortnox_sandbox.app import create_app
from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.oauth_helpers import (
    CLIENT_ID,
    PASSWORD,
    make_company,
    register_client,
)

ALL_LICENCES = [
    "api",
    "article",
    "bookkeeping",
    "companyinformation",
    "customer",
    "invoice",
    "payment",
    "settings",
]


async def test_new_company_gets_a_tenant_id_and_every_licence(
    sandbox_client: httpx.AsyncClient,
) -> None:
    company = await make_company(sandbox_client)
    assert company["tenant_id"] >= 1
    assert company["name"] == "Tandläkarna i Ås AB"
    assert sorted(company["licences"]) == ALL_LICENCES


async def test_company_can_choose_its_tenant_id_and_licences(
    sandbox_client: httpx.AsyncClient,
) -> None:
    company = await make_company(sandbox_client, tenant_id=4242, licences=["api", "invoice"])
    assert company["tenant_id"] == 4242 and sorted(company["licences"]) == ["api", "invoice"]


async def test_taken_tenant_id_is_a_conflict(sandbox_client: httpx.AsyncClient) -> None:
    await make_company(sandbox_client, tenant_id=77)
    response = await sandbox_client.post(
        "/_sandbox/companies", json={"name": "B", "organisation_number": "1", "tenant_id": 77}
    )
    assert response.status_code == 409 and response.json()["error"] == "company_exists"


async def test_unknown_licence_is_a_bad_request(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/_sandbox/companies",
        json={"name": "B", "organisation_number": "1", "licences": ["lön"]},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"error", "detail"}


async def test_missing_or_misspelt_fields_are_bad_requests(
    sandbox_client: httpx.AsyncClient,
) -> None:
    missing = await sandbox_client.post("/_sandbox/companies", json={"name": "B"})
    misspelt = await sandbox_client.post(
        "/_sandbox/companies", json={"name": "B", "organisation_number": "1", "licence": []}
    )
    assert missing.status_code == 400 and "organisation_number" in missing.json()["detail"]
    assert misspelt.status_code == 400 and misspelt.json()["error"] == "invalid_request"


async def test_company_list_shows_users_without_passwords(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await make_company(sandbox_client)
    companies = (await sandbox_client.get("/_sandbox/companies")).json()
    assert [user["username"] for user in companies[0]["users"]] == ["anna"]
    assert PASSWORD not in str(companies)


async def test_patch_adds_and_removes_licences_and_adds_users(
    sandbox_client: httpx.AsyncClient,
) -> None:
    company = await make_company(sandbox_client, licences=["api", "customer"])
    response = await sandbox_client.patch(
        f"/_sandbox/companies/{company['tenant_id']}",
        json={
            "licences_add": ["invoice"],
            "licences_remove": ["customer"],
            "users_add": [{"username": "bo", "password": "x", "sysadmin": False}],
        },
    )
    assert sorted(response.json()["licences"]) == ["api", "invoice"]
    assert {user["username"] for user in response.json()["users"]} == {"anna", "bo"}


async def test_patch_of_existing_username_is_a_conflict(
    sandbox_client: httpx.AsyncClient,
) -> None:
    company = await make_company(sandbox_client)
    response = await sandbox_client.patch(
        f"/_sandbox/companies/{company['tenant_id']}",
        json={"users_add": [{"username": "anna", "password": "x"}]},
    )
    assert response.status_code == 409


async def test_patch_of_unknown_company_is_not_found(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.patch("/_sandbox/companies/999", json={})
    assert response.status_code == 404
    assert response.json()["error"] == "company_not_found"


async def test_client_registration_defaults_to_all_scopes(
    sandbox_client: httpx.AsyncClient,
) -> None:
    client = await register_client(sandbox_client)
    assert client["client_id"] == CLIENT_ID and client["service_accounts"] is True
    assert {"companyinformation", "customer", "invoice", "payment"} <= set(client["scopes"])


async def test_registering_a_client_again_replaces_it(sandbox_client: httpx.AsyncClient) -> None:
    await register_client(sandbox_client)
    await register_client(sandbox_client, scopes=["customer"])
    clients = (await sandbox_client.get("/_sandbox/clients")).json()
    assert [client["scopes"] for client in clients] == [["customer"]]


async def test_personal_tokens_come_with_a_refresh_token(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    response = await sandbox_client.post(
        "/_sandbox/tokens",
        json={
            "tenant_id": company["tenant_id"],
            "client_id": CLIENT_ID,
            "scopes": ["customer", "invoice"],
            "account_type": "personal",
            "username": "anna",
        },
    )
    body = response.json()
    assert body["tenant_id"] == company["tenant_id"] and body["scope"] == "customer invoice"
    assert body["expires_in"] == 3600 and body["refresh_token"]


async def test_service_tokens_have_no_refresh_token(sandbox_client: httpx.AsyncClient) -> None:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    response = await sandbox_client.post(
        "/_sandbox/tokens",
        json={
            "tenant_id": company["tenant_id"],
            "client_id": CLIENT_ID,
            "scopes": ["customer"],
            "account_type": "service",
        },
    )
    assert response.status_code == 200 and "refresh_token" not in response.json()


async def test_tokens_for_unregistered_scope_are_refused(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client, scopes=["customer"])
    company = await make_company(sandbox_client)
    response = await sandbox_client.post(
        "/_sandbox/tokens",
        json={"tenant_id": company["tenant_id"], "client_id": CLIENT_ID, "scopes": ["invoice"]},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


async def test_tokens_for_unknown_client_or_company_are_not_found(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client)
    company = await make_company(sandbox_client)
    no_client = await sandbox_client.post(
        "/_sandbox/tokens",
        json={"tenant_id": company["tenant_id"], "client_id": "x", "scopes": ["customer"]},
    )
    no_company = await sandbox_client.post(
        "/_sandbox/tokens", json={"tenant_id": 5, "client_id": CLIENT_ID, "scopes": ["customer"]}
    )
    assert (no_client.status_code, no_company.status_code) == (404, 404)


async def test_service_tokens_named_for_a_non_administrator_are_refused(
    sandbox_client: httpx.AsyncClient,
) -> None:
    await register_client(sandbox_client)
    company = await make_company(
        sandbox_client, users=[{"username": "bo", "password": "x", "sysadmin": False}]
    )
    response = await sandbox_client.post(
        "/_sandbox/tokens",
        json={
            "tenant_id": company["tenant_id"],
            "client_id": CLIENT_ID,
            "scopes": ["customer"],
            "account_type": "service",
            "username": "bo",
        },
    )
    assert response.status_code == 400 and response.json()["error"] == "not_sysadmin"


async def test_reset_forgets_everything(
    sandbox_client: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    await register_client(sandbox_client)
    await make_company(sandbox_client)
    await sandbox_client.post("/_sandbox/faults", json={"kind": "status"})
    await sandbox_client.post("/_sandbox/clock", json={"advance_seconds": 60})
    await sandbox_client.get("/3/customers")
    assert (await sandbox_client.post("/_sandbox/reset")).json() == {}
    assert (await sandbox_client.get("/_sandbox/companies")).json() == []
    assert (await sandbox_client.get("/_sandbox/clients")).json() == []
    assert (await sandbox_client.get("/_sandbox/faults")).json() == []
    assert (await sandbox_client.get("/_sandbox/requests")).json() == {"requests": []}
    assert (await sandbox_client.get("/_sandbox/clock")).json()["offset_seconds"] == 0


async def test_control_plane_is_absent_unless_enabled() -> None:
    app = create_app(SandboxBackend(), control=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://fortnox.test"
    ) as client:
        assert (await client.get("/_sandbox/companies")).status_code == 404
        assert (await client.get("/_sandbox/ui")).status_code == 404
