"""The token and revoke endpoints: grants, lifetimes, rotation, errors as Fortnox sends them."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.fortnox_sandbox.oauth_helpers import (
    COMPANY_INFORMATION,
    advance_clock,
    authorize_code,
    basic,
    bearer,
    consent_tokens,
    exchange_code,
    make_company,
    refresh,
    register_client,
)

INVALID_REFRESH = {"error": "invalid_grant", "error_description": "Invalid refresh token"}


@pytest.fixture(autouse=True)
async def company(sandbox_client: httpx.AsyncClient) -> dict:
    await register_client(sandbox_client)
    return await make_company(sandbox_client)


async def test_code_exchange_answers_fortnox_token_shape(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    code = await authorize_code(sandbox_client)
    response = await exchange_code(sandbox_client, code)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "refresh_token", "scope", "expires_in", "token_type"]
    assert body["scope"] == "companyinformation customer invoice"
    assert body["expires_in"] == 3600 and body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["tenantId"] == company["tenant_id"] and claims["userId"] >= 1


async def test_access_token_from_code_opens_the_api(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    code = await authorize_code(sandbox_client)
    tokens = (await exchange_code(sandbox_client, code)).json()
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json()["CompanyInformation"]["DatabaseNumber"] == company["tenant_id"]


async def test_code_is_single_use(sandbox_client: httpx.AsyncClient) -> None:
    code = await authorize_code(sandbox_client)
    assert (await exchange_code(sandbox_client, code)).status_code == 200
    again = await exchange_code(sandbox_client, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_code_expires_after_ten_minutes_of_sandbox_time(
    sandbox_client: httpx.AsyncClient,
) -> None:
    code = await authorize_code(sandbox_client)
    await advance_clock(sandbox_client, 601)
    response = await exchange_code(sandbox_client, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_code_exchange_with_other_redirect_uri_is_a_mismatch(
    sandbox_client: httpx.AsyncClient,
) -> None:
    code = await authorize_code(sandbox_client)
    response = await exchange_code(sandbox_client, code, redirect_uri="https://sgx.test/other")
    assert response.status_code == 400
    assert response.json()["error"] == "redirect_uri_mismatch"


async def test_bad_client_secret_is_401_invalid_client_as_text_plain(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.post(
        "/oauth-v1/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers=basic(secret="wrong"),
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "text/plain;charset=UTF-8"
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "The client credentials are invalid",
    }


async def test_refresh_rotates_the_refresh_token(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    response = await refresh(sandbox_client, tokens["refresh_token"])
    assert response.status_code == 200
    renewed = response.json()
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert renewed["access_token"] != tokens["access_token"]
    assert (await refresh(sandbox_client, renewed["refresh_token"])).status_code == 200


async def test_reused_refresh_token_is_invalid_grant_served_as_html(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await refresh(sandbox_client, tokens["refresh_token"])
    again = await refresh(sandbox_client, tokens["refresh_token"])
    assert again.status_code == 400
    assert again.headers["content-type"] == "text/html; charset=UTF-8"
    assert again.json() == INVALID_REFRESH


async def test_refresh_token_expires_after_45_days(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await advance_clock(sandbox_client, 45 * 24 * 3600 + 1)
    response = await refresh(sandbox_client, tokens["refresh_token"])
    assert response.status_code == 400 and response.json() == INVALID_REFRESH


async def test_access_token_expires_after_an_hour(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await advance_clock(sandbox_client, 3600)
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))
    assert response.status_code == 401 and response.json() == {"message": "unauthorized"}


async def test_access_token_granted_after_the_clock_moved_forward_opens_the_api(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    await advance_clock(sandbox_client, 1900)
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    renewed = (await refresh(sandbox_client, tokens["refresh_token"])).json()
    for token in (tokens["access_token"], renewed["access_token"]):
        response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(token))
        assert response.status_code == 200, response.text


async def test_client_credentials_with_tenant_header_needs_no_refresh_token(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    await consent_tokens(sandbox_client, company["tenant_id"], account_type="service")
    response = await sandbox_client.post(
        "/oauth-v1/token",
        data={"grant_type": "client_credentials"},
        headers={**basic(), "TenantId": str(company["tenant_id"])},
    )
    assert response.status_code == 200
    body = response.json()
    assert "refresh_token" not in body and body["expires_in"] == 3600
    probe = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(body["access_token"]))
    assert probe.json()["CompanyInformation"]["DatabaseNumber"] == company["tenant_id"]


async def test_client_credentials_refused_for_a_personal_consent(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    await consent_tokens(sandbox_client, company["tenant_id"], account_type="personal")
    response = await sandbox_client.post(
        "/oauth-v1/token",
        data={"grant_type": "client_credentials"},
        headers={**basic(), "TenantId": str(company["tenant_id"])},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_client_credentials_without_tenant_header_is_invalid_request(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.post(
        "/oauth-v1/token", data={"grant_type": "client_credentials"}, headers=basic()
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_unknown_grant_type_is_unsupported(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post(
        "/oauth-v1/token", data={"grant_type": "password"}, headers=basic()
    )
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"


async def test_revoke_answers_revoked_and_ends_the_refresh_chain(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    renewed = (await refresh(sandbox_client, tokens["refresh_token"])).json()
    response = await sandbox_client.post(
        "/oauth-v1/revoke",
        data={"token_type_hint": "refresh_token", "token": tokens["refresh_token"]},
        headers=basic(),
    )
    assert response.json() == {"revoked": True}
    after = await refresh(sandbox_client, renewed["refresh_token"])
    assert after.status_code == 400 and after.json() == INVALID_REFRESH


async def test_revoke_needs_client_authentication(sandbox_client: httpx.AsyncClient) -> None:
    response = await sandbox_client.post("/oauth-v1/revoke", data={"token": "x"})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_revoked_consent_makes_access_tokens_401(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await sandbox_client.post(
        f"/_sandbox/tenants/{company['tenant_id']}/actions",
        json={"action": "revoke_consent", "client_id": "sgx-test-client"},
    )
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))
    assert response.status_code == 401 and response.json() == {"message": "unauthorized"}


async def test_revoked_consent_makes_refresh_tokens_invalid_grant(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await sandbox_client.post(
        f"/_sandbox/tenants/{company['tenant_id']}/actions",
        json={"action": "revoke_consent", "client_id": "sgx-test-client"},
    )
    response = await refresh(sandbox_client, tokens["refresh_token"])
    assert response.status_code == 400 and response.json() == INVALID_REFRESH


async def test_refresh_token_of_another_client_is_invalid(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await register_client(sandbox_client, client_id="other", client_secret="other-secret")
    response = await sandbox_client.post(
        "/oauth-v1/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        headers=basic("other", "other-secret"),
    )
    assert response.status_code == 400 and response.json() == INVALID_REFRESH
