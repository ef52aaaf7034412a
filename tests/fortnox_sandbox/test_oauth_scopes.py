"""A valid token still needs the scope in the token and the company's licences, as in Fortnox."""

from __future__ import annotations

import httpx
import pytest

from tests.fortnox_sandbox.oauth_helpers import (
    COMPANY_INFORMATION,
    bearer,
    consent_tokens,
    make_company,
    register_client,
)


@pytest.fixture(autouse=True)
async def company(sandbox_client: httpx.AsyncClient) -> dict:
    await register_client(sandbox_client)
    return await make_company(sandbox_client)


async def _remove_licence(client: httpx.AsyncClient, tenant_id: int, licence: str) -> None:
    response = await client.patch(
        f"/_sandbox/companies/{tenant_id}", json={"licences_remove": [licence]}
    )
    assert response.status_code == 200


async def test_token_without_the_scope_answers_2000663(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"], scopes=["customer"])
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))
    assert response.status_code == 403
    assert response.json()["ErrorInformation"]["Code"] == 2000663


async def test_missing_licence_for_the_scope_answers_2001101(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await _remove_licence(sandbox_client, company["tenant_id"], "companyinformation")
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))
    assert response.json()["ErrorInformation"]["Code"] == 2001101


async def test_missing_api_licence_answers_2001103(
    sandbox_client: httpx.AsyncClient, company: dict
) -> None:
    tokens = await consent_tokens(sandbox_client, company["tenant_id"])
    await _remove_licence(sandbox_client, company["tenant_id"], "api")
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer(tokens["access_token"]))
    assert response.json()["ErrorInformation"]["Code"] == 2001103


async def test_garbage_bearer_token_answers_unauthorized(
    sandbox_client: httpx.AsyncClient,
) -> None:
    response = await sandbox_client.get(COMPANY_INFORMATION, headers=bearer("not-a-jwt"))
    assert response.status_code == 401 and response.json() == {"message": "unauthorized"}
